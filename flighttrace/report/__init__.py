"""The journalist's report: claims, evidence cards, charts, map, method, limitations, manifest.

:func:`build_report` runs the whole pipeline (read → legs → sorties →
evaluate) and writes, into one folder:

``index.html``
    claims with verdicts and reasons, charts, the map, statistics, the
    conflict timeline, the method in plain words, the limitations and the
    manifest of inputs;
``evidence.html``
    one card per sortie: times, airports, grades, ground time, source files
    with SHA-256 and row ranges;
``map.html``, ``charts/*.png|svg``
    the map (copied to ``--maps DIR`` only when asked) and the charts;
``sorties.csv``, ``legs.geojson``, ``legs.kml``, ``tables/*``
    exports (KML time-stamped for Google Earth);
``provenance.json``
    the command, the flighttrace version, every input with its SHA-256 and
    every output with its SHA-256; ``flighttrace verify DIR`` re-derives the
    report from it and compares byte for byte;
``flighttrace-output.json``
    the folder's stamp (:mod:`flighttrace.outdir`): the files this run wrote,
    the only ones a later run into the same folder may replace.

The folder must be new, empty or a report folder flighttrace wrote; nothing
else in it is touched. Inputs with no position at all stop the run before
anything is written (:class:`flighttrace.nodata.NoPositionsError`).

The same inputs give byte-identical outputs: no page carries the time it
was made, tables are sorted, element ids and chart metadata are fixed.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flighttrace._gc import gc_paused
from flighttrace._progress import Progress, ProgressArg
from flighttrace._version import __version__
from flighttrace.hashing import sha256_file
from flighttrace.timefmt import fmt_date, fmt_duration, fmt_time_column

__all__ = ["build_report", "ReportResult", "verify_report"]

STAGES = 9

CSV_NOTE = ("CSV files are safe to open in a spreadsheet: a text cell that begins with =, +, -, @, a tab or a carriage return "
            "(which a spreadsheet would run as a formula) is written with a single quote in front and in double quotes, as OWASP's "
            "guidance on CSV injection advises. Numbers stay numbers, and the Parquet and GeoJSON files keep every value as it was read.")
"""The Method section's paragraph on the CSV exports (:mod:`flighttrace.csvsafe`)."""


@dataclass
class ReportResult:
    """Where a report was written."""

    out_dir: Path
    index: Path
    map: Path
    maps_copy: Path | None
    outputs: dict[str, str] = field(default_factory=dict)
    synthetic: bool = False
    findings: Any = None
    notes: list[str] = field(default_factory=list)
    """Sentences that open the report when the inputs hold nothing the scenario is about (:func:`flighttrace.nodata.relevance_notes`)."""


def _str(x: Any) -> str:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return "—"
    return str(x)


def _num(x: Any, fmt: str = "{:.2f}") -> str:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return "—"
    if isinstance(x, str):
        return x
    return fmt.format(x)


# --------------------------------------------------------------------------- page content


def _method(scn: Any) -> list[str]:
    from flighttrace.tracks.legs import LegParams

    p = LegParams()
    return [
        "Every input file is read as it is, hashed (SHA-256) and listed in the manifest below. Each position record becomes one row "
        "of a table of positions, or goes to a quarantine with the reason it could not be used (a missing or impossible position, "
        "a time before 1990 or in the future, an address that is not an ICAO hex…). Exact duplicates across overlapping files are "
        "counted and kept once. Times are UTC throughout.",
        "Each aircraft's positions are split into flight legs. A leg ends where the aircraft stopped on the ground (it slowed to taxi "
        f"speed, below {p.stop_kt:.0f} kt, or stayed more than {p.stop_min_s / 60:.0f} minutes), or across a gap in reception that it "
        f"could only have spent on the ground: the speed implied over the gap is under {p.gap_speed_frac:.0%} of its flying speed, or "
        f"the track is low near an airfield on both sides. A gap in reception at cruise, with positions either side that fit continuous "
        "flight, does not end a leg. A touch-and-go or a missed approach does not end a leg either.",
        f"Where a leg took off and landed is decided against every airfield within {p.search_km:.0f} km of its ends (the whole "
        "airportsdata database plus the scenario's own sites), from the height above each field's elevation, the distance, whether "
        "the aircraft was climbing or descending, its heading, and any positions on the ground. Each end is graded: observed (seen "
        f"on the ground there, or within {p.observed_agl_ft:.0f} ft of the field and {p.observed_km:.0f} km of it), inferred (the track "
        f"begins or ends low — under {p.inferred_max_agl_ft:,.0f} ft above the field — climbing away from it or descending toward it, "
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


def _limitations(ds: Any, legs: pd.DataFrame, findings: Any, fleet_legs: pd.DataFrame) -> list[str]:
    out = []
    cov = getattr(findings, "coverage", None)
    if cov is not None and len(cov):
        unc = cov[~cov["covered"]]
        out.append(f"Coverage: {len(unc):,} of {len(cov):,} days in the period have no usable data and are excluded from every count.")
        if len(unc):
            d = pd.to_datetime(unc["date"])
            run = (d.diff() != pd.Timedelta(days=1)).cumsum()
            spans = [f"{g.iloc[0]:%Y-%m-%d}–{g.iloc[-1]:%Y-%m-%d} ({r})" if len(g) > 1 else f"{g.iloc[0]:%Y-%m-%d} ({r})"
                     for (_, g), r in zip(d.groupby(run), unc.groupby(run)["reason"].first())]
            shown = spans[:12]
            out.append("Archive gaps and uncovered days: " + "; ".join(shown) + (f"; and {len(spans) - 12} more" if len(spans) > 12 else "") + ".")
    if len(fleet_legs):
        out.append(_mlat_text(ds.points if ds is not None else None, fleet_legs))
        sus = int(fleet_legs["n_suspect"].sum())
        out.append(f"Spoofing and bad positions: {sus:,} positions on {int((fleet_legs['n_suspect'] > 0).sum())} of the fleet's legs were flagged as excursions (positions that jump and come back faster than any aircraft flies, as GNSS spoofing does) and were not used to place take-offs or landings.")
    if len(legs) and "n_suspect" in legs:
        text = _suspect_text(legs, fleet_legs)
        if text:
            out.append(text)
        grades = pd.concat([fleet_legs["origin_evidence"], fleet_legs["destination_evidence"]]).value_counts()
        out.append("Evidence of the fleet's leg ends: " + ", ".join(f"{int(grades.get(g, 0))} {g}" for g in ("observed", "inferred", "bridged", "unknown")) + ".")
    q = len(ds.quarantine) if ds is not None else 0
    failed = int((ds.manifest["error"] != "").sum()) if ds is not None and len(ds.manifest) else 0
    out.append(f"Inputs: {q:,} records were quarantined and {failed} file(s) could not be read; see tables/quarantine.csv and the manifest.")
    out.append("Absence of evidence: an aircraft whose transponder was off, or that flew where no receiver heard it, leaves no trace here. "
               "The data can show that flights happened; it can rarely prove that none did.")
    return out


def _fleet_rows(points: pd.DataFrame, fleet_legs: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """The Points table in the legs' order, and which of its rows belong to one of ``fleet_legs`` (by their row ranges)."""
    from flighttrace.tracks.segment import sorted_points as _sorted  # the order point_start / point_end refer to

    pts = _sorted(points)
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
        return {str(c): int(k) for c, k in zip(col.cat.categories, n) if k}
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
        names = [f"{h} ({cs})" if cs else h for h, cs in signs.items()]
        text += (f" Outside the fleet: {'; '.join(names[:8])}" + (f"; and {len(names) - 8} more" if len(names) > 8 else "")
                 + ".")
    return text


def _lineage_sources(lineage: str, sha_of: dict[str, str]) -> list[dict[str, str]]:
    out = []
    for part in (lineage or "").split("; "):
        if not part:
            continue
        f, _, rows = part.rpartition(":")
        out.append({"file": f, "rows": rows, "sha256": sha_of.get(f, "—")})
    return out


def _cards(sorties: pd.DataFrame, legs: pd.DataFrame, sha_of: dict[str, str], tz: str) -> list[dict[str, Any]]:
    """One evidence card per sortie: its facts, each of its legs' ends with grades and reasons, and the source rows.

    The legs' fields are formatted column by column once; each card then
    picks its legs from a dictionary by leg id.
    """
    leg_ids = legs["leg_id"].tolist()
    fields = zip(
        leg_ids, fmt_time_column(legs["takeoff_time"], tz), fmt_time_column(legs["landing_time"], tz),
        legs["origin"].tolist(), legs["origin_evidence"].tolist(), legs["origin_reason"].tolist(),
        legs["destination"].tolist(), legs["destination_evidence"].tolist(), legs["destination_reason"].tolist(),
        legs["n_points"].tolist(), legs["max_gap_s"].tolist(), legs["lineage"].tolist(),
    )
    by_id: dict[Any, tuple[dict[str, Any], Any]] = {}
    for lid, takeoff, landing, o, o_ev, o_why, d, d_ev, d_why, n, gap, lineage in fields:  # one entry per leg
        by_id[lid] = ({
            "leg_id": lid, "takeoff": takeoff, "landing": landing,
            "origin": _str(o), "origin_evidence": o_ev, "origin_reason": o_why,
            "destination": _str(d), "destination_evidence": d_ev,
            "destination_reason": d_why, "n_points": f"{int(n):,}", "max_gap": fmt_duration(gap),
        }, lineage)
    arrive = fmt_time_column(sorties["arrive_far"], tz)
    depart = fmt_time_column(sorties["depart_far"], tz)
    cards = []
    for s, arr, dep in zip(sorties.itertuples(), arrive, depart):  # one card per sortie
        ls = []
        srcs: list[dict[str, str]] = []
        for lid in (s.in_leg, s.out_leg):
            if not isinstance(lid, str) or lid not in by_id:
                continue
            row, lineage = by_id[lid]
            ls.append(dict(row))
            srcs.extend(_lineage_sources(lineage, sha_of))
        ground = fmt_duration(s.ground_time_s) if pd.notna(s.ground_time_s) else (f"at least {fmt_duration(s.ground_time_min_s)}" if pd.notna(s.ground_time_min_s) else "—")
        cards.append({
            "sortie_id": s.sortie_id, "icao24": s.icao24, "registration": None if pd.isna(s.registration) else s.registration,
            "callsign": None if pd.isna(s.callsign) else s.callsign, "evidence": s.evidence, "origin": _str(s.origin), "far": _str(s.far),
            "back": _str(s.back), "arrive_far": arr, "depart_far": dep, "ground": ground,
            "note": s.note or "", "legs": ls, "sources": srcs,
        })
    return cards


def _window_text(start: Any, end: Any, tz: str | None) -> str:
    """A claim's window: UTC days, or the report zone's days when the window runs from one local midnight to another."""
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    last = b - pd.Timedelta(seconds=1)
    if tz and tz != "UTC":
        la, lb = a.tz_convert(tz), b.tz_convert(tz)
        if la == la.normalize() and lb == lb.normalize() and a != a.normalize():
            return f"{la:%Y-%m-%d} – {last.tz_convert(tz):%Y-%m-%d} ({tz} days)"
    return f"{fmt_date(a)} – {fmt_date(last)}"


def _claims_rows(findings: Any) -> list[dict[str, Any]]:
    rows = []
    tz = getattr(findings, "tz", None)
    cl = findings.claims
    for c in cl.itertuples():  # one row per claim
        ev = [e for e in str(getattr(c, "evidence", "") or "").split(";") if e]
        rows.append({
            "claim_id": c.claim_id, "statement": getattr(c, "statement", ""), "source": getattr(c, "source", ""),
            "record": getattr(c, "record", ""), "expected": _str(getattr(c, "expected", None)), "observed": _str(getattr(c, "observed", None)),
            "verdict": c.verdict, "reason": _str(getattr(c, "reason", None)),
            "window": _window_text(c.window_start, c.window_end, tz) if pd.notna(getattr(c, "window_start", None)) else "—",
            "evidence": ev[:40], "robustness": getattr(c, "robustness", ""), "fragile_because": getattr(c, "fragile_because", "") or "",
            "plain": _str(getattr(c, "plain", None)) if isinstance(getattr(c, "plain", None), str) else "",
            "p_detect": _num(getattr(c, "p_detect", None), "{:.2f}") if pd.notna(getattr(c, "p_detect", None)) else "",
        })
    return rows


def _stats_rows(findings: Any) -> list[dict[str, Any]]:
    st = getattr(findings, "statistics", None)
    rows = []
    if st is None or len(st) == 0:
        return rows
    for r in st.to_dict(orient="records"):  # one row per statistical test
        exp = r.get("expected", r.get("baseline"))
        rows.append({
            "test": _str(r.get("test")), "event_ids": _str(r.get("event_ids")), "observed": _num(r.get("observed"), "{:g}"),
            "expected": _num(exp, "{:.3g}"), "ratio": _num(r.get("ratio"), "{:.2f}"),
            "ci": f"{_num(r.get('ci_low'))} – {_num(r.get('ci_high'))}" if r.get("ci_low") is not None and not pd.isna(r.get("ci_low")) else "—",
            "p_value": _num(r.get("p_value"), "{:.3g}"), "note": _str(r.get("note")) if r.get("note") else "",
        })
    return rows


def _event_rows(findings: Any) -> list[dict[str, Any]]:
    ev = getattr(findings, "events", None)
    if ev is None:
        return []
    rows = []
    for e in ev.to_dict(orient="records"):
        rows.append({
            "name": e.get("name", e.get("event_id")),
            "dates": f"{fmt_date(e.get('start'))} – {fmt_date(pd.Timestamp(e.get('end')) - pd.Timedelta(seconds=1))}",
            "window": f"{fmt_date(e.get('window_start'))} – {fmt_date(pd.Timestamp(e.get('window_end')) - pd.Timedelta(seconds=1))}",
            "sorties": _num(e.get("sorties"), "{:g}"), "days": f"{_num(e.get('days_covered'), '{:g}')} / {_num(e.get('days'), '{:g}')}",
            "rate": _num(e.get("rate_per_day"), "{:.3f}"),
        })
    return rows


def _manifest_rows(ds: Any) -> list[dict[str, Any]]:
    rows = []
    for r in ds.manifest.to_dict(orient="records"):  # one row per input file
        span = "—" if pd.isna(r["time_min"]) else f"{pd.Timestamp(r['time_min']):%Y-%m-%d %H:%M} → {pd.Timestamp(r['time_max']):%Y-%m-%d %H:%M}"
        notes = "; ".join(x for x in (r["error"], r["notes"], "synthetic" if r.get("synthetic") else "") if x)
        rows.append({"path": r["path"], "format": r["format"], "size": f"{r['size_bytes']:,}", "sha256": r["sha256"], "read": f"{r['rows_read']:,}",
                     "kept": f"{r['rows_kept']:,}", "quarantined": f"{r['rows_quarantined']:,}", "duplicate": f"{r['rows_duplicate']:,}",
                     "span": span, "notes": notes})
    return rows


# --------------------------------------------------------------------------- building


def build_report(
    scenario: str | os.PathLike[str],
    data: list[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    *,
    tz: str | None = None,
    report_tz: str | None = None,
    maps_dir: str | os.PathLike[str] | None = None,
    progress: ProgressArg = False,
    command: str | None = None,
    points: pd.DataFrame | None = None,
    n_jobs: int = 1,
    tiles: str | None = None,
    preregistration: Any = None,
) -> ReportResult:
    """Run the pipeline and write the report folder.

    Parameters
    ----------
    scenario
        The scenario YAML (claims, fleet, airports, timeline).
    data
        Input files or folders (anything :func:`flighttrace.read` takes).
    out_dir
        The report folder: new, empty, or a report folder flighttrace wrote
        before (:mod:`flighttrace.outdir`: only the files of that earlier run
        are replaced; nothing else in it is touched).
    tz
        Zone of naive times in the inputs (SBS logs).
    report_tz
        Zone for daily and weekly bins (default: the scenario's ``report_tz``).
    maps_dir
        A folder for a copy of the map (``<maps_dir>/<scenario>.html``);
        ``None`` (the default) for none. Other files there are left alone.
    progress
        Progress bar over the stages, or a callable.
    command
        The command line to record in ``provenance.json``.
    points
        A Points table to use instead of reading ``data`` (benchmarks).
    n_jobs
        Worker processes for reading.
    tiles
        Online map tiles under the map (a provider name such as
        ``"OpenStreetMap"``): the tile server then sees the area the reader
        views. ``None`` (default): the offline basemap, and the pages make no
        network request.
    preregistration
        The pre-registration stamp to use (a
        :class:`~flighttrace.claims.prereg.Preregistration` or the dictionary
        ``provenance.json`` records; ``flighttrace verify`` passes the
        recorded one); default: a new stamp, made before any data file is
        opened. The same inputs and stamp give byte-identical outputs.

    Returns
    -------
    ReportResult
        Paths of the report, its map and every output with its SHA-256.

    Raises
    ------
    flighttrace.outdir.OutputFolderError
        Before anything is read: ``out_dir`` (or ``maps_dir``) holds files
        flighttrace did not write, or is, holds or lies inside an input.
    ValueError
        Before anything is read: ``tz`` or ``report_tz`` is not an IANA zone.
    flighttrace.nodata.NoPositionsError
        The inputs hold no position at all; nothing is written.
    """
    import flighttrace
    from flighttrace.nodata import require_positions
    from flighttrace.timeutil import check_zone
    from flighttrace.report import panels

    out, scn_path = Path(out_dir), Path(scenario)
    target, maps_target = _check_before_reading(out, scn_path, data, tz=tz, report_tz=report_tz, maps_dir=maps_dir, tiles=tiles, command=command)
    with gc_paused(), Progress(progress, "report: reading", STAGES) as bar:
        bar.advance(0, "report: reading")  # a progress callable hears of the first stage too
        scn = flighttrace.load_scenario(scn_path)
        prereg = panels.stamp(scn_path, scn, preregistration)  # before any data file is opened
        tzr = check_zone(report_tz or getattr(scn.meta, "report_tz", None) or None, "the scenario's meta.report_tz") or "UTC"
        if points is None:
            ds = flighttrace.read([str(d) for d in data], tz=tz, n_jobs=n_jobs, command=command)
        else:
            ds = _dataset_from_points(points)
        require_positions(ds, data)
        run = _analyse(scn, scn_path, ds, tzr, bar)
        maps_copy = None if maps_dir is None else Path(maps_dir) / f"{scn_path.stem}.html"
        with target.writing() as work:
            outputs = _write_report(run, work, out, bar, data=data, command=command, tz=tz, maps_copy=maps_copy, tiles=tiles, prereg=prereg)
        if maps_target is not None and maps_copy is not None:
            with maps_target.writing() as mw:
                shutil.copyfile(out / "map.html", mw / maps_copy.name)
        bar.advance(1, "report: done")
    return ReportResult(out, out / "index.html", out / "map.html", maps_copy, outputs, run.synthetic, run.findings, run.notes)


def _check_before_reading(out: Path, scn_path: Path, data: list[Any], *, tz: str | None, report_tz: str | None, maps_dir: Any,
                          tiles: str | None, command: str | None) -> tuple[Any, Any]:
    """Everything that can be refused before a file is read: zones, output folders, tiles. Returns the two output folders."""
    from flighttrace.outdir import output_folder
    from flighttrace.timeutil import check_zone

    check_zone(tz, "tz")
    check_zone(report_tz, "report_tz")
    inputs = [*data, scn_path]
    target = output_folder(out, inputs=inputs, command=command or "flighttrace.report.build_report")
    maps_target = None if maps_dir is None else output_folder(
        maps_dir, inputs=inputs, command=command or "flighttrace.report.build_report", shared=True, expect=[f"{scn_path.stem}.html"])
    if tiles is not None:  # unknown tiles are refused before the inputs are read
        from flighttrace.viz.basemap import tile_layer

        tile_layer(tiles)
    return target, maps_target


@dataclass
class _Run:
    """What the pipeline found, handed to the writers."""

    scn: Any
    scn_path: Path
    ds: Any
    tz: str
    legs: pd.DataFrame
    sorties: pd.DataFrame
    route: Any
    findings: Any
    synthetic: bool
    notes: list[str]


def _analyse(scn: Any, scn_path: Path, ds: Any, tzr: str, bar: Progress) -> _Run:
    """Legs, sorties, coverage and claims of a read; the stages 'legs' to 'coverage and claims'."""
    import flighttrace
    from flighttrace.claims import evaluate
    from flighttrace.claims.coverage import coverage as coverage_table
    from flighttrace.kinds.sorties.chain import find_sorties
    from flighttrace.nodata import relevance_notes

    bar.advance(1, "report: legs")
    legs = flighttrace.detect_legs(ds.points, scn)
    bar.advance(1, "report: sorties")
    route = scn.routes[0] if scn.routes else None
    if route is not None:
        sorties = find_sorties(legs, scn, route.id)
    else:
        from flighttrace.kinds.sorties.chain import SORTIES_COLUMNS

        sorties = pd.DataFrame({c: pd.Series([], dtype=object) for c in SORTIES_COLUMNS})
    bar.advance(1, "report: coverage and claims")
    cov = coverage_table(ds, scn, report_tz=tzr)
    findings = evaluate(legs, scn, coverage=cov, report_tz=tzr, points=ds.points)
    synthetic = bool(ds.synthetic) or bool(getattr(scn.meta, "synthetic", False))
    return _Run(scn, scn_path, ds, tzr, legs, sorties, route, findings, synthetic, relevance_notes(scn, legs, len(ds.points)))


def _write_report(run: _Run, work: Path, out: Path, bar: Progress, *, data: list[Any], command: str | None, tz: str | None,
                  maps_copy: Path | None, tiles: str | None, prereg: Any) -> dict[str, str]:
    """Write every file of the report into ``work`` (moved to ``out`` afterwards); the stages 'charts' to 'provenance'."""
    from flighttrace.report.export import legs_geojson, legs_kml, to_csv
    from flighttrace.tracks.legs import airport_events

    scn, ds, legs, dis = run.scn, run.ds, run.legs, run.findings.disruption
    (work / "charts").mkdir(parents=True)
    (work / "tables").mkdir()
    bar.advance(1, "report: charts")
    charts = _charts(run.findings, scn, work, synthetic=run.synthetic, inputs=ds)
    bar.advance(1, "report: map")
    if dis is None:
        fleet_legs = legs[np.asarray(scn.fleet_mask(legs), dtype=bool)].reset_index(drop=True)
        export_legs = fleet_legs
        _map(legs, run.sorties, scn, ds.points, work / "map.html", synthetic=run.synthetic, tiles=tiles)
    else:  # a disruption concerns every aircraft; the exports carry the legs behind the findings
        from flighttrace.kinds.disruption import pages as dp

        fleet_legs = legs
        export_legs = dp.evidence_legs(dis, legs)
        _disruption_map(legs, dis, scn, ds.points, work / "map.html", synthetic=run.synthetic, tiles=tiles)
    bar.advance(1, "report: exports")
    to_csv(run.sorties, work / "sorties.csv")
    (work / "legs.geojson").write_text(legs_geojson(export_legs), encoding="utf-8")
    elev = {c: float(e) for c, e in scn.airport_index().table.set_index("code")["elevation_ft"].dropna().items()} if len(export_legs) else {}
    (work / "legs.kml").write_text(legs_kml(export_legs, ds.points, title=scn.meta.title, synthetic=run.synthetic, elevations_ft=elev),
                                   encoding="utf-8")
    to_csv(fleet_legs, work / "tables" / "legs.csv")
    to_csv(airport_events(fleet_legs), work / "tables" / "airport_events.csv")
    to_csv(ds.manifest, work / "tables" / "manifest.csv")
    to_csv(ds.quarantine, work / "tables" / "quarantine.csv")
    run.findings.to_dir(work / "tables")
    bar.advance(1, "report: pages")
    _write_pages(run, work, out.name, charts, fleet_legs, tiles=tiles, prereg=prereg)
    bar.advance(1, "report: provenance")
    return _write_provenance(work, out, run.scn_path, data, ds, command, tz=tz, report_tz=run.tz, maps_copy=maps_copy,
                             synthetic=run.synthetic, tiles=tiles, prereg=prereg.to_dict())


def _write_pages(run: _Run, work: Path, out_name: str, charts: list[dict[str, str]], fleet_legs: pd.DataFrame, *, tiles: str | None,
                 prereg: Any) -> None:
    """``index.html`` and ``evidence.html``."""
    from flighttrace.report import panels
    from flighttrace.report.html import render

    scn, ds, legs, sorties, findings, route, tzr = run.scn, run.ds, run.legs, run.sorties, run.findings, run.route, run.tz
    dis = findings.disruption
    sha_of = dict(zip(ds.manifest["path"], ds.manifest["sha256"]))
    cards = _cards(sorties, legs, sha_of, tzr)
    anchors = {c["sortie_id"] for c in cards} | {leg["leg_id"] for c in cards for leg in c["legs"]}
    common = {"title": scn.meta.title, "synthetic": run.synthetic, "version": __version__, "tz": tzr, "out_name": out_name}
    grades = sorties["evidence"].value_counts()
    extra: dict[str, Any] = {}
    d_cards = None
    if dis is not None:
        from flighttrace.kinds.disruption import pages as dp

        d_cards = dp.cards(dis, legs, sha_of, tzr, scn)
        anchors |= {c["id"] for group in d_cards.values() for c in group}
        extra["disruption"] = dp.page_context(dis, legs, scn, tzr, anchors)
        extra["timeline"] = _timeline_rows(scn)
        method, limits = dp.method(scn, dis.params), dp.limitations(ds, legs, findings)
    else:
        method, limits = _method(scn), _limitations(ds, legs, findings, fleet_legs)
    index_html = render(
        "index.html.j2", **common,
        summary=scn.meta.summary, relevance=run.notes,
        n_files=len(ds.manifest), n_points=f"{len(ds.points):,}", n_aircraft=f"{ds.points['icao24'].nunique():,}",
        n_quarantined=f"{len(ds.quarantine):,}", n_failed=int((ds.manifest["error"] != "").sum()) if len(ds.manifest) else 0,
        n_fleet_legs=f"{len(fleet_legs):,}", route_name=route.name if route is not None else None, n_sorties=len(sorties),
        sortie_grades=", ".join(f"{int(grades.get(g, 0))} {g}" for g in ("observed", "inferred", "bridged", "unknown")),
        claims=_claims_rows(findings), charts=charts, map_file="map.html", statistics=_stats_rows(findings),
        events=_event_rows(findings), method=method + [CSV_NOTE], limitations=limits,
        manifest=_manifest_rows(ds), anchors=anchors, disruption=extra.get("disruption"), timeline=extra.get("timeline", []),
        map_tiles=tiles, prereg=panels.prereg_context(prereg), tests=panels.tests_rows(findings), robustness=panels.robustness_rows(findings),
    )
    (work / "index.html").write_text(index_html, encoding="utf-8")
    (work / "evidence.html").write_text(render("evidence.html.j2", **common, route_name=route.name if route is not None else None, cards=cards,
                                               disruption_cards=d_cards), encoding="utf-8")


def _dataset_from_points(points: pd.DataFrame) -> Any:
    from flighttrace.io.api import Dataset
    from flighttrace.provenance import ManifestRow, manifest_frame
    from flighttrace.schema import empty_quarantine

    files: Any = []
    if len(points):
        col = points["src_file"]
        seen = np.bincount(col.cat.codes.to_numpy().astype(np.int64) + 1) if isinstance(col.dtype, pd.CategoricalDtype) else None
        if seen is not None and seen[0] == 0:  # the files that occur, counted by category code (no string per point)
            files = col.cat.categories[np.flatnonzero(seen[1:])].astype(str).unique()
        else:
            files = col.astype(str).unique()
    rows = [ManifestRow(path=f, format="points", notes=["given as a Points table"]) for f in sorted(files)]
    return Dataset(points=points, quarantine=empty_quarantine(), manifest=manifest_frame(rows), info={"call": "points given"})


def _charts(findings: Any, scn: Any, out: Path, *, synthetic: bool, inputs: Any) -> list[dict[str, str]]:
    from flighttrace.viz import charts as ch

    source = f"Source: flighttrace {__version__} analysis of {len(inputs.manifest)} input file(s); scenario '{scn.meta.title}'."
    made = []
    dis = getattr(findings, "disruption", None)
    if dis is not None:
        from flighttrace.kinds.disruption.pages import airport_names

        p = dis.params
        specs = [
            ("movements_per_hour", "Take-offs and landings per hour at each field on the day, against the baseline of the same hour in the previous weeks; closures shaded",
             lambda: ch.movements_per_hour(dis.hourly, dis.closures, airports=list(dis.airports), start=dis.focus_start, end=dis.focus_end,
                                           names=airport_names(scn, dis.airports), title="Take-offs and landings per hour", source=source,
                                           synthetic=synthetic, tz=dis.tz, band_level=p.band_level, closure_alpha=p.closure_alpha)),
            ("coverage", "Days with data: covered, no file, or no traffic in the region",
             lambda: ch.coverage_calendar(findings.coverage, title="Coverage of the inputs", source=source, synthetic=synthetic)),
        ]
        return _save_charts(specs, out, made)
    specs = [
        ("sorties_per_week", "Sorties per week, with conflict windows shaded and days without data hatched",
         lambda: ch.sorties_per_week(findings.series["week"], findings.events, findings.coverage, title="Sorties per week", source=source, synthetic=synthetic)),
        ("event_study", "Sorties by day relative to the start of each conflict event",
         lambda: ch.event_study_plot(findings.event_study, findings.events, title="Sorties around conflict events", source=source, synthetic=synthetic)),
        ("ground_times", "Time on the ground at the far field (exact, or lower bound when an end was not seen)",
         lambda: ch.ground_times_plot(findings.ground_times, title="Ground time at the far field", source=source, synthetic=synthetic)),
        ("coverage", "Days with data: covered, no file, or no traffic in the region",
         lambda: ch.coverage_calendar(findings.coverage, title="Coverage of the inputs", source=source, synthetic=synthetic)),
    ]
    return _save_charts(specs, out, made)


def _save_charts(specs: list[tuple[str, str, Any]], out: Path, made: list[dict[str, str]]) -> list[dict[str, str]]:
    """Draw and save each chart (PNG and SVG) and list it for the page.

    The charts are :class:`matplotlib.figure.Figure` objects made without
    pyplot (:mod:`flighttrace.viz.charts`), so pyplot, slow to import, is
    not needed to close them: each is cleared once saved and then dropped.
    """
    from flighttrace.viz import charts as ch

    for name, caption, make in specs:  # one figure per chart
        fig = make()
        paths = ch.save_figure(fig, out / "charts" / name)
        fig.clear()
        png = next(p for p in paths if str(p).endswith(".png"))
        svg = next(p for p in paths if str(p).endswith(".svg"))
        made.append({"png": Path(png).relative_to(out).as_posix(), "svg": Path(svg).relative_to(out).as_posix(), "caption": caption, "alt": caption})
    return made


def _map(legs: pd.DataFrame, sorties: pd.DataFrame, scn: Any, points: pd.DataFrame, path: Path, *, synthetic: bool, tiles: str | None) -> None:
    from flighttrace.viz.maps import map_sorties, save_map

    m = map_sorties(legs, sorties, scn, points=points, synthetic=synthetic, tiles=tiles)
    save_map(m, path)


def _disruption_map(legs: pd.DataFrame, dis: Any, scn: Any, points: pd.DataFrame, path: Path, *, synthetic: bool, tiles: str | None) -> None:
    from flighttrace.viz.maps import map_disruption, save_map

    m = map_disruption(legs, dis, scn, points=points, synthetic=synthetic, tiles=tiles)
    save_map(m, path)


def _timeline_rows(scn: Any) -> list[dict[str, str]]:
    """The scenario's events for a page: name, kind, UTC dates, sources, notes."""
    ev = scn.events_frame()
    rows = []
    for e in ev.to_dict(orient="records"):  # one row per event
        a, b = pd.Timestamp(e["start"]), pd.Timestamp(e["end"])
        whole = a == a.normalize() and b == b.normalize()
        if whole:
            dates = f"{a:%Y-%m-%d} – {b - pd.Timedelta(days=1):%Y-%m-%d}" if b - a > pd.Timedelta(days=1) else f"{a:%Y-%m-%d}"
        else:
            dates = f"{a:%Y-%m-%d %H:%M} UTC" if a == b else f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M} UTC"
        rows.append({"name": e["name"], "kind": e["kind"], "dates": dates, "sources": e["sources"], "notes": e["notes"]})
    return rows


def _write_provenance(work: Path, out: Path, scn_path: Path, data: list[Any], ds: Any, command: str | None, *, tz: str | None,
                      report_tz: str, maps_copy: Path | None, synthetic: bool, tiles: str | None = None,
                      prereg: dict[str, Any] | None = None) -> dict[str, str]:
    """``provenance.json`` in ``work``, naming the report folder ``out`` it is moved to."""
    from flighttrace.outdir import STAMP_NAME

    files = sorted(p for p in work.rglob("*") if p.is_file() and p.name != "provenance.json")
    outputs = {p.relative_to(work).as_posix(): sha256_file(p) for p in files}
    copies = {} if maps_copy is None else {maps_copy.as_posix(): outputs["map.html"]}
    inputs = [{"path": r["path"], "sha256": r["sha256"], "format": r["format"]} for r in ds.manifest.to_dict(orient="records")]
    doc = {
        "flighttrace_version": __version__,
        "command": command or "flighttrace.report.build_report",
        "cwd": os.getcwd(),
        "arguments": {
            "scenario": scn_path.as_posix(), "data": [str(d) for d in data], "out": out.as_posix(), "tz": tz, "report_tz": report_tz,
            "maps_dir": None if maps_copy is None else maps_copy.parent.as_posix(), "tiles": tiles,
        },
        "scenario": {"path": scn_path.as_posix(), "sha256": sha256_file(scn_path)},
        "inputs": inputs,
        "outputs": dict(sorted(outputs.items())),
        "output_stamp": STAMP_NAME,
        "copies": copies,
        "synthetic": synthetic,
        "preregistration": prereg,
    }
    (work / "provenance.json").write_text(json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return outputs


def verify_report(out_dir: str | os.PathLike[str]) -> list[str]:
    """Check a report folder: inputs unchanged, and a rebuild gives byte-identical outputs.

    Returns
    -------
    list of str
        One line per difference (empty when everything matches).
    """
    from flighttrace.report.verify import verify

    return verify(out_dir)
