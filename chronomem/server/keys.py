"""API keys: who may read and write which groups.

A key is ``cmk_<id>_<secret>``: ``id`` names it (in logs, in ``chronomem keys list``, to
revoke it), ``secret`` is 32 random bytes. Only the SHA-256 of the whole key is stored, so the
keys file lets nobody in; the key itself is shown once, when it is created. (A plain hash is
enough for 256 random bits: there is nothing to guess a dictionary of.)

Each key is allowed a set of groups, or every group (an admin key). The keys live in a JSON
file, by default ``keys.json`` inside an embedded memory's directory, or ``.chronomem/keys.json``
for a Neo4j memory (``--keys FILE`` chooses another). The file is written whole and atomically
(a temporary file renamed over it, mode 0600, under an ``flock`` so that two ``chronomem keys``
commands cannot lose each other's change), and a running server reads it again whenever it
changes: a key created or revoked takes effect at the next request, without a restart.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from pydantic import BaseModel, Field, ValidationError

from chronomem.engine.store.targets import INMEMORY_URI, is_neo4j_uri
from chronomem.errors import ConfigurationError, InputError, NotFoundError
from chronomem.schema import AwareTime, check_group_id, utcnow

__all__ = ["KEY_FILE", "ApiKey", "KeyRing", "Principal", "default_keys_path"]

KEY_FILE: Final = "keys.json"
KEY_PREFIX: Final = "cmk"
_KEY_SHAPE: Final = re.compile(rf"^{KEY_PREFIX}_([0-9a-f]{{12}})_([A-Za-z0-9_-]{{43}})$")
_NAME_MAX: Final = 100


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: a key's id and the groups it may touch (all, if ``admin``)."""

    key_id: str
    groups: frozenset[str]
    admin: bool = False

    def may_use(self, group_id: str) -> bool:
        return self.admin or group_id in self.groups


LOCAL_ADMIN: Final = Principal("local", frozenset(), admin=True)
"""The principal of an unauthenticated server (``--no-auth``) and of a local stdio session."""


class ApiKey(BaseModel):
    """One key as stored: its hash, never the key."""

    id: str
    name: str
    sha256: str
    groups: list[str] = Field(default_factory=list)
    admin: bool = False
    created_at: AwareTime
    revoked_at: AwareTime | None = None

    def principal(self) -> Principal:
        return Principal(self.id, frozenset(self.groups), admin=self.admin)


class _KeyFile(BaseModel):
    version: int = 1
    keys: list[ApiKey] = Field(default_factory=list)


def default_keys_path(store: str) -> Path:
    """Where the keys of the memory at ``store`` live unless ``--keys`` says otherwise."""
    if is_neo4j_uri(store) or store.lower() == INMEMORY_URI:
        return Path(".chronomem") / KEY_FILE
    return Path(store) / KEY_FILE


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class KeyRing:
    """The keys file of one server: create, revoke, list, and check a presented key."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._by_id: dict[str, ApiKey] = {}

    # -- reading ---------------------------------------------------------------------------------

    def _load(self) -> dict[str, ApiKey]:
        """The keys by id, read again only when the file changed since the last read."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            self._seen, self._by_id = None, {}
            return self._by_id
        stamp = (info.st_mtime_ns, info.st_size)
        if stamp != self._seen:
            self._by_id = {key.id: key for key in self._read().keys}
            self._seen = stamp
        return self._by_id

    def _read(self) -> _KeyFile:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _KeyFile()
        try:
            return _KeyFile.model_validate_json(text)
        except ValidationError as error:
            raise ConfigurationError(
                f"{self.path}: not a chronomem keys file ({error.error_count()} problems); "
                "restore it or move it away and create the keys again"
            ) from None

    def keys(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        return sorted(self._load().values(), key=lambda k: (k.created_at, k.id))

    def authenticate(self, presented: str) -> Principal | None:
        """The principal of ``presented`` (a whole key), or None if it is not a live key."""
        shape = _KEY_SHAPE.fullmatch(presented)
        if shape is None:
            return None
        key = self._load().get(shape.group(1))
        if key is None or key.revoked_at is not None:
            return None
        if not hmac.compare_digest(key.sha256, _digest(presented)):
            return None
        return key.principal()

    # -- writing ---------------------------------------------------------------------------------

    @contextmanager
    def _editing(self) -> Iterator[_KeyFile]:
        """The file's content, written back atomically when the block ends without error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            content = self._read()
            yield content
            text = content.model_dump_json(indent=2)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".keys-")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(text + "\n")
                os.chmod(temporary, 0o600)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        finally:
            os.close(fd)  # releases the flock

    def create(
        self, name: str, *, groups: Sequence[str] = (), admin: bool = False
    ) -> tuple[ApiKey, str]:
        """A new key allowed ``groups`` (or every group if ``admin``): its record and the key
        itself, which is shown now and never again."""
        name = name.strip()
        if not name or len(name) > _NAME_MAX:
            raise InputError(f"a key needs a name of 1-{_NAME_MAX} characters, got {name!r}")
        if admin and groups:
            raise InputError("an admin key may use every group: give --admin or --group, not both")
        if not admin and not groups:
            raise InputError("a key needs at least one --group (or --admin for every group)")
        allowed = sorted({check_group_id(group) for group in groups})
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        presented = f"{KEY_PREFIX}_{key_id}_{secret}"
        record = ApiKey(
            id=key_id,
            name=name,
            sha256=_digest(presented),
            groups=allowed,
            admin=admin,
            created_at=utcnow(),
        )
        with self._editing() as content:
            content.keys.append(record)
        return record, presented

    def revoke(self, key_id: str) -> ApiKey:
        """Revoke the key ``key_id``: it stops working at the server's next request."""
        with self._editing() as content:
            for index, key in enumerate(content.keys):
                if key.id == key_id:
                    if key.revoked_at is None:
                        key = key.model_copy(update={"revoked_at": utcnow()})
                        content.keys[index] = key
                    return key
            known = ", ".join(k.id for k in content.keys) or "none"
            raise NotFoundError(f"no key {key_id!r} in {self.path} (keys: {known})")

    def summary(self) -> list[dict[str, object]]:
        """The keys without their hashes, for ``chronomem keys list``."""
        return [
            json.loads(key.model_dump_json(exclude={"sha256"}))
            for key in sorted(self._read().keys, key=lambda k: (k.created_at, k.id))
        ]
