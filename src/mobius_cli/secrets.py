"""API keys in the OS keyring, each overridable by an environment variable."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from mobius_cli import env
from mobius_cli.errors import UsageError

SERVICE = "mobius"


def check_name(name: str) -> str:
    """Validate a key name; the error lists the known names."""
    if name not in env.SECRET_KEYS:
        known = ", ".join(env.SECRET_KEYS)
        raise UsageError(f"unknown key {name!r}", hint=f"known keys: {known}")
    return name


def _keyring():
    import keyring
    from keyring.backends import fail, null

    try:
        backend = keyring.get_keyring()
    except Exception:  # a backend that cannot even start is no backend
        return None
    if isinstance(backend, (fail.Keyring, null.Keyring)):  # neither can store anything
        return None
    return keyring


def backend_name() -> str | None:
    """The keyring backend in use, or None when there is none."""
    kr = _keyring()
    return None if kr is None else type(kr.get_keyring()).__name__


def get_secret(name: str) -> str | None:
    """The key from the environment, else the keyring, else None. Never raises."""
    value = os.environ.get(env.SECRET_KEYS[name])
    if value:
        return value
    try:
        kr = _keyring()
        return kr.get_password(SERVICE, name) if kr else None
    except Exception:  # a broken backend must not stop a price lookup
        return None


def secret_source(name: str) -> str | None:
    """Where a key comes from ("env VAR", "keyring"), or None when unset (and the index of
    stored names is brought up to date: `keys list` and `doctor` refresh it)."""
    if os.environ.get(env.SECRET_KEYS[name]):
        return f"env {env.SECRET_KEYS[name]}"
    try:
        kr = _keyring()
        stored = bool(kr and kr.get_password(SERVICE, name))
    except Exception:
        return None
    _remember(name, stored)
    return "keyring" if stored else None


# --- lazy lookup ---------------------------------------------------------------------
#
# Loading the keyring costs more than the rest of a warm command, so commands answered
# from the cache must not touch it. A small index (which names are stored, never the
# values) says whether a key exists; the value is read only when a request goes out.

_INDEX_NAME = "keyring-index.json"


def _index_path() -> Path | None:
    try:
        from mobius_cli.settings import Paths

        return Paths.resolve().data_dir / _INDEX_NAME
    except Exception:
        return None


def _backend_id() -> str:
    return os.environ.get("PYTHON_KEYRING_BACKEND", "")


def _read_index() -> dict[str, bool] | None:
    path = _index_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("backend") != _backend_id():
        return None
    names = data.get("stored")
    return {k: v for k, v in names.items() if isinstance(v, bool)} \
        if isinstance(names, dict) else None


def _write_index(stored: dict[str, bool]) -> None:
    """Best effort: a read-only home only costs the next command a keyring lookup."""
    path = _index_path()
    if path is None:
        return
    try:
        from mobius_cli.settings import write_private_file

        write_private_file(path, json.dumps({"backend": _backend_id(), "stored": stored})
                           .encode())
    except Exception:
        pass


def _remember(name: str, stored: bool) -> None:
    index = _read_index() or {}
    if index.get(name) is not stored:
        index[name] = stored
        _write_index(index)


def is_stored(name: str) -> bool:
    """Whether the keyring holds `name`, from the index when it knows (no keyring load)."""
    index = _read_index()
    if index is not None and name in index:
        return index[name]
    stored = {}
    try:
        kr = _keyring()
        for known in env.SECRET_KEYS:
            stored[known] = bool(kr and kr.get_password(SERVICE, known))
    except Exception:
        return False
    _write_index(stored)
    return stored[name]


class LazySecret:
    """A stored key read from the keyring on first call, then remembered."""

    def __init__(self, name: str):
        self.name = name
        self._value: str | None = None
        self._read = False

    def __call__(self) -> str | None:
        if not self._read:
            self._value = get_secret(self.name)
            self._read = True
        return self._value

    def __repr__(self) -> str:  # never the value
        return f"LazySecret({self.name!r})"


def lazy_secret(name: str) -> str | LazySecret | None:
    """The key from the environment (cheap), a LazySecret when the keyring holds one, or
    None: truthy exactly when a key is set, without loading the keyring for a value."""
    value = os.environ.get(env.SECRET_KEYS[name])
    if value:
        return value
    return LazySecret(name) if is_stored(name) else None


class KeyHeader(Mapping[str, str]):
    """Request headers carrying one API key, read only when a request is sent."""

    def __init__(self, header: str, key: str | Callable[[], str | None]):
        self.header = header
        self._key = key

    def _items(self) -> dict[str, str]:
        value = self._key() if callable(self._key) else self._key
        return {self.header: value} if value else {}

    def __getitem__(self, name: str) -> str:
        return self._items()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())

    def __repr__(self) -> str:  # never the value
        return f"KeyHeader({self.header!r})"


def key_header(header: str, key: str | Callable[[], str | None]) -> Mapping[str, str]:
    """`{header: key}`, resolved lazily when `key` is a LazySecret."""
    return {header: key} if isinstance(key, str) else KeyHeader(header, key)


NO_BACKEND = ("no keyring backend is available on this system; "
              "set the key through its environment variable instead")


def require_backend(name: str) -> None:
    """Fail early (before asking for a key) when there is nowhere to store it."""
    if _keyring() is None:
        raise UsageError(NO_BACKEND, hint=f"export {env.SECRET_KEYS[name]}=...")


def set_secret(name: str, value: str) -> None:
    require_backend(name)
    try:
        _keyring().set_password(SERVICE, name, value)
    except Exception as exc:  # a locked or broken keyring; its message never holds the key
        raise UsageError(f"the keyring ({backend_name()}) could not store {name}: {exc}",
                         hint=f"or export {env.SECRET_KEYS[name]}=...") from None
    _remember(name, True)


def remove_secret(name: str) -> bool:
    """Remove a stored key; False when none was stored."""
    require_backend(name)
    import keyring.errors

    try:
        _keyring().delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        _remember(name, False)
        return False
    except Exception as exc:
        raise UsageError(f"the keyring ({backend_name()}) could not remove {name}: {exc}")\
            from None
    _remember(name, False)
    return True
