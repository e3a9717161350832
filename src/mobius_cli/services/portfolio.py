"""Portfolios: the ledger in the store, valued with one batched price request.

Library-first: functions take the store and the providers they need (CoinGecko, and
`PortfolioOptions` for defaults, the fallback source and notes) and return dataclasses
with `to_json()`; nothing here prints, and no Typer, Rich or AppContext::

    store = Store(path)
    add_trade(store, cg, "btc", "0.5", "60000")
    portfolio_view(store, cg).to_json()
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, localcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobius_cli.core.ledger import (
    MAX_PRICE,
    METHODS,
    Ledger,
    Portfolio,
    Position,
    Transaction,
    check_kind,
    fmt_decimal,
    parse_decimal,
    replay,
)
from mobius_cli.core.models import CoinRef, iso_utc
from mobius_cli.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mobius_cli.providers.coingecko import CoinGecko
    from mobius_cli.providers.defillama import DefiLlama
    from mobius_cli.store.db import Store
    from mobius_cli.store.portfolios import PortfolioRepo, TransactionRepo

DEFAULT = "main"
# The keys of a holding and of a ledger row in --json, the columns of --csv (a header is
# written even when there are no rows).
HOLDING_FIELDS = ("symbol", "id", "amount", "price", "value", "cost_basis", "unrealized_pnl",
                  "allocation_pct")
TX_FIELDS = ("id", "portfolio", "kind", "symbol", "coin_id", "amount", "price", "currency",
             "fee", "fee_currency", "time", "note")
EARLIEST = datetime(2009, 1, 3, tzinfo=timezone.utc)


def _quiet(message: str) -> None:
    """A note nobody asked to see."""


@dataclass
class PortfolioOptions:
    """Defaults and helpers the portfolio services use (the CLI fills them from config)."""

    default_currency: str = "usd"  # the currency `main` is created in
    method: str = "fifo"  # the cost basis method when none is asked for
    snapshot_dir: Path | None = None  # where replayed ledgers are cached (None: not cached)
    fallback: DefiLlama | None = None  # prices when CoinGecko fails (USD only)
    offline: bool = False
    on_note: Callable[[str], None] = _quiet


def _opts(options: PortfolioOptions | None) -> PortfolioOptions:
    return options or PortfolioOptions()


def repos(store: Store) -> tuple[PortfolioRepo, TransactionRepo]:
    from mobius_cli.store.portfolios import PortfolioRepo, TransactionRepo

    return PortfolioRepo(store), TransactionRepo(store)


def open_portfolio(store: Store, name: str | None = None,
                   options: PortfolioOptions | None = None) -> Portfolio:
    """The named portfolio; the default `main` is created on first use."""
    portfolios, _ = repos(store)
    name = (name or DEFAULT).strip()
    if name.lower() == DEFAULT:
        return portfolios.ensure(DEFAULT, _opts(options).default_currency)
    return portfolios.require(name)


def method_of(method: str | None, options: PortfolioOptions | None = None) -> str:
    chosen = (method or _opts(options).method or "fifo").strip().lower()
    if chosen not in METHODS:
        raise UsageError(f"unknown cost basis method {method!r}",
                         hint=f"one of {', '.join(METHODS)}")
    return chosen


def _quotes(cg: CoinGecko, coins: Sequence[CoinRef], vs: str,
            options: PortfolioOptions) -> list[Any]:
    from mobius_cli.services.market import quotes

    return quotes(cg, coins, vs, fallback=options.fallback, offline=options.offline,
                  on_note=options.on_note)


# --- the valued view --------------------------------------------------------------------


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@dataclass
class Holding:
    coin: CoinRef
    amount: Decimal
    cost_basis: Decimal
    realized: Decimal
    price: Decimal | None = None
    change_24h_pct: float | None = None
    allocation_pct: float | None = None

    @property
    def value(self) -> Decimal | None:
        return None if self.price is None else self.amount * self.price

    @property
    def unrealized_pnl(self) -> Decimal | None:
        return None if self.value is None else self.value - self.cost_basis

    @property
    def unrealized_pct(self) -> float | None:
        if self.unrealized_pnl is None or not self.cost_basis:
            return None
        return float(self.unrealized_pnl / self.cost_basis * 100)

    def to_json(self) -> dict[str, Any]:
        return {"symbol": self.coin.symbol, "id": self.coin.id, "amount": float(self.amount),
                "price": _num(self.price), "value": _num(self.value),
                "cost_basis": float(self.cost_basis),
                "unrealized_pnl": _num(self.unrealized_pnl),
                "allocation_pct": self.allocation_pct}


@dataclass
class PortfolioView:
    portfolio: Portfolio
    method: str
    holdings: list[Holding]
    realized_pnl: Decimal
    transactions: int
    priced_at: datetime | None = None
    display_currency: str | None = None  # when shown in another currency (--vs)
    fx_rate: Decimal | None = None  # portfolio currency -> display currency, today

    @property
    def currency(self) -> str:
        return self.display_currency or self.portfolio.currency

    @property
    def total_value(self) -> Decimal:
        return sum((h.value or Decimal(0) for h in self.holdings), Decimal(0))

    @property
    def total_cost(self) -> Decimal:
        return sum((h.cost_basis for h in self.holdings), Decimal(0))

    @property
    def unrealized_pnl(self) -> Decimal:
        return sum((h.unrealized_pnl or Decimal(0) for h in self.holdings), Decimal(0))

    @property
    def unrealized_pct(self) -> float | None:
        return float(self.unrealized_pnl / self.total_cost * 100) if self.total_cost else None

    def to_json(self) -> dict[str, Any]:
        """The shape product.md promises scripts."""
        return {"portfolio": self.portfolio.name, "currency": self.currency,
                "total_value": float(self.total_value), "total_cost": float(self.total_cost),
                "unrealized_pnl": float(self.unrealized_pnl),
                "realized_pnl": float(self.realized_pnl),
                "holdings": [h.to_json() for h in self.holdings]}


def load_ledger(store: Store, portfolio: Portfolio, method: str) -> tuple[Ledger, int]:
    _, txs = repos(store)
    rows = txs.list(portfolio.id)
    return replay(rows, method), len(rows)


@dataclass
class Snapshot:
    """Open positions and realized P&L after replaying a ledger, as of a fingerprint."""

    positions: list[Position]
    realized: Decimal
    transactions: int


def _snapshot_path(store: Store, folder: Path, portfolio: Portfolio, method: str) -> Path:
    import hashlib

    tag = hashlib.sha1(str(store.path.resolve()).encode()).hexdigest()[:12]
    stamp = int(portfolio.created_at.timestamp())
    return folder / f"{tag}-{portfolio.id}-{stamp}-{method}.json"


def snapshot(store: Store, portfolio: Portfolio, method: str,
             folder: Path | None = None) -> Snapshot:
    """The replayed ledger, from a private cache file while the ledger is unchanged.

    Replaying 10,000 transactions takes a noticeable fraction of a second; `show` is run
    far more often than the ledger changes. The cache is keyed by the ledger's fingerprint
    (row count and highest id), so any insert or delete, from any process, invalidates it.
    """
    import json

    _, txs = repos(store)
    print_ = txs.fingerprint(portfolio.id)
    path = None if folder is None else _snapshot_path(store, folder, portfolio, method)
    try:
        if path is not None:
            data = json.loads(path.read_text(encoding="utf-8"))
            if tuple(data["fingerprint"]) == print_:
                return Snapshot([_position(p) for p in data["positions"]],
                                Decimal(data["realized"]), print_[0])
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError):
        pass
    with store.transaction():  # one consistent read of rows and fingerprint
        print_ = txs.fingerprint(portfolio.id)
        rows = txs.list(portfolio.id)
    ledger = replay(rows, method)
    result = Snapshot(ledger.open_positions(), ledger.realized, len(rows))
    data = {"fingerprint": list(print_), "realized": str(result.realized),
            "positions": [[p.coin_id, p.symbol, str(p.amount), str(p.cost_basis),
                           str(p.realized)] for p in result.positions]}
    if path is not None:
        _write_private_atomic(path, json.dumps(data))
    return result


def _position(item: list[str]) -> Position:
    from mobius_cli.core.ledger import Lot

    amount, cost = Decimal(item[2]), Decimal(item[3])
    lot = Lot(amount, cost, EARLIEST)
    return Position(item[0], item[1], [lot], Decimal(item[4]), amount)


def _write_private_atomic(path: Path, text: str) -> None:
    import os

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a cache: never worth failing the answer over


def portfolio_view(store: Store, cg: CoinGecko, name: str | None = None,
                   method: str | None = None, vs: str | None = None,
                   options: PortfolioOptions | None = None) -> PortfolioView:
    """Holdings valued now: ONE price request for every holding (cached for a minute).

    With `vs` other than the portfolio's currency, prices are quoted in `vs` and the cost
    basis and realized P&L are converted at today's rate (a view; the ledger is unchanged).
    """
    opts = _opts(options)
    portfolio = open_portfolio(store, name, opts)
    chosen = method_of(method, opts)
    state = snapshot(store, portfolio, chosen, opts.snapshot_dir)
    shown = (vs or portfolio.currency).strip().lower()
    fx = None
    if shown != portfolio.currency:
        fx = Rates(cg, shown, opts).rate(portfolio.currency, datetime.now(timezone.utc))
    scale = fx if fx is not None else Decimal(1)
    holdings = [Holding(CoinRef(p.coin_id, p.symbol, p.symbol), p.amount,
                        p.cost_basis * scale, p.realized * scale) for p in state.positions]
    view = PortfolioView(portfolio, chosen, holdings, state.realized * scale,
                         state.transactions, display_currency=shown if fx else None,
                         fx_rate=fx)
    if holdings:
        found = {q.coin.id: q for q in _priced(cg, [h.coin for h in holdings], shown, opts)}
        for h in holdings:
            quote = found.get(h.coin.id)
            if quote is not None:
                h.price = Decimal(repr(quote.price))
                h.change_24h_pct = quote.change_24h_pct
                if quote.last_updated and (view.priced_at is None
                                           or quote.last_updated > view.priced_at):
                    view.priced_at = quote.last_updated
        total = view.total_value
        for h in holdings:
            h.allocation_pct = float(h.value / total * 100) if total and h.value is not None \
                else None
        holdings.sort(key=lambda h: (-(h.value or 0), h.coin.symbol))
    return view


def _priced(cg: CoinGecko, coins: list[CoinRef], vs: str,
            options: PortfolioOptions) -> list[Any]:
    """Quotes for every coin CoinGecko still prices (one request); a coin it no longer
    knows (delisted) is left unpriced with a note instead of failing the whole view."""
    import re

    from mobius_cli.errors import NotFoundError

    left = list(coins)
    for _ in range(5):
        try:
            return _quotes(cg, left, vs, options)
        except NotFoundError as exc:
            named = re.search(r"'([^']+)'", exc.message)
            missing = [c for c in left if named and c.id == named.group(1)]
            if not missing or len(left) == 1:
                raise
            options.on_note(f"CoinGecko has no price for {missing[0].symbol} "
                            f"({missing[0].id}); shown without a value")
            left = [c for c in left if c.id != missing[0].id]
    return _quotes(cg, left, vs, options)


# --- recording trades ---------------------------------------------------------------------


def parse_when(text: str | date | datetime | None, *, now: datetime | None = None,
               what: str = "--date") -> datetime:
    """A trade's time: now, a date (midnight UTC), or an ISO date-time (UTC unless given)."""
    now = now or datetime.now(timezone.utc)
    if text is None or (isinstance(text, str) and text.strip().lower() in ("", "now", "today")):
        return now
    if isinstance(text, datetime):
        moment = text if text.tzinfo else text.replace(tzinfo=timezone.utc)
    elif isinstance(text, date):
        moment = datetime(text.year, text.month, text.day, tzinfo=timezone.utc)
    else:
        raw = text.strip()
        if raw.lower() == "yesterday":
            moment = now - timedelta(days=1)
        else:
            try:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T"))
            except ValueError:
                raise UsageError(f"{what} {text!r} is not a date",
                                 hint="use YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC)") from None
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    if moment > now + timedelta(minutes=5):
        raise UsageError(f"{iso_utc(moment)} is in the future")
    if moment < EARLIEST:
        raise UsageError(f"{iso_utc(moment)} is before bitcoin existed")
    return moment


def _is_currency(code: str) -> bool:
    from mobius_cli.core.coins import FIAT_CODES

    return code in FIAT_CODES or code in ("btc", "eth", "sats", "bits")


def _currency(text: str | None, default: str) -> str:
    code = (text or default).strip().lower()
    if not code.isalnum() or not 2 <= len(code) <= 10:
        raise UsageError(f"{text!r} is not a currency code", hint="e.g. usd, eur, usdt, btc")
    return code


class Rates:
    """Day rates into one currency, from CoinGecko daily closes, one request per currency.

    A currency CoinGecko quotes in (usd, eur, btc...) is converted through bitcoin's price
    in both; any other code (usdt, sol...) is taken as a coin priced in the target.
    """

    def __init__(self, cg: CoinGecko, target: str, options: PortfolioOptions | None = None):
        self.cg = cg
        self.options = _opts(options)
        self.target = target
        self._series: dict[str, tuple[list[float], list[float]]] = {}
        self._span: dict[str, int] = {}
        self._now: dict[str, Decimal] = {}
        self._failed: dict[str, UsageError] = {}

    def prepare(self, needs: Iterable[tuple[str, datetime]]) -> None:
        """Fetch each currency's series once, far enough back for every moment given."""
        earliest: dict[str, datetime] = {}
        recent = datetime.now(timezone.utc) - timedelta(hours=24)
        for code, moment in needs:
            if moment >= recent:
                continue  # today's rates come from the current ones
            if code != self.target and (code not in earliest or moment < earliest[code]):
                earliest[code] = moment
        for code, moment in earliest.items():
            try:
                self._load(code, moment)
            except UsageError as exc:  # each row in this currency reports it
                self._failed[code] = exc

    def rate(self, code: str, moment: datetime) -> Decimal:
        """Units of the target currency one unit of `code` was worth at `moment`."""
        if code == self.target:
            return Decimal(1)
        if code in self._failed:
            raise self._failed[code]
        if datetime.now(timezone.utc) - moment < timedelta(hours=24):
            return self._current(code)
        times, values = self._load(code, moment)
        i = bisect.bisect_left(times, moment.timestamp())
        nearest = min((j for j in (i - 1, i) if 0 <= j < len(times)),
                      key=lambda j: abs(times[j] - moment.timestamp()), default=None)
        if nearest is None or abs(times[nearest] - moment.timestamp()) > 3 * 86400:
            raise UsageError(f"no {code.upper()}→{self.target.upper()} rate for "
                             f"{moment.date().isoformat()}",
                             hint="give the price in the portfolio's currency")
        with localcontext() as ctx:
            ctx.prec = 18
            return +Decimal(repr(values[nearest]))

    def _current(self, code: str) -> Decimal:
        """Today's rate: CoinGecko's exchange rates (BTC-based), else the coin's price."""
        if code not in self._now:
            rates = self.cg.exchange_rates()
            units = {"sats": 1e8, "bits": 1e6}
            if (code in rates or code in units) and self.target in rates:
                per_btc = units[code] if code in units else _per_btc(rates[code])
                value = _per_btc(rates[self.target]) / per_btc
            else:
                coin = _currency_coin(self.cg, code)
                value = _quotes(self.cg, [coin], self.target, self.options)[0].price
            with localcontext() as ctx:
                ctx.prec = 18
                self._now[code] = +Decimal(repr(value))
        return self._now[code]

    def _load(self, code: str, moment: datetime) -> tuple[list[float], list[float]]:
        days = max(2, (datetime.now(timezone.utc) - moment).days + 2)
        if code in self._series and self._span[code] >= days:
            return self._series[code]
        cg = self.cg
        if _is_currency(code):
            btc = CoinRef("bitcoin", "BTC", "Bitcoin")
            into = {p.time.timestamp(): p.price for p in cg.history(btc, self.target, days)}
            if code == "btc":
                pairs = sorted(into.items())
            else:
                units = {"sats": 1e8, "bits": 1e6}.get(code)
                if units:
                    pairs = sorted((t, v / units) for t, v in into.items())
                else:
                    base = sorted((p.time.timestamp(), p.price)
                                  for p in cg.history(btc, code, days))
                    pairs = _ratios(sorted(into.items()), base)
        else:
            coin = _currency_coin(cg, code)
            pairs = [(p.time.timestamp(), p.price) for p in cg.history(coin, self.target, days)]
        series = ([t for t, _ in pairs], [v for _, v in pairs])
        self._series[code], self._span[code] = series, days
        return series


def _currency_coin(cg: CoinGecko, code: str, where: str | None = None) -> CoinRef:
    """The coin a price is quoted in (usdt, sol...); a code that is neither a currency
    CoinGecko quotes in nor a coin is an unsupported currency, with a "did you mean"."""
    from mobius_cli.errors import MobiusError, NotFoundError
    from mobius_cli.settings import check_currency

    try:
        return cg.resolve(code).coin
    except NotFoundError:
        pass

    def supported() -> frozenset[str] | None:
        try:
            return cg.supported_currencies()
        except MobiusError:
            return None

    check_currency(code, supported, where=where or "currency")  # refuses an unknown one
    raise UsageError(f"{where or 'currency'}: no day rates for {code.upper()}",
                     hint="give the price in the portfolio's currency")


def check_trade_currency(cg: CoinGecko, code: str, where: str) -> str:
    """`code` when a price can be quoted in it: a currency CoinGecko quotes in, or a coin
    (usdt, sol...); else a UsageError naming `where` with a "did you mean"."""
    from mobius_cli.core.portfolio_formats import QUOTE_MONEY
    from mobius_cli.errors import MobiusError

    if _is_currency(code) or code in QUOTE_MONEY:
        return code
    try:
        if code in cg.supported_currencies():
            return code
    except MobiusError:
        pass
    _currency_coin(cg, code, where)
    return code


def _per_btc(entry: Any) -> float:
    """Units per bitcoin of an /exchange_rates entry (a model, or the raw mapping)."""
    return float(entry["value"] if isinstance(entry, dict) else entry.value)


def _ratios(top: list[tuple[float, float]], bottom: list[tuple[float, float]],
            tolerance: float = 6 * 3600) -> list[tuple[float, float]]:
    """top/bottom at each of top's times, pairing each with bottom's nearest point (two
    series fetched separately need not share timestamps)."""
    times = [t for t, _ in bottom]
    out = []
    for t, value in top:
        i = bisect.bisect_left(times, t)
        near = min((j for j in (i - 1, i) if 0 <= j < len(times)),
                   key=lambda j: abs(times[j] - t), default=None)
        if near is not None and abs(times[near] - t) <= tolerance and bottom[near][1]:
            out.append((t, value / bottom[near][1]))
    return out


@dataclass
class TradeResult:
    """A recorded transaction and how its figures were found."""

    portfolio: Portfolio
    transaction: Transaction
    price_fetched: bool = False
    realized_pnl: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        return {**tx_json(self.transaction, self.portfolio),
                "rate": float(self.transaction.rate),
                "portfolio_currency": self.portfolio.currency,
                "price_fetched": self.price_fetched,
                "realized_pnl": _num(self.realized_pnl)}


def tx_json(tx: Transaction, portfolio: Portfolio) -> dict[str, Any]:
    """A ledger row in the `portfolio history --json` shape."""
    return {"id": tx.id, "portfolio": portfolio.name, "kind": tx.kind, "symbol": tx.symbol,
            "coin_id": tx.coin_id, "amount": float(tx.amount), "price": float(tx.price),
            "currency": tx.currency, "fee": float(tx.fee),
            "fee_currency": tx.fee_currency or tx.currency,  # `--fee-currency eth`
            "time": iso_utc(tx.time), "note": tx.note}


def _market_price(cg: CoinGecko, coin: CoinRef, currency: str, moment: datetime,
                  options: PortfolioOptions) -> Decimal:
    """The coin's price now, or its close nearest to `moment` for a past day."""
    if datetime.now(timezone.utc) - moment < timedelta(hours=1):
        return Decimal(repr(_quotes(cg, [coin], currency, options)[0].price))
    days = (datetime.now(timezone.utc) - moment).days + 2
    points = cg.history(coin, currency, days)
    if not points:
        raise UsageError(f"no {coin.symbol} price for {moment.date().isoformat()}",
                         hint="give one with --price")
    best = min(points, key=lambda p: abs((p.time - moment).total_seconds()))
    return Decimal(repr(best.price))


def add_trade(store: Store, cg: CoinGecko, symbol: str | None,
              amount: str | Decimal | float, price: str | Decimal | float | None = None, *,
              kind: str = "buy", currency: str | None = None,
              when: str | date | datetime | None = None,
              fee: str | Decimal | float | None = None, fee_currency: str | None = None,
              note: str = "", portfolio: str | None = None, coin_id: str | None = None,
              options: PortfolioOptions | None = None) -> TradeResult:
    """Record a buy (or sell, transfer_in, transfer_out); checked, then ONE transaction."""
    from mobius_cli.services.market import resolve_one

    opts = _opts(options)
    kind = check_kind(kind)
    # "all": a sale or transfer out of everything held of the coin at that moment
    everything = kind in ("sell", "transfer_out") and str(amount).strip().lower() == "all"
    qty = Decimal(0) if everything else parse_decimal(amount, "amount")
    unit = None if price is None else parse_decimal(price, "price", most=MAX_PRICE,
                                                     allow_zero=kind.startswith("transfer"))
    fee_amount = parse_decimal(fee, "fee", allow_zero=True, most=MAX_PRICE) \
        if fee not in (None, "") else Decimal(0)
    if fee_currency not in (None, "") and fee in (None, ""):
        raise UsageError("--fee-currency needs --fee", hint="e.g. --fee 1.5 --fee-currency eur")
    moment = parse_when(when)
    book = open_portfolio(store, portfolio, opts)
    cur = _currency(currency, book.currency)
    fee_cur = _currency(fee_currency, cur)
    # --id picks one coin of a shared ticker; it may not contradict it
    coin = resolve_one(cg, symbol, coin_id, on_note=opts.on_note)
    if cur != book.currency:
        check_trade_currency(cg, cur, "--currency")
    if fee_cur not in (cur, coin.symbol.lower()):
        check_trade_currency(cg, fee_cur, "--fee-currency")
    if everything:
        qty = held_then(store, book, coin, moment, opts.method)
    fetched = False
    if unit is None:
        if kind == "transfer_out":
            unit = Decimal(0)
        else:
            unit = _market_price(cg, coin, cur, moment, opts)
            fetched = True
    rates = Rates(cg, book.currency, opts)
    rate = rates.rate(cur, moment)
    if fee_cur == cur:
        fee_rate = rate
    elif fee_cur == coin.symbol.lower():
        # a fee in the coin itself is worth the coin's price; a transfer carries no price,
        # so the fee is valued at the market price then (else it would count as nothing)
        coin_price = unit if unit or not fee_amount else _market_price(cg, coin, cur, moment,
                                                                       opts)
        fee_rate = coin_price * rate
    else:
        fee_rate = rates.rate(fee_cur, moment) if fee_amount else Decimal(1)
    tx = Transaction(kind, coin.id, coin.symbol, qty, unit, cur, moment, rate=rate,
                     fee=fee_amount, fee_currency=fee_cur, fee_rate=fee_rate,
                     note=(note or "").strip())
    return record(store, book, tx, fetched, method=opts.method)


def held_then(store: Store, book: Portfolio, coin: CoinRef, moment: datetime,
              method: str = "fifo") -> Decimal:
    """How much of `coin` the portfolio holds at `moment` (refused when none)."""
    _, txs = repos(store)
    rows = [t for t in txs.list(book.id, coin_id=coin.id) if t.time <= moment]
    position = replay(rows, method_of(method)).positions.get(coin.id)
    if position is None or not position.amount > 0:
        raise UsageError(f"portfolio {book.name} holds no {coin.symbol.upper()} to sell")
    return position.amount


def remove_trade(store: Store, cg: CoinGecko, symbol: str | None,
                 amount: str | Decimal | float, price: str | Decimal | float | None = None, *,
                 transfer: bool = False, **options: Any) -> TradeResult:
    """Record a sale (or, with transfer=True, coins sent out of the portfolio)."""
    return add_trade(store, cg, symbol, amount, price,
                     kind="transfer_out" if transfer else "sell", **options)


def record(store: Store, book: Portfolio, tx: Transaction, fetched: bool = False, *,
           method: str = "fifo") -> TradeResult:
    """Write one transaction after replaying the ledger with it (refuses overselling)."""
    _, txs = repos(store)
    realized = None
    with store.transaction():
        if tx.kind in ("sell", "transfer_out"):
            rows = txs.list(book.id, coin_id=tx.coin_id)
            ledger = replay([*rows, replace(tx, id=1 << 62)], method_of(method))
            realized = next(d.realized for d in ledger.disposals if d.tx_id == 1 << 62)
        tx = replace(tx, id=txs.add(book.id, tx))
    return TradeResult(book, tx, fetched, realized)


# --- history, undo ------------------------------------------------------------------------


@dataclass
class HistoryResult:
    portfolio: Portfolio
    transactions: list[Transaction] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return [tx_json(t, self.portfolio) for t in self.transactions]


def history(store: Store, cg: CoinGecko | None = None, portfolio: str | None = None,
            symbol: str | None = None, since: str | None = None, until: str | None = None,
            options: PortfolioOptions | None = None) -> HistoryResult:
    """Transactions in ledger order, filtered by coin and dates (until is inclusive)."""
    book = open_portfolio(store, portfolio, options)
    _, txs = repos(store)
    coin_id = None
    if symbol:
        wanted = symbol.strip().lower()
        held = {t.coin_id for t in txs.list(book.id)}
        matches = [c for c in held if c == wanted] or \
            sorted({t.coin_id for t in txs.list(book.id) if t.symbol.lower() == wanted})
        if matches:
            coin_id = matches[0]
        elif cg is not None:
            from mobius_cli.services.market import resolve

            coin_id = resolve(cg, [symbol])[0].id
        else:
            coin_id = wanted
    far = datetime(9999, 1, 1, tzinfo=timezone.utc)  # filters may reach into the future
    start = parse_when(since, now=far, what="--since") if since else None
    end = parse_when(until, now=far, what="--until") + timedelta(days=1) if until else None
    if until and len(until.strip()) > 10:
        end = parse_when(until, now=far, what="--until") + timedelta(microseconds=1)
    if start is not None and end is not None and start >= end:
        raise UsageError(f"--since {since} is after --until {until}")
    return HistoryResult(book, txs.list(book.id, coin_id=coin_id, since=start, until=end))


def delete_transaction(store: Store, tx_id: int | None = None, portfolio: str | None = None,
                       options: PortfolioOptions | None = None
                       ) -> tuple[Portfolio, Transaction]:
    """Remove one transaction (the last entered when tx_id is None), if the ledger still
    balances without it."""
    book = open_portfolio(store, portfolio, options)
    _, txs = repos(store)
    with store.transaction():
        tx = txs.last_entered(book.id) if tx_id is None else txs.get(book.id, tx_id)
        if tx is None:
            raise UsageError("nothing to undo" if tx_id is None else
                             f"no transaction #{tx_id} in portfolio {book.name!r}",
                             hint="see `mobius portfolio history`")
        rest = [t for t in txs.list(book.id, coin_id=tx.coin_id) if t.id != tx.id]
        try:
            replay(rest, "fifo")
        except UsageError as exc:
            raise UsageError(f"cannot remove #{tx.id}: later sales need it ({exc.message})",
                             hint="remove those sales first") from None
        txs.delete(book.id, tx.id or 0)
    return book, tx


# --- portfolios --------------------------------------------------------------------------


@dataclass
class PortfolioSummary:
    portfolio: Portfolio
    transactions: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.portfolio.name, "currency": self.portfolio.currency,
                "transactions": self.transactions,
                "created_at": iso_utc(self.portfolio.created_at)}


def list_portfolios(store: Store, options: PortfolioOptions | None = None
                    ) -> list[PortfolioSummary]:
    portfolios, _ = repos(store)
    open_portfolio(store, DEFAULT, options)
    counts = portfolios.counts()
    return [PortfolioSummary(p, counts.get(p.id, 0)) for p in portfolios.list()]


def create_portfolio(store: Store, name: str, currency: str | None = None,
                     options: PortfolioOptions | None = None) -> Portfolio:
    portfolios, _ = repos(store)
    code = _currency(currency, _opts(options).default_currency)
    if not code.isalpha() or len(code) > 5:
        raise UsageError(f"{currency!r} is not a currency code", hint="e.g. usd, eur, gbp, btc")
    return portfolios.create(name, code)


def rename_portfolio(store: Store, old: str, new: str) -> Portfolio:
    portfolios, _ = repos(store)
    return portfolios.rename(old, new)


def delete_portfolio(store: Store, name: str) -> int:
    portfolios, _ = repos(store)
    return portfolios.delete(name)


def describe(tx: Transaction) -> str:
    """One line: 'buy 0.5 BTC @ 60000 USD (fee 1 USD) on 2026-01-02'."""
    text = f"{tx.kind.replace('_', ' ')} {fmt_decimal(tx.amount)} {tx.symbol}"
    if tx.price or tx.kind in ("buy", "sell"):
        text += f" @ {fmt_decimal(tx.price)} {tx.currency.upper()}"
    if tx.fee:
        text += f" (fee {fmt_decimal(tx.fee)} {tx.fee_currency.upper()})"
    return text + f" on {tx.time.date().isoformat()}"
