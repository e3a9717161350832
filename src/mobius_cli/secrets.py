"""API keys in the OS keyring, each overridable by an environment variable."""

from __future__ import annotations

import os

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
    """Where a key comes from ("env VAR", "keyring"), or None when unset."""
    if os.environ.get(env.SECRET_KEYS[name]):
        return f"env {env.SECRET_KEYS[name]}"
    try:
        kr = _keyring()
        if kr and kr.get_password(SERVICE, name):
            return "keyring"
    except Exception:
        return None
    return None


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


def remove_secret(name: str) -> bool:
    """Remove a stored key; False when none was stored."""
    require_backend(name)
    import keyring.errors

    try:
        _keyring().delete_password(SERVICE, name)
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:
        raise UsageError(f"the keyring ({backend_name()}) could not remove {name}: {exc}")\
            from None
    return True
