"""The method and the limitations of a ``sorties`` report, in plain words (used by :mod:`flighttrace.kinds.sorties.pages`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_count, fmt_km, fmt_n, fmt_share
from flighttrace.timefmt import fmt_duration

__all__ = ["fleet_legs", "limitations", "method_paragraphs"]


def fleet_legs(run: Any) -> pd.DataFrame:
    """The legs of the scenario's fleet (computed once per report, kept in ``run.extra``)."""
    if "fleet_legs" not in run.extra:
        run.extra["fleet_legs"] = run.legs[np.asarray(run.scn.fleet_mask(run.legs), dtype=bool)].reset_index(drop=True)
    return run.extra["fleet_legs"]


def method_paragraphs(scn: Any, params: Any = None) -> list[str]:
    """How legs, ends, sorties and verdicts were found, with the thresholds used (``params``: the leg thresholds, ``None`` for the defaults)."""
    from flighttrace.tracks.legs import LegParams

    p = params if params is not None else LegParams()
    return [
        "Every input file is read as it is, hashed (SHA-256) and listed in the manifest below. Each position record becomes one row "
        "of a table of positions, or goes to a quarantine with the reason it could not be used (a missing or impossible position, "
        "a time before 1990 or in the future, an address that is not an ICAO hex…). Exact duplicates across overlapping files are "
        "counted and kept once. Times are UTC throughout.",
        "Each aircraft's positions are split into flight legs. A leg ends where the aircraft stopped on the ground (it slowed to taxi "
        f"speed, below {p.stop_kt:.0f} kt, or stayed more than {fmt_duration(p.stop_min_s)}), or across a gap in reception that it "
        f"could only have spent on the ground: the speed implied over the gap is under {fmt_share(p.gap_speed_frac)} of its flying speed, or "
        "the track is low near an airfield on both sides. A gap in reception at cruise, with positions either side that fit continuous "
        "flight, does not end a leg. A touch-and-go or a missed approach does not end a leg either.",
        f"Where a leg took off and landed is decided against every airfield within {p.search_km:.0f} km of its ends (the whole "
        "airportsdata database plus the scenario's own sites), from the height above each field's elevation, the distance, whether "
        "the aircraft was climbing or descending, its heading, and any positions on the ground. Each end is graded: observed (seen "
        f"on the ground there, or at most {p.observed_agl_ft:.0f} ft above the field and within {fmt_km(p.observed_runway_km)} of one of its runways, "
        f"or {fmt_km(p.no_runway_km)} of its reference point for a field without runway data, and not climbing at a touchdown nor "
        f"descending at a lift-off by more than {fmt_count(p.observed_contrary_fpm)} ft/min), inferred (the track "
        f"begins or ends low — under {fmt_count(p.inferred_max_agl_ft)} ft above the field, or {fmt_count(p.aligned_max_agl_ft)} ft on the "
        "extended centreline of one of its runways — climbing away from it or descending toward it, "
        "but the lift-off or touchdown itself was not seen), bridged (not seen; the same aircraft was next, or last, seen on the ground "
        "or departing there, and could have flown there in the time between) or unknown (no field fits; none is named).",
        ("Legs are chained into the scenario's route (here: "
         + " → ".join(scn.routes[0].sequence)
         + f", at most {fmt_duration(scn.routes[0].max_ground_time)} on the ground). A sortie whose inbound or outbound leg was never seen is kept when "
         "the other leg proves the visit, and graded bridged; a sortie's grade is the weakest of its grades at the far field.")
        if scn.routes else "The scenario defines no route, so no legs are chained into sorties.",
        "Days with no data are not days with no flights: a day counts as covered only when some input file spans it and the data "
        "shows traffic in the region that day. Uncovered days are left out of every count and rate, and reported. Claims are tested "
        "with the rules of docs/verdicts.md: a count is supported when the observed and inferred sorties alone reach it, contradicted "
        "only when the window is fully covered and they fall short, and inconclusive otherwise. Rates in the weeks around conflict "
        "events are compared with the rest of the period by a rate ratio whose interval allows for bursts (the wider of the exact "
        "Poisson interval and a negative-binomial one over monthly counts), event by event as well as pooled, and by permutation "
        "tests: one shifts the event dates around the covered period, the other compares each event with the same calendar dates "
        "of nearby years, so that season and trend are kept. Every p-value is corrected for the number of tests run, and every "
        "verdict is re-run with its windows, bands and stays moved a little (the robustness panel).",
    ]


def _fleet_rows(points: pd.DataFrame, fleet_legs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The Points table in the legs' order, and which of its rows belong to one of ``fleet_legs`` (by their row ranges)."""
    from flighttrace.tracks.segment import sorted_points

    pts = sorted_points(points)
    n = len(pts)
    a = np.clip(pd.to_numeric(fleet_legs["point_start"], errors="coerce").fillna(0).to_numpy(np.int64), 0, n)
    b = np.clip(pd.to_numeric(fleet_legs["point_end"], errors="coerce").fillna(0).to_numpy(np.int64), 0, n)
    ok = b > a
    depth = np.cumsum(np.bincount(a[ok], minlength=n + 1) - np.bincount(b[ok], minlength=n + 1))[:n]
    return pts, depth > 0


def _counts(col: pd.Series, mask: np.ndarray) -> dict[str, int]:
    """How many of the rows picked by ``mask`` hold each value of a column (by category code when categorical)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = col.cat.codes.to_numpy()[mask]
        n = np.bincount(codes[codes >= 0], minlength=len(col.cat.categories))
        return {str(c): int(k) for c, k in zip(col.cat.categories, n, strict=True) if k}
    return {str(k): int(v) for k, v in col[mask].value_counts().items() if v}


def _mlat_text(points: pd.DataFrame | None, fleet_legs: pd.DataFrame) -> str:
    """The share of the fleet's positions found by multilateration, and of those whose source does not say."""
    tail = ("Multilateration fixes are coarser than ADS-B, and an aircraft seen only by MLAT is seen only where several "
            "receivers hear it.")
    if points is None or not len(points) or not {"point_start", "point_end"} <= set(fleet_legs.columns):
        share = float((fleet_legs["mlat_share"] * fleet_legs["n_points"]).sum() / max(fleet_legs["n_points"].sum(), 1))
        return f"MLAT: {share:.1%} of the fleet's positions are marked as multilateration fixes. {tail}"
    pts, mine = _fleet_rows(points, fleet_legs)
    by = _counts(pts["position_source"], mine)
    total = int(mine.sum())
    n = max(total, 1)
    mlat, adsb, unknown = (by.get(k, 0) for k in ("mlat", "adsb", "unknown"))
    text = f"MLAT: {mlat / n:.1%} of the fleet's {total:,} positions are marked as multilateration fixes and {adsb / n:.1%} as ADS-B."
    if unknown:
        src = pts["position_source"]
        blind = mine & (src == "unknown").to_numpy(dtype=bool, na_value=False)
        formats = sorted(_counts(pts["source"], blind))
        text += (f" For {unknown / n:.1%} the input does not say how the position was found ({', '.join(formats)}), "
                 "so the MLAT share is a lower bound.")
    return f"{text} {tail}"


def _suspect_text(legs: pd.DataFrame, fleet_legs: pd.DataFrame) -> str:
    """Positions flagged as excursions across every aircraft: how many, when, and the aircraft outside the fleet."""
    flagged = legs[pd.to_numeric(legs["n_suspect"], errors="coerce").fillna(0).to_numpy() > 0]
    if not len(flagged):
        return ""
    first, last = pd.Timestamp(flagged["first_seen"].min()), pd.Timestamp(flagged["last_seen"].max())
    text = (f"Across every aircraft in the inputs, {int(flagged['n_suspect'].sum()):,} positions on {len(flagged):,} legs of "
            f"{flagged['icao24'].nunique():,} aircraft were flagged as excursions, between {first.tz_convert('UTC'):%Y-%m-%d} and "
            f"{last.tz_convert('UTC'):%Y-%m-%d} (UTC).")
    others = flagged[~flagged["leg_id"].isin(fleet_legs["leg_id"])] if "leg_id" in fleet_legs else flagged.iloc[:0]
    if len(others):
        signs = others.groupby(others["icao24"].astype(str), sort=True)["callsign"].agg(
            lambda c: ", ".join(sorted({str(x) for x in c.dropna()})))
        names = [f"{h} ({cs})" if cs else str(h) for h, cs in signs.items()]
        text += (f" Outside the fleet: {'; '.join(names[:8])}" + (f"; and {len(names) - 8} more" if len(names) > 8 else "")
                 + ".")
    return text


def limitations(run: Any) -> list[str]:
    """Coverage gaps, MLAT share, spoofed positions, the grades of the fleet's leg ends, quarantine, absence of evidence."""
    ds, legs, findings = run.ds, run.legs, run.findings
    fleet = fleet_legs(run)
    out = []
    cov = getattr(findings, "coverage", None)
    if cov is not None and len(cov):
        unc = cov[~cov["covered"]]
        out.append(f"Coverage: {fmt_count(len(unc))} of {fmt_n(len(cov), 'day')} in the period have no usable data and are excluded from every count.")
        if len(unc):
            d = pd.to_datetime(unc["date"])
            run_no = (d.diff() != pd.Timedelta(days=1)).cumsum()
            spans = [f"{g.iloc[0]:%Y-%m-%d}–{g.iloc[-1]:%Y-%m-%d} ({r})" if len(g) > 1 else f"{g.iloc[0]:%Y-%m-%d} ({r})"
                     for (_, g), r in zip(d.groupby(run_no), unc.groupby(run_no)["reason"].first(), strict=True)]
            shown = spans[:12]
            out.append("Archive gaps and uncovered days: " + "; ".join(shown) + (f"; and {len(spans) - 12} more" if len(spans) > 12 else "") + ".")
    if len(fleet):
        out.append(_mlat_text(ds.points if ds is not None else None, fleet))
        sus = int(fleet["n_suspect"].sum())
        out.append(f"Spoofing and bad positions: {sus:,} positions on {int((fleet['n_suspect'] > 0).sum())} of the fleet's legs were flagged as excursions (positions that jump and come back faster than any aircraft flies, as GNSS spoofing does) and were not used to place take-offs or landings.")
    if len(legs) and "n_suspect" in legs:
        text = _suspect_text(legs, fleet)
        if text:
            out.append(text)
        grades = pd.concat([fleet["origin_evidence"], fleet["destination_evidence"]]).value_counts()
        out.append("Evidence of the fleet's leg ends: " + ", ".join(f"{int(grades.get(g, 0))} {g}" for g in ("observed", "inferred", "bridged", "unknown")) + ".")
    q = ds.records_quarantined if ds is not None else 0
    failed = int((ds.manifest["error"] != "").sum()) if ds is not None and len(ds.manifest) else 0
    out.append(f"Inputs: {fmt_n(q, 'record')} {'was' if q == 1 else 'were'} quarantined and {fmt_n(failed, 'file')} could not be read; "
               "see tables/quarantine.csv and the manifest.")
    out.append("Absence of evidence: an aircraft whose transponder was off, or that flew where no receiver heard it, leaves no trace here. "
               "The data can show that flights happened; it can rarely prove that none did.")
    return out
