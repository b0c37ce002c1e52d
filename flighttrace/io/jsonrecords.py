"""Parse a JSON document so that one bad record costs that record, not the file.

The JSON formats flighttrace reads are one object holding one array of
records: the points of a readsb trace, the entries of an aircraft list,
OpenSky states or track waypoints, the points of an FR24 playback. The fast
path parses the whole document with orjson. Only when that fails (a stray
byte-order mark, one byte that is not UTF-8, a NUL, a ``NaN`` literal, a
document cut short) or when the document holds a string longer than
:attr:`~flighttrace.io.bounds.SizeLimits.string_bytes`, does
:func:`parse_document` take the tolerant path:

1. the document's structure is found on the raw bytes with numpy (strings,
   brackets and commas outside strings, nesting depth), in linear time;
2. the largest array whose elements are arrays or objects is taken as the
   records; the rest of the document (with a placeholder where the records
   were) is parsed on its own;
3. the records are parsed in runs, a run that fails being split in halves
   until the bad records are alone: the good ones are kept, each bad one is
   given to the reader as ``None`` and reported with its reason and raw text
   (:attr:`~flighttrace.io._base.ReadContext.bad_records`).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import orjson

from flighttrace.io._base import RAW_MAX_CHARS, FormatError, ReadContext, truncate_raw
from flighttrace.io.bounds import LimitExceeded, mb

__all__ = ["BOM", "DEPTH_STEP", "STRUCTURAL", "booleans_among", "longest_string", "parse_document", "parse_run", "record_reason", "record_text", "string_quotes", "structural"]

BOM: Final = b"\xef\xbb\xbf"
"""UTF-8 byte-order mark."""
_QUOTE: Final = 0x22
_BACKSLASH: Final = 0x5C
_NAN: Final = re.compile(rb"(?<![\w\"])-?(?:NaN|Infinity)(?![\w\"])")
STRUCTURAL: Final = np.zeros(256, dtype=bool)
STRUCTURAL[list(b"[]{},")] = True
"""By byte: whether it is one of JSON's brackets or commas (a structural character, when outside strings)."""
DEPTH_STEP: Final = np.zeros(256, dtype=np.int8)
DEPTH_STEP[list(b"[{")] = 1
DEPTH_STEP[list(b"]}")] = -1
"""By byte: how much it changes the nesting depth (outside strings)."""
_BOOL: Final = np.asarray(bool, dtype=object)
"""The type ``bool`` as a 0-d object array, to compare an array of types with element-wise."""


def string_quotes(arr: np.ndarray) -> np.ndarray:
    """Positions of the quotes that open or close strings (escaped quotes left out)."""
    q = np.flatnonzero(arr == _QUOTE)
    if not len(q):
        return q
    cand = q[(q > 0) & (arr[np.maximum(q - 1, 0)] == _BACKSLASH)]
    if not len(cand):
        return q
    bs = np.flatnonzero(arr == _BACKSLASH)
    run_start = np.ones(len(bs), dtype=bool)
    run_start[1:] = bs[1:] != bs[:-1] + 1
    run_id = np.cumsum(run_start) - 1
    first = bs[run_start]
    runs = cand - first[run_id[np.searchsorted(bs, cand - 1)]]  # backslashes just before the quote
    return np.setdiff1d(q, cand[runs % 2 == 1], assume_unique=True)


def longest_string(data: bytes) -> int:
    """Length in bytes of the longest string of a JSON document (0 when it has none)."""
    q = string_quotes(np.frombuffer(data, dtype=np.uint8))
    if len(q) < 2:
        return 0
    pairs = len(q) // 2 * 2
    return int((q[1:pairs:2] - q[0:pairs:2] - 1).max())


@dataclass
class _Structure:
    """Where the strings and the brackets and commas outside them are."""

    quotes: np.ndarray
    pos: np.ndarray  # structural characters outside strings
    char: np.ndarray
    level: np.ndarray  # nesting depth after the character


def structural(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(positions of the string quotes, positions of the brackets and commas outside strings, those characters) in bytes ``arr``."""
    q = string_quotes(arr)
    pos = np.flatnonzero(STRUCTURAL[arr])
    if len(q):
        pos = pos[np.searchsorted(q, pos) % 2 == 0]
    return q, pos, arr[pos]


def _structure(data: bytes) -> _Structure:
    q, pos, char = structural(np.frombuffer(data, dtype=np.uint8))
    return _Structure(q, pos, char, np.cumsum(DEPTH_STEP[char], dtype=np.int64))


def _records_array(data: bytes, st: _Structure) -> tuple[int, int, bool] | None:
    """The records: (index in ``st`` of the ``[``, index of its ``]`` or -1, whether it is closed).

    The largest array (by bytes) whose first element is an array or an object.
    """
    is_opener = (st.char == ord("[")) | (st.char == ord("{"))
    brackets = np.flatnonzero(st.char != ord(","))
    # an opener at level L (after it) pairs with the next bracket that closes back below L
    keys = np.where(is_opener[brackets], st.level[brackets], st.level[brackets] + 1)
    order = np.lexsort((brackets, keys))
    sk, si = keys[order], brackets[order]
    pair = (sk[:-1] == sk[1:]) & is_opener[si[:-1]] & ~is_opener[si[1:]]
    closer = np.full(len(st.pos), -1, dtype=np.int64)
    closer[si[:-1][pair]] = si[1:][pair]
    arrays = np.flatnonzero(st.char == ord("["))
    if not len(arrays):
        return None
    ends = np.where(closer[arrays] >= 0, st.pos[np.maximum(closer[arrays], 0)], len(data))
    spans = ends - st.pos[arrays]
    for k in np.argsort(-spans, kind="stable")[:64]:  # the largest first; the first that holds containers wins
        a = int(arrays[k])
        p = int(st.pos[a])
        if a + 1 < len(st.pos) and is_opener[a + 1] and not data[p + 1 : int(st.pos[a + 1])].strip():
            b = int(closer[a])
            return a, b, b >= 0
        if a + 1 < len(st.pos) and st.char[a + 1] == ord("]") and not data[p + 1 : int(st.pos[a + 1])].strip():
            return a, a + 1, True  # an empty array
    return None


def _elements(data: bytes, st: _Structure, a: int, b: int) -> list[tuple[int, int]]:
    """Byte spans of the elements of the array opened at ``st`` index ``a`` (closed at ``b``, or -1)."""
    start = int(st.pos[a]) + 1
    end = int(st.pos[b]) if b >= 0 else len(data)
    inner = st.level[a]
    sel = slice(a + 1, b if b >= 0 else len(st.pos))
    commas = st.pos[sel][(st.char[sel] == ord(",")) & (st.level[sel] == inner)]
    bounds = [start, *(commas + 1).tolist()]
    stops = [*commas.tolist(), end]
    spans = list(zip(bounds, stops, strict=True))
    if spans and not data[spans[-1][0] : spans[-1][1]].strip():
        spans.pop()  # nothing after the last comma (or an empty array)
    return spans


def record_reason(piece: bytes, cut: bool, long_limit: int | None) -> str:
    """Why the record ``piece`` (its bytes) could not be parsed, in words (``cut``: the document ends inside it)."""
    if long_limit is not None:
        return f"record holds a string longer than {mb(long_limit)} (limit string_bytes)"
    if cut:
        return "record cut short: the document ends inside it"
    if not piece.strip():
        return "empty record (two commas in a row)"
    if b"\x00" in piece:
        return "record holds a NUL byte"
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError:
        return "record is not valid UTF-8 text"
    if _NAN.search(piece):
        return "record holds NaN or Infinity, which JSON does not allow"
    try:
        orjson.loads(piece)
    except orjson.JSONDecodeError as exc:
        return f"record is not valid JSON ({str(exc)[:120]})"
    return "record is not valid JSON"


def record_text(piece: bytes) -> str:
    """The record ``piece`` as a quarantine row's raw text (cut to :data:`~flighttrace.io._base.RAW_MAX_CHARS`)."""
    return truncate_raw(piece[: RAW_MAX_CHARS * 4].strip().decode("utf-8", "backslashreplace"))


def parse_run(data: bytes, spans: Sequence[tuple[int, int]] | np.ndarray, lo: int, hi: int, out: list[Any], bad: list[int]) -> None:
    """Parse elements ``lo..hi`` (byte ``spans`` in ``data``, one row per element) into ``out``; a run that fails is halved until the bad ones are alone (their indices go to ``bad``, ``None`` to ``out``)."""
    try:
        out.extend(orjson.loads(b"[" + data[spans[lo][0] : spans[hi - 1][1]] + b"]"))
        return
    except orjson.JSONDecodeError:
        pass
    if hi - lo == 1:
        out.append(None)
        bad.append(lo)
        return
    mid = (lo + hi) // 2
    parse_run(data, spans, lo, mid, out, bad)
    parse_run(data, spans, mid, hi, out, bad)


def _parse_skeleton(text: bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass

    def refuse(token: str) -> Any:
        raise ValueError(f"{token} is not a JSON number")

    try:
        return json.loads(text.decode("utf-8", "replace"), strict=False, parse_constant=refuse)
    except RecursionError as exc:
        raise ValueError("nested too deeply") from exc


def _put_back(obj: Any, marker: str, records: list[Any]) -> bool:
    """Replace the string ``marker`` in ``obj`` (nested dicts and lists) with ``records``."""
    stack = [obj]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            if isinstance(v, str) and v == marker:
                node[k] = records
                return True
            if isinstance(v, (dict, list)):
                stack.append(v)
    return False


def _enclosing_closers(st: _Structure, a: int) -> bytes:
    """The brackets that close what is open where the records start (for a document cut short)."""
    chars = st.char[:a]
    out: list[int] = []
    for c in chars.tolist():  # brackets before the records: the document's head, a handful
        if c in (ord("["), ord("{")):
            out.append(c)
        elif c in (ord("]"), ord("}")) and out:
            out.pop()
    return b"".join(b"]" if c == ord("[") else b"}" for c in reversed(out))


def _long_strings(st: _Structure, limit: int) -> np.ndarray:
    """Start positions of the strings longer than ``limit`` bytes."""
    q = st.quotes
    pairs = len(q) // 2 * 2
    starts, ends = q[0:pairs:2], q[1:pairs:2]
    return starts[(ends - starts - 1) > limit]


def _tolerant(data: bytes, ctx: ReadContext, first_error: str) -> Any:
    """Parse the records one run at a time (see the module docstring)."""
    st = _structure(data)
    found = _records_array(data, st)
    if found is None:
        raise FormatError(f"invalid JSON: {first_error}")
    a, b, closed = found
    spans = _elements(data, st, a, b)
    limit = ctx.size.string_bytes
    long_at = _long_strings(st, limit)
    p_open = int(st.pos[a])
    p_close = int(st.pos[b]) if closed else len(data)
    outside = long_at[(long_at < p_open) | (long_at > p_close)]
    if len(outside):
        raise LimitExceeded(f"the JSON document holds a string longer than {mb(limit)} outside its records (limit string_bytes)")
    starts = np.asarray([s for s, _ in spans], dtype=np.int64)
    too_long = set(np.searchsorted(starts, long_at[(long_at >= p_open) & (long_at <= p_close)], side="right") - 1)
    records: list[Any] = []
    bad: list[int] = []
    lo = 0
    for i in [*sorted(too_long), len(spans)]:
        if lo < i:
            parse_run(data, spans, lo, i, records, bad)
        if i < len(spans):
            records.append(None)
            bad.append(i)
        lo = i + 1
    marker = "flighttrace-records-" + secrets.token_hex(8)
    head = data[:p_open] + orjson.dumps(marker)
    try:
        skeleton = _parse_skeleton(head + (data[p_close + 1 :] if closed else _enclosing_closers(st, a)))
    except ValueError:
        try:
            skeleton = _parse_skeleton(head + _enclosing_closers(st, a))
            ctx.notes.append("the JSON document is cut short after its records: what followed them was lost")
        except ValueError as exc:
            raise FormatError(f"invalid JSON outside the records ({str(exc)[:120]}); first error: {first_error}") from exc
    if not _put_back(skeleton, marker, records):
        raise FormatError(f"invalid JSON: {first_error}")
    last = len(spans) - 1
    for i in bad:
        s, e = spans[i]
        piece = data[s:e]
        ctx.bad_records[i] = (record_reason(piece, not closed and i == last, limit if i in too_long else None), record_text(piece))
    ctx.notes.append(
        f"the JSON document is not valid as a whole ({first_error[:120]}): its {len(spans):,} records were parsed one by one, "
        f"{len(bad):,} could not be and are quarantined"
    )
    return skeleton


def parse_document(data: bytes, ctx: ReadContext) -> Any:
    """Parse a JSON document; a bad record costs that record (see the module docstring).

    Parameters
    ----------
    data
        The whole document (decompressed).
    ctx
        Reader context: its size limits; notes and ``bad_records`` are set here.

    Raises
    ------
    FormatError
        When nothing of the document can be parsed.
    LimitExceeded
        When a string longer than the limit is outside the records.
    """
    try:
        obj = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        if data.startswith(BOM):
            try:
                obj = orjson.loads(data[len(BOM) :])
                ctx.notes.append("UTF-8 byte-order mark at the start of the JSON document ignored")
                return obj
            except orjson.JSONDecodeError:
                data = data[len(BOM) :]
        return _tolerant(data, ctx, str(exc))
    if len(data) > ctx.size.string_bytes and longest_string(data) > ctx.size.string_bytes:
        del obj
        return _tolerant(data, ctx, f"a string longer than {mb(ctx.size.string_bytes)}")
    return obj


def booleans_among(col: Sequence[Any], values: np.ndarray) -> np.ndarray:
    """Mask of the entries of ``col`` that are JSON ``true`` / ``false``.

    numpy turns ``True`` into 1.0 without a word: a point at ``lat: true``
    would be kept at latitude 1. Only the entries whose converted ``values``
    are 0 or 1 can be booleans, so only those are looked at (all of them
    when most are, as in a flags column).

    Parameters
    ----------
    col
        The JSON values (a list).
    values
        ``col`` converted to float64.
    """
    cand = np.flatnonzero((values == 0.0) | (values == 1.0))
    out = np.zeros(len(values), dtype=bool)
    if not len(cand):
        return out
    if len(cand) * 4 < len(values):
        kinds = np.fromiter(map(type, map(col.__getitem__, cand.tolist())), dtype=object, count=len(cand))
        out[cand] = np.equal(kinds, _BOOL)  # element-wise: which values are exactly booleans
        return out
    return np.equal(np.fromiter(map(type, col), dtype=object, count=len(col)), _BOOL)
