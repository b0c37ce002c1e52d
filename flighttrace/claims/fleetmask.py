"""The fleet's rows of a long table, tested once per run of rows with the same identity.

:meth:`~flighttrace.scenario.Scenario.fleet_mask` decides each row from its
identity columns alone (address, callsign, type, registration). A Points table
read from files holds each aircraft's positions one after another, so its
identity changes only every few hundred rows: :func:`run_fleet_mask` tests the
first row of each run of equal identities and spreads the answer over the run,
which gives the same mask as testing every row.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = ["IDENTITY_COLUMNS", "run_fleet_mask"]

IDENTITY_COLUMNS: Final[tuple[str, ...]] = ("icao24", "callsign", "typecode", "registration")
"""The columns :meth:`~flighttrace.scenario.Scenario.fleet_mask` reads."""

MIN_ROWS: Final = 10_000
"""Tables shorter than this (rows) are tested row by row: the runs would save nothing."""


def run_fleet_mask(scenario: Any, df: pd.DataFrame, selector: str | None) -> np.ndarray:
    """``scenario.fleet_mask(df, selector)``, tested once per run of rows with the same identity.

    Parameters
    ----------
    scenario
        The :class:`~flighttrace.scenario.Scenario`.
    df
        A table with some of the :data:`IDENTITY_COLUMNS` (a Points table).
    selector
        A selector id, or None for the union of the subject selectors.

    Returns
    -------
    numpy.ndarray
        bool, one per row: the same as ``scenario.fleet_mask(df, selector)``.
        Identity columns that are not categorical (their runs cannot be found
        cheaply) and short tables are tested row by row.
    """
    cols = [c for c in IDENTITY_COLUMNS if c in df.columns]
    n = len(df)
    if n < MIN_ROWS or not cols or not all(isinstance(df[c].dtype, pd.CategoricalDtype) for c in cols):
        return np.asarray(scenario.fleet_mask(df, selector), dtype=bool)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for c in cols:  # one pass per identity column, on its integer codes (equal codes: equal values, missing included)
        codes = df[c].cat.codes.to_numpy()
        change[1:] |= codes[1:] != codes[:-1]
    first = np.flatnonzero(change)
    heads = df[cols].iloc[first]
    return np.repeat(np.asarray(scenario.fleet_mask(heads, selector), dtype=bool), np.diff(np.r_[first, n]))
