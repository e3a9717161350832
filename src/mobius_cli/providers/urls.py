"""URLs safe to show: credentials and API keys masked (no httpx import, cheap for doctor)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

MASK = "***"

# Query parameters whose value is a secret (names compared lower-cased, '-' as '_').
_SECRET_PARAMS = frozenset({
    "key", "apikey", "api_key", "token", "access_token", "auth", "secret", "client_secret",
    "password", "passwd", "pwd", "sig", "signature", "x_cg_demo_api_key", "x_cg_pro_api_key"})
_SECRET_SUFFIXES = ("_key", "_token", "_secret", "_password", "apikey")


def _is_secret_param(name: str) -> bool:
    norm = name.lower().replace("-", "_")
    return norm in _SECRET_PARAMS or norm.endswith(_SECRET_SUFFIXES)


# Path segments that look like keys (Infura/Alchemy project ids, CG-xxxx keys): 20+
# letters and digits mixing both; with '-' or '_' only when digits make a quarter of it
# (so coin ids such as 'wrapped-bitcoin-1234' stay readable).
_KEYLIKE_SEGMENT = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9]{20,}$")
_KEYLIKE_MIXED = re.compile(r"^[A-Za-z0-9_\-]{24,}$")
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]+$")
_TELEGRAM_BOT = re.compile(r"^bot\d+:[\w-]+$")
_WEBHOOK_HOSTS = frozenset({"hooks.slack.com", "discord.com", "discordapp.com",
                            "ptb.discord.com", "canary.discord.com"})
_CG_KEY = re.compile(r"^CG-[A-Za-z0-9]{8,}$")
_SECRET_HEADER = re.compile(
    r"authorization|api[-_]?key|token|secret|cookie|password|session", re.IGNORECASE)


def is_secret_header(name: str) -> bool:
    """Whether a request header carries a credential (an API key, a token, a cookie)."""
    return bool(_SECRET_HEADER.search(name))


def _mask_segment(segment: str) -> str:
    if _HEX_ADDRESS.match(segment):  # contract addresses and hashes are public
        return segment
    if _CG_KEY.match(segment) or _KEYLIKE_SEGMENT.match(segment):
        return MASK
    if _KEYLIKE_MIXED.match(segment) and sum(c.isdigit() for c in segment) * 4 >= len(segment):
        return MASK
    return segment


def mask_url(url: str) -> str:
    """`url` with `user:pass@`, key-like query values and key-like path segments as ***.

    Never raises: text that is not a parseable URL comes back with anything after a
    `user:pass@`-looking prefix masked as well as can be done.
    """
    if not url:
        return url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
    except ValueError:
        # e.g. 'http://[::1' — still mask credentials before an '@'.
        return re.sub(r"(?<=//)[^/@]*@", MASK + "@", url)
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = (f"{MASK}:{MASK}@" if ":" in userinfo else f"{MASK}@") + hostport
    segments = [_mask_segment(s) for s in parts.path.split("/")]
    host = (parts.hostname or "").lower()
    # Webhook URLs whose last segment is the secret (Slack, Discord), Telegram bot tokens.
    if host in _WEBHOOK_HOSTS and len(segments) > 3 and segments[-1]:
        segments[-1] = MASK
    segments = [_TELEGRAM_BOT.sub("bot" + MASK, s) for s in segments]
    path = "/".join(segments)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = "&".join(
            f"{quote(k, safe='')}={MASK if (_is_secret_param(k) and v) else quote(v, safe='')}"
            for k, v in pairs)
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))
