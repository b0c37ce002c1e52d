"""jet1090 / rs1090 decoded Mode S messages: one JSON object per line (JSON Lines).

jet1090 (and the rs1090 decoder it is built on) writes every message it
decodes as a JSON object on a line of its own::

    {"timestamp":1720249161.85,"frame":"8d3933…","df":"17","icao24":"393322","bds":"05",
     "altitude":700,"source":"barometric","latitude":48.996,"longitude":2.566,…}

``timestamp`` is in seconds since the epoch, UTC; ``df`` (downlink format)
and ``bds`` (the register, for extended squitters and Comm-B) are strings.
As in a BaseStation log, an aircraft's state is spread over several kinds of
message, and only some carry a position. The reader takes:

- **positions** from ADS-B airborne (BDS 0,5) and surface (BDS 0,6)
  position messages of DF 17 and 18 that carry ``latitude`` and
  ``longitude``: one point each, on the ground when it is a surface
  position. DF 17 is a transponder's own broadcast, and so is DF 18 from
  ADS-B equipment without a transponder (``"tisb": "ADSB_ES_NT"`` or
  ``"ADSB_ES_NT_ALT"``): ``adsb``; any other DF 18 is TIS-B or ADS-R,
  rebroadcast by a ground station: ``other``;
- **altitude** from the airborne position messages (those whose position
  the decoder could not resolve yet included) and from the altitude replies
  of surveillance (DF 0, 4, 16, 20): pressure altitude, ft. An airborne
  position whose altitude is GNSS height (``"source": "GNSS"``) is kept in
  ``alt_ft`` too, as the SBS reader keeps GNSS heights, and the manifest
  says so;
- **ground speed, track and vertical rate** from ADS-B velocity (BDS 0,9)
  and surface position messages;
- **the callsign** from ADS-B identification (BDS 0,8), **the squawk** from
  identity replies (DF 5, 21).

Values the decoder infers from Comm-B registers (BDS 4,0 / 5,0 / 6,0 …) are
not used: which register a Comm-B reply holds is guessed from its content,
and a wrong guess would give a wrong speed. Each state value is carried
forward per aircraft to the later position messages and expires
(:mod:`flighttrace.io.carry`).

Record semantics, as for SBS logs (what ``rows_read`` counts): position
messages, plus lines that cannot be read (not JSON, not an object, a field
of the wrong type, no time or address), which are quarantined with their
line. Every other message is counted in ``lines_state``. Blank lines are
ignored. ``src_row`` is the 0-based line number in the file.

Lines are parsed by Arrow's JSON reader, a batch at a time (no loop per
message). A batch that holds a line Arrow cannot read is then looked at line
by line and its bad lines set aside, so a bad line costs only itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, Final

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from flighttrace.cells import none_where
from flighttrace.io._base import RawChunk, ReadContext, ReaderSpec
from flighttrace.io.carry import NUM_STATE, Carry, carry_forward, message_chunks
from flighttrace.io.lines import BOM, UTF8_NOTE, LineGuard, text_lines

__all__ = ["GNSS_NOTE", "MAX_LINE_CHARS", "SPECS", "UTF8_NOTE", "read_jet1090"]

MAX_LINE_CHARS: Final = 65_536
"""Longer lines are not jet1090's (a decoded message is at most a few hundred characters); they are quarantined."""

PARSE_BLOCK_BYTES: Final = 1 << 20
"""Bytes Arrow's JSON reader parses at a time (blocks go to both cores); larger than any line the reader keeps (:data:`MAX_LINE_CHARS`)."""

GNSS_NOTE: Final = "jet1090 airborne positions with a GNSS height (source GNSS) are kept in alt_ft"
"""Manifest note when an airborne position's altitude is GNSS height."""

POSITION_BDS: Final = ("05", "06")
"""ADS-B registers of airborne (0,5) and surface (0,6) positions."""

SQUITTER_DF: Final = ("17", "18")
"""Extended squitter downlink formats: 17 from a transponder, 18 relayed (TIS-B, ADS-R) or from a non-transponder device."""

OWN_BROADCAST_TISB: Final = ("ADSB_ES_NT", "ADSB_ES_NT_ALT")
"""DF 18 control fields of an aircraft's own ADS-B broadcast (equipment without a transponder); the others are TIS-B or ADS-R."""

ALTITUDE_DF: Final = ("0", "4", "16", "20")
"""Surveillance replies that carry the pressure altitude."""

IDENTITY_DF: Final = ("5", "21")
"""Surveillance replies that carry the squawk."""

_SCHEMA: Final = pa.schema([
    ("timestamp", pa.float64()), ("icao24", pa.string()), ("df", pa.string()), ("bds", pa.string()),
    ("latitude", pa.float64()), ("longitude", pa.float64()), ("altitude", pa.float64()), ("source", pa.string()),
    ("groundspeed", pa.float64()), ("track", pa.float64()), ("vertical_rate", pa.float64()),
    ("callsign", pa.string()), ("squawk", pa.string()), ("tisb", pa.string()),
])
"""The fields the reader uses, as jet1090 writes them; any other field is ignored."""

_KINDS: Final = {f.name: "number" if pa.types.is_floating(f.type) else "text" for f in _SCHEMA}
"""What each used field must hold when present: a JSON number or a JSON string."""

_REQUIRED: Final = ("timestamp", "df", "icao24")
"""Keys a message holds (the content is taken for jet1090's when its first JSON object has them)."""
SNIFF_LINES: Final = 20
"""Lines looked at to tell the format."""


def _sniff(head: bytes) -> bool:
    """Whether the content is jet1090's: most of its first lines are JSON objects, the first that parses a message.

    A message is an object with jet1090's ``timestamp``, ``df`` and
    ``icao24``. Up to :data:`SNIFF_LINES` whole lines are looked at, so a
    damaged first line (or a few) does not hide the format.
    """
    lines = [x for x in head.removeprefix(BOM).split(b"\n")[:-1] if x.strip()][:SNIFF_LINES] if b"\n" in head else []
    if not lines:  # no whole line in the head: the file's only line, or a document longer than the head (a readsb trace)
        line = head.strip()
        if not line.endswith(b"}"):
            return False  # not a whole JSON object: the head of a longer document, not parsed here
        lines = [line]
    objects = [x for x in lines if x.lstrip()[:1] == b"{"]
    if 2 * len(objects) < len(lines):
        return False
    for line in objects:
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        return isinstance(obj, dict) and all(k in obj for k in _REQUIRED)
    return False


def _parse(lines: pa.Array) -> pa.Table:
    """The lines (each one JSON object) as one table of :data:`_SCHEMA`; raises what Arrow raises on a line it cannot read."""
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines), pa.scalar("\n", pa.large_string()))[0].as_buffer()
    opts = pajson.ParseOptions(explicit_schema=_SCHEMA, unexpected_field_behavior="ignore", newlines_in_values=False)
    table = pajson.read_json(pa.BufferReader(joined), read_options=pajson.ReadOptions(use_threads=True, block_size=PARSE_BLOCK_BYTES), parse_options=opts)
    if table.num_rows != len(lines):
        raise pa.ArrowInvalid(f"{table.num_rows} rows from {len(lines)} lines")
    return table.select(_SCHEMA.names)


def _line_problem(line: str) -> str | None:
    """Why Arrow cannot read this line (not JSON, not an object, a used field of the wrong type), or ``None``."""
    try:
        obj = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "not JSON"
    if not isinstance(obj, dict):
        return f"a JSON {'array' if isinstance(obj, list) else type(obj).__name__}, not an object"
    for name, want in _KINDS.items():
        v = obj.get(name)
        if v is None:
            continue
        if want == "number" and (isinstance(v, bool) or not isinstance(v, (int, float))):
            return f"{name} is {_json_kind(v)}, not a number"
        if want == "text" and not isinstance(v, str):
            return f"{name} is {_json_kind(v)}, not text"
    return None


def _json_kind(v: Any) -> str:
    if isinstance(v, bool):
        return "true or false"
    names: dict[type, str] = {str: "text", list: "an array", dict: "an object"}
    return names.get(type(v), "a number")


def _tables(lines: pa.Array, rows: np.ndarray, bad: dict[int, str]) -> list[tuple[np.ndarray, pa.Table]]:
    """``(rows, table)`` pieces of the lines Arrow reads; each line it cannot read goes into ``bad`` (row → reason).

    The lines are parsed together. When that fails, each line is looked at
    on its own (:func:`_line_problem`: only a batch with a bad line takes
    this path, and it costs a few microseconds a line), the bad ones are
    set aside and the rest parsed together again. Should Arrow still refuse
    (a case the check does not foresee), the lines are halved until the one
    it refuses stands alone.
    """
    if not len(lines):
        return []
    try:
        return [(rows, _parse(lines))]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    problems = [_line_problem(x) for x in lines.to_pylist()]  # the bad batch only: one check per line
    ok = np.fromiter((p is None for p in problems), dtype=bool, count=len(problems))
    for k in np.flatnonzero(~ok).tolist():
        bad[int(rows[k])] = str(problems[k])
    if not ok.any():
        return []
    return _halved(lines if ok.all() else lines.filter(pa.array(ok)), rows[ok], bad)


def _halved(lines: pa.Array, rows: np.ndarray, bad: dict[int, str]) -> list[tuple[np.ndarray, pa.Table]]:
    """The lines parsed, halved until each line Arrow refuses stands alone (its reason Arrow's)."""
    try:
        return [(rows, _parse(lines))]
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        if len(lines) == 1:
            bad[int(rows[0])] = f"unreadable ({str(exc).splitlines()[0][:160]})"
            return []
    half = len(lines) // 2
    return _halved(lines.slice(0, half), rows[:half], bad) + _halved(lines.slice(half), rows[half:], bad)


def _is_in(arr: pa.ChunkedArray, values: tuple[str, ...]) -> np.ndarray:
    return np.asarray(pc.fill_null(pc.is_in(arr, pa.array(values)), False), dtype=bool)


def _floats(arr: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(arr.to_numpy(), dtype=np.float64)


def _texts(arr: pa.ChunkedArray) -> np.ndarray:
    """Strings, trimmed, as an object array; empty and missing ones ``None``."""
    trimmed = pc.utf8_trim_whitespace(arr)
    out = np.array(trimmed.to_numpy(zero_copy_only=False), dtype=object)
    return none_where(~np.asarray(pc.fill_null(pc.greater(pc.utf8_length(trimmed), 0), False), dtype=bool), out)


def _state_frame(cols: dict[str, Any], line_no: np.ndarray, position: np.ndarray, surface: np.ndarray) -> pd.DataFrame:
    """One row per message with its state fields (NaN / ``None`` where the message does not say them) and their set times."""
    df, bds, t = cols["df"], cols["bds"], cols["t"]
    squitter = _is_in(df, SQUITTER_DF)
    airborne = position & ~surface
    alt = np.where(_is_in(df, ALTITUDE_DF) | (squitter & _is_in(bds, ("05",))), _floats(cols["altitude"]), np.nan)  # decoded position or not
    moving = squitter & _is_in(bds, ("09", "06"))
    num = {
        "alt": alt,
        "gs": np.where(moving, _floats(cols["groundspeed"]), np.nan),
        "track": np.where(moving, _floats(cols["track"]), np.nan),
        "vrate": np.where(squitter & _is_in(bds, ("09",)), _floats(cols["vertical_rate"]), np.nan),
        "ground": np.where(surface, 1.0, np.where(airborne, 0.0, np.nan)),
    }
    text = {
        "callsign": none_where(~(squitter & _is_in(bds, ("08",))), _texts(cols["callsign"])),
        "squawk": none_where(~_is_in(df, IDENTITY_DF), _texts(cols["squawk"])),
    }
    data: dict[str, Any] = {"key": cols["key"], "t": t, "line": line_no, "pos": np.arange(len(t)),
                            "ttype": np.where(surface, 2, np.where(airborne, 3, 0)), "record": position}
    for name, v in text.items():
        data[name] = pd.Series(v, dtype=object)
        data[f"{name}_t"] = np.where(pd.notna(v), t, np.nan)
    for name in NUM_STATE:
        data[name] = num[name]
        data[f"{name}_t"] = np.where(np.isfinite(num[name]), t, np.nan)
    return pd.DataFrame(data)


def _parse_batch(data: bytes, first_line: int, carry: Carry, guard: LineGuard, notes: set[str]) -> tuple[RawChunk, int]:
    """A run of whole lines (from :func:`~flighttrace.io.lines.line_batches`) as a chunk; updates ``carry``."""
    lines = text_lines(data, first=first_line == 0, notes=notes)
    n = len(lines)
    line_no = first_line + np.arange(n, dtype=np.int64)
    length = np.asarray(pc.utf8_length(lines), dtype=np.int64)
    blank = np.asarray(pc.utf8_length(pc.utf8_trim_whitespace(lines)), dtype=np.int64) == 0
    odd = ~blank & ((length > MAX_LINE_CHARS) | ~np.asarray(pc.starts_with(lines, "{"), dtype=bool))
    bad: dict[int, str] = {}
    raw_bad: dict[int, str] = {}
    for i in np.flatnonzero(odd).tolist():  # the bad lines only
        found = guard.overlong_line(lines[i].as_py())
        if found is not None:
            bad[i], raw_bad[i] = found
        elif length[i] > MAX_LINE_CHARS:
            bad[i] = f"line is longer than {MAX_LINE_CHARS:,} characters; a jet1090 message is a few hundred"
        else:
            bad[i] = "not a JSON object"
    good = np.flatnonzero(~odd & ~blank)
    pieces = _tables(lines if len(good) == n else lines.take(pa.array(good)), good, bad)
    chunk = _messages_chunk(pieces, lines, line_no, carry, bad, notes)
    quarantine = [(int(line_no[i]), r, raw_bad.get(i) or lines[i].as_py()) for i, r in sorted(bad.items())]
    chunk.quarantine = quarantine
    return chunk, n


def _messages_chunk(pieces: list[tuple[np.ndarray, pa.Table]], lines: pa.Array, line_no: np.ndarray, carry: Carry, bad: dict[int, str],
                    notes: set[str]) -> RawChunk:
    """The chunk of the messages Arrow read (``pieces``): their positions as records, the others counted; unusable ones into ``bad``."""
    if not pieces:
        return RawChunk.only_quarantine([])
    rows = np.concatenate([r for r, _ in pieces])
    cols: dict[str, Any] = {name: pa.chunked_array([t.column(name) for _, t in pieces], type=_SCHEMA.field(name).type) for name in _SCHEMA.names}
    t = _floats(cols["timestamp"])
    key = _texts(pc.utf8_lower(cols["icao24"]))
    unusable = ~np.isfinite(t) | pd.isna(key)
    for k in np.flatnonzero(unusable).tolist():
        bad[int(rows[k])] = "no time" if not np.isfinite(t[k]) else "no icao24"
    ok = np.flatnonzero(~unusable)
    if not len(ok):
        return RawChunk.only_quarantine([])
    if len(ok) < len(rows):
        cols = {name: c.take(pa.array(ok)) for name, c in cols.items()}
        rows, t, key = rows[ok], t[ok], key[ok]
    cols["t"], cols["key"] = t, key
    squitter, bds = _is_in(cols["df"], SQUITTER_DF), cols["bds"]
    position = squitter & _is_in(bds, POSITION_BDS) & np.isfinite(_floats(cols["latitude"])) & np.isfinite(_floats(cols["longitude"]))
    surface = position & _is_in(bds, ("06",))
    lines_state = int((~position).sum())
    if (position & ~surface & np.asarray(pc.fill_null(pc.equal(cols["source"], "GNSS"), False), dtype=bool)).any():
        notes.add(GNSS_NOTE)
    frame = carry_forward(_state_frame(cols, line_no[rows], position, surface), carry)
    recs = frame[frame["record"].to_numpy(dtype=bool)].sort_values("line", kind="stable")
    if recs.empty:
        return RawChunk.only_quarantine([], lines_state=lines_state)
    return _records_chunk(recs, cols, lines, rows, line_no, lines_state)


def _records_chunk(recs: pd.DataFrame, cols: dict[str, Any], lines: pa.Array, rows: np.ndarray, line_no: np.ndarray, lines_state: int) -> RawChunk:
    """The chunk of a batch's position messages, their state carried forward in ``recs``."""
    pos = recs["pos"].to_numpy(dtype=np.int64)
    take = pa.array(pos)
    surface = recs["ttype"].to_numpy() == 2
    relayed = _is_in(cols["df"].take(take), ("18",)) & ~_is_in(cols["tisb"].take(take), OWN_BROADCAST_TISB)
    k = len(recs)
    src = rows[pos]

    def raw(idx: np.ndarray) -> list[str]:
        return lines.take(pa.array(src[np.asarray(idx, dtype=np.int64)])).to_pylist()

    return RawChunk(
        columns={
            "icao24": recs["key"].to_numpy(dtype=object),
            "time": recs["t"].to_numpy(dtype=np.float64),
            "lat": _floats(cols["latitude"].take(take)),
            "lon": _floats(cols["longitude"].take(take)),
            "alt_ft": np.where(surface, np.nan, recs["alt"].to_numpy(dtype=np.float64)),
            "on_ground": np.where(surface, 1.0, 0.0),
            "gs_kt": recs["gs"].to_numpy(dtype=np.float64),
            "track_deg": recs["track"].to_numpy(dtype=np.float64),
            "vrate_fpm": recs["vrate"].to_numpy(dtype=np.float64),
            "callsign": recs["callsign"].to_numpy(dtype=object),
            "squawk": recs["squawk"].to_numpy(dtype=object),
            "position_source": np.where(relayed, "other", "adsb").astype(object),
            "stale": np.zeros(k, dtype=bool),
            "new_leg": np.zeros(k, dtype=bool),
        },
        src_row=line_no[src],
        raw=raw,
        lines_state=lines_state,
    )


def read_jet1090(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read jet1090's JSON Lines, ``ctx.chunk_rows`` lines at a time (a ``stream`` reader, :mod:`flighttrace.io._base`)."""
    return message_chunks(stream, ctx, _parse_batch, max_line_chars=MAX_LINE_CHARS)


SPECS = (
    ReaderSpec(
        name="jet1090",
        kind="stream",
        func=read_jet1090,
        description="jet1090 / rs1090 decoded Mode S messages, one JSON object per line (JSON Lines)",
        sniff=_sniff,
        json_lines=True,
    ),
)
