"""The one context object carried into every command on `ctx.obj`."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mobius_cli import env

if TYPE_CHECKING:
    from rich.console import Console

    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.providers.defillama import DefiLlama
    from mobius_cli.providers.feargreed import FearGreed
    from mobius_cli.providers.http import HttpClient
    from mobius_cli.providers.llm import LlmClient
    from mobius_cli.settings import Settings
    from mobius_cli.store.db import Store


@dataclass
class AppContext:
    """Global options, consoles, settings and lazily built services."""

    json: bool = False
    no_color: bool = False
    vs: str | None = None
    offline: bool = False
    verbose: int = 0
    quiet: bool = False
    # Remarks made with note(once=True): shared by every replace() copy (a REPL session).
    said_once: set[str] = field(default_factory=set, repr=False, compare=False)

    # --- output ----------------------------------------------------------------------

    @property
    def color(self) -> bool:
        if self.no_color or os.environ.get(env.NO_COLOR):
            return False
        if os.environ.get(env.FORCE_COLOR):
            return True
        return sys.stdout.isatty()

    @cached_property
    def out(self) -> Console:
        """stdout: data only. Without colour, no escape codes at all, even under FORCE_COLOR.

        Strings are never parsed as markup or emoji codes (data may hold `[/x]`): styles are
        applied explicitly with Text objects or `style=`.
        """
        from rich.console import Console

        color = self.color
        return Console(no_color=not color, highlight=False, soft_wrap=False, markup=False,
                       emoji=False,
                       force_terminal=(bool(os.environ.get(env.FORCE_COLOR)) or None) if color
                       else False)

    @cached_property
    def err(self) -> Console:
        """stderr: messages, notes, spinners. Without colour, no styles either (--no-color
        promises plain text), though a terminal still gets its spinner."""
        from rich.console import Console

        color = self.color
        return Console(stderr=True, no_color=not color, highlight=False, markup=False,
                       emoji=False, force_terminal=None if color else sys.stderr.isatty(),
                       **({} if color else {"color_system": None}))

    def note(self, message: str, *, once: bool = False) -> None:
        """A one-line remark on stderr (never in the data on stdout), never wrapped;
        silent under --quiet. With `once`, the same remark is made once per context (a REPL
        session), however often it applies."""
        if self.quiet:
            return
        if once:
            if message in self.said_once:
                return
            self.said_once.add(message)
        from rich.text import Text

        from mobius_cli.render.format import printable

        # A terminal wraps a long note at word boundaries; a pipe or log keeps one line.
        self.err.print(Text.assemble(("note:", "dim"), " ", printable(message)),
                       highlight=False, soft_wrap=not self.err.is_terminal)

    def debug(self, message: str, level: int = 1) -> None:
        """A detail on stderr shown only with -v (level 1) or -vv (level 2)."""
        if self.verbose < level:
            return
        from rich.text import Text

        from mobius_cli.render.format import printable

        self.err.print(Text.assemble(("debug:", "dim"), " ", printable(message)),
                       highlight=False, soft_wrap=True)

    @contextmanager
    def spinner(self, message: str) -> Iterator[None]:
        """A spinner on stderr while slow work runs, only on a terminal and not --quiet."""
        if self.quiet or not sys.stderr.isatty():
            yield
            return
        with self.err.status(message, spinner="dots"):
            yield

    # --- settings and services -------------------------------------------------------

    @cached_property
    def settings(self) -> Settings:
        from mobius_cli.settings import Settings

        return Settings.load()

    @property
    def vs_currency(self) -> str:
        """The quote currency: --vs, else config, else usd; one CoinGecko quotes in."""
        from mobius_cli.errors import UsageError
        from mobius_cli.settings import check_currency, parse_value

        if self.vs:
            try:
                code = parse_value("vs_currency", self.vs)
            except UsageError:
                raise UsageError(f"--vs {self.vs!r} is not a currency code",
                                 hint="e.g. usd, eur, gbp, jpy or btc") from None
            return check_currency(code, self.supported_currencies, where="--vs")
        from mobius_cli.settings import configured_currency

        return configured_currency(self.settings, self.supported_currencies)

    def supported_currencies(self) -> frozenset[str] | None:
        """CoinGecko's quote currencies (cached a day), or None when it cannot say now
        (offline, source down): callers fall back on the built-in list."""
        from mobius_cli.errors import MobiusError

        try:  # offline, the cached list answers if there is one
            return self.coingecko.supported_currencies()
        except MobiusError:
            return None

    @cached_property
    def http(self) -> HttpClient:
        from mobius_cli.providers.http import HttpClient
        from mobius_cli.settings import ensure_private_dir

        ensure_private_dir(self.settings.paths.cache_dir)  # 0700, MOBIUS_HOME too
        return HttpClient.from_settings(self.settings, offline=self.offline, on_note=self.note)

    @cached_property
    def coingecko(self) -> CoinGecko:
        from mobius_cli.providers.coingecko import CoinGecko
        from mobius_cli.secrets import lazy_secret

        # Keys are looked up only when a request goes out: a cached answer never loads the
        # keyring (which alone costs more than the rest of a warm command).
        return CoinGecko(self.http, self.settings, demo_key=lazy_secret("coingecko"),
                         pro_key=lazy_secret("coingecko-pro"))

    @cached_property
    def defillama(self) -> DefiLlama:
        from mobius_cli.providers.defillama import DefiLlama

        # The client is built only when a request goes out (cached DeFi data needs none).
        return DefiLlama(lambda: self.http, self.settings, offline=self.offline,
                         on_note=self.note)

    @cached_property
    def feargreed(self) -> FearGreed:
        from mobius_cli.providers.feargreed import FearGreed

        return FearGreed(self.http, self.settings)

    @cached_property
    def store(self) -> Store:
        """The user's SQLite store (portfolios, alerts), opened and migrated on first use."""
        from mobius_cli.settings import ensure_private_dir
        from mobius_cli.store.db import Store, default_path

        ensure_private_dir(self.settings.paths.data_dir)  # 0700, MOBIUS_HOME too
        return Store(default_path(self.settings.paths))

    @cached_property
    def llm(self) -> LlmClient | None:
        """The configured LLM endpoint, or None: Mobius works without one."""
        url, model = self.settings.get("llm_url"), self.settings.get("llm_model")
        if not url or not model:
            return None
        from mobius_cli.providers.llm import LlmClient
        from mobius_cli.secrets import get_secret

        return LlmClient(url, model, get_secret("llm"), timeout=self.settings.get("timeout"),
                         max_retry_wait=self.settings.get("max_retry_wait"))

    def close(self) -> None:
        if "http" in self.__dict__:
            self.http.close()
        if "store" in self.__dict__:
            self.store.close()

    def replace(self, **changes: Any) -> AppContext:
        """A copy with some options changed, sharing settings and services."""
        clone = AppContext(**{k: getattr(self, k) for k in
                              ("json", "no_color", "vs", "offline", "verbose", "quiet",
                               "said_once")})
        for key, value in changes.items():
            setattr(clone, key, value)
        for shared in ("settings", "http", "coingecko", "defillama", "feargreed", "out", "err",
                       "store", "llm"):
            if shared in self.__dict__:
                clone.__dict__[shared] = self.__dict__[shared]
        return clone
