"""The method and the limitations of a ``disruption`` report, in plain words (used by :mod:`flighttrace.kinds.disruption.pages`)."""

from __future__ import annotations

from typing import Any

from flighttrace.numfmt import fmt_n

__all__ = ["limitations", "method"]


def method(run: Any) -> list[str]:
    """Plain-words method paragraphs of a disruption report."""
    lp = run.leg_thresholds
    p = run.findings.disruption.params
    return [
        "Every input file is read as it is, hashed (SHA-256) and listed in the manifest below. Each position record becomes one row "
        "of a table of positions, or goes to a quarantine with the reason it could not be used. Times are UTC throughout.",
        "Each aircraft's positions are split into flight legs, and where each leg took off and landed is decided against every airfield "
        f"within {lp.search_km:.0f} km of its ends, with a grade: observed (seen on the ground there, or at most {lp.observed_agl_ft:.0f} ft above "
        "the field and over it, not climbing at a touchdown nor descending at a lift-off), inferred (the track begins or ends low, climbing away or descending toward the field), bridged (not seen; the same "
        "aircraft was next, or last, seen there) or unknown (no field is named). A take-off or a landing at a watched field is a movement.",
        f"Baseline. Movements are counted per field and clock hour. The baseline of an hour is the same hour of the same weekday in the "
        f"{p.baseline_weeks} weeks before, using only the weeks whose hour has data; the chart shows its mean and a {p.band_level:.0%} Poisson band.",
        "Closures. Between two movements at a field, the baseline says how many movements it expected. A run without movements is called a "
        f"closure when it lasts at least {p.closure_min_s / 60:.0f} minutes and the baseline expected at least ln(N / {p.closure_alpha:g}) movements "
        f"in it (and never fewer than {p.closure_min_expected:g}), N being the field's baseline movements per day: an ordinary day's longest gap "
        f"holds about ln N, so a run that empty happens by chance on fewer than {p.closure_alpha:.0%} of ordinary days. A quiet night is never a "
        "closure. The closure began after the last movement: with the traffic rate just before it, the estimate is one mean interval after "
        f"that movement and the interval covers {p.closure_quantile:.0%} of the waiting time; the end is estimated the same way back from the "
        "first movement after it, when waiting traffic usually leaves at once. Hours without data end a run; nothing is inferred from them.",
        "Diversions. A leg was heading for a field when its track descended toward it, low (at most "
        f"{p.approach_max_agl_ft:,.0f} ft above it, within {p.approach_radius_km:.0f} km, on a track within {p.approach_heading_tol_deg:.0f}° of the "
        f"field, for at least {p.approach_min_s:.0f} s), or when its callsign landed there on at least {p.usual_min_legs} of the earlier legs in the "
        f"previous {p.baseline_weeks} weeks ({p.usual_min_share:.0%} of them or more). It is a diversion when it then landed elsewhere, or, after "
        "approaching, flew away and ended where no field can be named (turned away). The grade is the weaker of the intent (seen approach: "
        "observed; callsign habit: inferred) and the landing.",
        f"Holding. A holding is a stretch where the aircraft kept turning the same way: a full circle within {p.holding_circle_max_s / 60:.0f} "
        f"minutes, repeated, at least {p.holding_min_turn_deg:.0f}° in all, flown at least {p.holding_min_agl_ft:,.0f} ft above the field. It is "
        f"attributed to the field within {p.holding_airport_km:.0f} km that the aircraft was heading for when it was diverted, else the one it landed at, else the nearest. A go-around "
        f"is a descent to within {p.go_around_max_agl_ft:,.0f} ft of a field ({p.go_around_radius_km:.0f} km of it) followed by a climb of "
        f"{p.go_around_min_climb_ft:,.0f} ft or more, with no position on the ground in between.",
        "Claims are tested with the rules of docs/verdicts.md: a closure is supported when a closure run surely lasted the claimed time, "
        "contradicted only when, with every hour of the window covered and its baseline known, even the strong movements leave no room for "
        "such a closure; counts of diversions and holdings are judged like any count.",
    ]


def limitations(run: Any) -> list[str]:
    """Plain-words limitations of a disruption report."""
    ds, findings = run.ds, run.findings
    d = findings.disruption
    out = []
    cov = findings.coverage
    if cov is not None and len(cov):
        out.append(f"Coverage: {int(cov['covered'].sum()):,} of {len(cov):,} days in the span of the inputs have data; the others are left out of "
                   "every count and baseline. Only the same weekday of previous weeks is needed for the baseline.")
    hrs = d.hours
    if len(hrs):
        unc = hrs[~hrs["covered"] & hrs["day_covered"]]
        if len(unc):
            out.append("Hours without data on covered days (an archive gap): " + ", ".join(f"{t:%Y-%m-%d %H:00} UTC" for t in unc["hour"].head(12))
                       + (f" and {len(unc) - 12} more" if len(unc) > 12 else "") + ". They end runs and are left out of the baseline.")
    out.append("What ADS-B cannot show: a flight cancelled or held at its origin leaves no trace at the destination, so delays are seen "
               "only as aircraft held in the air; a closure is read from the absence of movements against the baseline, not from a NOTAM.")
    out.append("Diversions found only from a callsign's usual destination are inferred: an airline that changed its schedule that day "
               "would look the same. Those found from a seen approach are observed.")
    if not d.has_points:
        out.append("No Points table was available: holding and go-arounds were not measured, and diversions rest on callsigns only.")
    q = ds.records_quarantined if ds is not None else 0
    failed = int((ds.manifest["error"] != "").sum()) if ds is not None and len(ds.manifest) else 0
    out.append(f"Inputs: {fmt_n(q, 'record')} {'was' if q == 1 else 'were'} quarantined and {fmt_n(failed, 'file')} could not be read; "
               "see tables/quarantine.csv and the manifest.")
    return out
