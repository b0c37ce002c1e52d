"""What the FlightRadar24 readers share (formats in :mod:`flighttrace.io.fr24`).

Units and limits, the ICAO address of files that carry none, numbers and
ISO 8601 times parsed from text on whole columns, FR24's "altitude 0 on the
ground" convention, and the assembly of a chunk whose unparseable rows go to
the reader's quarantine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from flighttrace.io._base import RawChunk, ReadContext

__all__ = [
    "M_PER_FT",
    "FT_PER_M",
    "KMH_PER_KT",
    "MPH_PER_KT",
    "MS_PER_FPM",
    "GROUND_MAX_KT",
    "MAX_EPOCH_S",
    "CSV_COLUMNS",
    "CSV_COLUMNS_OLD",
    "KML_NS",
    "GROUND_NOTE",
    "ISO_ZONE_RE",
    "hex_from_fr24_name",
    "resolve_hex",
    "no_address_reason",
    "np_bool",
    "arrow_strings",
    "text_numbers",
    "json_numbers",
    "iso_seconds",
    "ground_state",
    "assemble",
    "without_address",
    "addressed",
    "fr24_columns",
    "beyond_ns",
    "ground_note",
]

# ---------------------------------------------------------------------------
# units and constants

M_PER_FT: Final = 0.3048
"""Metres per foot (exact, by definition)."""
FT_PER_M: Final = 1.0 / M_PER_FT
"""Feet per metre: KML coordinates hold metres, Points hold feet."""
KMH_PER_KT: Final = 1.852
"""Kilometres per hour per knot (exact)."""
MPH_PER_KT: Final = 1.852 / 1.609344
"""Statute miles per hour per knot."""
MS_PER_FPM: Final = M_PER_FT / 60.0
"""Metres per second per foot per minute."""
GROUND_MAX_KT: Final = 100.0
"""Altitude 0 at a ground speed up to this many knots means "on the ground"."""
MAX_EPOCH_S: Final = 9.2e9
"""Times this many seconds or more from the epoch (outside 1678–2261) cannot be
held in int64 ns; a Unix time in milliseconds read as seconds lands here."""
CSV_COLUMNS: Final[tuple[str, ...]] = ("Timestamp", "UTC", "Callsign", "Position", "Altitude", "Speed", "Direction")
"""Header of the FR24 CSV export."""
CSV_COLUMNS_OLD: Final[tuple[str, ...]] = ("Timestamp", "Callsign", "Position", "Altitude", "Speed", "Direction")
"""Header of the older FR24 CSV export, without ``UTC``."""
KML_NS: Final = "http://www.opengis.net/kml/2.2"
"""The KML namespace FR24 writes."""

# ---------------------------------------------------------------------------
# the ICAO address of files that carry none

_NAME_HEX: Final = re.compile(r"(?<![a-z])(?:icao24|icao|hex)[-_]?([0-9a-f]{6})(?![0-9a-f])", re.IGNORECASE)
_HEX6: Final = re.compile(r"[0-9a-f]{6}")


def hex_from_fr24_name(name: str) -> str | None:
    """Return the ICAO hex named in a file name by a ``hex``/``icao``/``icao24`` token.

    Parameters
    ----------
    name
        A path or label; only its last component (after ``/``, ``\\`` or the
        ``!`` of an archive member) is searched, except that a KMZ's
        ``doc.kml`` goes by the KMZ's own name (Google Earth names the KML
        inside every KMZ so).

    Returns
    -------
    str or None
        The lowercase hex, or ``None`` when the name has no such token.

    Examples
    --------
    >>> hex_from_fr24_name("fr24/AZQ6224_hex600864_2023-09-01.csv")
    '600864'
    >>> hex_from_fr24_name("icao24-600864.kml")
    '600864'
    >>> hex_from_fr24_name("AZQ6224_230901.csv") is None
    True
    >>> hex_from_fr24_name("downloads/AZQ6224_hex600864.kmz!doc.kml")
    '600864'
    """
    parts = re.split(r"[/\\!]", name)
    base = parts[-1]
    if base.lower() == "doc.kml" and len(parts) > 1 and parts[-2].lower().endswith(".kmz"):
        base = parts[-2]
    m = _NAME_HEX.search(base)
    return m.group(1).lower() if m else None


def resolve_hex(ctx: ReadContext, what: str) -> str | None:
    """The hex for a file without one (see the module docstring); notes its origin."""
    from_name = hex_from_fr24_name(ctx.src_file)
    sel = sorted(ctx.icao24) if ctx.icao24 else []
    single = sel[0] if len(sel) == 1 and _HEX6.fullmatch(sel[0]) else None
    if single is not None and from_name in (None, single):
        ctx.notes.append(f"icao24 {single} taken from the icao24= selection ({what} carries no ICAO address)")
        return single
    if from_name is not None:
        if single is not None:
            ctx.notes.append(
                f"icao24 {from_name} taken from the file name, not from the icao24= selection {single}: the file names another aircraft"
            )
        else:
            ctx.notes.append(f"icao24 {from_name} taken from the file name ({what} carries no ICAO address)")
        return from_name
    return None


def no_address_reason(what: str) -> str:
    """The quarantine reason for a record of ``what`` (an FR24 export) when no ICAO address could be found: how to give one."""
    return f"{what} has no ICAO address: put hex<ICAO hex> in the file name or pass icao24=<hex> (--icao24 on the command line)"


# ---------------------------------------------------------------------------
# helpers shared by the readers

_NUM_RE: Final = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_NAN_RE: Final = r"^[+-]?nan$"
_ISO_RE: Final = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
ISO_ZONE_RE: Final = r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
GROUND_NOTE: Final = (
    "{n} record(s) with altitude 0 at more than {kt:g} kt or an unknown speed: altitude taken as unknown "
    "and the ground state as not said (FR24 writes 0 on the ground)"
)


def np_bool(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A pyarrow boolean array as numpy, nulls as False."""
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def arrow_strings(values: Any) -> pa.Array:
    """Strings (pyarrow, pandas or object numpy; None/NaN missing) → trimmed pyarrow strings."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)
    return pc.utf8_trim_whitespace(values)


def text_numbers(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """Parse decimal numbers from text on a whole column.

    Parameters
    ----------
    values
        Strings (pyarrow or object array; missing or empty means "not given").

    Returns
    -------
    numbers : numpy.ndarray
        float64, NaN where missing or not a number (a literal ``nan`` is NaN).
    bad : numpy.ndarray
        True where text is present but is not a finite number.
    """
    s = arrow_strings(values)
    present = np_bool(pc.greater(pc.utf8_length(s), 0))
    ok = pc.match_substring_regex(s, _NUM_RE)
    nums = pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), pa.float64())
    out = np.array(nums.to_numpy(zero_copy_only=False), dtype=np.float64)  # writable copy
    is_nan = np_bool(pc.match_substring_regex(s, _NAN_RE, ignore_case=True))
    bad = (present & ~np_bool(ok) & ~is_nan) | np.isinf(out)
    out[np.isinf(out)] = np.nan
    return out, bad


def json_numbers(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """JSON values → (float64, mask of present values that are not finite numbers)."""
    n = len(values)
    is_bool = np.fromiter(map(isinstance, values, repeat(bool)), dtype=bool, count=n)
    try:
        if is_bool.any():
            raise TypeError("booleans are not numbers")
        out = np.array(values, dtype=np.float64)
        if out.shape != (n,):
            raise TypeError("nested arrays are not numbers")
        bad = np.zeros(n, dtype=bool)
    except (TypeError, ValueError, OverflowError):
        ser = pd.Series(values, dtype=object)
        is_num = np.fromiter(map(isinstance, ser, repeat((int, float, str))), dtype=bool, count=n) & ~is_bool
        out = np.array(
            pd.to_numeric(ser.where(is_num, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64
        )
        bad = ser.notna().to_numpy() & np.isnan(out)
    inf = np.isinf(out)
    if inf.any():
        out[inf] = np.nan
        bad |= inf
    return out, bad


def iso_seconds(values: Any) -> np.ndarray:
    """ISO 8601 strings → float Unix seconds (naive taken as UTC), NaN where unparseable."""
    strings = arrow_strings(values)
    ok = np_bool(pc.match_substring_regex(strings, _ISO_RE))
    out = np.full(len(strings), np.nan)
    if ok.any():
        s = pd.Series(np.asarray(strings.filter(pa.array(ok)).to_numpy(zero_copy_only=False), dtype=object), dtype=object)
        t = pd.to_datetime(s, utc=True, errors="coerce", format="ISO8601")
        good = t.notna().to_numpy()
        us = t[good].dt.as_unit("us").array.asi8  # type: ignore[attr-defined]  # DatetimeArray.asi8 (int64 view) is missing from pandas-stubs
        idx = np.flatnonzero(ok)[good]
        out[idx] = us / 1e6
    return out


def ground_state(alt: np.ndarray, gs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Apply FR24's "altitude 0 on the ground" convention.

    Parameters
    ----------
    alt
        Altitude in ft as FR24 gives it (0 on the ground).
    gs
        Ground speed in kt.

    Returns
    -------
    alt_ft : numpy.ndarray
        The altitude with the zeros replaced by NaN.
    on_ground : numpy.ndarray
        1.0 on the ground, 0.0 airborne, NaN not said.
    odd : numpy.ndarray
        Altitude 0 at more than :data:`GROUND_MAX_KT` or unknown speed.
    """
    zero = alt == 0.0
    slow = zero & (gs <= GROUND_MAX_KT)
    odd = zero & ~slow
    on_ground = np.where(np.isnan(alt), np.nan, 0.0)
    on_ground[slow] = 1.0
    on_ground[odd] = np.nan
    return np.where(zero, np.nan, alt), on_ground, odd


def _take(values: Any, keep: np.ndarray) -> Any:
    if values is None:
        return None
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.take(pa.array(keep, type=pa.int64()))
    arr = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    return arr[keep]


def assemble(
    columns: dict[str, Any],
    src_row: np.ndarray,
    raw: Callable[[np.ndarray], list[str]],
    fatal: Sequence[tuple[np.ndarray, str]],
    problems: list[tuple[np.ndarray, str]],
    quarantine: list[tuple[int, str, str]],
) -> RawChunk:
    """Build a chunk, moving rows whose time or position cannot be parsed to the reader's quarantine.

    Parameters
    ----------
    columns
        Points columns for all parsed rows.
    src_row
        Their ``src_row``.
    raw
        Raw text of rows by position in ``columns``.
    fatal
        ``(mask, reason)``: rows that cannot become a point at all; all the
        reasons that apply are joined.
    problems
        ``(mask, reason)`` for the framework (the row parses, a value is bad).
    quarantine
        Records already rejected.

    Returns
    -------
    RawChunk
    """
    n = len(src_row)
    bad = np.zeros(n, dtype=bool)
    for mask, _ in fatal:
        bad |= mask
    if not bad.any():
        return RawChunk(columns=columns, src_row=src_row, raw=raw, quarantine=quarantine, problems=[p for p in problems if p[0].any()])
    idx = np.flatnonzero(bad)
    pos = np.cumsum(bad) - 1
    reasons: list[list[str]] = [[] for _ in range(len(idx))]
    for mask, reason in fatal:
        for p in pos[np.flatnonzero(mask)]:  # loop over bad rows only
            reasons[p].append(reason)
    texts = raw(idx)
    quarantine = quarantine + [(int(src_row[i]), "; ".join(r), t) for i, r, t in zip(idx, reasons, texts, strict=True)]
    keep = np.flatnonzero(~bad)
    kept_raw = raw

    def raw_kept(j: np.ndarray) -> list[str]:
        return kept_raw(keep[np.asarray(j, dtype=np.int64)])

    return RawChunk(
        columns={k: _take(v, keep) for k, v in columns.items()},
        src_row=src_row[keep],
        raw=raw_kept,
        quarantine=quarantine,
        problems=[(m[keep], r) for m, r in problems if m[keep].any()],
    )


def without_address(chunk: RawChunk, reason: str) -> RawChunk:
    """Every parsed record of ``chunk`` quarantined with ``reason`` (loop over bad rows)."""
    n = len(chunk)
    texts = chunk.raw(np.arange(n)) if (n and chunk.raw is not None) else [""] * n
    rows = [(int(r), reason, t) for r, t in zip(chunk.src_row, texts, strict=True)]
    return RawChunk.only_quarantine(chunk.quarantine + rows)


# ---------------------------------------------------------------------------


def addressed(chunk: RawChunk, hexid: str | None, what: str) -> RawChunk:
    """``chunk`` when the ICAO address is known, else every record of it quarantined with a reason that says how to give one."""
    return chunk if hexid is not None else without_address(chunk, no_address_reason(what))


def fr24_columns(
    n: int, hexid: str | None, time: np.ndarray, lat: np.ndarray, lon: np.ndarray, alt: np.ndarray, on_ground: np.ndarray,
    gs: np.ndarray, track: np.ndarray, **more: Any,
) -> dict[str, Any]:
    """The Points columns every FR24 export fills (one aircraft: ``hexid``), then ``more`` (what only some exports carry)."""
    return {"icao24": np.full(n, hexid, dtype=object), "time": time, "lat": lat, "lon": lon, "alt_ft": alt, "on_ground": on_ground,
            "gs_kt": gs, "track_deg": track, **more}


def beyond_ns(time: np.ndarray) -> np.ndarray:
    """Mask of the times (s) that int64 nanoseconds cannot hold (:data:`MAX_EPOCH_S`); they are made NaN in ``time``."""
    far = np.abs(time) >= MAX_EPOCH_S
    time[far] = np.nan
    return far


def ground_note(n: int) -> str:
    """The manifest note for ``n`` records with altitude 0 that cannot be on the ground."""
    return GROUND_NOTE.format(n=n, kt=GROUND_MAX_KT)
