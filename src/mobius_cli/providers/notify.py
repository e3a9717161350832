"""Notification channels: where a fired alert is delivered.

Kinds: `terminal` (the check's own output), `desktop` (notify-send or osascript),
`webhook URL` (JSON POST of the fired object), `ntfy URL` (text with Title/Priority/Tags
headers), `command CMD` (run with MOBIUS_ALERT_* in its environment, with a timeout) and
`apprise URL` (any service Apprise knows; the optional `notify` extra, imported only when
something fires). Targets that can carry secrets (webhook, ntfy, apprise URLs) live in
the keyring, or in `MOBIUS_CHANNEL_<NAME>` for hosts without one; never in config.toml,
the database or any output (`redact` shows only scheme and host).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mobius_cli.errors import UsageError

KINDS = ("terminal", "desktop", "webhook", "ntfy", "command", "apprise")
SECRET_KINDS = frozenset({"webhook", "ntfy", "apprise"})
NEEDS_TARGET = frozenset({"webhook", "ntfy", "command", "apprise"})
BUILTIN = {"terminal": "terminal", "desktop": "desktop"}  # names usable without `channels add`
KEYRING_SERVICE = "mobius"
COMMAND_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


class DeliveryError(Exception):
    """A channel could not deliver; `retry` says whether the next check should try again."""

    def __init__(self, message: str, *, retry: bool = True):
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True)
class Channel:
    """A named channel; `target` is resolved (may hold a secret: never print it)."""

    name: str
    kind: str
    target: str | None = None


def check_name(name: str) -> str:
    """A channel name: lower-case letters, digits, - and _, up to 32 characters."""
    clean = name.strip().lower()
    if not _NAME.match(clean):
        raise UsageError(f"bad channel name {name!r}",
                         hint="letters, digits, - and _, up to 32 characters")
    return clean


def check_target(kind: str, target: str | None) -> str | None:
    """Validate a channel's target for its kind."""
    if kind not in KINDS:
        raise UsageError(f"unknown channel kind {kind!r}", hint=f"one of {', '.join(KINDS)}")
    if kind not in NEEDS_TARGET:
        if target:
            raise UsageError(f"a {kind} channel takes no target")
        return None
    if not target or not target.strip():
        return None  # resolved later from MOBIUS_CHANNEL_<NAME>
    target = target.strip()
    if kind in ("webhook", "ntfy"):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise UsageError(f"a {kind} channel needs an http(s) URL",
                             hint="e.g. https://ntfy.sh/my-topic" if kind == "ntfy"
                             else "e.g. https://example.com/hook")
    if kind == "apprise" and "://" not in target:
        raise UsageError("an apprise channel needs an Apprise URL",
                         hint="e.g. tgram://TOKEN/CHAT_ID or discord://ID/TOKEN")
    return target


def env_var(name: str) -> str:
    """The environment variable that can hold a channel's target: MOBIUS_CHANNEL_<NAME>."""
    return "MOBIUS_CHANNEL_" + re.sub(r"[^A-Z0-9]", "_", name.upper())


def redact(kind: str, target: str | None) -> str:
    """What may be shown of a target: scheme and host of a URL; a command in full."""
    if not target:
        return ""
    if kind == "command":
        return target
    parts = urlsplit(target)
    if parts.scheme in ("http", "https") and parts.hostname:
        try:
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            port = ""
        tail = "/…" if (parts.path.strip("/") or parts.query) else ""
        return f"{parts.scheme}://{parts.hostname}{port}{tail}"
    # Apprise URLs carry tokens where a host would be (tgram://TOKEN/CHAT): scheme only.
    return f"{target.split('://', 1)[0]}://…" if "://" in target else "…"


# --- secrets -------------------------------------------------------------------------


def _keyring_user(name: str) -> str:
    return f"channel:{name}"


def store_secret(name: str, target: str, kind: str | None = None) -> None:
    """Put a channel's target in the keyring (a usage error when there is none)."""
    from mobius_cli.secrets import _keyring, backend_name

    kr = _keyring()
    if kr is None:
        add = f"`mobius alerts channels add {name} {kind}`" if kind else "the channel"
        raise UsageError("no keyring backend is available to hold the channel's URL",
                         hint=f"export {env_var(name)}=URL first, then add {add} without "
                              "the URL")
    try:
        kr.set_password(KEYRING_SERVICE, _keyring_user(name), target)
    except Exception as exc:  # a locked keyring: its message never holds the URL
        raise UsageError(f"the keyring ({backend_name()}) could not store the URL: "
                         f"{type(exc).__name__}",
                         hint=f"or export {env_var(name)}=URL") from None


def load_secret(name: str) -> str | None:
    """A channel's target from MOBIUS_CHANNEL_<NAME>, else the keyring. Never raises."""
    value = os.environ.get(env_var(name))
    if value:
        return value
    try:
        from mobius_cli.secrets import _keyring

        kr = _keyring()
        return kr.get_password(KEYRING_SERVICE, _keyring_user(name)) if kr else None
    except Exception:
        return None


def keyring_available() -> bool:
    """Whether a keyring backend can hold channel targets here."""
    try:
        from mobius_cli.secrets import _keyring

        return _keyring() is not None
    except Exception:
        return False


def stored_secret(name: str) -> str | None:
    """A channel's target from the keyring alone (not the environment). Never raises."""
    try:
        from mobius_cli.secrets import _keyring

        kr = _keyring()
        return kr.get_password(KEYRING_SERVICE, _keyring_user(name)) if kr else None
    except Exception:
        return None


def forget_secret(name: str) -> None:
    """Remove a channel's target from the keyring, if it is there."""
    try:
        from mobius_cli.secrets import _keyring

        kr = _keyring()
        if kr is not None:
            kr.delete_password(KEYRING_SERVICE, _keyring_user(name))
    except Exception:
        pass


# --- messages ------------------------------------------------------------------------


def title(fired: dict[str, Any]) -> str:
    """'Mobius: ETH below 2500 USD'."""
    from mobius_cli.core.alerts import plain_number

    target = plain_number(float(fired["target"]))
    cond = fired["condition"]
    words = {"above": f"above {target} {fired['currency'].upper()}",
             "below": f"below {target} {fired['currency'].upper()}",
             "cross": f"crossed {target} {fired['currency'].upper()}",
             "change": f"moved {target}% in 24h", "change_up": f"up {target}% in 24h",
             "change_down": f"down {target}% in 24h"}.get(cond, cond)
    return f"Mobius: {fired['symbol']} {words}"


def body(fired: dict[str, Any]) -> str:
    """'ETH is 2480.12 USD (alert #3, 2026-12-01T12:00:00Z).'"""
    from mobius_cli.core.alerts import plain_number

    text = (f"{fired['symbol']} is {plain_number(float(fired['price']))} "
            f"{fired['currency'].upper()} (alert #{fired['id']}, {fired['fired_at']}).")
    if fired.get("note"):
        text += f" {fired['note']}"
    return text


# --- delivery ------------------------------------------------------------------------

Post = Callable[..., Any]


def _httpx_post(url: str, *, json_body: Any = None, content: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = HTTP_TIMEOUT) -> int:
    """POST with httpx; returns the status code (transport errors raise DeliveryError)."""
    import httpx

    from mobius_cli import __version__

    try:
        response = httpx.post(url, json=json_body, content=content, timeout=timeout,
                              headers={"User-Agent": f"mobius/{__version__}", **(headers or {})},
                              follow_redirects=True)
    except httpx.TimeoutException:
        raise DeliveryError(f"timed out after {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"cannot connect ({type(exc).__name__})") from None
    return response.status_code


def deliver(channel: Channel, fired: dict[str, Any], *, post: Post = _httpx_post,
            timeout: float = COMMAND_TIMEOUT, echo: Callable[[str], None] | None = None) -> None:
    """Send one fired alert through one channel; raise DeliveryError when it fails."""
    kind = channel.kind
    if kind == "terminal":
        if echo is not None:
            echo(f"{title(fired)}: {body(fired)}")
        return
    if kind == "desktop":
        _desktop(fired)
        return
    if channel.target is None:
        raise DeliveryError(f"no target: add one with `mobius alerts channels add "
                            f"{channel.name} {kind} TARGET` or export {env_var(channel.name)}")
    if kind == "webhook":
        status = post(channel.target, json_body=fired, timeout=HTTP_TIMEOUT)
        _check_status(status)
    elif kind == "ntfy":
        headers = {"Title": title(fired), "Priority": "high", "Tags": "bell",
                   "Content-Type": "text/plain; charset=utf-8"}
        status = post(channel.target, content=body(fired).encode("utf-8"),
                      headers=_ascii_headers(headers), timeout=HTTP_TIMEOUT)
        _check_status(status)
    elif kind == "command":
        _command(channel.target, fired, timeout)
    elif kind == "apprise":
        _apprise(channel.target, fired)
    else:
        raise DeliveryError(f"unknown channel kind {kind!r}", retry=False)


def _check_status(status: int) -> None:
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}")


def _ascii_headers(headers: dict[str, str]) -> dict[str, str]:
    """HTTP headers must be Latin-1; ntfy reads RFC 2047 for anything else."""
    out = {}
    for key, value in headers.items():
        try:
            value.encode("latin-1")
            out[key] = value
        except UnicodeEncodeError:
            import base64

            out[key] = "=?UTF-8?B?" + base64.b64encode(value.encode()).decode() + "?="
    return out


def desktop_tool() -> list[str] | None:
    """The desktop notifier on this system, or None."""
    if sys.platform == "darwin" and shutil.which("osascript"):
        return ["osascript"]
    found = shutil.which("notify-send")
    return [found] if found else None


def _desktop(fired: dict[str, Any]) -> None:
    tool = desktop_tool()
    if tool is None:
        raise DeliveryError("no desktop notifier here (notify-send or osascript)", retry=False)
    if tool[0] == "osascript":
        script = (f"display notification {json.dumps(body(fired))} "
                  f"with title {json.dumps(title(fired))}")
        cmd = ["osascript", "-e", script]
    else:
        cmd = [tool[0], "--app-name=Mobius", "--urgency=normal", title(fired), body(fired)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=10, check=False,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DeliveryError(f"{cmd[0]} failed ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise DeliveryError(f"{os.path.basename(cmd[0])} exited with {done.returncode}")


def command_env(fired: dict[str, Any]) -> dict[str, str]:
    """MOBIUS_ALERT_ID, _SYMBOL, _CONDITION, _TARGET, _PRICE, _CURRENCY (and _FIRED_AT)."""
    from mobius_cli.core.alerts import plain_number

    return {
        "MOBIUS_ALERT_ID": str(fired["id"]),
        "MOBIUS_ALERT_SYMBOL": str(fired["symbol"]),
        "MOBIUS_ALERT_CONDITION": str(fired["condition"]),
        "MOBIUS_ALERT_TARGET": plain_number(float(fired["target"])),
        "MOBIUS_ALERT_PRICE": plain_number(float(fired["price"])),
        "MOBIUS_ALERT_CURRENCY": str(fired["currency"]),
        "MOBIUS_ALERT_FIRED_AT": str(fired["fired_at"]),
    }


def _command(cmd: str, fired: dict[str, Any], timeout: float) -> None:
    env = {**os.environ, **command_env(fired)}
    try:
        done = subprocess.run(cmd, shell=True, env=env, capture_output=True, timeout=timeout,
                              check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise DeliveryError(f"the command timed out after {timeout:g} s") from None
    except OSError as exc:
        raise DeliveryError(f"the command could not run ({exc.strerror})") from None
    if done.returncode != 0:
        raise DeliveryError(f"the command exited with {done.returncode}")


def _apprise(url: str, fired: dict[str, Any]) -> None:
    try:
        import apprise
    except ImportError:
        raise DeliveryError("Apprise is not installed",
                            retry=True) from None  # installing it fixes the next check
    sender = apprise.Apprise()
    if not sender.add(url):
        raise DeliveryError("Apprise does not understand that URL", retry=False)
    if not sender.notify(title=title(fired), body=body(fired)):
        raise DeliveryError("Apprise could not deliver")


def apprise_installed() -> bool:
    """Whether the optional `notify` extra is there (without importing it)."""
    from importlib.util import find_spec

    return find_spec("apprise") is not None
