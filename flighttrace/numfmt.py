"""One way to write a number, for every page, map popup, chart and table (times and durations: :mod:`flighttrace.timefmt`).

Numbers on a page are written for a reader, at a precision that fits what
they measure, with thousands separators and their unit:

==================  ======================================  ===================
what                rule                                    written
==================  ======================================  ===================
count               whole, thousands separated              ``1,234``
count of things     the count and the noun, plural or not   ``1 leg``, ``3 legs``
distance            km: one decimal under 100 km            ``15.6 km``, ``412 km``
height              whole feet, thousands separated         ``3,164 ft``
days                whole, else one decimal                 ``44 days``, ``14.5 h``
share               whole per cent; one decimal under 10%   ``62%``, ``4.5%``
ratio               two decimals                            ``6.27``
other number        whole, else fixed decimals, separated   ``18,000``, ``1.2``
p-value             three significant digits, or a bound    ``0.009``, ``< 0.001``
==================  ======================================  ===================

A missing value (``None``, NaN, NaT, ``pd.NA``) is an em dash, as in
:mod:`flighttrace.timefmt`.

CSV exports keep their numbers machine-readable but write them with fixed
decimals per column (:func:`fixed_decimals`), so that a spreadsheet never
shows ``17.000000000000004`` or ``12342.705000192``.
"""

from __future__ import annotations

import math
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.timefmt import MISSING, fmt_duration, is_missing

__all__ = [
    "CSV_DECIMALS",
    "P_FLOOR",
    "fixed_decimals",
    "fmt_count",
    "fmt_days",
    "fmt_ft",
    "fmt_km",
    "fmt_n",
    "fmt_number",
    "fmt_p",
    "fmt_p_is",
    "fmt_ratio",
    "fmt_share",
]

P_FLOOR: Final = 0.001
"""p-values below this are written as a bound (``< 0.001``)."""

_S_PER_DAY: Final = 86400.0


def _num(value: Any) -> float | None:
    """A finite float, or None for a missing or non-finite value."""
    if is_missing(value):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def fmt_count(value: Any, *, missing: str = MISSING) -> str:
    """A count, whole and thousands separated: ``1,234``.

    Examples
    --------
    >>> fmt_count(548602), fmt_count(3.0), fmt_count(None)
    ('548,602', '3', '—')
    """
    x = _num(value)
    return missing if x is None else f"{round(x):,}"


def fmt_n(value: Any, noun: str, plural: str | None = None, *, missing: str = MISSING) -> str:
    """A count with its noun, singular or plural: ``1 leg``, ``3 legs``, ``2 sorties`` (``plural`` for irregular nouns).

    Examples
    --------
    >>> fmt_n(1, "leg"), fmt_n(1200, "leg"), fmt_n(2, "sortie")
    ('1 leg', '1,200 legs', '2 sorties')
    """
    x = _num(value)
    if x is None:
        return missing
    n = round(x)
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def fmt_km(value: Any, *, missing: str = MISSING) -> str:
    """A distance in kilometres: one decimal under 100 km, whole above: ``15.6 km``, ``412 km``.

    Examples
    --------
    >>> fmt_km(15.63), fmt_km(411.7), fmt_km(0.04)
    ('15.6 km', '412 km', '0.0 km')
    """
    x = _num(value)
    if x is None:
        return missing
    return f"{x:.1f} km" if abs(x) < 100 else f"{round(x):,} km"


def fmt_ft(value: Any, *, missing: str = MISSING) -> str:
    """A height in whole feet, thousands separated: ``3,164 ft``.

    Examples
    --------
    >>> fmt_ft(3164.4), fmt_ft(-12)
    ('3,164 ft', '-12 ft')
    """
    x = _num(value)
    return missing if x is None else f"{round(x):,} ft"


def fmt_days(value: Any, *, missing: str = MISSING) -> str:
    """A number of days: whole days as ``44 days``; a fraction of a day as a duration (``14 h 30 min``), else one decimal.

    Windows that start or end inside a day (an event with a time) cover a
    fraction of it; they are written as the duration they cover, never as
    ``0.604167``.

    Examples
    --------
    >>> fmt_days(44), fmt_days(1), fmt_days(0.604167), fmt_days(43.875)
    ('44 days', '1 day', '14 h 30 min', '43.9 days')
    """
    x = _num(value)
    if x is None:
        return missing
    if abs(x - round(x)) < 1e-6:
        n = round(x)
        return f"{n:,} day{'s' if n != 1 else ''}"
    if abs(x) < 2:
        return fmt_duration(x * _S_PER_DAY)
    return f"{x:,.1f} days"


def fmt_share(value: Any, *, missing: str = MISSING) -> str:
    """A share (0–1) as per cent: whole above 10%, one decimal below, never a 0% that is not zero.

    Examples
    --------
    >>> fmt_share(0.6238), fmt_share(0.045), fmt_share(0.0004), fmt_share(0)
    ('62%', '4.5%', '< 0.1%', '0%')
    """
    x = _num(value)
    if x is None:
        return missing
    pct = 100.0 * x
    if pct == 0:
        return "0%"
    if abs(pct) < 0.05:
        return "< 0.1%"
    return f"{pct:.1f}%" if abs(pct) < 10 else f"{pct:.0f}%"


def fmt_ratio(value: Any, *, missing: str = MISSING) -> str:
    """A ratio with two decimals: ``6.27``.

    Examples
    --------
    >>> fmt_ratio(6.268173), fmt_ratio(float("nan"))
    ('6.27', '—')
    """
    x = _num(value)
    return missing if x is None else f"{x:,.2f}"


def fmt_number(value: Any, decimals: int = 1, *, missing: str = MISSING) -> str:
    """Any other number: whole when it is whole, else with ``decimals`` decimals, thousands separated: ``18,000``, ``1.2``, ``0.23``.

    Examples
    --------
    >>> fmt_number(18000.0), fmt_number(1.2000001), fmt_number(0.22503516174402247, 2), fmt_number(2519.63)
    ('18,000', '1.2', '0.23', '2,519.6')
    """
    x = _num(value)
    if x is None:
        return missing
    if abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    return f"{round(x, decimals) + 0.0:,.{decimals}f}"  # + 0.0: no "-0.0"


def fmt_p(value: Any, *, missing: str = MISSING) -> str:
    """A p-value: three significant digits down to :data:`P_FLOOR`, below it ``< 0.001``.

    Examples
    --------
    >>> fmt_p(0.009024644), fmt_p(1.44e-11), fmt_p(0.5)
    ('0.00902', '< 0.001', '0.5')
    """
    x = _num(value)
    if x is None:
        return missing
    if x < P_FLOOR:
        return f"< {P_FLOOR:g}"
    return f"{x:.3g}"


def fmt_p_is(value: Any, *, missing: str = MISSING) -> str:
    """"p" and its value as a sentence writes it: ``p = 0.00902``, ``p < 0.001`` (:func:`fmt_p`).

    Examples
    --------
    >>> fmt_p_is(0.009024644), fmt_p_is(1.6e-14)
    ('p = 0.00902', 'p < 0.001')
    """
    text = fmt_p(value, missing=missing)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


# --------------------------------------------------------------------------- CSV

CSV_DECIMALS: Final[tuple[tuple[str, int], ...]] = (
    ("lat", 6), ("lon", 6), ("_lat", 6), ("_lon", 6),
    ("_km", 3), ("_ft", 1), ("_kt", 1), ("_deg", 1), ("_fpm", 0), ("_s", 3),
    ("share", 4), ("frac", 4), ("laps", 2),
)
"""Decimals of a float column by the end of its name (the first match wins; others: 6)."""
_DEFAULT_DECIMALS: Final = 6
_P_COLUMNS: Final = ("p_value", "p", "p_adjusted", "p_adj")


def _decimals(name: str) -> int:
    for suffix, d in CSV_DECIMALS:
        if name == suffix or name.endswith(suffix):
            return d
    return _DEFAULT_DECIMALS


def _column_text(col: pd.Series, name: str) -> pd.Series:
    """A float column as fixed-decimal text (whole numbers without decimals when every value is whole); None where missing."""
    x = col.to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isfinite(x)
    out = np.full(len(x), None, dtype=object)
    if not ok.any():
        return pd.Series(out, index=col.index, dtype=object)
    v = x[ok]
    if name in _P_COLUMNS or name.startswith("p_"):
        text = np.char.mod("%.4e", v)  # p-values span many orders of magnitude: a fixed mantissa
    elif np.all(np.abs(v - np.round(v)) < 1e-9) and np.all(np.abs(v) < 2**53):
        text = np.char.mod("%d", np.round(v).astype(np.int64))
    else:
        d = _decimals(name)
        text = np.char.mod(f"%.{d}f", np.round(v, d) + 0.0)  # + 0.0: no "-0.000"
    out[ok] = text.astype(object)
    return pd.Series(out, index=col.index, dtype=object)


def fixed_decimals(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table whose float columns are text with fixed decimals, for a CSV export.

    Each float column is written with the decimals :data:`CSV_DECIMALS` gives
    for its name (seconds to the millisecond, kilometres to the metre,
    coordinates to 6 decimals, others to 6), or without decimals when every
    value is whole; p-values (``p_value``) in scientific notation with four
    decimals. Missing values stay empty. Other columns are untouched.

    Parameters
    ----------
    frame
        The table as it is to be written.

    Returns
    -------
    pandas.DataFrame
        A copy (the same object when no column is a float column).

    Examples
    --------
    >>> fixed_decimals(pd.DataFrame({"ground_time_s": [12342.705000192], "days": [17.000000000000004]})).iloc[0].tolist()
    ['12342.705', '17']
    """
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c].dtype)]
    if not floats:
        return frame
    out = frame.copy()
    for c in floats:  # one pass per float column
        out[c] = _column_text(frame[c], str(c))
    return out
