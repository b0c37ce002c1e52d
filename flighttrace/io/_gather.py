"""The Points frame gathered straight from the per-chunk Arrow columns, in the final row order.

:func:`flighttrace.io._normalise.assemble` knows the final order of the rows
(sorted, duplicates left out) before it builds the frame. Here each column's
chunks are gathered into one NumPy array in that order and handed to pandas
as they are: one copy per column, where merging the chunks, reordering the
merged column and converting it to pandas made three. A column's chunks are
released as soon as it is gathered, so the peak is the chunks plus the frame
(plus one column's merged values).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["gathered_column"]


def _gather(values: list[np.ndarray], keep: np.ndarray | None) -> np.ndarray:
    """The chunks' values end to end, then the rows ``keep`` (``None``: all, in input order); always a new, writeable array."""
    merged = np.concatenate(values) if len(values) != 1 else values[0]
    if keep is not None:
        return merged[keep]
    return merged.copy() if merged is values[0] or not merged.flags.writeable else merged


def _dictionary_column(col: pa.ChunkedArray, keep: np.ndarray | None) -> pd.Categorical:
    """A dictionary column as a Categorical: its chunks' dictionaries unified, their codes gathered (missing: -1)."""
    unified = col.unify_dictionaries()
    dictionary = unified.chunk(0).dictionary if unified.num_chunks else pa.array([], col.type.value_type)
    same = _one_code(unified, len(dictionary))
    if same is not None:  # every row missing, or every row the one value: nothing to gather
        gathered = np.full(len(keep) if keep is not None else len(col), same, dtype=np.int32)
    else:
        codes = []
        for chunk in unified.chunks:
            idx = chunk.indices
            codes.append((pc.fill_null(idx, -1) if idx.null_count else idx).to_numpy(zero_copy_only=False))
        gathered = _gather(codes, keep)
    del unified
    # the categories' own type as Arrow's conversion makes it (text: pandas' string dtype; an empty dictionary: object)
    template = pa.DictionaryArray.from_arrays(pa.array([], type=pa.int32()), dictionary).to_pandas()
    return pd.Categorical.from_codes(gathered, dtype=template.dtype, validate=False)


def _one_code(col: pa.ChunkedArray, n_values: int) -> int | None:
    """The code every row of a dictionary column has (-1: missing) when it is one for all rows (from the counts alone), else ``None``.

    A column missing everywhere (registration from a feed without it), or
    with a single value and none missing (the file's name, the source),
    needs no gather of its codes.
    """
    if col.null_count == len(col):
        return -1
    if n_values == 1 and col.null_count == 0:
        return 0
    return None


def _boolean_column(col: pa.ChunkedArray, keep: np.ndarray | None) -> Any:
    """A boolean column: plain ``bool`` without missing values, else pandas' nullable boolean (missing values masked)."""
    values = _gather([c.fill_null(False).to_numpy(zero_copy_only=False) if c.null_count else c.to_numpy(zero_copy_only=False)
                      for c in col.chunks], keep)
    if not col.null_count:
        return pd.arrays.BooleanArray(values, np.zeros(len(values), dtype=bool))
    mask = _gather([c.is_null().to_numpy(zero_copy_only=False) for c in col.chunks], keep)
    return pd.arrays.BooleanArray(values, mask)


def gathered_column(col: pa.ChunkedArray, keep: np.ndarray | None) -> Any:
    """One Points column in pandas form, its rows ``keep`` (positions over all chunks; ``None``: every row in order).

    Parameters
    ----------
    col
        The column as the chunks of :func:`~flighttrace.io._normalise.normalise_chunk` give it
        (dictionary-encoded text, timestamps, numbers, booleans).
    keep
        Row positions in the final order, or ``None``.

    Returns
    -------
    numpy.ndarray, pandas.Categorical, pandas.arrays.BooleanArray or pandas.Series
        Numbers as NumPy arrays of their own type, text as a Categorical
        whose categories are the unified dictionary (not yet sorted),
        booleans as pandas' nullable boolean array, times as a UTC datetime
        Series. Every buffer is new and writeable.
    """
    t = col.type
    if pa.types.is_dictionary(t):
        return _dictionary_column(col, keep)
    if pa.types.is_boolean(t):
        return _boolean_column(col, keep)
    if pa.types.is_timestamp(t):
        ns = _gather([c.cast(pa.int64()).to_numpy(zero_copy_only=False) for c in col.chunks], keep)
        return pd.Series(ns.view("datetime64[ns]")).dt.tz_localize(t.tz or "UTC")
    if col.null_count:  # not written by normalise_chunk; Arrow's own conversion for anything else
        return col.take(pa.array(keep)).to_pandas() if keep is not None else col.to_pandas()
    return _gather([c.to_numpy(zero_copy_only=False) for c in col.chunks], keep)
