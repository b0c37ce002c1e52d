"""One cell of a table as a plain Python value, checked.

A value read from a row (``itertuples``, ``iterrows``, ``.at``) may be of any
of the types a pandas column can hold; the loops that run once per leg, per
claim or per airport want a ``float``, a ``str`` or a ``Timestamp``. These
helpers convert one cell and say clearly when it is not what the column
should hold, instead of letting a wrong type travel on.

>>> as_float(3), as_float(None), as_text(None), as_time("2023-09-01T00:00Z")
(3.0, nan, None, Timestamp('2023-09-01 00:00:00+0000', tz='UTC'))
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = ["NONE", "as_float", "as_int", "as_text", "as_time", "as_timestamp", "is_missing", "none_where", "objects"]


NONE: Final = np.asarray(None, dtype=object)
"""``None`` as a 0-d object array: to append to an array of labels, or to compare an object array with element-wise."""


def is_missing(value: object) -> bool:
    """Whether a cell holds no value: ``None``, NaN, ``pd.NA`` or ``NaT``."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def as_float(value: object) -> float:
    """A numeric cell as a ``float`` (NaN when missing).

    Raises
    ------
    TypeError
        When the cell holds something other than a real number.
    """
    if is_missing(value):
        return math.nan
    if isinstance(value, numbers.Real):
        return float(value)
    raise TypeError(f"expected a number, found {type(value).__name__} {value!r:.40}")


def as_int(value: object) -> int:
    """An integer cell as an ``int``.

    Raises
    ------
    TypeError
        When the cell is missing or not an integral number.
    """
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(float(value))
    raise TypeError(f"expected an integer, found {type(value).__name__} {value!r:.40}")


def as_text(value: object) -> str | None:
    """A text cell as a ``str`` (``None`` when missing; other values as their text)."""
    return None if is_missing(value) else str(value)


def as_time(value: object) -> pd.Timestamp | None:
    """A time cell as a ``Timestamp``, its zone as found (``None`` when missing).

    Raises
    ------
    TypeError
        When the cell holds something that is not a time.
    """
    if is_missing(value):
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, np.datetime64, str)):
        return pd.Timestamp(value)
    raise TypeError(f"expected a time, found {type(value).__name__} {value!r:.40}")


def as_timestamp(value: object) -> pd.Timestamp:
    """A time cell that must hold a time, as a ``Timestamp``.

    Raises
    ------
    TypeError
        When the cell is missing or not a time.
    """
    ts = as_time(value)
    if ts is None:
        raise TypeError("expected a time, found a missing value")
    return ts


def none_where(missing: Any, values: Any) -> np.ndarray:
    """``values`` as an object array (a copy), ``None`` where ``missing`` is true."""
    out = np.array(values, dtype=object)
    out[np.asarray(missing, dtype=bool)] = None
    return out


def objects(column: pd.Series) -> np.ndarray:
    """A column as an object array, ``None`` for its missing values (NaN, NA, NaT)."""
    a = column.astype(object).to_numpy()
    return none_where(pd.isna(a), a)
