"""Flight legs: segmentation, takeoff and landing with evidence grades, ground stays.

:func:`detect_legs` turns a Points table into one row per flight leg, decides
where each leg took off and landed, and grades how sure that is:

``observed``
    the aircraft was seen on the ground at the field, or at runway height
    over it (at most ``observed_agl_ft`` above its elevation, within
    ``observed_runway_km`` of a runway, and not climbing away from a
    touchdown or descending into a lift-off faster than
    ``observed_contrary_fpm``): never hundreds of feet up;
``inferred``
    the track starts low and climbing away from the field, or ends low and
    descending toward it, but the lift-off / touchdown itself was not seen;
``bridged``
    the end was not seen, but the same aircraft was next (or last) seen on the
    ground at, or departing from, that field, and could have flown there in
    the time between;
``unknown``
    none of the above. No field is named, however near the nearest one is.

How it works, in order (every step works on whole columns; per-aircraft work
is done with run boundaries, never with a loop over points):

1. **Excursions.** A run of points entered and left by jumps faster than any
   aircraft flies, where the track before and after the run agrees, is an
   excursion (GNSS spoofing, a garbled position). Its points are flagged and
   kept out of the decisions below.
2. **Air or ground.** Each point is airborne or on the ground: the source's
   on-ground flag first, then speed (a fixed-wing aircraft below
   ``min_air_kt`` is not flying, whatever its transponder says; a point
   without a flag but with an altitude and speed is airborne). Real
   recordings contradict themselves, so a ground flag at cruise speed, a
   single slow reading between two flying ones, and a slow reading far above
   the nearest field are taken as glitches (the point keeps the state of the
   points before it).
3. **Stops.** Between two airborne runs, a ground period is a stop when the
   aircraft slowed to taxi speed or stayed longer than ``stop_min_s``; a
   touch-and-go (fast, short) is not. A stop splits the track at its largest
   reception gap (readsb's new-leg flag breaks ties: it is a hint only).
4. **Gaps.** Between two airborne points more than ``gap_min_s`` apart, the
   track is split when the implied speed over the gap is far below flying
   speed, when the gap is longer than ``gap_max_s``, or when the track is low
   near a field on both sides. A gap at cruise with positions before and
   after consistent with continuous flight is not split. Callsign changes
   never split; each aircraft (icao24) is segmented on its own.
5. **Ends** (:func:`flighttrace.tracks.ends.decide_ends`). For the first and last
   airborne point of each leg, candidate fields are the k nearest within
   ``search_km`` (the whole ``airportsdata`` table plus any custom sites),
   heliports only for helicopters. Ground points on a field's runways, then
   height above each field's elevation, distance, climbing or descending,
   heading toward or away, alignment with a runway and where the track meets
   the ground decide the field and the grade. The best other field
   considered, its distance and why it lost go into the ``*_second*``
   columns. An end point without altitude takes it from the nearest
   airborne point that has one (``end_alt_carry_s``). Points repeating a
   position at flying speed for more than ``frozen_max_s``, and points that
   say they fly while the positions before them crawl slower than
   ``min_air_kt`` for more than ``crawl_window_s`` (stale state vectors,
   :mod:`flighttrace.tracks.implausible`) are kept out, like excursions.
   Among fields that fit an airborne end with no ground point of its own,
   the one where the aircraft was seen on the ground in the stop next to it,
   within ``ground_tie_s``, wins.
6. **Bridges.** An unseen end is bridged to the field where the same
   aircraft was next (or last) seen on the ground or departing (the ground
   sighting nearest in time when a ground run spans two fields), when it
   could have flown there in the time between.

Every threshold is a field of :class:`LegParams`, with its unit.
"""


from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from flighttrace._progress import Progress, ProgressArg
from flighttrace.reference.airports import AirportIndex
from flighttrace.tracks.implausible import crawling
from flighttrace.tracks.params import GRADES, HELICOPTER_TYPES, LEGS_COLUMNS, LegParams, as_params
from flighttrace.tracks.segment import airborne, excursions, frozen, point_arrays, segment, sorted_points
from flighttrace.tracks.stays import airport_events, ground_stays
from flighttrace.tracks.table import finish, legs_table

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = [
    "GRADES",
    "HELICOPTER_TYPES",
    "LEGS_COLUMNS",
    "LegParams",
    "airport_events",
    "detect_legs",
    "ground_stays",
    "resolve_airports",
]


def resolve_airports(airports: Any) -> AirportIndex:
    """An :class:`~flighttrace.reference.airports.AirportIndex` from an index, a Scenario (its airports and custom sites) or None (all of airportsdata)."""
    if airports is None:
        return AirportIndex.default()
    if isinstance(airports, AirportIndex):
        return airports
    if hasattr(airports, "airport_index"):
        return airports.airport_index()
    raise TypeError(f"airports must be an AirportIndex, a Scenario or None, not {type(airports).__name__}")


def detect_legs(
    points: pd.DataFrame,
    scenario: Any = None,
    *,
    progress: ProgressArg = False,
    params: LegParams | None = None,
    geometry: bool = True,
    lineage: bool = True,
    **overrides: Any,
) -> gpd.GeoDataFrame:
    """Split a Points table into flight legs and decide where each took off and landed.

    Parameters
    ----------
    points
        A Points table (:func:`flighttrace.read`), any number of aircraft.
    scenario
        Where the fields are: a :class:`~flighttrace.scenario.Scenario` (all
        of ``airportsdata`` plus its custom sites), an
        :class:`~flighttrace.reference.airports.AirportIndex`, or ``None`` for
        all of ``airportsdata``.
    progress
        ``True`` for a progress bar over the stages, or a callable.
    params
        Thresholds (:class:`LegParams`); ``**overrides`` change single fields,
        e.g. ``detect_legs(points, stop_min_s=600)``.
    geometry
        Build each leg's track as a LineString (lon, lat).
    lineage
        Compute each leg's ``src_file`` / ``src_row`` ranges.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per leg with the columns of :data:`LEGS_COLUMNS` (CRS
        EPSG:4326), sorted by icao24 and first_seen. ``point_start`` and
        ``point_end`` are the leg's row range in the sorted Points table
        (``points.iloc[point_start:point_end]``).

    Examples
    --------
    >>> ds = flighttrace.read("fixtures/ovda")            # doctest: +SKIP
    >>> legs = flighttrace.detect_legs(ds.points)          # doctest: +SKIP
    >>> legs[["icao24", "origin", "destination", "destination_evidence"]]  # doctest: +SKIP
    """
    p = as_params(params, overrides)
    index = resolve_airports(scenario)
    with Progress(progress, "legs: preparing", 5) as bar:
        pts = sorted_points(points)
        arrays = point_arrays(pts)
        bar.advance(1, "legs: excursions and air/ground")
        ac, t = arrays["ac"], arrays["t"]
        suspect = excursions(ac, t, arrays["lat"], arrays["lon"], arrays["alt"], p)
        suspect |= frozen(ac, t, arrays["lat"], arrays["lon"], arrays["gs"], p)
        suspect |= crawling(ac, t, arrays["lat"], arrays["lon"], arrays["gs"], arrays["trk"], arrays["og"], arrays["heli"], p)
        if suspect.any():
            good = np.flatnonzero(~suspect)
            g = {k: v[good] for k, v in arrays.items()}
            g["row"] = good
        else:
            good = None
            g = arrays
        new_ac = np.ones(len(g["ac"]), dtype=bool)
        new_ac[1:] = g["ac"][1:] != g["ac"][:-1]
        g["new_ac"] = new_ac
        air = airborne(g["og"], g["t"], g["alt"], g["gs"], g["vr"], g["heli"], new_ac, g["lat"], g["lon"], index, p)
        bar.advance(1, "legs: segmenting")
        seg = segment(g, air, index, p)
        bar.advance(1, "legs: takeoffs and landings")
        legs = legs_table(pts, g, suspect, air, seg, index, p)
        bar.advance(1, "legs: tracks and lineage")
        out = finish(pts, legs, g, geometry=geometry, lineage=lineage)
        bar.advance(1, "legs: done")
    return out

