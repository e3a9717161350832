"""Cue patterns that skip themselves: a pattern is searched only when the sentence holds the
text its every match must begin with, worked out once from the pattern's parse tree.

A cue pattern is `(?<![\\w&])(?:...)(?![\\w&])` over the sentence's shape, so a match starts
where a "piece" (a run of word characters and "&") starts. Expanding the start of every
branch ("prices?" → price, prices; "quote me" → the piece "quote") gives, per pattern, the
pieces a match can start on, the prefixes of such a piece, or (for a branch that opens with
a space or a sign) a substring of the shape. A sentence with none of them cannot match, so
the search is skipped; whatever passes is still searched, so results never change. A
pattern whose start is open ("\\w+ ...", ".*") is always searched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

try:  # Python 3.11+
    from re import _compiler as _sre_compile  # type: ignore[attr-defined]
    from re import _constants as _sre_const  # type: ignore[attr-defined]
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python 3.10
    import sre_compile as _sre_compile  # type: ignore[no-redef]
    import sre_constants as _sre_const  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# Runs of word characters and "&", exactly as the patterns' `(?<![\w&])` sees them.
PIECE_RE = re.compile(r"[\w&]+")
_LEAD_RE = re.compile(r"[\w&]*")
_PIECE_START_RE = re.compile(r"[^\w&][\w&]")
# The end of the first whole piece in a text: what a gate needs of it, and no more.
_CUT_RE = re.compile(r"[\w&][^\w&]")
_LIMIT = 256  # alternatives kept per pattern before the expansion stops early
_MEMO_SIZE = 20_000  # pieces remembered by an index (a sentence has a few dozen)


@dataclass(frozen=True, slots=True)
class Gate:
    """Where a pattern's matches can start: on pieces of the shape it names, or anywhere.

    `exact` and `prefixes` map a piece (or the start of a piece) to how far before that
    piece a match would start (0 when the match starts on it; 1 for " aloha" from
    "^ (?:aloha|...)"); a shape that holds one of `inside` is searched in full.
    """

    exact: dict[str, frozenset[int]]
    prefixes: dict[str, frozenset[int]]
    inside: tuple[str, ...]


def compile_gated(source: str) -> tuple[re.Pattern[str], Gate | None]:
    """The compiled pattern and its gate (None: always search it in full).

    The source is parsed once: the tree gives both the gate and the compiled pattern.
    """
    try:
        tree = _sre_parse.parse(source)
        gate = _gate(tree)
    except Exception:  # pragma: no cover - an unknown parser: no gate, plain compile
        return re.compile(source), None
    try:
        compiled = _sre_compile.compile(tree)
    except Exception:  # pragma: no cover
        compiled = re.compile(source)
    return compiled, gate


def piece_starts(shape: str) -> list[tuple[str, int]]:
    """Every piece of a shape (a run of word characters and "&") with its offset."""
    return [(m.group(), m.start()) for m in PIECE_RE.finditer(shape)]


class GateIndex:
    """The gates of many patterns, indexed so that one pass over a sentence's pieces tells
    which patterns may match, and where."""

    def __init__(self, gates: Sequence[Gate | None]) -> None:
        self.always: list[int] = []
        # piece (or start of a piece) -> (pattern, how far before the piece a match starts:
        # 0, or a tuple of distances)
        self.exact: dict[str, list[tuple[int, int | tuple[int, ...]]]] = {}
        self.prefix: dict[str, list[tuple[int, int | tuple[int, ...]]]] = {}
        self.inside: dict[str, list[int]] = {}
        for i, gate in enumerate(gates):
            if gate is None:
                self.always.append(i)
                continue
            for table, keys in ((self.exact, gate.exact), (self.prefix, gate.prefixes)):
                for word, back in keys.items():
                    table.setdefault(word, []).append((i, 0 if back == {0} else tuple(back)))
            for text in gate.inside:
                self.inside.setdefault(text, []).append(i)
        self.lengths = tuple(sorted({len(p) for p in self.prefix}))
        self._memo: dict[str, tuple[tuple[int, int | tuple[int, ...]], ...]] = {}

    def hits(self, piece: str) -> tuple[tuple[int, int | tuple[int, ...]], ...]:
        """The patterns a piece lets through, each with how far before it a match starts."""
        found = self._memo.get(piece)
        if found is None:
            found = tuple(self.exact.get(piece, ()))
            for n in self.lengths:
                if n > len(piece):
                    break
                found += tuple(self.prefix.get(piece[:n], ()))
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[piece] = found
        return found

    def candidates(self, shape: str, pieces: Iterable[tuple[str, int]]
                   ) -> dict[int, list[int] | None]:
        """The patterns that may match `shape` (whose pieces and offsets are `pieces`),
        each with the offsets where a match could start (None: search the whole shape)."""
        out: dict[int, list[int] | None] = dict.fromkeys(self.always)
        for text, ids in self.inside.items():
            if text in shape:
                out.update(dict.fromkeys(ids))
        hits = self.hits
        for piece, at in pieces:
            for i, back in hits(piece):
                if i not in out:
                    out[i] = [at] if back == 0 else [at - b for b in back]  # type: ignore
                else:
                    where = out[i]
                    if where is None:
                        continue
                    if back == 0:
                        where.append(at)
                    else:
                        where.extend(at - b for b in back)  # type: ignore[union-attr]
        return out


# --- the parse-tree walk ------------------------------------------------------------------

_ZERO_WIDTH = frozenset({_sre_const.AT, _sre_const.ASSERT, _sre_const.ASSERT_NOT})
_REPEATS = frozenset({_sre_const.MAX_REPEAT, _sre_const.MIN_REPEAT})
# (text, complete): a match starts with `text`; complete means the node matched exactly
# `text`, so the next node's text may be appended.
_Starts = set[tuple[str, bool]]


def _items(node: Any) -> list[Any]:
    return list(node.data) if hasattr(node, "data") else list(node)


def _gate(tree: Any) -> Gate | None:
    if tree.state.flags & (_sre_const.SRE_FLAG_IGNORECASE | _sre_const.SRE_FLAG_LOCALE):
        return None
    items = _items(tree)
    starts = _sequence(items)
    if starts is None or any(not text for text, _ in starts):
        return None
    bounded = bool(items) and items[0][0] is _sre_const.ASSERT_NOT and _is_boundary(items[0][1])
    exact: dict[str, set[int]] = {}
    prefixes: dict[str, set[int]] = {}
    inside: set[str] = set()
    for text, _ in starts:
        # Where a piece starts: at the match's start (behind the boundary), else after the
        # first sign or space that precedes a word character.
        at = 0 if bounded and _LEAD_RE.match(text).end() else _piece_start(text)  # type: ignore
        lead = _LEAD_RE.match(text, at).group(0) if at is not None else ""  # type: ignore
        if at is None or not lead:
            inside.add(text)  # no piece to go by: the match holds this text
        elif at + len(lead) < len(text):
            exact.setdefault(lead, set()).add(at)  # the piece ends inside the text
        else:
            prefixes.setdefault(lead, set()).add(at)  # the piece starts with the text
    # A shorter prefix with the same distances covers the longer ones it begins ("price"
    # covers "prices").
    kept = {p: back for p, back in prefixes.items()
            if not any(back <= prefixes.get(p[:k], set()) for k in range(1, len(p)))}
    return Gate({k: frozenset(v) for k, v in exact.items()},
                {k: frozenset(v) for k, v in kept.items()}, tuple(sorted(inside)))


def _piece_start(text: str) -> int | None:
    """Where the first piece wholly inside `text` starts (after a sign or a space)."""
    found = _PIECE_START_RE.search(text)
    return found.start() + 1 if found else None


def _cut(start: tuple[str, bool]) -> tuple[str, bool]:
    """A start cut after its first whole piece: a longer text adds nothing to the gate."""
    text = start[0]
    found = _CUT_RE.search(text)
    if found is None:
        return start
    return text[:found.end()], False


def _is_boundary(av: Any) -> bool:
    """Whether an ASSERT_NOT is the cue patterns' `(?<![\\w&])`."""
    direction, sub = av
    if direction != -1:
        return False
    items = _items(sub)
    if len(items) != 1 or items[0][0] is not _sre_const.IN:
        return False
    members = list(items[0][1])
    return len(members) == 2 and (_sre_const.CATEGORY, _sre_const.CATEGORY_WORD) in members \
        and (_sre_const.LITERAL, ord("&")) in members


def _sequence(items: list[Any]) -> _Starts | None:
    """The starts of a sequence of nodes, or None when a match may start with anything."""
    acc: _Starts = {("", True)}
    i, n = 0, len(items)
    while i < n and any(complete for _, complete in acc):
        op, av = items[i]
        i += 1
        if op in _ZERO_WIDTH:
            continue
        if op is _sre_const.LITERAL:  # a run of letters is one step
            chars = [chr(av)]
            while i < n and items[i][0] is _sre_const.LITERAL:
                chars.append(chr(items[i][1]))
                i += 1
            node: _Starts | None = {("".join(chars), True)}
        else:
            node = _node(op, av)
        grown: _Starts = {s for s in acc if not s[1]}
        for text, complete in acc:
            if not complete:
                continue
            if node is None:
                grown.add((text, False))
            else:
                grown.update(_cut((text + more, done)) for more, done in node)
        if len(grown) > _LIMIT:
            return {(text, False) for text, _ in acc}
        acc = grown
    return None if any(not text and not complete for text, complete in acc) else acc


def _node(op: Any, av: Any) -> _Starts | None:
    """The starts of one node, or None when it may start with anything."""
    if op is _sre_const.LITERAL:
        return {(chr(av), True)}
    if op is _sre_const.IN:
        members = list(av)
        if all(kind is _sre_const.LITERAL for kind, _ in members):
            return {(chr(code), True) for _, code in members}
        return None
    if op is _sre_const.SUBPATTERN:
        return _sequence(_items(av[-1]))
    if op is _sre_const.BRANCH:
        out: _Starts = set()
        for branch in av[1]:
            starts = _sequence(_items(branch))
            if starts is None:
                return None
            out |= starts
        return out
    if op in _REPEATS:
        low, high, sub = av
        starts = _sequence(_items(sub))
        if starts is None:
            return None
        if not (low == high == 1):
            starts = starts if high == 1 else {(text, False) for text, _ in starts}
        if low == 0:
            starts = starts | {("", True)}
        return starts
    return None
