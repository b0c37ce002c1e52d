"""The unofficial FlightRadar24 ``flight-playback.json`` document (``fr24_json``; see :mod:`flighttrace.io.fr24`)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.fr24_common import addressed, assemble, beyond_ns, fr24_columns, ground_note, ground_state, json_numbers, resolve_hex
from flighttrace.io.jsonrows import select_records

__all__ = ["read_playback", "match_playback", "SPEC"]

# flight-playback JSON


def _dig(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def match_playback(obj: Any) -> bool:
    return isinstance(_dig(obj, "result", "response", "data", "flight", "track"), list)


def _nested(df: pd.DataFrame, key: str, sub: str | None) -> list[Any]:
    """Column ``key`` of the track frame; ``sub`` picks a member of nested objects."""
    if key not in df.columns:
        return [None] * len(df)
    col = df[key]
    if sub is None:
        return col.tolist()
    is_dict = np.fromiter(map(isinstance, col, repeat(dict)), dtype=bool, count=len(col))
    if not is_dict.any():
        return col.tolist()
    out = col.to_numpy(dtype=object, copy=True)
    out[is_dict] = col[is_dict].str.get(sub).to_numpy(dtype=object)
    return out.tolist()


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def read_playback(obj: dict[str, Any], ctx: ReadContext) -> Iterator[RawChunk]:
    """Read a parsed FR24 flight-playback document (``result.response.data.flight``): one chunk for the flight's track.

    A ``json`` reader (:mod:`flighttrace.io._base`).
    """
    flight = _dig(obj, "result", "response", "data", "flight")
    track = _dig(flight, "track")
    if not isinstance(track, list):
        raise FormatError("FR24 playback JSON whose result.response.data.flight.track is not an array")
    notice = _dig(obj, "_api", "copyright")
    if isinstance(notice, str) and notice.strip():
        ctx.notes.append(f"the document states: {notice.strip()[:200]}")
    modes = _str_or_none(_dig(flight, "aircraft", "identification", "modes"))
    hexid = modes.strip() if modes else resolve_hex(ctx, "FR24 playback JSON")
    callsign = _str_or_none(_dig(flight, "identification", "callsign"))
    registration = _str_or_none(_dig(flight, "aircraft", "identification", "registration"))
    typecode = _str_or_none(_dig(flight, "aircraft", "model", "code"))

    is_obj = np.fromiter(map(isinstance, track, repeat(dict)), dtype=bool, count=len(track))
    recs = select_records(track, is_obj, "track point is not an object")
    pts, n = recs.records, len(recs)
    if n == 0:
        yield RawChunk.only_quarantine(recs.quarantine)
        return
    df = pd.DataFrame.from_records(pts) if any(pts) else pd.DataFrame(index=range(n))

    t, t_bad = json_numbers(_nested(df, "timestamp", None))
    lat, lat_bad = json_numbers(_nested(df, "latitude", None))
    lon, lon_bad = json_numbers(_nested(df, "longitude", None))
    alt_raw, alt_bad = json_numbers(_nested(df, "altitude", "feet"))
    gs, gs_bad = json_numbers(_nested(df, "speed", "kts"))
    vrate, vr_bad = json_numbers(_nested(df, "verticalSpeed", "fpm"))
    track_deg, trk_bad = json_numbers(_nested(df, "heading", None))
    far = beyond_ns(t)
    sq = pd.Series(_nested(df, "squawk", None), dtype=object)
    is_str = np.fromiter(map(isinstance, sq, repeat(str)), dtype=bool, count=n)
    squawk = sq.where(is_str & (sq.astype(str).str.strip() != "0"), None).to_numpy(dtype=object)
    alt, on_ground, odd = ground_state(alt_raw, gs)
    if odd.any():
        ctx.notes.append(ground_note(int(odd.sum())))

    columns = fr24_columns(n, hexid, t, lat, lon, alt, on_ground, gs, track_deg, vrate_fpm=vrate, callsign=np.full(n, callsign, dtype=object),
                           squawk=squawk, registration=np.full(n, registration, dtype=object), typecode=np.full(n, typecode, dtype=object))
    fatal = [
        (t_bad, "timestamp is not a number"),
        (far, "timestamp is outside the years 1678–2261 (milliseconds instead of seconds?)"),
        (lat_bad, "latitude is not a number"),
        (lon_bad, "longitude is not a number"),
    ]
    problems = [
        (alt_bad, "altitude.feet is not a number"),
        (gs_bad, "speed.kts is not a number"),
        (vr_bad, "verticalSpeed.fpm is not a number"),
        (trk_bad, "heading is not a number"),
    ]
    yield addressed(assemble(columns, recs.rows.astype(np.int64), recs.raw, fatal, problems, recs.quarantine), hexid, "FR24 playback JSON")


SPEC: ReaderSpec = ReaderSpec(name="fr24_json", kind="json", func=read_playback, match=match_playback,
                              description="FlightRadar24 flight-playback JSON (result.response.data.flight.track)")
