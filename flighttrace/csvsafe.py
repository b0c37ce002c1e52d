"""CSV that is safe to open in a spreadsheet: every CSV flighttrace writes goes through :func:`write_csv`.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula. A
callsign, a file name or a server's text such as ``=HYPERLINK("http://x")``
would then run as one when a reporter opens ``sorties.csv``. Following the
OWASP guidance on CSV injection, such a cell is written with a single quote
in front (``'=HYPERLINK(...)``), which a spreadsheet shows as text, and is
wrapped in double quotes with its own double quotes doubled, so that no
delimiter inside it can start a new cell.

Only text cells are touched. Numbers (numeric columns, and numbers in mixed
columns) stay numbers: ``-3.5`` in a float column is written as ``-3.5``.
Parquet and GeoJSON exports keep the raw values: they are data, not
spreadsheets. A CSV without any such cell is written byte for byte as
:meth:`pandas.DataFrame.to_csv` writes it.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = ["FORMULA_STARTS", "iso_text", "neutralise", "write_csv"]

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula (OWASP)."""

_MARK: Final = "\ue000"
"""A private-use character that brackets the placeholder of a neutralised cell while pandas writes the CSV
(with a random tag, so that no cell of the data can be taken for one)."""

_PLACEHOLDER: Final = re.compile(f"{_MARK}[0-9a-f]{{16}}\\.[0-9]+\\.[0-9]+{_MARK}")
"""A placeholder as :func:`neutralise` writes it: the mark, the tag, the column and row numbers, the mark."""


_OFFSET: Final = re.compile(r"([+-]\d\d)(\d\d)$")
"""An offset as ``strftime("%z")`` writes it (``+0400``): hours and minutes, to be joined by a colon."""


def iso_text(times: pd.Series) -> pd.Series:
    """ISO 8601 text of a column of zone-aware times, to the second, for a CSV: ``Z`` for UTC, else the offset (``+04:00``).

    The text of ``strftime("%Y-%m-%dT%H:%M:%SZ")`` (UTC) or of
    ``strftime("%Y-%m-%dT%H:%M:%S%z")`` with a colon put in the offset,
    made for the whole column at once: the wall-clock times with numpy's ISO
    form, the offset once per distinct offset. Fractions of a second are
    dropped (floored, as ``%S`` does); missing times stay missing.

    Parameters
    ----------
    times
        A column with a :class:`pandas.DatetimeTZDtype`.

    Returns
    -------
    pandas.Series
        Text (the dtype ``strftime`` gives), missing where ``times`` is.

    Examples
    --------
    >>> t = pd.Series(pd.to_datetime(["2023-10-03 08:15:59.9", None], utc=True))
    >>> iso_text(t).tolist()
    ['2023-10-03T08:15:59Z', nan]
    >>> iso_text(t.dt.tz_convert("Asia/Baku")).tolist()
    ['2023-10-03T12:15:59+04:00', nan]
    """
    zone = str(times.dt.tz)
    utc = zone == "UTC"
    wall = times.dt.tz_localize(None).to_numpy().astype("datetime64[s]")
    ok = ~np.isnat(wall)
    years = wall[ok].astype("datetime64[Y]").astype(np.int64) + 1970
    if len(years) and (years.min() < 1000 or years.max() > 9999):  # numpy pads years to four digits, strftime does not
        return _iso_text_by_row(times, utc)
    txt = np.datetime_as_string(wall, unit="s").astype(object)
    if utc:
        txt[ok] = txt[ok] + "Z"
    elif ok.any():
        offset = (wall - times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[s]")).astype(np.int64)
        seen, first, which = np.unique(offset[ok], return_index=True, return_inverse=True)
        at = np.flatnonzero(ok)
        # each distinct offset written once, as strftime writes it for a time that has it
        marks = np.array([_OFFSET.sub(r"\1:\2", pd.Timestamp(times.iloc[int(at[i])]).strftime("%z")) for i in first], dtype=object)
        txt[ok] = txt[ok] + marks[which.reshape(-1)]
    txt[~ok] = None
    out = pd.Series(txt, index=times.index, dtype="str")
    return out.where(pd.Series(ok, index=times.index), None)


def _iso_text_by_row(times: pd.Series, utc: bool) -> pd.Series:
    """:func:`iso_text` by ``strftime``, row by row (years numpy and strftime write differently)."""
    if utc:
        txt = times.dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    else:
        txt = times.dt.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(_OFFSET.pattern, r"\1:\2", regex=True)
    return txt.where(times.notna(), None)


_STARTS_RE: Final = "^[" + "".join("\\" + c if c in "-\\]^" else c for c in FORMULA_STARTS) + "]"
"""A regular expression (RE2, as pyarrow reads it) of a text that begins with one of :data:`FORMULA_STARTS`."""


def _text_cells(col: pd.Series) -> np.ndarray:
    """Which cells of a column are text that starts like a formula (a bool mask; all False for numeric columns).

    A column of pyarrow-backed text is tested in one pyarrow pass; a column of
    Python objects that are all text or missing is tested the same way once
    turned into an Arrow array; any other column (text mixed with numbers)
    by its first characters, as pandas gives them.
    """
    if col.dtype.kind in "biufcmM" or isinstance(col.dtype, pd.DatetimeTZDtype | pd.BooleanDtype):
        return np.zeros(len(col), dtype=bool)
    arrow = _as_arrow_text(col)
    if arrow is not None:
        import pyarrow.compute as pc

        return np.asarray(pc.fill_null(pc.match_substring_regex(arrow, _STARTS_RE), False), dtype=bool)
    try:
        first = col.str[:1]  # text cells only: numbers and None in an object column give NaN
    except AttributeError:  # an object column without any text
        return np.zeros(len(col), dtype=bool)
    return first.isin(FORMULA_STARTS).to_numpy(dtype=bool, na_value=False)


def _as_arrow_text(col: pd.Series) -> Any:
    """The column as an Arrow text array, or None: pyarrow-backed text as it is; Python objects only when every one is text
    or missing (a number among them: None, so that it stays a number)."""
    import pyarrow as pa

    if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
        return pa.array(col.array)
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) in ("string", "empty"):
        try:
            return pa.array(col.to_numpy(), type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # pragma: no cover - text that pyarrow does not take: pandas reads it
            return None
    return None


def neutralise(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Replace each text cell that starts like a formula by a placeholder, and give the quoted text for each.

    Parameters
    ----------
    frame
        The table as it is to be written (times already as text).

    Returns
    -------
    (DataFrame, dict)
        The table with placeholders (a copy only when a cell was replaced)
        and placeholder → the cell as it is to appear in the CSV:
        ``"'=HYPERLINK(""http://x"")"``.
    """
    out = frame
    cells: dict[str, str] = {}
    tag = secrets.token_hex(8)
    for j, name in enumerate(frame.columns):
        mask = _text_cells(frame[name])
        if not mask.any():
            continue
        if out is frame:
            out = frame.copy()
        col = out[name].astype(object)
        rows = np.flatnonzero(mask)
        keys = [f"{_MARK}{tag}.{j}.{i}{_MARK}" for i in rows.tolist()]
        for key, value in zip(keys, col.iloc[rows].tolist(), strict=True):  # one per neutralised cell (few)
            cells[key] = '"' + ("'" + value).replace('"', '""') + '"'
        col.iloc[rows] = keys
        out[name] = col
    return out, cells


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], **to_csv: Any) -> Path:
    """Write a table as CSV with every formula-like text cell neutralised (see the module docs).

    Parameters
    ----------
    frame
        The table, times already formatted as the caller wants them.
    path
        Where to write.
    **to_csv
        Options for :meth:`pandas.DataFrame.to_csv` (default: no index, LF line ends; the quoting stays
        minimal, as the neutralised cells are quoted here).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    p = Path(path)
    opts: dict[str, Any] = {"index": False, "lineterminator": "\n", **to_csv}
    safe, cells = neutralise(frame)
    if not cells:
        safe.to_csv(p, **opts)
        return p
    buf = io.StringIO()
    safe.to_csv(buf, **opts)
    text = buf.getvalue()
    # the placeholders needed no quoting: each stands alone between delimiters; one pass over the text puts the
    # quoted cells back (a replace per cell would read the whole text once per cell)
    text = _PLACEHOLDER.sub(lambda m: cells.get(m.group(0), m.group(0)), text)
    p.write_text(text, encoding="utf-8", newline="")
    return p
