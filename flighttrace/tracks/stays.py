"""Views of the Legs table: take-offs and landings as one long table, and ground stays between consecutive legs."""

from __future__ import annotations

import pandas as pd

from flighttrace.schema import TIME_DTYPE

__all__ = ["airport_events", "ground_stays"]


def airport_events(legs: pd.DataFrame) -> pd.DataFrame:
    """Takeoffs and landings as a long table: one row per leg end with a named field.

    Parameters
    ----------
    legs
        Output of :func:`detect_legs`.

    Returns
    -------
    pandas.DataFrame
        leg_id, icao24, event (takeoff / landing), airport, time (NaT when the
        end is bridged), evidence, reason; sorted by time.
    """
    cols = ["leg_id", "icao24", "registration", "callsign"]
    dep = legs[cols].assign(event="takeoff", airport=legs["origin"], time=legs["takeoff_time"], evidence=legs["origin_evidence"], reason=legs["origin_reason"])
    arr = legs[cols].assign(event="landing", airport=legs["destination"], time=legs["landing_time"], evidence=legs["destination_evidence"], reason=legs["destination_reason"])
    ev = pd.concat([dep, arr], ignore_index=True)
    ev = ev[ev["airport"].notna()]
    return ev.sort_values(["time", "icao24", "event"], na_position="last", kind="stable").reset_index(drop=True)


def ground_stays(legs: pd.DataFrame) -> pd.DataFrame:
    """Ground stays between consecutive legs of the same aircraft at the same field.

    ``legs`` is the output of :func:`detect_legs`. The table has one row per
    stay, with the columns airport, icao24, arriving_leg, departing_leg,
    arrival_time, departure_time, duration_s (NaN when either time is
    unknown), duration_min_s (lower bound from the last sighting of the
    arriving leg to the first of the departing one), arrival_evidence,
    departure_evidence. A stay is listed only when the arriving leg's
    destination and the departing leg's origin are the same field.
    """
    cols = [
        "airport", "icao24", "arriving_leg", "departing_leg", "arrival_time", "departure_time",
        "duration_s", "duration_min_s", "arrival_evidence", "departure_evidence",
    ]
    if len(legs) < 2:
        return pd.DataFrame(columns=cols)
    lg = legs.sort_values(["icao24", "first_seen"], kind="stable").reset_index(drop=True)
    a, b = lg.iloc[:-1].reset_index(drop=True), lg.iloc[1:].reset_index(drop=True)
    same = (a["icao24"].to_numpy() == b["icao24"].to_numpy()) & (a["destination"].to_numpy() == b["origin"].to_numpy()) & a["destination"].notna().to_numpy()
    a, b = a[same], b[same]
    out = pd.DataFrame(
        {
            "airport": a["destination"].to_numpy(),
            "icao24": a["icao24"].to_numpy(),
            "arriving_leg": a["leg_id"].to_numpy(),
            "departing_leg": b["leg_id"].to_numpy(),
            "arrival_time": a["landing_time"].to_numpy(),
            "departure_time": b["takeoff_time"].to_numpy(),
            "arrival_evidence": a["destination_evidence"].to_numpy(),
            "departure_evidence": b["origin_evidence"].to_numpy(),
        }
    )
    out["arrival_time"] = pd.Series(out["arrival_time"]).astype(TIME_DTYPE)
    out["departure_time"] = pd.Series(out["departure_time"]).astype(TIME_DTYPE)
    out["duration_s"] = (out["departure_time"] - out["arrival_time"]).dt.total_seconds()
    out["duration_min_s"] = (pd.Series(b["first_seen"].to_numpy()).astype(TIME_DTYPE) - pd.Series(a["last_seen"].to_numpy()).astype(TIME_DTYPE)).dt.total_seconds().to_numpy()
    return out[cols].reset_index(drop=True)
