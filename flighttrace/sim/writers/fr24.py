"""Write simulated fr24 files (the simulator's writer for :mod:`flighttrace.io.fr24`).

Every file written here is synthetic and listed in its world's ``synthetic.json``.
"""

from __future__ import annotations

import html
import os
from typing import Final

import numpy as np
import orjson
import pandas as pd

from flighttrace.io.fr24 import CSV_COLUMNS, CSV_COLUMNS_OLD, KMH_PER_KT, KML_NS, M_PER_FT, MPH_PER_KT, MS_PER_FPM
from flighttrace.timeutil import time_ns

__all__ = ["write_fr24_csv", "write_fr24_kml", "write_fr24_playback"]

_TRAIL_COLOURS: Final = (
    # (lower altitude bound in ft, KML aabbggrr colour), as FR24 colours its trail by altitude
    (-np.inf, "ffffffff"),
    (1.0, "ff00ffff"),
    (10_000.0, "ff00ff00"),
    (20_000.0, "ffff9600"),
    (30_000.0, "ffff00ff"),
)

_ICON_HREF: Final = "http://maps.google.com/mapfiles/kml/shapes/airports.png"

# ---------------------------------------------------------------------------
# writers


def _one_aircraft(points: pd.DataFrame, who: str) -> str:
    if len(points) == 0:
        raise ValueError(f"{who} needs at least one point")
    hexes = points["icao24"].astype(str).unique()
    if len(hexes) != 1:
        raise ValueError(f"{who} writes one aircraft per file, got {len(hexes)}")
    return str(hexes[0])


def _column(points: pd.DataFrame, name: str) -> np.ndarray:
    """A float column, NaN when absent."""
    if name not in points:
        return np.full(len(points), np.nan)
    return pd.to_numeric(points[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _ground_mask(points: pd.DataFrame) -> np.ndarray:
    if "on_ground" not in points:
        return np.zeros(len(points), dtype=bool)
    return pd.Series(points["on_ground"]).astype("boolean").fillna(False).to_numpy(dtype=bool)


def _texts(points: pd.DataFrame, name: str) -> pd.Series:
    """A string column, ``""`` when missing."""
    if name not in points:
        return pd.Series([""] * len(points), dtype=object)
    s = pd.Series(points[name].to_numpy(dtype=object), dtype=object)
    return s.where(s.notna(), "").astype(str)


def _epoch_s(points: pd.DataFrame) -> np.ndarray:
    """Times rounded to whole seconds (as FR24 writes them), int64 Unix s."""
    ns = time_ns(pd.Series(points["time"]).reset_index(drop=True))
    return (ns + 500_000_000) // 1_000_000_000


def _fmt_int(values: np.ndarray, missing: str = "") -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    nan = ~np.isfinite(v)
    out = np.round(np.where(nan, 0.0, v)).astype(np.int64).astype(str).astype(object)
    out[nan] = missing
    return out


def _fmt_fixed(values: np.ndarray, decimals: int, missing: str = "") -> np.ndarray:
    """Fixed-point text with trailing zeros removed ("33.943356", "40.46", "0")."""
    v = np.asarray(values, dtype=np.float64)
    nan = ~np.isfinite(v)
    s = np.char.mod(f"%.{decimals}f", np.where(nan, 0.0, v))
    s = np.char.rstrip(np.char.rstrip(s, "0"), ".")
    s[s == "-0"] = "0"
    out = s.astype(object)
    out[nan] = missing
    return out


def _iso_z(seconds: np.ndarray) -> np.ndarray:
    """int Unix s → ``YYYY-MM-DDTHH:MM:SS`` (no zone suffix)."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s").astype(object)


def _alt_ground_zero(points: pd.DataFrame) -> np.ndarray:
    """Altitudes as FR24 writes them: whole feet, ``0`` on the ground, empty when unknown."""
    alt = _fmt_int(_column(points, "alt_ft"))
    alt[_ground_mask(points)] = "0"
    return alt


def _csv_callsigns(points: pd.DataFrame, who: str) -> np.ndarray:
    """Callsigns as CSV fields: quoted (quotes doubled) when they hold a comma or a quote.

    Raises
    ------
    ValueError
        When a callsign holds a line break, which no line of these files can.
    """
    cs = _texts(points, "callsign")
    if cs.str.contains(r"[\n\r]", regex=True).any():
        raise ValueError(f"{who}: a callsign contains a line break, which a line of this CSV cannot hold")
    quote = cs.str.contains(r'[,"]', regex=True).to_numpy(dtype=bool)
    out = cs.to_numpy(dtype=object)
    if quote.any():
        out[quote] = '"' + pd.Series(out[quote], dtype=object).str.replace('"', '""', regex=False).to_numpy(dtype=object) + '"'
    return out


def _write(path: str | os.PathLike[str], data: bytes) -> None:
    os.makedirs(os.path.dirname(os.fspath(path)) or ".", exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def write_fr24_csv(points: pd.DataFrame, path: str | os.PathLike[str], *, with_utc: bool = True) -> None:
    """Write one aircraft's points as an FR24 CSV export.

    Parameters
    ----------
    points
        Points of one aircraft, sorted by time.
    path
        Output file. FR24 CSVs carry no ICAO address: name the file with a
        ``hex<hex>`` token (``AZQ6224_hex600864.csv``) so it reads back.
    with_utc
        Write the current 7-column header; ``False`` writes the older
        6-column export without ``UTC``.

    Notes
    -----
    Times are whole seconds, altitude, speed and direction integers, as FR24
    writes them; points on the ground get altitude 0. Unknown values are
    written as empty fields; a callsign with a comma or quote is quoted.

    Raises
    ------
    ValueError
        For no points, several aircraft, or a callsign with a line break.
    """
    _one_aircraft(points, "write_fr24_csv")
    t = _epoch_s(points)
    alt = _alt_ground_zero(points)
    cs_text = _csv_callsigns(points, "write_fr24_csv")
    position = '"' + _fmt_fixed(_column(points, "lat"), 6) + "," + _fmt_fixed(_column(points, "lon"), 6) + '"'
    fields = [t.astype(str).astype(object)]
    if with_utc:
        fields.append(_iso_z(t) + "Z")
    fields += [cs_text, position, alt, _fmt_int(_column(points, "gs_kt")), _fmt_int(_column(points, "track_deg"))]
    lines = fields[0]
    for f in fields[1:]:
        lines = lines + "," + f
    header = ",".join(CSV_COLUMNS if with_utc else CSV_COLUMNS_OLD)
    _write(path, (header + "\n" + "\n".join(lines.tolist()) + "\n").encode("utf-8"))


def _xml_text(value: str) -> str:
    return html.escape(value, quote=False)


def _card(flight: str, callsign: str, registration: str | None, typecode: str | None) -> str:
    """The Document description card, FR24 layout; values HTML-escaped (so no ``]]>``)."""
    esc = html.escape
    parts = [
        '<div style="width:220px; text-align:center;">\n',
        '<div style="width:210px; text-align:center;">\n',
        '<div style="background: #000; color: #fff; font-size: 14px; text-align:left; padding: 2px 6px;">',
        f'<span style="font-size: 14px; font-weight: bold;"><a href="https://www.flightradar24.com/flight/{esc(flight.lower())}" '
        f'style="color: #fff; text-decoration: none;">{esc(flight)}</a></span> / {esc(callsign)}<br/></div>\n',
        '<div style="display: block;">\n<table style="border-collapse: collapse; width: 100%;">\n',
    ]
    if typecode:
        parts.append(
            '<tr>\n<td colspan="2" style="color: #666; padding: 3px 6px; font-size: 14px;">\n'
            f'Aircraft<span style="float: right; font-size: 12px;">({esc(typecode)})</span><br>\n'
            f'<span style="color: #333; font-size: 16px; font-weight: bold;">{esc(typecode)}</span>\n</td>\n</tr>\n'
        )
    if registration:
        parts.append(
            '<tr>\n<td colspan="2" style="color: #666; padding: 3px 6px; font-size: 14px;">\n'
            'Registration<br>\n<span style="color: #333; font-size: 16px; font-weight: bold;">'
            f'<a href="https://www.flightradar24.com/reg/{esc(registration.lower())}" style="text-decoration: none; color: #333;">'
            f"{esc(registration)}</a></span>\n</td>\n</tr>\n"
        )
    parts.append("</table>\n</div>\n\n</div>\n</div>")
    return "".join(parts)


def write_fr24_kml(
    points: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    flight: str,
    callsign: str,
    registration: str | None = None,
    typecode: str | None = None,
) -> None:
    """Write one aircraft's points as an FR24 KML export.

    Parameters
    ----------
    points
        Points of one aircraft, sorted by time.
    path
        Output file; put a ``hex<hex>`` token in the name so it reads back.
    flight, callsign
        The flight number and ICAO callsign: the Document name is
        ``"flight/callsign"``.
    registration, typecode
        Shown on the description card when given.

    Notes
    -----
    The Route folder holds one time-stamped Placemark per point, with
    coordinates ``lon,lat,alt`` in metres (two decimals; 0 on the ground,
    no altitude when unknown) and altitude (ft), speed (kt) and heading in
    its HTML description; the Trail folder holds the two-point LineStrings
    between consecutive fixes, coloured by altitude, as FR24 writes them.
    """
    _one_aircraft(points, "write_fr24_kml")
    t = _epoch_s(points)
    iso = _iso_z(t)
    stamp = pd.Series(iso, dtype=object).str.replace("T", " ", regex=False).to_numpy(dtype=object) + " UTC"
    ground = _ground_mask(points)
    alt_ft = _column(points, "alt_ft")
    alt_ft = np.where(ground, 0.0, alt_ft)
    alt_txt = _fmt_int(alt_ft)
    gs_txt = _fmt_int(_column(points, "gs_kt"))
    hdg_txt = _fmt_int(_column(points, "track_deg"))
    alt_m = _fmt_fixed(alt_ft * M_PER_FT, 2)
    lonlat = _fmt_fixed(_column(points, "lon"), 6) + "," + _fmt_fixed(_column(points, "lat"), 6)
    has_alt = np.isfinite(alt_ft)
    coords = lonlat.copy()
    coords[has_alt] = coords[has_alt] + "," + alt_m[has_alt]
    route = (
        "      <Placemark>\n        <name>" + stamp + "</name>\n"
        "        <description><![CDATA[<div><div><span><b>Altitude:</b></span> <span>" + alt_txt + " ft</span></div>\n"
        "<div><span><b>Speed:</b></span> <span>" + gs_txt + " kt</span></div>\n"
        "<div><span><b>Heading:</b></span> <span>" + hdg_txt + "&deg;</span></div>\n"
        "</div>]]></description>\n"
        "        <TimeStamp>\n          <when>" + iso + "+00:00</when>\n        </TimeStamp>\n"
        "        <Style>\n          <IconStyle>\n            <heading>" + hdg_txt + "</heading>\n"
        f"            <Icon>\n              <href>{_ICON_HREF}</href>\n            </Icon>\n"
        "          </IconStyle>\n        </Style>\n"
        "        <Point>\n          <altitudeMode>absolute</altitudeMode>\n"
        "          <coordinates>" + coords + "</coordinates>\n        </Point>\n      </Placemark>\n"
    )
    n = len(points)
    bounds = np.array([b for b, _ in _TRAIL_COLOURS])
    colours = np.array([c for _, c in _TRAIL_COLOURS], dtype=object)
    colour = colours[np.searchsorted(bounds, np.nan_to_num(alt_ft, nan=0.0), side="right") - 1]
    seg = np.arange(max(n - 1, 0))
    trail = (
        "      <Placemark>\n        <Style>\n          <LineStyle>\n            <color>" + colour[seg] + "</color>\n"
        "            <width>2</width>\n          </LineStyle>\n        </Style>\n"
        "        <MultiGeometry>\n          <LineString>\n            <tessellate>1</tessellate>\n"
        "            <altitudeMode>clampToGround</altitudeMode>\n"
        "            <coordinates>" + coords[seg] + " " + coords[seg + 1] + "</coordinates>\n"
        "          </LineString>\n        </MultiGeometry>\n"
        "        <name>P-" + (seg + 1).astype(str).astype(object) + "</name>\n"
        "        <description><![CDATA[<div><div><span><b>Altitude:</b></span> <span>" + alt_txt[seg] + " ft</span></div>\n"
        "<div><span><b>Speed:</b></span> <span>" + gs_txt[seg] + " kt - " + gs_txt[seg + 1] + " kt</span></div>\n"
        "<div><span><b>Timestamp:</b></span><br/><span>" + stamp[seg] + "<br/>" + stamp[seg + 1] + "</span></div>\n"
        "</div>]]></description>\n      </Placemark>\n"
    )
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<kml xmlns="{KML_NS}">\n  <Document>\n'
        f"    <name>{_xml_text(flight + '/' + callsign)}</name>\n"
        f"    <description><![CDATA[{_card(flight, callsign, registration, typecode)}]]></description>\n"
        "    <Folder>\n      <name>Route</name>\n" + "".join(route.tolist()) + "    </Folder>\n"
        "    <Folder>\n      <name>Trail</name>\n" + "".join(trail.tolist()) + "    </Folder>\n"
        "  </Document>\n</kml>\n"
    )
    _write(path, doc.encode("utf-8"))


def _json_strings(values: pd.Series, missing: str) -> np.ndarray:
    """JSON-encode strings per distinct value (``missing`` for empty)."""
    codes, uniques = pd.factorize(values.where(values != "", None), use_na_sentinel=True)
    lut = np.array([orjson.dumps(str(u)).decode() for u in uniques] + [missing], dtype=object)
    return lut[codes]


def write_fr24_playback(
    points: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    flight_id: str,
    callsign: str,
    registration: str,
    typecode: str,
) -> None:
    """Write one aircraft's points as an FR24 ``flight-playback.json`` document.

    Parameters
    ----------
    points, path
        As :func:`write_fr24_kml` (the name needs no hex: the document carries it).
    flight_id
        FR24's flight id (hex string), in ``identification.id`` and the request.
    callsign, registration, typecode
        ``identification.callsign``, ``aircraft.identification.registration``,
        ``aircraft.model.code``.

    Notes
    -----
    The ICAO hex goes to ``aircraft.identification.modes`` in upper case.
    Track points carry integer altitude (ft and m), speed (kt, km/h, mph),
    vertical speed (ft/min; m/s with two decimals), heading (the ground
    track), squawk (``"0"`` when unknown) and whole-second timestamps; 0 ft
    on the ground. The ``_api`` notice says the file is synthetic.
    """
    hexid = _one_aircraft(points, "write_fr24_playback")
    t = _epoch_s(points)
    ground = _ground_mask(points)
    ft = np.where(ground, 0.0, _column(points, "alt_ft"))
    kts = _column(points, "gs_kt")
    fpm = _column(points, "vrate_fpm")
    squawk = _json_strings(_texts(points, "squawk"), '"0"')
    items = (
        '{"latitude":' + _fmt_fixed(_column(points, "lat"), 6, "null")
        + ',"longitude":' + _fmt_fixed(_column(points, "lon"), 6, "null")
        + ',"altitude":{"feet":' + _fmt_int(ft, "null") + ',"meters":' + _fmt_int(ft * M_PER_FT, "null")
        + '},"speed":{"kts":' + _fmt_int(kts, "null") + ',"kmh":' + _fmt_fixed(kts * KMH_PER_KT, 1, "null")
        + ',"mph":' + _fmt_fixed(kts * MPH_PER_KT, 1, "null")
        + '},"verticalSpeed":{"fpm":' + _fmt_int(fpm, "null") + ',"ms":' + _fmt_fixed(fpm * MS_PER_FPM, 2, "null")
        + '},"heading":' + _fmt_int(_column(points, "track_deg"), "null")
        + ',"squawk":' + squawk
        + ',"timestamp":' + t.astype(str).astype(object)
        + ',"ems":null}'
    )
    placeholder = "__flighttrace_track__"
    doc = {
        "result": {
            "request": {"callback": None, "device": None, "flightId": flight_id, "format": "json", "pk": None, "timestamp": None, "token": None},
            "response": {
                "timestamp": int(t[-1]),
                "altitudeFiltered": False,
                "data": {
                    "flight": {
                        "identification": {"id": flight_id, "number": {"default": None}, "callsign": callsign},
                        "status": {"live": False, "text": None},
                        "aircraft": {
                            "model": {"code": typecode, "text": None},
                            "identification": {"modes": hexid.upper(), "registration": registration, "serialNo": None},
                        },
                        "owner": None,
                        "airline": None,
                        "airport": {"origin": None, "destination": None, "real": None},
                        "median": None,
                        "track": placeholder,
                        "aircraftImages": [],
                        "availability": [],
                    }
                },
            },
        },
        "_api": {"copyright": "Synthetic FR24-format fixture written by flighttrace; not Flightradar24 data.", "legalNotice": ""},
    }
    data = orjson.dumps(doc).replace(orjson.dumps(placeholder), ("[" + ",".join(items.tolist()) + "]").encode("utf-8"), 1)
    _write(path, data)
