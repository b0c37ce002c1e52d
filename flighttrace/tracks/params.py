"""The thresholds of leg detection (:class:`LegParams`, each with its unit), the evidence grades and the Legs table's columns."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Final

__all__ = ["GRADES", "HELICOPTER_TYPES", "KT_PER_KM_S", "FT_PER_NM_GLIDE", "LegParams", "LEGS_COLUMNS", "as_params"]

GRADES: Final[tuple[str, ...]] = ("observed", "inferred", "bridged", "unknown")
"""Evidence grades, strongest first."""

HELICOPTER_TYPES: Final[frozenset[str]] = frozenset(
    """R22 R44 R66 B06 B06T B407 B412 B427 B429 B430 B505 EC20 EC25 EC30 EC35 EC45 EC55 EC75 EC120 EC130
    EC135 EC145 EC155 EC175 EC225 H125 H130 H135 H145 H155 H160 H175 H215 H225 AS32 AS50 AS55 AS65 A109
    A119 A129 A139 A149 A169 A189 AW09 S61 S64 S76 S92 H47 H53 H60 UH1 UH60 MI2 MI8 MI14 MI17 MI24 MI26
    MI28 MI35 MI38 KA27 KA32 KA52 K226 NH90 PUMA LYNX EH10 BK17 MD52 MD60 H500 H269 GAZL ALO3 ALO2 SA31
    SA32 SA33 SA34 SA36 SA65 B212 B214 B222 B230 B47G EN28 EN48 CABR""".split()  # noqa: SIM905
)
"""ICAO type designators of helicopters (heliports are candidates only for these)."""

KT_PER_KM_S: Final = 3600.0 / 1.852
"""Knots per (km/s)."""
FT_PER_NM_GLIDE: Final = 318.0
"""Height lost per nautical mile on a 3° glide path, ft."""


@dataclass(frozen=True)
class LegParams:
    """Thresholds of leg detection, each with its unit.

    Parameters
    ----------
    min_air_kt
        A fixed-wing aircraft slower than this (kt) is not flying, whatever
        its on-ground flag says. Default 40 kt.
    air_kt
        Without an on-ground flag, a point faster than this (kt) is airborne.
        Default 90 kt.
    air_kt_with_alt
        Without an on-ground flag, a point with a barometric altitude and
        faster than this (kt) is airborne. Default 50 kt.
    stop_kt
        A ground period in which the aircraft slowed below this (kt) is a
        stop. Default 40 kt.
    stop_min_s
        A ground period longer than this (s), from the last airborne point to
        the next, is a stop whatever the speed. Default 300 s.
    gap_min_s
        Gaps between airborne points shorter than this (s) are never split.
        Default 600 s.
    gap_speed_frac
        A gap is split when the implied speed over it is below this fraction
        of the flying speed on both sides. Default 0.5.
    gap_max_s
        An airborne gap longer than this (s) is always split (no flight lasts
        it). Default 64,800 s (18 h).
    low_agl_ft
        "Low" for the both-sides-low gap rule, ft above the field. Default
        3,000 ft.
    near_km
        "Near a field" for the both-sides-low gap rule, km. Default 15 km.
    search_km
        Radius of the candidate-field search around a leg end, km. Default 60 km.
    k_candidates
        Number of candidate fields examined per end, nearest first. Default
        16: around Paris or an American city more than 8 fields lie within
        the distance an end can be inferred from, and with 8 a hub farther
        out was never considered: an arrival lost 16 km before Denver's
        runway 26 has nine fields nearer than Denver. On traffic's samples,
        16 changes one end of 2,042 legs, a fire-fighting aircraft's, to the
        airport whose runway centreline it was on.
    observed_km
        Ground points within this distance (km) of a field's reference point
        (and, for a field with runway data, within ``ground_runway_km`` of
        one of its runways; for one without, within ``no_runway_km`` of its
        reference point) are on that field. Default 6 km.
    observed_agl_ft
        Runway height: a first/last airborne point at most this high (ft
        above the field's elevation) and over the field (see
        ``observed_runway_km``) is a seen lift-off/touchdown, graded
        ``observed``. Anything higher is at best ``inferred``. Default 150 ft
        (a 3° approach crosses the threshold at about 50 ft; OpenSky and
        readsb give altitude in 25-ft steps).
    observed_runway_km
        "Over the field" for ``observed_agl_ft``: within this distance (km)
        of one of its runways (or ``no_runway_km`` of the reference point of
        a field without runway data). Default 1 km.
    observed_contrary_fpm
        A first airborne point descending faster than this (ft/min), or a
        last one climbing faster, is not a lift-off (touchdown) seen,
        however low over a runway: it is at best ``inferred``, which also
        asks for the climb (descent). Default 300 ft/min, several times the
        64-ft/min step of ADS-B's vertical rate, so a flare or a noisy rate
        still counts. Without it, two aircraft on short final at Zurich, 34
        and 59 ft above the runway and descending at 768 ft/min where the
        recording begins, were given lift-offs seen there; and a
        fire-fighter passing 142 ft over Flabob while climbing at 448 ft/min
        (altitude with noise added) a touchdown seen at Flabob, where it
        stopped at Riverside 4 km away.
    no_runway_km
        A field without runway data (most of them small strips, whose
        runways lie within a kilometre or two of the reference point) has
        ground points, lift-offs and touchdowns on it within this distance
        (km) of its reference point. It was ``observed_km`` (6 km): a
        lift-off 1.5 km from Kalispell City airport, 1.2 km from its runway,
        was then "seen" at a farm strip without runway data 5.6 km away.
        Default 2.5 km, as ``ground_runway_km`` from a runway.
    ground_runway_km
        Ground points within this distance (km) of a field's runways are on
        that field (aprons and taxiways included). Default 2.5 km.
    align_deg
        The track is aligned with a runway when it is within this angle
        (deg) of the runway's course… Default 15°.
    align_cross_km, align_cone_deg
        …and within ``align_cross_km + out × tan(align_cone_deg)`` (km) of
        its extended centreline, ``out`` being the distance before the
        threshold (after the far end for a departure). Defaults 0.5 km, 5°.
    align_max_km
        …and at most this far (km) before the threshold / past the far end.
        Default 25 km.
    align_bonus_km
        An aligned field counts as this many km nearer than it is when
        several fields fit an airborne end. Default 10 km.
    climb_ft_per_nm
        Climb gradient (ft per NM) used to extrapolate where a departure left
        the ground, and to bound the height of an aligned climb-out. Default
        600 ft/NM (about 6 %).
    meet_weight, meet_cap_km, meet_margin_km
        Among fields that fit, each km between the runways and the point where
        the track, extended on a 3° path (a ``climb_ft_per_nm`` climb back),
        meets the ground adds ``meet_weight`` km, up to ``meet_cap_km`` km.
        A field that loses by more than ``meet_margin_km`` (km) on that
        measure is reported as ``meets_elsewhere``. Defaults 0.5, 10 km, 2 km.
    inferred_max_agl_ft
        An end higher than this (ft above the field) is not inferred, unless
        it is aligned with one of the field's runways (:attr:`aligned_max_agl_ft`).
        Default 3,000 ft. Measured on real recordings (traffic 2.13's samples,
        the lowest part of 199 approaches and climb-outs with a known field
        hidden, ``tests/realdata/README.md``): an end inferred from more than
        3,000 ft above a field that it is not aligned with was the right
        field 52 times and a wrong one 117 times; below, 34 and 7.
    aligned_max_agl_ft
        An end aligned with a runway's extended centreline (:attr:`align_deg`,
        :attr:`align_cross_km`, :attr:`align_max_km`) can be inferred at that
        field up to this height (ft above it). On the same recordings, such
        ends above 3,000 ft were right 84 times and wrong twice.
        Default 6,000 ft.
    aligned_steep_factor
        An arrival aligned with a runway and higher than
        :attr:`inferred_max_agl_ft` above the field is inferred there only if
        it is at most this many times the height of a 3° path at its distance
        from the threshold: 2 is a 6° approach, steeper than nearly every
        published instrument approach. Default 2.
    inferred_base_km, inferred_km_per_kft
        An end at height h (ft above the field) can be inferred at a field
        within ``inferred_base_km + inferred_km_per_kft * h / 1000`` km.
        Defaults 8 km and 5 km per 1,000 ft.
    heading_tol_deg
        Track within this angle (deg) of the bearing to (or from) the field.
        Default 60°.
    glide_factor
        An end is not inferred at a field it could not reach: height above
        the field must be below ``glide_factor`` × the 3° glide height for its
        distance, plus 1,500 ft. Default 2.5.
    over_field_km
        An airborne end within this distance (km) of a field that it is too
        high above to have used on a straight path (the ``glide_factor``
        test) lies over that field: it may have circled down onto it or
        climbed out of it in a turn, or be passing over it. No farther field
        is then inferred for the end, unless the track is aligned with one of
        that field's runways or the aircraft was seen on the ground there in
        the stop next to the end; the end stays ``unknown`` and says which
        field it was over. Default 3 km.
    reach_min_fpm, reach_window_s, reach_margin_ft, reach_factor, reach_base_km
        An end climbing (departure) or descending (arrival) steadily at
        ``reach_min_fpm`` ft/min or more is not inferred at a field it could
        not have come from (or reached) at that rate: its height above the
        field, plus ``reach_margin_ft`` for the error of a barometric altitude
        (not corrected to the day's pressure), over the rate is the time since
        lift-off (until touchdown), and at the end's ground speed the field
        must lie within ``reach_base_km + reach_factor`` × the distance flown
        in that time. The rate is the smaller of the reported one and the
        mean over ``reach_window_s`` seconds of the leg's airborne points next
        to the end; the speed the larger of the two ends of that window.
        Defaults 500 ft/min, 60 s, 1,000 ft, 2 and 3 km: a Swiss ambulance
        helicopter first seen 1,400 ft up and climbing 1,400 ft/min at 44 kt
        lifted off a few km away at most, not at the field 15 km away
        (traffic's ``ambulances/rega_sg``).
    assumed_climb_fpm, assumed_descent_fpm
        Rates used to extrapolate take-off and landing times from an end seen
        in the air, ft/min. Defaults 1,500 and 800 ft/min.
    bridge_max_s
        Longest time (s) across which an end is bridged. Default 86,400 s.
    bridge_max_kt
        An end is bridged only if the field could be reached at this ground
        speed (kt) in the time available. Default 600 kt.
    jump_kt
        A move faster than this (kt) between consecutive points is a jump.
        Default 1,000 kt.
    jump_min_km
        …and longer than this (km), so position noise never counts. Default 20 km.
    min_air_points
        A leg needs at least this many airborne points. Default 2.
    new_leg_hint_s
        Weight (s) of readsb's new-leg flag when choosing where a stop splits.
        Default 60 s.
    ground_max_kt
        An on-ground flag on a point faster than this (kt) is taken as no flag
        at all: nothing rolls on a runway that fast, while a transponder's
        air/ground state can glitch for a few reports in flight. Default 250 kt.
    slow_max_agl_ft
        A point slower than ``min_air_kt`` (or, without an on-ground flag,
        slower than ``air_kt_with_alt``) is taken as on the ground only when
        its altitude is unknown or at most this high (ft) above the nearest
        field (sea level when none is within ``slow_field_km``); a higher one
        is a speed glitch or a slow flyer into a headwind, and keeps the state
        of the points before it. Generous, because barometric altitude is
        pressure altitude (re 1013.25 hPa): on the ground it reads up to
        about 1,000 ft above the field in deep lows. Default 1,500 ft.
    slow_field_km
        Radius (km) of the field search behind ``slow_max_agl_ft``. Default 15 km.
    slow_air_vrate_fpm
        A point slower than ``min_air_kt`` whose on-ground flag says airborne
        and whose vertical rate is at least this (fpm, climbing or
        descending) is flying: the flag and the climb or descent agree
        against the speed. A helicopter of unknown type slowing to land at a
        hospital 1.7 km from Toulouse's runway (34 kt, 320 fpm down, flagged
        airborne) was otherwise "seen on the ground" at the airport. A
        fixed-wing aircraft taxiing with its flag stuck on airborne reports
        no climb. Default 192 fpm (three steps of ADS-B's 64 fpm).
    parked_kt, slow_standing_margin_ft
        A slow point (see ``slow_max_agl_ft``) of an aircraft that was seen
        standing still the same UTC day (flagged on the ground, or a
        fixed-wing aircraft not flagged airborne at no more than
        ``parked_kt``) is on the ground only when it is at most
        ``slow_standing_margin_ft`` higher above the nearest field than the
        highest of those readings: the aircraft's own parked readings show
        the day's barometric offset, so the generous ``slow_max_agl_ft`` is
        not needed. A border patrol crawling at 30–39 kt over the ground at
        1,000 ft into a headwind, parked at its field's elevation that
        morning, was otherwise split into 19 legs. Defaults 5 kt and 500 ft
        (the pressure changes of a day).
    glitch_max_s
        A single reading slower than ``min_air_kt`` between two flying ones at
        most this many seconds apart (s) is a glitch, whatever the altitude:
        nothing slows to a taxi and takes off again that fast. Default 60 s.
    end_alt_carry_s
        When the first (last) airborne point of a leg has no altitude, the
        altitude of the nearest airborne point that has one is used for the
        end, if it is at most this many seconds away (s). It bounds the
        height from above for a descent (from below for a climb, so the end
        is never made to look lower than it was). FR24 writes altitude 0 on
        the runway, which the reader cannot tell from "unknown" at speed.
        Default 120 s.
    end_track_carry_s
        When the first (last) airborne point of a leg has no track (a
        position reported after its velocity message timed out, as readsb's
        last point often is), the track of the nearest airborne point of the
        leg that has one is used for the end, if it is at most this many
        seconds away (s). Without it, the heading and alignment tests of
        :attr:`heading_tol_deg` could not run, and a field off to the side
        could be named. Default 120 s.
    heading_cost_km_per_deg
        When several fields fit an airborne end, each degree between the
        track and the bearing to (from) the field counts as this many km of
        distance. Default 0.1 km per degree.
    frozen_max_s
        A point that repeats its aircraft's position for longer than this (s)
        while the speed says it flies (at least ``min_air_kt``) is a state
        vector kept alive after reception stopped (OpenSky repeats the last
        position, with flags and altitudes that may change); it is kept out
        of the decisions like an excursion. Default 20 s.
    crawl_window_s, crawl_max_window_s, crawl_speed_frac
        A fixed-wing point that says it flies (no on-ground flag, at least
        ``min_air_kt``) after its aircraft covered, along its positions, less
        than ``min_air_kt`` and less than ``crawl_speed_frac`` × its reported
        ground speed, on average over the more than ``crawl_window_s`` seconds
        before it (and at most ``crawl_max_window_s``, so a reception gap is
        never read as a crawl), its speed and track exactly unchanged over
        that time, is a stale state vector: the last airborne velocity kept
        while surface positions creep along a taxiway, often with a garbled
        cruise altitude. It is kept out of the decisions like an excursion.
        Defaults 20 s (as ``frozen_max_s``), 60 s and 0.5 (positions that
        cover half the reported speed are not a measurement error: a real
        track agrees with its ground speed within a few per cent).
    ground_tie_s
        When several fields fit an airborne end that has no ground point of
        its own, a field where the same aircraft was seen on the ground in
        the stop next to it (the last point of the run before, the first of
        the run after), at most this many seconds from the end's airborne
        point, wins: the sighting is direct evidence, and a take-off, a
        flight to another field and a landing there take longer. Default
        180 s (a touch-and-go at a field a few km away needs about 2–3 min).
    """

    min_air_kt: float = 40.0
    air_kt: float = 90.0
    air_kt_with_alt: float = 50.0
    stop_kt: float = 40.0
    stop_min_s: float = 300.0
    gap_min_s: float = 600.0
    gap_speed_frac: float = 0.5
    gap_max_s: float = 64_800.0
    low_agl_ft: float = 3000.0
    near_km: float = 15.0
    search_km: float = 60.0
    k_candidates: int = 16
    observed_km: float = 6.0
    observed_agl_ft: float = 150.0
    observed_runway_km: float = 1.0
    observed_contrary_fpm: float = 300.0
    no_runway_km: float = 2.5
    ground_runway_km: float = 2.5
    align_deg: float = 15.0
    align_cross_km: float = 0.5
    align_cone_deg: float = 5.0
    align_max_km: float = 25.0
    align_bonus_km: float = 10.0
    climb_ft_per_nm: float = 600.0
    meet_weight: float = 0.5
    meet_cap_km: float = 10.0
    meet_margin_km: float = 2.0
    inferred_max_agl_ft: float = 3000.0
    aligned_max_agl_ft: float = 6000.0
    aligned_steep_factor: float = 2.0
    inferred_base_km: float = 8.0
    inferred_km_per_kft: float = 5.0
    heading_tol_deg: float = 60.0
    glide_factor: float = 2.5
    over_field_km: float = 3.0
    reach_min_fpm: float = 500.0
    reach_window_s: float = 60.0
    reach_margin_ft: float = 1000.0
    reach_factor: float = 2.0
    reach_base_km: float = 3.0
    assumed_climb_fpm: float = 1500.0
    assumed_descent_fpm: float = 800.0
    bridge_max_s: float = 86_400.0
    bridge_max_kt: float = 600.0
    jump_kt: float = 1000.0
    jump_min_km: float = 20.0
    min_air_points: int = 2
    new_leg_hint_s: float = 60.0
    ground_max_kt: float = 250.0
    slow_max_agl_ft: float = 1500.0
    slow_field_km: float = 15.0
    slow_air_vrate_fpm: float = 192.0
    parked_kt: float = 5.0
    slow_standing_margin_ft: float = 500.0
    glitch_max_s: float = 60.0
    end_alt_carry_s: float = 120.0
    end_track_carry_s: float = 120.0
    heading_cost_km_per_deg: float = 0.1
    frozen_max_s: float = 20.0
    crawl_window_s: float = 20.0
    crawl_max_window_s: float = 60.0
    crawl_speed_frac: float = 0.5
    ground_tie_s: float = 180.0


LEGS_COLUMNS: Final[tuple[str, ...]] = (
    "leg_id", "icao24", "registration", "typecode", "callsign", "callsigns", "first_seen", "last_seen",
    "origin", "takeoff_time", "origin_evidence", "origin_reason", "origin_dist_km", "origin_agl_ft",
    "destination", "landing_time", "destination_evidence", "destination_reason", "destination_dist_km",
    "destination_agl_ft", "origin_second", "origin_second_dist_km", "origin_second_why", "origin_second_reason",
    "destination_second", "destination_second_dist_km", "destination_second_why", "destination_second_reason",
    "takeoff_time_earliest", "landing_time_latest", "n_points", "n_air", "n_suspect",
    "max_gap_s", "mlat_share", "touch_and_go", "point_start", "point_end", "lineage", "geometry",
)
"""Columns of the Legs table (see DESIGN.md; ``*_reason`` explain each grade in words).

``*_second`` is the best other field considered for that end, ``*_second_dist_km``
its distance (km) from the end point (from the ground point for an end seen
on the ground), ``*_second_why`` a code of :data:`flighttrace.tracks.ends.LOST_CODES`
saying why it lost, and ``*_second_reason`` the same in words with the
numbers behind it. All four are empty when no other field lies within
``search_km``."""



def as_params(params: LegParams | None, overrides: dict[str, Any]) -> LegParams:
    """``params`` (default :class:`LegParams`) with single fields changed; unknown names are a TypeError."""
    p = params or LegParams()
    if overrides:
        known = {f.name for f in fields(LegParams)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise TypeError(f"unknown leg parameter(s): {', '.join(bad)}; known: {', '.join(sorted(known))}")
        p = replace(p, **overrides)
    return p
