"""API keys: created, listed and revoked by ``chronomem keys``, stored only hashed, read again
by a running server when the file changes; and ``chronomem serve``'s refusals at start."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chronomem.cli import cli
from chronomem.config import API_KEY_VARIABLE, api_key_from_env
from chronomem.errors import InputError, NotFoundError
from chronomem.server import run
from chronomem.server.keys import KEY_FILE, KeyRing, default_keys_path


def _cli(*args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == code, (result.output, result.exception)
    return result


def _refusal(*args: str) -> str:
    """The error ``chronomem ARGS`` stops with (``main`` prints it as one line)."""
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code != 0
    return f"{result.output} {result.exception}"


def test_a_key_is_shown_once_and_stored_hashed(tmp_path: Path) -> None:
    store = tmp_path / "memory"
    created = json.loads(
        _cli(
            "keys",
            "create",
            "--store",
            str(store),
            "--name",
            "bot",
            "--group",
            "g1",
            "--group",
            "g2",
            "--json",
        ).stdout
    )
    path = store / KEY_FILE
    text = path.read_text()
    assert created["key"] not in text
    assert created["key"].split("_")[2] not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    ring = KeyRing(path)
    principal = ring.authenticate(created["key"])
    assert principal is not None
    assert principal.groups == {"g1", "g2"}
    assert not principal.admin
    assert principal.may_use("g1")
    assert not principal.may_use("g3")
    listed = json.loads(_cli("keys", "list", "--store", str(store), "--json").stdout)
    assert [k["id"] for k in listed] == [created["id"]]
    assert "sha256" not in listed[0]
    assert "bot" in _cli("keys", "list", "--store", str(store)).stdout


def test_revoking_takes_effect_without_a_restart(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys.json")
    record, key = ring.create("a", groups=["g"])
    assert ring.authenticate(key) is not None
    other = KeyRing(ring.path)  # another process: `chronomem keys revoke`
    other.revoke(record.id)
    assert ring.authenticate(key) is None
    assert other.revoke(record.id).revoked_at is not None  # idempotent
    with pytest.raises(NotFoundError, match="no key 'nope'"):
        ring.revoke("nope")
    assert "no key 'nope'" in _refusal("keys", "revoke", "nope", "--keys", str(ring.path))


def test_forged_and_malformed_keys_are_refused(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path / "keys.json")
    record, key = ring.create("a", admin=True)
    assert ring.authenticate(key) is not None
    for presented in (
        "",
        key + "x",
        key[:-1] + ("A" if key[-1] != "A" else "B"),
        key.replace(record.id, "000000000000"),
        "cmk_' OR 1=1 --",
        record.sha256,
    ):
        assert ring.authenticate(presented) is None, presented


@pytest.mark.parametrize(
    ("groups", "admin", "message"),
    [
        ((), False, "at least one --group"),
        (("g",), True, "not both"),
        (("bad group",), False, "invalid group id"),
    ],
)
def test_bad_key_requests(
    tmp_path: Path, groups: tuple[str, ...], admin: bool, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        KeyRing(tmp_path / "keys.json").create("k", groups=groups, admin=admin)
    assert not (tmp_path / "keys.json").exists()


def test_where_keys_live_by_default(tmp_path: Path) -> None:
    assert default_keys_path(str(tmp_path / "m")) == tmp_path / "m" / KEY_FILE
    assert default_keys_path("neo4j://db:7687") == Path(".chronomem") / KEY_FILE


def test_a_damaged_keys_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text('{"keys": [{"id": 1}]}')
    assert "not a chronomem keys file" in _refusal("keys", "list", "--keys", str(path))


def test_serve_refuses_no_auth_beyond_localhost(tmp_path: Path) -> None:
    args = ["serve", "--store", str(tmp_path / "m"), "--no-auth", "--host", "0.0.0.0"]
    assert "only allowed on localhost" in _refusal(*args)
    assert "nothing to serve" in _refusal("serve", "--no-http")


def test_stdio_needs_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CHRONOMEM_API_KEY", raising=False)
    args = ("serve", "--store", str(tmp_path / "m"), "--mcp-stdio")
    assert "CHRONOMEM_API_KEY" in _refusal(*args)
    monkeypatch.setenv("CHRONOMEM_API_KEY", "cmk_000000000000_" + "A" * 43)
    assert "not a live key" in _refusal(*args)


def test_no_auth_says_so_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    served: list[object] = []

    async def pretend(*args: object) -> None:
        served.append(args)

    monkeypatch.setattr(run, "_serve", pretend)
    monkeypatch.setattr("chronomem.cli.Memory.open", lambda *a, **k: _Closable())
    result = _cli("serve", "--store", str(tmp_path / "m"), "--no-auth")
    assert run.NO_AUTH_WARNING in result.stderr
    assert served, "the server was not started"


class _Closable:
    def close(self) -> None:
        pass


def test_the_stdio_key_is_read_with_the_other_settings() -> None:
    assert api_key_from_env({API_KEY_VARIABLE: "cmk_x"}) == "cmk_x"
    assert api_key_from_env({API_KEY_VARIABLE: ""}) is None
    assert api_key_from_env({}) is None
