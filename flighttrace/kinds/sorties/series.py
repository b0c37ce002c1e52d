"""The sorties a claim or a series counts: a route's sorties for a fleet, the main route's sorties and landings, their times."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flighttrace.claims.context import Context
from flighttrace.kinds.sorties.chain import SORTIES_COLUMNS, find_sorties
from flighttrace.schema import TIME_DTYPE

__all__ = ["sortie_times", "route_sorties", "main_sorties", "main_landings"]


def sortie_times(sorties: pd.DataFrame) -> pd.Series:
    """When each sortie was at the far field: the arrival, else the departure (UTC)."""
    if len(sorties) == 0:
        return pd.Series([], dtype=TIME_DTYPE)
    return sorties["arrive_far"].astype(TIME_DTYPE).fillna(sorties["depart_far"].astype(TIME_DTYPE))


def route_sorties(ctx: Context, route: str, fleet: str | None) -> pd.DataFrame:
    """Sorties of a route for a fleet: from the given table (``ctx.given["sorties"]``), else :func:`find_sorties`."""
    key = ("sorties", route, fleet)
    if key not in ctx.cache:
        given = ctx.given.get("sorties")
        if given is not None and "route" in given and (given["route"] == route).any():
            s = given[given["route"] == route]
            if fleet is not None:
                s = s[np.asarray(ctx.scenario.fleet_mask(s, fleet), dtype=bool)]
            ctx.cache[key] = s.reset_index(drop=True)
        else:
            ctx.cache[key] = find_sorties(ctx.legs, ctx.scenario, route, fleet=fleet)
    return ctx.cache[key]


def main_sorties(ctx: Context) -> pd.DataFrame:
    """The sorties behind the series: the given table, else the first route's."""
    given = ctx.given.get("sorties")
    if given is not None:
        return given.reset_index(drop=True)
    if not ctx.scenario.routes:
        return pd.DataFrame(columns=list(SORTIES_COLUMNS))
    return route_sorties(ctx, ctx.scenario.routes[0].id, None)


def main_landings(ctx: Context) -> pd.Series:
    """Landing times of the fleet's legs at the first route's far field (any named end)."""
    if not ctx.scenario.routes or len(ctx.legs) == 0:
        return pd.Series([], dtype=TIME_DTYPE)
    seq = ctx.scenario.routes[0].sequence
    far = ctx.resolve(seq[1] if len(seq) > 1 else seq[0])
    lg = ctx.fleet_legs(None)
    lg = lg[lg["destination"].isin(far)]
    return lg["landing_time"].astype(TIME_DTYPE).fillna(lg["landing_time_latest"].astype(TIME_DTYPE)).dropna().reset_index(drop=True)
