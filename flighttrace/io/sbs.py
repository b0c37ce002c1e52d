"""SBS-1 / BaseStation logs (dump1090 / readsb port 30003 output).

One message per line, 22 comma-separated fields, CRLF or LF (formats.md
§5.1)::

    MSG,3,1,1,4CA2D6,1,2023/09/01,06:00:00.000,2023/09/01,06:00:00.000,,35000,,,40.123456,49.123456,,,,,,0

An aircraft's state is spread over several message types: the callsign comes
in MSG,1, speed / track / vertical rate in MSG,4, the squawk in MSG,6,
altitude in MSG,3/5/7, the on-ground flag (field 22, ``-1`` / ``0``) in
several. Only MSG,3 (airborne) and MSG,2 (surface, → ``on_ground``) carry a
position. The reader therefore carries the last value of every state field
forward per aircraft, in time order, and emits one point per position
message. The carry is vectorised (a sort and a group-wise forward fill per
chunk) and crosses chunk boundaries: the last state of every aircraft is kept
and put at the start of the next chunk.

Carried values expire: speed, track, vertical rate, altitude and the
on-ground flag after :data:`KINEMATIC_MAX_AGE_S`, callsign and squawk after
:data:`IDENTITY_MAX_AGE_S`, so that a point is never given the speed of a
minute ago or the callsign of an earlier flight.

Record semantics (what ``rows_read`` counts): position messages plus lines
that cannot be parsed. Messages without a position and BaseStation's own
SEL / ID / AIR / STA / CLK lines are counted in ``lines_state``; their
content (for SEL … CLK: none is used) is carried, not emitted. Blank lines
are ignored. ``src_row`` is the 0-based line number in the file.

Times (fields 7–8, "generated") carry no zone: readsb writes UTC,
dump1090-fa local time. They are read in ``ctx.tz`` when given, else as UTC,
and the manifest says which.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flighttrace.cells import none_where
from flighttrace.io._base import RawChunk, ReadContext, ReaderSpec
from flighttrace.io.carry import IDENTITY_MAX_AGE_S, KINEMATIC_MAX_AGE_S, NUM_STATE, Carry, carry_forward, message_chunks
from flighttrace.io.lines import BOM, UTF8_NOTE, LineGuard, line_batches, newline_ends, text_lines

__all__ = ["read_sbs", "SPECS", "SBS_FIELDS", "KINEMATIC_MAX_AGE_S", "IDENTITY_MAX_AGE_S", "UTF8_NOTE", "BOM"]

SBS_FIELDS: Final = 22
"""Number of comma-separated fields of an SBS MSG line."""

MAX_LINE_CHARS: Final = 4096
"""Longer lines are not SBS (a real line is about 100 characters); they are
quarantined, and at most this many bytes of one are ever held in memory."""

READ_BLOCK_BYTES: Final = 1 << 20
"""Bytes read from the stream at a time, B."""

MAX_CHUNK_BYTES: Final = 1 << 28
"""A chunk is cut early once its lines reach this many bytes (hostile files of long lines), B."""

STATE_ONLY_KINDS: Final = ("SEL", "ID", "AIR", "STA", "CLK")
"""BaseStation message kinds that are not MSG: counted as state lines, content not used."""

POSITION_TYPES: Final = (2, 3)
"""Transmission types that carry lat/lon: 2 = surface position, 3 = airborne position."""

FIRST_YEAR: Final = 1900
"""Earliest year of a date the reader accepts."""
LAST_YEAR: Final = 2200
"""First year the reader no longer accepts."""
FIRST_DAY: Final = int(np.datetime64(f"{FIRST_YEAR}-01-01", "D").astype(np.int64))
LAST_DAY: Final = int(np.datetime64(f"{LAST_YEAR}-01-01", "D").astype(np.int64)) - 1
"""Dates outside [FIRST_YEAR, LAST_YEAR) are rejected by the reader (FIRST_DAY, LAST_DAY in days
since the epoch): they cannot safely be held as ns timestamps and no ADS-B record has them."""

NS_PER_S: Final = 1_000_000_000
"""Nanoseconds per second."""
NS_PER_MS: Final = 1_000_000
"""Nanoseconds per millisecond."""
S_PER_DAY: Final = 86_400
"""Seconds per day."""
S_PER_HOUR: Final = 3600
"""Seconds per hour."""
S_PER_MIN: Final = 60
"""Seconds per minute (and minutes per hour)."""
CALLSIGN_WIDTH: Final = 8
"""The writer pads callsigns to 8 characters, as dump1090 / readsb send them."""

SQUAWK_EVERY: Final = 10
"""The writer emits MSG,6 (squawk) on every this many positions of an aircraft, and on change."""
CALLSIGN_EVERY: Final = 10
"""The writer emits MSG,1 (callsign) on every this many positions of an aircraft, and on change.

Transponders broadcast their identification every few seconds, so a real
log repeats MSG,1 throughout a flight; the reader forgets a callsign older
than :data:`IDENTITY_MAX_AGE_S`."""

EMERGENCY_SQUAWKS: Final = frozenset({"7500", "7600", "7700"})
"""Squawks for which field 20 (emergency) is ``-1``."""

UTC_NOTE: Final = "SBS times taken as UTC (no tz given)"
"""Manifest note when no ``tz`` was given."""
GNSS_NOTE: Final = "SBS altitudes or vertical rates with an 'H' suffix are GNSS (geometric), kept in alt_ft / vrate_fpm"
"""Manifest note when a GNSS altitude or rate was read."""

# 0-based field positions (formats.md §5.1 numbers them from 1)
F_KIND, F_TTYPE, F_HEX, F_DATE, F_TIME = 0, 1, 4, 6, 7
F_CALLSIGN, F_ALT, F_GS, F_TRACK, F_LAT, F_LON, F_VRATE, F_SQUAWK, F_GROUND = 10, 11, 12, 13, 14, 15, 16, 17, 21

_DATE_RE: Final = r"^\d{4}/\d{2}/\d{2}$"
_TIME_RE: Final = r"^\d{2}:\d{2}:\d{2}(\.\d{1,9})?$"
_NUM_RE: Final = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def _sniff(head: bytes) -> bool:
    return head.startswith((b"MSG,", b"SEL,", b"ID,", b"AIR,", b"STA,", b"CLK,"))


# --------------------------------------------------------------------------- line framing


def _newline_ends(data: bytes) -> np.ndarray:
    """Offsets just after each ``\\n`` in ``data``."""
    return newline_ends(data)


def _line_batches(stream: LineGuard, chunk_rows: int) -> Iterator[bytes]:
    """Runs of ``chunk_rows`` whole lines (:func:`flighttrace.io.lines.line_batches` with this reader's limits)."""
    return line_batches(stream, chunk_rows, max_line_chars=MAX_LINE_CHARS, read_bytes=READ_BLOCK_BYTES, max_chunk_bytes=MAX_CHUNK_BYTES)


# --------------------------------------------------------------------------- field parsing


@dataclass(frozen=True)
class _Reason:
    """A quarantine reason for the rows of ``mask``: ``template`` formatted with each row's value.

    Formatting happens only for the rows that are bad, never for the whole chunk.
    """

    mask: np.ndarray
    template: str
    values: pa.Array | np.ndarray | None = None

    def texts(self, idx: np.ndarray) -> list[str]:
        """The reason for each of the rows ``idx``."""
        if self.values is None:
            return [self.template] * len(idx)
        vals = self.values.take(pa.array(idx, pa.int64())).to_pylist() if isinstance(self.values, pa.Array) else self.values[idx]
        return [self.template.format(v) for v in vals]

    def full(self) -> str | np.ndarray:
        """A reason for :attr:`RawChunk.problems`: a string, or an object array set on the masked rows."""
        if self.values is None:
            return self.template
        out = np.full(len(self.mask), None, dtype=object)
        idx = np.flatnonzero(self.mask)
        out[idx] = self.texts(idx)
        return out


def _field(values: pa.Array, idx: np.ndarray) -> pa.Array:
    """Fields at positions ``idx`` of the flattened split values, whitespace-trimmed."""
    return pc.utf8_trim_whitespace(values.take(pa.array(idx, pa.int64())))


def _np(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow array as a writable numpy array (object for strings, NaN for null floats)."""
    return np.array(arr.to_numpy(zero_copy_only=False))


def _present(arr: pa.Array) -> np.ndarray:
    """Mask of non-empty strings."""
    return _np(pc.greater(pc.utf8_length(arr), 0))


def _numbers(arr: pa.Array, strip_h: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Field texts → (float64 with NaN when absent or bad, mask of present non-numbers, mask of "H"-suffixed values).

    With ``strip_h`` a trailing ``H`` (GNSS value, readsb ``--gnss``) is removed before parsing.
    """
    present = _present(arr)
    h = np.zeros(len(arr), dtype=bool)
    if strip_h:
        h = _np(pc.ends_with(arr, "H")) & present
        if h.any():
            arr = pc.replace_substring_regex(arr, "H$", "")
    null = pa.scalar(None, pa.string())
    try:  # the common case: every present value is a plain number
        num = _np(pc.cast(pc.if_else(pa.array(present), arr, null), pa.float64())).astype(np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        ok = pc.match_substring_regex(arr, _NUM_RE)
        num = _np(pc.cast(pc.if_else(ok, arr, null), pa.float64())).astype(np.float64)
    bad = present & ~np.isfinite(num)
    num[bad] = np.nan
    return num, bad, h


def _ground_flag(arr: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Field 22 → (1.0 ground / 0.0 airborne / NaN not said, mask of other values)."""
    gnd = _np(pc.is_in(arr, pa.array(["-1", "1"])))
    air = _np(pc.equal(arr, "0"))
    out = np.full(len(arr), np.nan)
    out[gnd], out[air] = 1.0, 0.0
    return out, _present(arr) & ~gnd & ~air


def _parse_times(date: pa.Array, tod: pa.Array, tz: str | None) -> tuple[np.ndarray, list[_Reason]]:
    """Fields 7 + 8 in ``tz`` (UTC when ``None``) → (UTC seconds, reasons for bad rows)."""
    n = len(date)
    bad: list[_Reason] = []
    enc = pc.dictionary_encode(date)
    codes = _np(enc.indices).astype(np.int64)
    uniques = enc.dictionary
    u_ok = _np(pc.match_substring_regex(uniques, _DATE_RE)).astype(bool)
    u_dt = pd.to_datetime(pd.Series(uniques.to_pylist(), dtype=object).where(u_ok, None), format="%Y/%m/%d", errors="coerce")
    u_bad = u_dt.isna().to_numpy()
    # days since the epoch (the parsed unit may be coarser than ns: never cast it to ns directly)
    u_days = np.where(u_bad, 0, u_dt.to_numpy(dtype="datetime64[D]").view(np.int64))
    u_far = ~u_bad & ((u_days < FIRST_DAY) | (u_days > LAST_DAY))
    u_days[u_far] = 0
    date_ns = u_days[codes] * (S_PER_DAY * NS_PER_S) if n else np.zeros(0, dtype=np.int64)
    date_bad = (u_bad | u_far)[codes] if n else np.zeros(0, dtype=bool)
    if date_bad.any():
        far = u_far[codes]
        if (date_bad & ~far).any():
            bad.append(_Reason(date_bad & ~far, "date {!r:.40} is not YYYY/MM/DD", date))
        if far.any():
            bad.append(_Reason(far, "date {!r:.40} is outside the years " + f"{FIRST_YEAR}–{LAST_YEAR - 1}", date))
    t_ok = _np(pc.match_substring_regex(tod, _TIME_RE)).astype(bool)
    tod_ns = np.zeros(n, dtype=np.int64)
    if t_ok.any():
        sub = tod.filter(pa.array(t_ok))
        h = _np(pc.cast(pc.utf8_slice_codeunits(sub, 0, 2), pa.int64()))
        m = _np(pc.cast(pc.utf8_slice_codeunits(sub, 3, 5), pa.int64()))
        sec = _np(pc.cast(pc.utf8_slice_codeunits(sub, 6, 40), pa.float64()))
        in_range = (h < 24) & (m < S_PER_MIN) & (sec < S_PER_MIN)
        idx = np.flatnonzero(t_ok)
        t_ok[idx[~in_range]] = False
        tod_ns[idx] = (h * S_PER_HOUR + m * S_PER_MIN) * NS_PER_S + np.round(sec * 1e6).astype(np.int64) * 1000
    if (~t_ok).any():
        bad.append(_Reason(~t_ok, "time {!r:.40} is not HH:MM:SS.mmm", tod))
    ok = ~date_bad & t_ok
    naive = np.where(ok, date_ns + tod_ns, 0)
    if tz is None or tz == "UTC":
        return np.where(ok, naive / NS_PER_S, np.nan), bad
    local = pd.DatetimeIndex(naive.view("datetime64[ns]"))
    utc = local.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    nat = np.asarray(utc.isna()) & ok
    if nat.any():
        idx = np.flatnonzero(nat)
        # resolving ambiguity leaves NaT only for times skipped when clocks went forward
        skipped = np.asarray(local[idx].tz_localize(tz, ambiguous=np.ones(len(idx), dtype=bool), nonexistent="NaT").isna())
        text = np.full(n, None, dtype=object)
        text[idx] = [
            f"local time {s} does not exist in {tz} (clocks went forward)" if gap else f"local time {s} is ambiguous in {tz} (clocks went back)"
            for s, gap in zip(local[idx].strftime("%Y-%m-%d %H:%M:%S"), skipped, strict=True)
        ]
        bad.append(_Reason(nat, "{}", text))
    secs = utc.asi8 / NS_PER_S
    return np.where(ok & ~nat, secs, np.nan), bad


def _field_count_reason(nf: int) -> str:
    return f"line has {nf} field{'s' if nf != 1 else ''}, SBS MSG lines have {SBS_FIELDS}"


@dataclass
class _Batch:
    """The lines of one batch split into fields on whole arrays, and what kind of line each is."""

    raw_arr: pa.Array  # the lines, line ends trimmed
    line_no: np.ndarray  # 0-based line numbers in the file
    nf: np.ndarray  # fields per line
    values: pa.Array  # every line's fields, flattened
    starts: np.ndarray  # position of each line's first field in ``values``
    kind: pa.Array  # the first field, upper case
    overlong: np.ndarray
    blank: np.ndarray
    state_kind: np.ndarray  # STA / ID / AIR / SEL / CLK lines (state only)
    good22: np.ndarray  # MSG lines of 22 fields

    @classmethod
    def of(cls, data: bytes, first_line: int, notes: set[str]) -> _Batch:
        raw_arr = text_lines(data, first=first_line == 0, notes=notes)
        overlong = _np(pc.utf8_length(raw_arr)) > MAX_LINE_CHARS
        lists = pc.split_pattern(raw_arr, ",")
        nf = _np(pc.list_value_length(lists))
        values = lists.values
        starts = _np(lists.offsets)[:-1].astype(np.int64)
        kind = pc.utf8_upper(_field(values, starts))
        blank = (nf == 1) & ~_present(kind)
        is_msg = _np(pc.equal(kind, "MSG")).astype(bool)
        state_kind = _np(pc.is_in(kind, pa.array(STATE_ONLY_KINDS))).astype(bool) & ~blank & ~overlong
        good22 = is_msg & (nf == SBS_FIELDS) & ~overlong & ~blank
        line_no = first_line + np.arange(len(raw_arr), dtype=np.int64)
        return cls(raw_arr, line_no, nf, values, starts, kind, overlong, blank, state_kind, good22)

    def __len__(self) -> int:
        return len(self.raw_arr)

    def bad_lines(self, guard: LineGuard) -> tuple[dict[int, list[str]], dict[int, str]]:
        """Reasons for the lines that are not MSG lines of 22 fields (the loop runs over bad lines only), and
        the start of each over-long line (its marker line stands for it)."""
        reasons: dict[int, list[str]] = {}
        raw_texts: dict[int, str] = {}
        nf = self.nf
        for i in np.flatnonzero(~self.blank & ~self.state_kind & ~self.good22):
            found = guard.overlong_line(self.raw_arr[i].as_py()) if nf[i] == 1 else None
            if found is not None:
                r, raw_texts[int(i)] = found
            elif self.overlong[i]:
                r = f"line is longer than {MAX_LINE_CHARS} characters; SBS lines are about 100"
            elif nf[i] != SBS_FIELDS:
                r = _field_count_reason(int(nf[i]))
            else:
                r = f"message type {self.kind[i].as_py()[:20]!r} is not MSG, {', '.join(STATE_ONLY_KINDS)}"
            reasons[int(i)] = [r]
        return reasons, raw_texts


@dataclass
class _Messages:
    """The fields of the MSG lines of 22 fields, parsed; what makes a line unparseable or a record bad."""

    f: dict[int, pa.Array]
    ttype: np.ndarray
    is_record: np.ndarray  # a position message (type 2, 3 or 4 … with lat or lon)
    hex_missing: np.ndarray
    t: np.ndarray
    nums: dict[str, np.ndarray]
    bad: list[_Reason]  # make a line unparseable
    problems: list[_Reason]  # quarantine a position record through the framework


def _messages(values: pa.Array, g_starts: np.ndarray, ctx: ReadContext, notes: set[str]) -> _Messages:
    """Parse the fields of the MSG lines starting at ``g_starts`` of ``values``."""
    m = len(g_starts)
    f = {j: _field(values, g_starts + j) for j in (F_TTYPE, F_HEX, F_DATE, F_TIME, F_CALLSIGN, F_ALT, F_GS, F_TRACK, F_LAT, F_LON, F_VRATE, F_SQUAWK, F_GROUND)}
    g_bad: list[_Reason] = []
    g_prob: list[_Reason] = []
    ttype_ok = _np(pc.match_substring_regex(f[F_TTYPE], r"^[1-8]$")).astype(bool)
    if (~ttype_ok).any():
        g_bad.append(_Reason(~ttype_ok, "transmission type {!r:.20} is not 1–8", f[F_TTYPE]))
    ttype = np.zeros(m, dtype=np.int8)
    if ttype_ok.any():
        ttype[ttype_ok] = _np(pc.cast(f[F_TTYPE].filter(pa.array(ttype_ok)), pa.int8()))
    is_record = np.isin(ttype, POSITION_TYPES) & (_present(f[F_LAT]) | _present(f[F_LON]))
    hex_missing = ~_present(f[F_HEX])
    if (hex_missing & ~is_record).any():
        g_bad.append(_Reason(hex_missing & ~is_record, "HexIdent is empty; the message cannot be attributed to an aircraft"))

    t, time_bad = _parse_times(f[F_DATE], f[F_TIME], ctx.tz)
    g_bad.extend(time_bad)

    nums: dict[str, np.ndarray] = {}
    for name, j, label in (("alt", F_ALT, "altitude"), ("gs", F_GS, "ground speed"), ("track", F_TRACK, "track"), ("vrate", F_VRATE, "vertical rate")):
        nums[name], bad, h = _numbers(f[j], strip_h=name in ("alt", "vrate"))
        if h.any():
            notes.add(GNSS_NOTE)
        if bad.any():
            template = label + " {!r:.20} is not a number"
            g_bad.append(_Reason(bad & ~is_record, template, f[j]))
            g_prob.append(_Reason(bad & is_record, template, f[j]))
    nums["ground"], bad = _ground_flag(f[F_GROUND])
    if bad.any():
        template = "on-ground flag {!r:.20} is not -1 or 0"
        g_bad.append(_Reason(bad & ~is_record, template, f[F_GROUND]))
        g_prob.append(_Reason(bad & is_record, template, f[F_GROUND]))
    return _Messages(f, ttype, is_record, hex_missing, t, nums, g_bad, g_prob)


def _parse_batch(data: bytes, first_line: int, ctx: ReadContext, carry: Carry, notes: set[str], guard: LineGuard) -> tuple[RawChunk, int]:
    """Parse a run of whole lines (from :func:`_line_batches`); update ``carry``.

    Returns the chunk and the number of lines it covered.
    """
    lb = _Batch.of(data, first_line, notes)
    n = len(lb)
    reasons, raw_texts = lb.bad_lines(guard)
    g_idx = np.flatnonzero(lb.good22)
    msg = _messages(lb.values, lb.starts[g_idx], ctx, notes)

    unparseable = np.zeros(len(g_idx), dtype=bool)
    for r in msg.bad:
        unparseable |= r.mask
    for r in msg.bad:
        hit = np.flatnonzero(r.mask)
        for k, txt in zip(hit, r.texts(hit), strict=True):
            reasons.setdefault(int(g_idx[k]), []).append(txt)

    valid = ~unparseable
    record = msg.is_record & valid
    lines_state = int(lb.state_kind.sum() + (valid & ~msg.is_record).sum())
    quarantine = [(int(lb.line_no[i]), "; ".join(rs), raw_texts.get(i) or lb.raw_arr[i].as_py()) for i, rs in sorted(reasons.items())]
    if not valid.any():
        return RawChunk.only_quarantine(quarantine, lines_state=lines_state), n
    frame = carry_forward(_state_frame(msg.f, msg.nums, msg.t, g_idx, lb.line_no, msg.ttype, record, valid), carry)
    if not record.any():
        return RawChunk.only_quarantine(quarantine, lines_state=lines_state), n
    return _records_chunk(frame, msg, lb, g_idx, quarantine, lines_state), n


def _records_chunk(frame: pd.DataFrame, msg: _Messages, lb: _Batch, g_idx: np.ndarray, quarantine: list[tuple[int, str, str]], lines_state: int) -> RawChunk:
    """The chunk of the position records of a batch (their state carried forward in ``frame``)."""
    f, nums = msg.f, msg.nums
    recs = frame[frame["record"].to_numpy(dtype=bool)].sort_values("line", kind="stable")
    pos = recs["pos"].to_numpy(dtype=np.int64)  # index into the good22 arrays
    pos_pa = pa.array(pos)
    surface = recs["ttype"].to_numpy() == 2
    alt = np.where(surface, nums["alt"][pos], recs["alt"].to_numpy(dtype=np.float64))
    on_ground = np.where(surface, 1.0, recs["ground"].to_numpy(dtype=np.float64))
    problems: list[tuple[np.ndarray, Any]] = []
    for r in msg.problems:
        mask = r.mask[pos]
        if mask.any():
            full = r.full()
            problems.append((mask, full if isinstance(full, str) else full[pos]))
    k = len(recs)
    raw_lines = lb.raw_arr.take(pa.array(g_idx[pos]))
    hexes = _np(f[F_HEX].take(pos_pa)).astype(object)
    hexes[msg.hex_missing[pos]] = None

    def raw(idx: np.ndarray) -> list[str]:
        return raw_lines.take(pa.array(np.asarray(idx, dtype=np.int64))).to_pylist()

    return RawChunk(
        columns={
            "icao24": hexes,
            "time": recs["t"].to_numpy(dtype=np.float64),
            "lat": f[F_LAT].take(pos_pa),
            "lon": f[F_LON].take(pos_pa),
            "alt_ft": alt,
            "on_ground": on_ground,
            "gs_kt": recs["gs"].to_numpy(dtype=np.float64),
            "track_deg": recs["track"].to_numpy(dtype=np.float64),
            "vrate_fpm": recs["vrate"].to_numpy(dtype=np.float64),
            "callsign": recs["callsign"].to_numpy(dtype=object),
            "squawk": recs["squawk"].to_numpy(dtype=object),
            "position_source": np.full(k, "unknown", dtype=object),
            "stale": np.zeros(k, dtype=bool),
            "new_leg": np.zeros(k, dtype=bool),
        },
        src_row=lb.line_no[g_idx[pos]],
        raw=raw,
        quarantine=quarantine,
        problems=problems,
        lines_state=lines_state,
    )


def _state_frame(
    f: dict[int, pa.Array],
    nums: dict[str, np.ndarray],
    t: np.ndarray,
    g_idx: np.ndarray,
    line_no: np.ndarray,
    ttype: np.ndarray,
    record: np.ndarray,
    valid: np.ndarray,
) -> pd.DataFrame:
    """One row per valid MSG line with its state fields and their set times."""
    keep = np.flatnonzero(valid)
    keep_pa = pa.array(keep)
    tt = t[keep]
    data: dict[str, Any] = {
        "key": pd.Series(_np(pc.utf8_lower(f[F_HEX].take(keep_pa))), dtype=object),
        "t": tt,
        "line": line_no[g_idx[keep]],
        "pos": keep,
        "ttype": ttype[keep],
        "record": record[keep],
    }
    for name, j in (("callsign", F_CALLSIGN), ("squawk", F_SQUAWK)):
        arr = f[j].take(keep_pa)
        present = _present(arr)
        data[name] = pd.Series(none_where(~present, _np(arr)), dtype=object)
        data[f"{name}_t"] = np.where(present, tt, np.nan)
    for name in NUM_STATE:
        v = nums[name][keep]
        data[name] = v
        data[f"{name}_t"] = np.where(np.isfinite(v), tt, np.nan)
    return pd.DataFrame(data)  # string columns stay object: forward fill and take are faster on them


def read_sbs(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an SBS-1 / BaseStation log, ``ctx.chunk_rows`` lines at a time.

    A ``stream`` reader (:mod:`flighttrace.io._base`); ``ctx.tz`` is the zone
    of the naive times (UTC when ``None``, noted in the manifest). Each chunk
    holds a batch's position messages, its unparseable lines in
    ``quarantine`` and the count of its state-only lines in ``lines_state``.
    """
    ctx.tz_used = ctx.tz or "UTC"
    if ctx.tz is None:
        ctx.notes.append(UTC_NOTE)

    def parse(data: bytes, first: int, carry: Carry, guard: LineGuard, notes: set[str]) -> tuple[RawChunk, int]:
        return _parse_batch(data, first, ctx, carry, notes, guard)

    yield from message_chunks(stream, ctx, parse, max_line_chars=MAX_LINE_CHARS, read_bytes=READ_BLOCK_BYTES, max_chunk_bytes=MAX_CHUNK_BYTES)


SPECS = (
    ReaderSpec(
        name="sbs",
        kind="stream",
        func=read_sbs,
        description="SBS-1 / BaseStation log (dump1090 / readsb port 30003, 22 comma-separated fields)",
        sniff=_sniff,
    ),
)
