"""Column names, dtypes and units of flighttrace's tables.

This module is the single place where the canonical tables are defined.
Every reader produces a :data:`POINTS` table, every derived table names its
columns here, and :func:`validate_points` checks a frame against the
definition and names the offending column when it does not match.

Units are aviation units: feet, knots, feet per minute, degrees. Times are
timezone-aware UTC (``datetime64[ns, UTC]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pandas as pd

__all__ = [
    "Column",
    "POINTS",
    "POINTS_COLUMNS",
    "QUARANTINE",
    "MANIFEST",
    "POSITION_SOURCES",
    "TIME_DTYPE",
    "SchemaError",
    "empty_points",
    "empty_quarantine",
    "validate_points",
    "table_doc",
]

TIME_DTYPE: Final = pd.DatetimeTZDtype("ns", "UTC")
"""The dtype of every time column: nanoseconds, UTC, timezone-aware."""

POSITION_SOURCES: Final[tuple[str, ...]] = ("adsb", "mlat", "other", "unknown")
"""Allowed values of ``position_source`` (a categorical with these categories)."""


class SchemaError(ValueError):
    """A table does not match its definition; the message names the column."""


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Parameters
    ----------
    name
        Column name.
    dtype
        The pandas dtype, as a string (``"category"``, ``"float32"`` …) or a
        dtype object.
    unit
        Physical unit, or ``""`` when the column has none.
    doc
        One-line description.
    nullable
        Whether missing values are allowed.
    """

    name: str
    dtype: object
    unit: str
    doc: str
    nullable: bool = True


POINTS: Final[tuple[Column, ...]] = (
    Column("icao24", "category", "", "ICAO 24-bit address, 6 lowercase hex digits", False),
    Column("time", TIME_DTYPE, "UTC", "time of the position", False),
    Column("lat", "float64", "deg", "WGS84 latitude", False),
    Column("lon", "float64", "deg", "WGS84 longitude", False),
    Column("alt_ft", "float32", "ft", "barometric altitude; NaN when unknown or on the ground without one"),
    Column("on_ground", "boolean", "", "the source says the aircraft is on the ground (NA = not said)"),
    Column("gs_kt", "float32", "kt", "ground speed"),
    Column("track_deg", "float32", "deg", "track over ground, true (heading when on the ground, readsb)"),
    Column("vrate_fpm", "float32", "ft/min", "vertical rate"),
    Column("callsign", "category", "", "callsign as broadcast, stripped of padding"),
    Column("squawk", "category", "", "Mode A code as text, 4 octal digits (a code written as a number, 400 or 400.0, gets its leading zeros back)"),
    Column("registration", "category", "", "registration, from the source's database fields"),
    Column("typecode", "category", "", "ICAO aircraft type designator"),
    Column("military", "boolean", "", "the source flags the airframe as military (readsb dbFlags & 1)"),
    Column("position_source", pd.CategoricalDtype(list(POSITION_SOURCES)), "", "adsb / mlat / other / unknown", False),
    Column("stale", "bool", "", "the source marks the position as stale (readsb flag 1, OpenSky old position)", False),
    Column("new_leg", "bool", "", "the source marks the start of a new leg (readsb flag 2); a hint only", False),
    Column("source", "category", "", "format name of the file the row came from", False),
    Column("src_file", "category", "", "the input file (tar members as archive!member)", False),
    Column("src_row", "int64", "", "row, line or array index of the record in src_file (0-based)", False),
)
"""The Points table: one row per observed position, from any source."""

POINTS_COLUMNS: Final[tuple[str, ...]] = tuple(c.name for c in POINTS)

QUARANTINE: Final[tuple[Column, ...]] = (
    Column("src_file", "str", "", "the input file", False),
    Column("src_row", "Int64", "", "row index in the file; NA when the whole file failed"),
    Column("reason", "str", "", "why the record could not become a point", False),
    Column("raw", "str", "", "the record as read (truncated to 2,000 characters)"),
)
"""The Quarantine table: every record that could not become a point."""

MANIFEST: Final[tuple[Column, ...]] = (
    Column("path", "str", "", "input file (tar members as archive!member)", False),
    Column("size_bytes", "int64", "bytes", "size as stored", False),
    Column("sha256", "str", "", "SHA-256 of the bytes as stored", False),
    Column("format", "str", "", "detected or given format; empty when undetectable"),
    Column("compression", "str", "", "gzip / zstd / none"),
    Column("rows_read", "int64", "", "position records read", False),
    Column("rows_kept", "int64", "", "records kept as points", False),
    Column("rows_quarantined", "int64", "", "records sent to quarantine", False),
    Column("rows_duplicate", "int64", "", "records identical to an earlier point (same file or another)", False),
    Column("rows_filtered", "int64", "", "records of aircraft outside the icao24 selection", False),
    Column("lines_state", "int64", "", "SBS messages without a position whose state was carried forward", False),
    Column("time_min", TIME_DTYPE, "UTC", "earliest kept point"),
    Column("time_max", TIME_DTYPE, "UTC", "latest kept point"),
    Column("n_aircraft", "int64", "", "distinct icao24 among kept points", False),
    Column("tz", "str", "", "time zone applied to naive times in the file"),
    Column("notes", "str", "", "assumptions made while reading (semicolon separated)"),
    Column("error", "str", "", "why the whole file failed; empty when it was read"),
    Column("custody", "str", "", "custody-log entry id when the file was fetched by flighttrace"),
    Column("synthetic", "bool", "", "the file was written by flighttrace's simulator (listed in a synthetic.json)", False),
)
"""The Manifest table: one row per input file.

Invariant, per file: ``rows_read == rows_kept + rows_quarantined +
rows_duplicate + rows_filtered`` (``rows_filtered`` is 0 unless an icao24
selection was given).
"""

_INT_RANGE_CHECKS: Final = {
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
}


def table_doc(columns: tuple[Column, ...]) -> str:
    """Return a Markdown table documenting ``columns``.

    Parameters
    ----------
    columns
        One of :data:`POINTS`, :data:`QUARANTINE`, :data:`MANIFEST`.

    Returns
    -------
    str
        Markdown with name, dtype, unit and description.
    """
    lines = ["| column | dtype | unit | meaning |", "|---|---|---|---|"]
    for c in columns:
        lines.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {c.doc} |")
    return "\n".join(lines)


def empty_points() -> pd.DataFrame:
    """Return an empty Points table with the canonical dtypes."""
    data: dict[str, pd.Series] = {}
    for c in POINTS:
        data[c.name] = pd.Series([], dtype=c.dtype)  # type: ignore[call-overload]
    return pd.DataFrame(data)


def empty_quarantine() -> pd.DataFrame:
    """Return an empty Quarantine table."""
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in QUARANTINE})  # type: ignore[call-overload]


def _dtype_ok(series: pd.Series, expected: object) -> bool:
    actual = series.dtype
    if isinstance(expected, pd.CategoricalDtype):
        return isinstance(actual, pd.CategoricalDtype) and list(actual.categories) == list(expected.categories)
    if expected == "category":
        return isinstance(actual, pd.CategoricalDtype)
    if isinstance(expected, pd.DatetimeTZDtype):
        return isinstance(actual, pd.DatetimeTZDtype) and str(actual.tz) == "UTC"
    return actual == pd.api.types.pandas_dtype(expected)


def validate_points(df: pd.DataFrame) -> pd.DataFrame:
    """Check that ``df`` is a valid Points table.

    Parameters
    ----------
    df
        The frame to check.

    Returns
    -------
    pandas.DataFrame
        ``df`` itself, so the call can be chained.

    Raises
    ------
    SchemaError
        When a column is missing, has the wrong dtype, holds missing values
        where none are allowed, or holds values outside their domain. The
        message names the column.
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c.name for c in POINTS if c.name not in df.columns]
    if missing:
        raise SchemaError(f"Points table is missing column(s): {', '.join(missing)}")
    for c in POINTS:
        s = df[c.name]
        if not _dtype_ok(s, c.dtype):
            raise SchemaError(f"column {c.name!r} has dtype {s.dtype}, expected {c.dtype} ({c.doc})")
        if not c.nullable and bool(s.isna().any()):
            n = int(s.isna().sum())
            raise SchemaError(f"column {c.name!r} has {n} missing value(s); it must always be set ({c.doc})")
    if len(df):
        hexes = pd.Series(df["icao24"].cat.categories, dtype=object)
        bad = hexes[~hexes.str.fullmatch(r"[0-9a-f]{6}")]
        if len(bad):
            raise SchemaError(f"column 'icao24' holds {bad.iloc[0]!r}, which is not 6 lowercase hex digits")
        for name, (lo, hi) in _INT_RANGE_CHECKS.items():
            v = df[name].to_numpy()
            out = (v < lo) | (v > hi)
            if out.any():
                raise SchemaError(f"column {name!r} holds {float(v[out][0])!r}, outside [{lo}, {hi}] degrees")
        if (df["src_row"].to_numpy() < 0).any():
            raise SchemaError("column 'src_row' holds a negative row index")
    return df
