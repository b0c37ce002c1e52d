"""The pages a newsroom can publish (issue 17): the finding first, sources, evidence a lawyer can follow, timelines, names beside codes."""

from __future__ import annotations

import html as _html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flighttrace.report.summary import uncovered_spans
from flighttrace.viz.svgmini import GRADE_HEIGHT, claim_timeline, end_profile

ROOT = Path(__file__).resolve().parents[1]


def _text(fragment: str) -> str:
    """Page markup as the reader sees the words."""
    return " ".join(_html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _section(page: str, sid: str) -> str:
    start = page.index(f'id="{sid}"')
    end = page.find("<section", start + 1)
    return page[start: end if end > 0 else len(page)]


# --------------------------------------------------------------------------- the finding first


def test_the_page_opens_with_the_finding_before_the_claims(ovda_report) -> None:  # type: ignore[no-untyped-def]
    page = ovda_report.index.read_text(encoding="utf-8")
    main = page[page.index("<main>"):]
    assert main.index('id="finding"') < main.index('id="claims"') < main.index('id="sources"') < main.index('id="manifest"')
    finding = _text(_section(page, "finding"))
    claims = pd.read_csv(ovda_report.out_dir / "tables" / "claims.csv")
    vc = claims["verdict"].value_counts()
    n = {k: int(vc.get(k, 0)) for k in ("supported", "contradicted", "inconclusive")}
    # the verdict counts, as the claims table has them, in a sentence and as figures
    word = lambda k: f"{n[k]} claim" + ("" if n[k] == 1 else "s")  # noqa: E731
    assert (f"The data supports {word('supported')}, contradicts {word('contradicted')} and cannot decide "
            f"{word('inconclusive')} (inconclusive).") in finding
    assert f"{n['supported']} supported {n['contradicted']} contradicted {n['inconclusive']} inconclusive" in finding
    # each contradicted claim is named with what the data shows
    for c in claims[claims["verdict"] == "contradicted"].itertuples():
        assert c.statement.rstrip(".") in finding
    # the caveats: synthetic data, and the days without data counted from the coverage table
    cov = pd.read_csv(ovda_report.out_dir / "tables" / "coverage.csv")
    unc = int((~cov["covered"]).sum())
    assert "Synthetic data" in finding and f"{unc} of {len(cov):,} days" in finding
    # three key numbers, the first the sorties on the route, counted from sorties.csv
    sorties = pd.read_csv(ovda_report.out_dir / "sorties.csv")
    keys = re.findall(r'<span class="value">([^<]+)</span>', _section(page, "finding"))
    assert len(keys) == 3 and keys[0] == f"{len(sorties)}"


def test_every_claim_row_has_its_sources_a_timeline_and_a_few_evidence_links(ovda_report) -> None:  # type: ignore[no-untyped-def]
    page = ovda_report.index.read_text(encoding="utf-8")
    ev = pd.read_csv(ovda_report.out_dir / "tables" / "evidence.csv")
    evidence_page = (ovda_report.out_dir / "evidence.html").read_text(encoding="utf-8")
    import flighttrace

    scn = flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml")
    for c in scn.claims:  # one row per claim
        row = page[page.index(f'<tr id="claim-{c.id}"'):]
        row = row[: row.index("</tr>")]
        for sid in (c.source, *c.via):
            assert f'href="#source-{sid}"' in row and f'id="source-{sid}"' in page
        assert row.count('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"') == 1
        items = ev[ev["claim_id"] == c.id]["item_id"].tolist()
        links = re.findall(r'<a href="evidence\.html#([^"]+)">', row)
        shown = [x for x in links if not x.startswith("claim-")]
        assert shown == items[: len(shown)] and len(shown) <= 3
        if len(items) > 3:  # the rest behind one link to the full list, which lists every item
            assert f">{len(items) - 3} more</a>" in row and f'href="evidence.html#claim-{c.id}"' in row
        block = evidence_page[evidence_page.index(f'id="claim-{c.id}"'):]
        block = block[: block.index("</div>")]
        assert [i for i in items if i not in block] == []


def test_the_sources_section_links_only_web_addresses(ovda_report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from flighttrace.report import build_report

    doc = yaml.safe_load((ROOT / "seeds" / "azerbaijan-ovda.yaml").read_text(encoding="utf-8"))
    srcs = doc["meta"]["sources"]
    srcs[0]["url"] = "ftp://example.org/a.txt"
    srcs[1]["url"] = "data:text/html,<b>x</b>"
    srcs[2]["url"] = "HTTPS://example.org/b"
    scn = tmp_path / "scn.yaml"
    scn.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    name = "AZQ4206_hex600864_2023-09-03.csv"
    (data / name).write_text((ROOT / "fixtures" / "ovda" / "data" / "fr24" / name).read_text())
    page = build_report(scn, [data], tmp_path / "rep").index.read_text(encoding="utf-8")
    sources = _section(page, "sources")
    hrefs = re.findall(r'<a href="([^"]+)"([^>]*)>', sources)
    external = [(h, attrs) for h, attrs in hrefs if not h.startswith("#")]
    assert external and all(h.lower().startswith(("http://", "https://")) for h, _ in external)
    assert all('rel="noopener noreferrer"' in attrs for _, attrs in external)
    assert "ftp://example.org/a.txt" in _text(sources) and 'href="ftp:' not in sources and 'href="data:' not in sources
    assert 'href="HTTPS://example.org/b"' in sources
    # outlet, date, language, access and confidence of each source are in its row
    row = sources[sources.index(f'id="source-{srcs[3]["id"]}"'):]
    row = _text(row[: row.index("</tr>")])
    for key in ("outlet", "language", "access", "confidence"):
        assert str(srcs[3][key]) in row, key


# --------------------------------------------------------------------------- evidence a lawyer can follow


def test_every_fleet_leg_and_every_evidence_item_with_a_leg_has_a_card_or_row(ovda_report) -> None:  # type: ignore[no-untyped-def]
    ev_page = (ovda_report.out_dir / "evidence.html").read_text(encoding="utf-8")
    legs = pd.read_csv(ovda_report.out_dir / "tables" / "legs.csv", dtype={"icao24": str})
    ids = set(re.findall(r' id="([^"]+)"', ev_page))
    assert set(legs["leg_id"]) <= ids
    # legs with an unknown end get cards of their own
    unknown = legs[(legs["origin_evidence"] == "unknown") | (legs["destination_evidence"] == "unknown")]
    assert len(unknown) and all(f'<div class="card leg" id="{lid}"' in ev_page or f'id="{lid}"' in ev_page for lid in unknown["leg_id"])
    evidence = pd.read_csv(ovda_report.out_dir / "tables" / "evidence.csv")
    assert set(evidence["item_id"]) <= ids


def test_a_card_names_the_decisive_rows_as_read_from_the_input(ovda_report) -> None:  # type: ignore[no-untyped-def]
    import flighttrace

    out = ovda_report.out_dir
    ev_page = (out / "evidence.html").read_text(encoding="utf-8")
    legs = pd.read_csv(out / "tables" / "legs.csv", dtype={"icao24": str})
    leg = legs[legs["destination_evidence"] == "observed"].iloc[0]
    ds = flighttrace.read([ROOT / "fixtures" / "ovda" / "data"])
    legs_full = flighttrace.detect_legs(ds.points, flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml"))
    rows = flighttrace.lineage(leg["leg_id"], legs_full, ds)
    idx = flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml").airport_index().get(leg["destination"])
    from flighttrace.reference.airports import haversine_km

    lat, lon = rows["lat"].to_numpy(float), rows["lon"].to_numpy(float)
    dist = haversine_km(lat, lon, idx.lat, idx.lon)
    ground = rows["on_ground"].fillna(False).to_numpy(bool)
    height = np.where(ground & rows["alt_ft"].isna().to_numpy(), 0.0, rows["alt_ft"].to_numpy(float) - idx.elevation_ft)
    # the field's runways (OurAirports, as packaged); distance to each runway's segment on a flat earth around its low end
    runways = pd.read_parquet(ROOT / "flighttrace" / "data" / "runways.parquet")
    runways = runways[runways["code"] == leg["destination"]]
    assert len(runways)
    seg = np.full(len(lat), np.inf)
    for r in runways.itertuples():
        k = np.cos(np.radians(r.le_lat)) * 111.195
        ax, ay = (r.he_lon - r.le_lon) * k, (r.he_lat - r.le_lat) * 111.195
        px, py = (lon - r.le_lon) * k, (lat - r.le_lat) * 111.195
        t = np.clip((px * ax + py * ay) / (ax * ax + ay * ay), 0.0, 1.0)
        seg = np.minimum(seg, np.hypot(px - t * ax, py - t * ay))
    # the rule of a seen end: on the ground within 2.5 km of a runway, or at most 150 ft up within 1 km of one; 6 km at most from the field
    at_field = np.flatnonzero((dist <= 6.0) & np.where(ground, seg <= 2.5, (height <= 150.0) & (seg <= 1.0)))
    assert len(at_field)
    table = ev_page[ev_page.index(f'id="{leg["leg_id"]}"'):]
    seg = table[table.index("Landing at"):]
    landing = _text(seg[: min(i for i in (seg.find('<table class="leg"'), seg.find("</div>")) if i > 0)])
    # the first and the last position at the field, each with its file, its row and its file's hash
    for k in (at_field[0], at_field[-1]):
        r = rows.iloc[k]
        assert f"{r['src_file']} row {int(r['src_row']):,}" in landing
        assert str(r["sha256"])[:12] in landing
    assert (f"{len(at_field)} positions on the ground within 2.5 km of a runway, or at most 150 ft above the field and within 1.0 km "
            "of a runway") in landing


def test_cards_give_the_registration_from_the_fleet_list_and_say_so(ovda_report) -> None:  # type: ignore[no-untyped-def]
    ev_page = (ovda_report.out_dir / "evidence.html").read_text(encoding="utf-8")
    sorties = pd.read_csv(ovda_report.out_dir / "sorties.csv", dtype={"icao24": str})
    s = sorties[(sorties["registration_source"] == "fleet list") & (sorties["icao24"] == "60083c")].iloc[0]  # the data gave none
    card = ev_page[ev_page.index(f'id="{s["sortie_id"]}"'):]
    card = _text(card[: card.index("</h3>")])
    assert "4K-AZ60 (fleet list)" in card
    chain = ev_page[ev_page.index(f'id="{s["sortie_id"]}"'):]
    chain = _text(chain[chain.index('<p class="chain'): chain.index("</p>", chain.index('<p class="chain'))])
    assert chain.startswith("ICAO 24-bit address 60083c") and "Registration 4K-AZ60 (not in the data; the scenario's fleet list gives 60083c" in chain
    assert "Operator Silk Way Airlines (the scenario's fleet list (uncertain)" in chain and "source: tar1090-db" in chain


def test_cards_link_to_the_map_and_the_maps_popups_to_the_cards(ovda_report) -> None:  # type: ignore[no-untyped-def]
    out = ovda_report.out_dir
    ev_page = (out / "evidence.html").read_text(encoding="utf-8")
    map_page = (out / "map.html").read_text(encoding="utf-8")
    targets = set(re.findall(r'href="map\.html#leg=([^"]+)"', ev_page))
    refs = set(re.findall(r'"ref": "([^"]+)"', map_page))
    assert targets and targets <= refs
    # every leg of a sortie is on the map and has its link; the fleet's other legs are not drawn there, and have none
    sorties = pd.read_csv(out / "sorties.csv")
    assert set(sorties["in_leg"].dropna()) | set(sorties["out_leg"].dropna()) == targets
    cards = set(re.findall(r'evidence\.html#([^"\\]+)', map_page))
    assert cards and cards <= set(re.findall(r' id="([^"]+)"', ev_page))


def test_moscow_pages_reconcile_the_diversion_count_and_name_the_fields(moscow_report) -> None:  # type: ignore[no-untyped-def]
    page = moscow_report.index.read_text(encoding="utf-8")
    claims = pd.read_csv(moscow_report.out_dir / "tables" / "claims.csv")
    claimed = int(claims.set_index("claim_id").loc["seed-flights-diverted", "value"])
    d = moscow_report.findings.disruption
    div = d.in_focus("diversions")
    section = _text(page[page.index('id="diversions"'): page.index('id="holdings"')])
    # the table lists every diversion; the sentence under its heading says how many the claim counts, and why the others are not
    assert f"Diversions ({len(div)})" in section
    assert f"{claimed} with observed or inferred evidence, which is what the claims count" in section
    weak = div[~div["grade"].isin(["observed", "inferred"])]
    assert len(weak) == len(div) - claimed and all(lid in section for lid in weak["leg_id"])
    # names beside codes, in the claims table too
    assert "UUWW (Vnukovo)" in _text(_section(page, "claims")) and "UUEE (Sheremetyevo)" in section


def test_ovda_pages_name_the_fields_beside_their_codes(ovda_report) -> None:  # type: ignore[no-untyped-def]
    page = _text(ovda_report.index.read_text(encoding="utf-8"))
    ev_page = _text((ovda_report.out_dir / "evidence.html").read_text(encoding="utf-8"))
    for label in ("LLOV (Ovda)", "UBBB (Baku)", "UBBG (Ganja)"):
        assert label in page and label in ev_page
    assert "UBBB (Baku) 5, UBBG (Ganja) 1" in page  # a claim's observed figures


def test_moscow_coverage_chart_spans_the_input_not_a_year(moscow_report) -> None:  # type: ignore[no-untyped-def]
    from flighttrace.viz import charts as ch

    cov = moscow_report.findings.coverage
    assert 20 <= len(cov) <= 40  # about four weeks of baseline and the day itself
    ax = ch.coverage_calendar(cov, title="t").axes[0]
    lo, hi = ax.get_xlim()
    assert hi - lo == len(cov)  # one unit per day of the input, from its first day to the day after its last
    assert "days of input" in (moscow_report.out_dir / "charts" / "coverage.svg").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the small charts


def test_a_claim_timeline_hatches_the_time_without_data_and_marks_each_item_by_grade() -> None:
    start, end = pd.Timestamp("2023-09-01", tz="UTC"), pd.Timestamp("2023-09-11", tz="UTC")
    cov = pd.DataFrame({"date": pd.date_range("2023-08-30", periods=10, freq="D", tz="UTC"), "covered": True})
    cov.loc[cov["date"].between("2023-09-04", "2023-09-05"), "covered"] = False
    spans = uncovered_spans(cov, start, end)
    # two uncovered days inside, and the window's last two days, after the coverage table ends
    assert spans == [(pd.Timestamp("2023-09-04", tz="UTC"), pd.Timestamp("2023-09-06", tz="UTC")),
                     (pd.Timestamp("2023-09-09", tz="UTC"), pd.Timestamp("2023-09-11", tz="UTC"))]
    items = pd.DataFrame({"time": pd.to_datetime(["2023-09-02T12:00Z", "2023-09-07T00:00Z"]), "grade": ["observed", "bridged"]})
    svg = claim_timeline(start, end, spans, items, label="w", key="k1")
    assert svg == claim_timeline(start, end, spans, items, label="w", key="k1")  # the same bytes every time
    hatched = re.findall(r'<rect x="([\d.]+)" y="4.0" width="([\d.]+)" height="26.0" fill="url\(#h-k1\)"/>', svg)
    # the bar is 232 px for 10 days: 23.2 px a day, starting at x = 4
    assert [(float(x), float(w)) for x, w in hatched] == [(4 + 3 * 23.2, 2 * 23.2), (4 + 8 * 23.2, 2 * 23.2)]
    marks = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="1.2" height="([\d.]+)"', svg)
    heights = sorted(float(h) for _, _, h in marks)
    assert heights == sorted([round(26.0 * GRADE_HEIGHT["observed"], 1), round(26.0 * GRADE_HEIGHT["bridged"], 1)])
    xs = sorted(float(x) + 0.6 for x, _, _ in marks)
    assert xs == pytest.approx([4 + 1.5 * 23.2, 4 + 6 * 23.2], abs=0.06)


def test_an_end_profile_draws_the_decisive_positions_and_the_field_box() -> None:
    d = np.array([30.0, 20.0, 10.0, 5.0, 1.0, 0.5])
    h = np.array([9000.0, 6000.0, 3000.0, 1500.0, 100.0, 0.0])
    svg = end_profile(d, h, np.array([False, False, False, False, True, True]), label="Landing at LLOV", field_box=(6.0, 150.0),
                      x_label="km from LLOV")
    assert svg == end_profile(d, h, np.array([False] * 4 + [True] * 2), label="Landing at LLOV", field_box=(6.0, 150.0), x_label="km from LLOV")
    assert svg.count("<circle") == 2 and svg.count("<polyline") == 1 and 'fill="#d9efd9"' in svg
    assert ">Landing at LLOV</title>" in svg and ">km from LLOV<" in svg
    # no field: no box and no field mark
    free = end_profile(d, h, np.zeros(6, bool), label="x", field_box=None, x_label="km from the last position")
    assert 'fill="#d9efd9"' not in free and "h8l-4 -7z" not in free
    assert "<script" not in end_profile(d, h, np.zeros(6, bool), label="<script>", field_box=None, x_label="<b>")


def test_an_end_profile_places_each_position_by_hand() -> None:
    # 220 × 96 px, plot from x 40 to 212 (172 px) and y 8 to 72 (64 px). d = 0, 1, 2, 3 km and h = 0, 250, 500, NaN ft:
    # x_max = 2 km (the farthest position with a height, and the smallest scale), y 0–500 ft; x = 40 + 172·d/2,
    # y = 72 − 64·h/500; the position without a height (3 km) is left out
    svg = end_profile(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 250.0, 500.0, np.nan]), np.zeros(4, bool), label="x",
                      field_box=None, x_label="km")
    assert '<polyline points="40.0,72.0 126.0,40.0 212.0,8.0"' in svg


def test_the_claims_table_shows_the_columns_other_checks_add(ovda_report) -> None:  # type: ignore[no-untyped-def]
    """A verdict in plain words, the chance the data could have shown the claim, a fragile mark: shown when the claims table has them."""
    from types import SimpleNamespace

    import flighttrace
    from flighttrace.report.summary import claims_rows

    f = ovda_report.findings
    claims = f.claims.assign(plain=["in plain words"] + [None] * (len(f.claims) - 1), p_detect=[0.873] + [np.nan] * (len(f.claims) - 1),
                             fragile=[True] + [False] * (len(f.claims) - 1))
    run = SimpleNamespace(findings=SimpleNamespace(claims=claims, evidence=f.evidence, coverage=f.coverage), tz=f.tz,
                          scn=flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml"))
    rows = claims_rows(run, {})
    assert (rows[0]["plain"], rows[0]["p_detect"], rows[0]["fragile"]) == ("in plain words", "87%", True)
    assert (rows[1]["plain"], rows[1]["p_detect"], rows[1]["fragile"]) == ("", "", False)
    template = (ROOT / "flighttrace" / "report" / "templates" / "index.html.j2").read_text(encoding="utf-8")
    assert "{{ c.plain }}" in template and "{{ c.p_detect }}" in template and 'class="fragile"' in template and "{{ prereg.sha256 }}" in template


# --------------------------------------------------------------------------- the statistics tables and the exports


def _rows(fragment: str) -> list[list[str]]:
    """The body rows of the tables in a fragment, each as the words of its cells."""
    return [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr>(.*?)</tr>", fragment, re.S)
            if "<td" in row]


def test_the_statistics_tables_name_every_test_in_words_and_each_event_by_its_name(ovda_report) -> None:  # type: ignore[no-untyped-def]
    import flighttrace

    page = ovda_report.index.read_text(encoding="utf-8")
    st = pd.read_csv(ovda_report.out_dir / "tables" / "statistics.csv", dtype=str, keep_default_na=False)
    # no test reaches the page by its code name (rate_ratio_event, permutation_same_season … were 21 of the 26 rows)
    codes = set(st["test"])
    assert {"rate_ratio", "rate_ratio_event", "permutation_before_start", "permutation_same_season"} <= codes
    assert not [c for c in codes if c in page]
    # every number as a reader reads it: no float with more than 4 decimals (0.22503516174402247), no exponent (1.61e-14);
    # a p-value is written to three significant digits, so one of 0.001–0.01 has five (0.00902)
    words = _text(page[page.index("<main>"):])
    long = [m.group(0) for m in re.finditer(r"\d+\.\d{5,}", words) if not re.fullmatch(r"0\.00[1-9]\d{0,2}", m.group(0))]
    assert not long and not re.search(r"(?<![\w.])\d+(\.\d+)?e[-+]\d+(?!\w)", words)  # a number, not a stretch of a hash
    # a row per statistic; a statistic of one event names it (the scenario's name), one of several counts them
    names = {e.id: e.name for e in flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml").events}
    rows = _rows(_section(page, "statistics"))
    assert len(rows) == len(st)
    for r, (_, s) in zip(rows, st.iterrows(), strict=True):
        ids = [x for x in s["event_ids"].split(",") if x]
        assert r[2] == (names[ids[0]] if len(ids) == 1 else f"{len(ids)} events" if ids else "—")
        assert r[0] == (s["claim_id"] or "whole scenario")
    assert sum(r[2] == "Second Karabakh (44-day) war" for r in rows) == int((st["event_ids"] == "war-2020").sum()) >= 2
    # the per-event rows no longer look alike: no two rows of the table read the same
    visible = [tuple(r[:1] + r[2:]) for r in rows]
    assert len(set(visible)) == len(visible)
    # the table of every test run names its tests the same way, its statistic written with separators and units
    tests = _rows(_section(page, "tests"))
    assert tests and all(t[0][0].isupper() and "_" not in t[0] for t in tests)
    pooled = st[(st["test"] == "rate_ratio") & (st["claim_id"] == "")].iloc[0]
    t0 = float(pooled["t0"])
    assert f"vs {int(pooled['n0'])} in {t0:,.1f} days" in tests[0][3] and t0 >= 1000  # "2,519.6 days", never "2519.6 d"
    assert tests[0][4] == "< 0.001"  # as the Statistics table writes it, not 1.61e-14


def test_exports_give_the_registration_from_the_fleet_list_where_the_data_has_none_and_say_so(ovda_report) -> None:  # type: ignore[no-untyped-def]
    import json

    import flighttrace

    out = ovda_report.out_dir
    scn = flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml")
    fleet = {a.hex: a.registration for a in scn.fleet.aircraft}
    legs = pd.read_csv(out / "tables" / "legs.csv", dtype=str)
    sorties = pd.read_csv(out / "sorties.csv", dtype=str)
    features = json.loads((out / "legs.geojson").read_text(encoding="utf-8"))["features"]
    geo = pd.DataFrame([f["properties"] for f in features])[["leg_id", "icao24", "registration", "registration_source"]]
    # the data's own registrations, as the legs of the input have them (the report keeps no other copy)
    raw = flighttrace.detect_legs(flighttrace.read([ROOT / "fixtures" / "ovda" / "data"]).points, scn).astype({"leg_id": str}).set_index("leg_id")["registration"]
    for table in (legs, geo):
        t = table.set_index("leg_id")
        in_data = raw.reindex(t.index).astype(object).where(raw.reindex(t.index).notna(), None)
        has = in_data.notna().to_numpy()
        assert (t.loc[has, "registration"].to_numpy() == in_data[has].to_numpy()).all()
        assert (t.loc[has, "registration_source"] == "data").all()
        # where the data gave none, the fleet list's, and said to come from it: every leg of the fleet has one
        assert (t.loc[~has, "registration"].to_numpy() == t.loc[~has, "icao24"].map(fleet).to_numpy()).all()
        assert (t.loc[~has, "registration_source"] == "fleet list").all()
    assert legs.loc[legs["icao24"] == "600864", "registration"].eq("4K-AZ100").all()  # 0 of its 48 legs had one before
    assert sorties["registration"].notna().all() and set(sorties["registration_source"]) == {"data", "fleet list"}
    assert list(sorties.columns[sorties.columns.get_loc("registration"):][:2]) == ["registration", "registration_source"]


def test_the_report_carries_the_licences_of_what_it_embeds_and_links_to_them(ovda_report) -> None:  # type: ignore[no-untyped-def]
    import json

    out = ovda_report.out_dir
    static = ROOT / "flighttrace" / "viz" / "static"
    vendor = static / "vendor"  # the npm packages' files; the basemap and the README are flighttrace's
    lic = out / "licences"
    # each licence text, as the package ships it, beside the report: Leaflet (BSD-2), the time slider's libraries, world-atlas
    files = {p.relative_to(root).as_posix(): p for root in (static, vendor) for p in root.glob("*/LICENSE*")} | {"README.md": static / "README.md"}
    shipped = sorted(set(files) - {"README.md"})
    assert shipped == ["basemap/LICENSE-world-atlas", "iso8601/LICENSE", "leaflet/LICENSE", "moment/LICENSE", "timedimension/LICENSE"]
    for rel in [*shipped, "README.md"]:
        assert (lic / rel).read_bytes() == files[rel].read_bytes(), rel
    assert "BSD 2-Clause" in (lic / "leaflet" / "LICENSE").read_text() and "Natural Earth" in (lic / "README.md").read_text()
    # listed with every other output: the provenance and the output folder's stamp
    prov = json.loads((out / "provenance.json").read_text())
    stamp = (out / "flighttrace-output.json").read_text()
    for rel in [*shipped, "README.md"]:
        assert f"licences/{rel}" in prov["outputs"] and f"licences/{rel}" in stamp
    # both pages link to them
    for page in ("index.html", "evidence.html"):
        assert '<a href="licences/README.md">licences</a>' in (out / page).read_text(encoding="utf-8")
    # the map carries Leaflet's whole licence, its conditions included, and world-atlas's notice
    page = (out / "map.html").read_text(encoding="utf-8")
    leaflet = (vendor / "leaflet" / "LICENSE").read_text().replace("\r\n", "\n").rstrip()  # the file has Windows line ends
    assert leaflet in page and "Redistributions in binary form must reproduce the above copyright notice" in page
    assert (static / "basemap" / "LICENSE-world-atlas").read_text().rstrip() in page


def test_a_claims_text_names_the_field_in_every_clause_and_a_group_in_words() -> None:
    import flighttrace
    from flighttrace.report.parts import Places
    from flighttrace.report.summary import named

    scn = flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml")
    text = "59 landings at LLOV found; nothing was heard over LLOV below 3,000 ft; nothing was heard between LLOV and azerbaijan"
    assert named(text, Places(scn), sorted(scn.airport_codes())) == (
        "59 landings at LLOV (Ovda) found; nothing was heard over LLOV (Ovda) below 3,000 ft; "
        "nothing was heard between LLOV (Ovda) and Azerbaijan (UBBB, UBBG, UBBN)")
    # a name already there is not repeated; a group's id inside another word or a path is left alone
    assert named("LLOV (Ovda) and LLOV", Places(scn), ["LLOV"]) == "LLOV (Ovda) and LLOV"
    assert named("fixtures/ovda/data, az-ovda-az-002", Places(scn), []) == "fixtures/ovda/data, az-ovda-az-002"


def test_moscow_plain_words_give_the_chance_of_detection_in_words_only(moscow_report) -> None:  # type: ignore[no-untyped-def]
    words = _text(moscow_report.index.read_text(encoding="utf-8"))
    assert "p_detect" not in words and "would have been detected in " in words
    # the group by the name the scenario gives it, with its fields; the band by the one duration formatter
    assert "each field of Moscow airports (UUBW, UUDD, UUEE, UUWW) closed ≥ 30 min" in words
    assert "each field of vko-dme (UUDD, UUWW) closed" in words  # a group with no name: its id as the scenario writes it, and its fields
    assert not re.search(r"(?<![\w.])\d+(\.\d+)?e[-+]\d+(?!\w)", words)  # a baseline's tail probability as a p-value: "P(≥ 9) < 0.001", not 1.15e-06
