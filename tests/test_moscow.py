"""The Moscow disruption scenario: its simulated world, the truth recovered, the verdicts, the report."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.parquet as pq
import pytest

import flighttrace
from flighttrace.kinds.disruption.world import build_disruption_world
from flighttrace.kinds.sorties.world import verify_world
from flighttrace.report import verify_report

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "fixtures" / "moscow"
SEED = ROOT / "seeds" / "moscow-2026-03-14.yaml"
OVDA = ROOT / "seeds" / "azerbaijan-ovda.yaml"
TOLERANCE = pd.Timedelta(minutes=15)


def truth(name: str) -> pd.DataFrame:
    df = pd.read_csv(WORLD / "truth" / f"{name}.csv")
    for c in ("start", "end", "time", "decision", "landing"):
        if c in df:
            df[c] = pd.to_datetime(df[c], utc=True)
    return df


MSK_14 = (pd.Timestamp("2026-03-14T00:00:00+03:00").tz_convert("UTC"), pd.Timestamp("2026-03-15T00:00:00+03:00").tz_convert("UTC"))
"""The Moscow day of 14 March 2026 (the window of the seed's claims about that day), in UTC."""


def truth_in(name: str, col: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Rows of a truth table that are in the data and whose ``col`` falls in ``[start, end)``."""
    t = truth(name)
    if "in_data" in t:
        t = t[t["in_data"].astype(bool)]
    return t[(t[col] >= start) & (t[col] < end)]


@pytest.fixture(scope="module")
def report(moscow_report):  # type: ignore[no-untyped-def]
    return moscow_report


@pytest.fixture(scope="module")
def dis(moscow_report):  # type: ignore[no-untyped-def]
    return moscow_report.findings.disruption


# --------------------------------------------------------------------------- the world


def test_committed_moscow_world_is_intact_and_within_budget() -> None:
    assert verify_world(WORLD) == []
    files = [p for p in WORLD.rglob("*") if p.is_file()]
    assert len(files) <= 200
    assert sum(p.stat().st_size for p in files) <= 10_000_000
    doc = json.loads((WORLD / "synthetic.json").read_text())
    assert doc["synthetic"] is True and doc["scenario"] == "seeds/moscow-2026-03-14.yaml"


@pytest.mark.slow
def test_moscow_world_regenerates_byte_for_byte(tmp_path: Path) -> None:
    doc = json.loads((WORLD / "synthetic.json").read_text())
    build_disruption_world(SEED, tmp_path / "moscow")
    new = json.loads((tmp_path / "moscow" / "synthetic.json").read_text())
    assert sorted(new["files"]) == sorted(doc["files"])
    same_arrow = doc["library_versions"]["pyarrow"] == pyarrow.__version__
    for rel, sha in doc["files"].items():
        if rel.endswith(".parquet") and not same_arrow:
            assert pq.read_table(tmp_path / "moscow" / rel).equals(pq.read_table(WORLD / rel)), rel
        else:
            assert new["files"][rel] == sha, rel


def test_simulate_dispatches_on_the_scenario_kind(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import flighttrace.cli.legs  # noqa: F401  (registers `simulate`)
    import flighttrace.kinds.disruption.world as wgd
    import flighttrace.kinds.sorties.world as wg
    from flighttrace.cli import app

    called: list[str] = []
    monkeypatch.setattr(wgd, "build_disruption_world", lambda s, o, progress=False, **kw: called.append("disruption") or {
        "movements": {"UUWW": {"2026-03-14": 2}}, "closures": 1, "diversions": 0, "holdings": 0, "go_arounds": 0, "legs": 2, "files": 1, "bytes": 10})
    monkeypatch.setattr(wg, "build_world", lambda s, o, progress=False, **kw: called.append("sorties") or {
        "sorties_to_far_field": 1, "legs": 2, "files": {"opensky": 1}, "bytes": 10})
    runner = CliRunner()
    for seed in (SEED, OVDA):
        res = runner.invoke(app, ["simulate", str(seed), "--out", str(tmp_path / seed.stem), "--no-progress"])
        assert res.exit_code == 0, res.output
    assert called == ["disruption", "sorties"]


def test_every_moscow_input_is_read_and_marked_synthetic(report) -> None:  # type: ignore[no-untyped-def]
    man = pd.read_csv(report.out_dir / "tables" / "manifest.csv")
    assert len(man) == 119 and man["synthetic"].all() and (man["rows_quarantined"] == 0).all()
    assert report.synthetic


# --------------------------------------------------------------------------- the truth recovered


def test_closure_windows_recovered_within_15_minutes(dis) -> None:  # type: ignore[no-untyped-def]
    t = truth("closures")
    found = dis.closures
    assert len(found) == len(t) == 4
    for c in t.itertuples():
        mine = found[(found["airport"] == c.airport) & ((found["start"] - c.start).abs() <= TOLERANCE)]
        assert len(mine) == 1, (c.airport, c.start)
        assert abs(mine["end"].iloc[0] - c.end) <= TOLERANCE, (c.airport, c.end)
        # the truth lies inside the reported uncertainty
        assert mine["start_earliest"].iloc[0] <= c.start <= mine["start_latest"].iloc[0] + pd.Timedelta(minutes=5)
        assert mine["end_earliest"].iloc[0] - pd.Timedelta(minutes=5) <= c.end <= mine["end_latest"].iloc[0]


def test_no_closure_is_invented_on_the_baseline_days_or_at_the_open_field(dis) -> None:  # type: ignore[no-untyped-def]
    everywhere = dis.closures_in(dis.airports, dis.hourly["hour"].min(), dis.hourly["hour"].max() + pd.Timedelta(hours=1))
    assert sorted(zip(everywhere["airport"], everywhere["start"].dt.floor("h"), strict=False)) == sorted(zip(dis.closures["airport"], dis.closures["start"].dt.floor("h"), strict=False))
    assert "UUEE" not in set(everywhere["airport"])


def test_every_diversion_found_none_invented(dis) -> None:  # type: ignore[no-untyped-def]
    t = truth("diversions")
    found = dis.diversions
    assert len(found) == len(t) == 14
    f = found.set_index("callsign")
    assert set(f.index) == set(t["callsign"])
    for r in t.itertuples():
        mine = f.loc[r.callsign]
        assert mine["intended"] == r.intended
        if r.landing_seen:
            assert (mine["landed"], mine["outcome"]) == (r.landed, "diverted")
        else:  # beyond the receivers: it turned away, landing unseen
            assert pd.isna(mine["landed"]) and mine["outcome"] == "turned_away" and mine["grade"] == "unknown"
    # diversions after a go-around were seen approaching; those en route only by their callsign
    how = t.set_index("callsign")["how"]
    assert all(f.loc[c, "method"].startswith("approach") for c in how.index if how[c] == "go_around_diverted")
    assert all(f.loc[c, "method"] == "usual destination" for c in how.index if how[c] == "diverted_en_route")


def test_every_holding_in_the_data_found_none_invented(dis) -> None:  # type: ignore[no-untyped-def]
    t = truth("holdings")
    seen = t[t["in_data"]]
    found = dis.holdings
    assert len(found) == len(seen) == 12
    for r in seen.itertuples():
        mine = found[(found["callsign"] == r.callsign) & (found["start"] < r.end) & (found["end"] > r.start)]
        assert len(mine) == 1, r.callsign
        assert mine["airport"].iloc[0] == r.airport
        assert abs(mine["laps"].iloc[0] - r.laps) <= 1.0


def test_every_go_around_found_none_invented(dis) -> None:  # type: ignore[no-untyped-def]
    t = truth("go_arounds")
    found = dis.go_arounds
    assert len(found) == len(t) == 7
    for r in t.itertuples():
        mine = found[(found["callsign"] == r.callsign) & (found["airport"] == r.airport)]
        assert len(mine) == 1 and abs(mine["time"].iloc[0] - r.time) <= pd.Timedelta(minutes=2), r.callsign


def test_movements_per_field_and_day_match_the_truth(dis) -> None:  # type: ignore[no-untyped-def]
    t = truth("movements")
    t = t[t["in_data"]]
    day = lambda s: s.dt.tz_convert("Europe/Moscow").dt.strftime("%Y-%m-%d")  # noqa: E731
    want = t.groupby(["airport", day(t["time"])]).size()
    got = dis.movements.groupby(["airport", day(dis.movements["time"])]).size()
    both = pd.concat([want.rename("truth"), got.rename("found")], axis=1).fillna(0)
    assert (both["truth"] - both["found"]).abs().max() <= 6
    assert (both["truth"] - both["found"]).abs().sum() <= 0.01 * both["truth"].sum()


# --------------------------------------------------------------------------- verdicts


def test_moscow_verdicts(report) -> None:  # type: ignore[no-untyped-def]
    c = report.findings.claims.set_index("claim_id")
    verdict = c["verdict"].to_dict()
    # what the simulated world's truth says, claim by claim
    closed = truth("closures")
    long_enough = closed[(closed["end"] - closed["start"] >= pd.Timedelta(minutes=30)) & (closed["start"] < MSK_14[1]) & (closed["end"] > MSK_14[0])]
    shut = set(long_enough["airport"])
    reopened = set(long_enough.loc[long_enough["end"] < MSK_14[1], "airport"])
    data_end = truth("movements").query("in_data")["time"].max()
    div = truth_in("diversions", "decision", *MSK_14)
    # Sheremetyevo's baseline from the world's truth: movements of the four Saturdays before the day (those in the data)
    mov = truth("movements")
    base = mov[(mov["airport"] == "UUEE") & mov["in_data"].astype(bool) & (mov["time"] < MSK_14[0])]
    per_day = len(base) / 4.0
    busiest_per_hour = base["time"].dt.floor("h").value_counts().max() / 4.0  # the busiest clock hour, averaged over the weeks
    threshold = max(4.0, math.log(per_day / 0.05))
    svo_30min_detectable = busiest_per_hour * 0.5 >= threshold
    held = truth_in("holdings", "start", *MSK_14)
    expected = {
        "vko-restricted-14mar": "supported" if "UUWW" in shut else "contradicted",
        "dme-restricted-14mar": "supported" if "UUDD" in shut else "contradicted",
        "zia-restricted-14mar": "supported" if "UUBW" in shut else "contradicted",
        "vko-dme-reopened-14mar": "supported" if {"UUWW", "UUDD"} <= reopened else "contradicted",
        # no closure of Sheremetyevo in the world, but its window runs to 16 March, past the end of the data
        "svo-restricted-weekend": "supported" if "UUEE" in shut else ("inconclusive" if data_end < pd.Timestamp("2026-03-16T02:41Z") else "contradicted"),
        # no closure of Sheremetyevo either, but could a 30-minute one have been seen there? Not by the rule of
        # docs/verdicts.md: only when the baseline expects T = ln(N / 0.05) movements in it (see below) → inconclusive
        "seed-all-four-closed": "supported" if {"UUEE", "UUDD", "UUWW", "UUBW"} <= shut else ("contradicted" if svo_30min_detectable else "inconclusive"),
        "seed-flights-diverted": "supported" if len(div) >= 1 else "contradicted",
        "seed-flights-delayed": "supported" if len(held) >= 1 else "contradicted",
        # 2025: no data at all
        "mintrans-2025-83-diverted": "inconclusive", "svo-2025-25-circling": "inconclusive",
    }
    assert verdict == expected
    # (issue 15: the closure and baseline-excess tests these verdicts rest on are now corrected together, Holm over the
    # 10 tests run; the largest corrected p is 0.0033, so none of these verdicts moves: see the test after this one)
    assert verdict == {
        "vko-restricted-14mar": "supported", "dme-restricted-14mar": "supported", "zia-restricted-14mar": "supported",
        "vko-dme-reopened-14mar": "supported", "svo-restricted-weekend": "inconclusive", "seed-all-four-closed": "inconclusive",
        "seed-flights-diverted": "supported", "seed-flights-delayed": "supported", "mintrans-2025-83-diverted": "inconclusive",
        "svo-2025-25-circling": "inconclusive",
    }
    assert c.loc["seed-all-four-closed", "record"] == "unconfirmed"
    four = c.loc["seed-all-four-closed", "reason"]
    assert "3 of 4 fields closed" in four and "UUEE: no closure in the data (the longest run without a take-off or landing" in four
    assert "a closure of 30 min could have gone unseen" in four and not svo_30min_detectable
    assert c.loc["seed-all-four-closed", "plain"].startswith("Not seen, but the data could not have seen it:")
    assert "no data" in c.loc["svo-restricted-weekend", "reason"]
    assert "outside the input" in c.loc["mintrans-2025-83-diverted", "reason"]
    # strong diversions: those whose landing elsewhere was seen; the one that turned away (landing unseen) counts as unknown
    assert c.loc["seed-flights-diverted", "value"] == int(div["landing_seen"].sum()) == 13
    assert c.loc["seed-flights-diverted", "n_unknown"] == int((~div["landing_seen"].astype(bool)).sum()) == 1
    assert c.loc["seed-flights-delayed", "value"] == len(held) == 9
    ev = report.findings.evidence
    assert set(ev.loc[ev["claim_id"] == "seed-all-four-closed", "kind"]) == {"closure", "run"}


def test_moscow_disruption_tests_are_listed_and_corrected_together(report) -> None:  # type: ignore[no-untyped-def]
    # Every p-value a Moscow verdict rests on is a row of tables/tests.csv: the closure test of each field whose verdict
    # rests on a closure run (p = min(1, N·e^−μ)) and the excess over the baseline weeks of the diversions and holdings.
    f = report.findings
    t = f.tests
    keys = set(zip(t["test"], t["claim_id"], t["event_ids"], strict=True))
    assert {("closure", "vko-restricted-14mar", "UUWW"), ("closure", "dme-restricted-14mar", "UUDD"), ("closure", "zia-restricted-14mar", "UUBW"),
            ("closure", "vko-dme-reopened-14mar", "UUWW"), ("closure", "vko-dme-reopened-14mar", "UUDD"),
            ("baseline_excess", "seed-flights-diverted", "UUBW,UUDD,UUEE,UUWW"),
            ("baseline_excess", "seed-flights-delayed", "UUBW,UUDD,UUEE,UUWW")} <= keys
    assert len(pd.read_csv(report.out_dir / "tables" / "tests.csv")) == len(t) and set(t["n_tests"]) == {len(t)}
    # a closure row's μ is the closure's own expected movements (closures table) and N the field's baseline per day
    st = f.statistics

    def row(test: str, cid: str) -> pd.Series:
        return st[(st["test"] == test) & (st["claim_id"] == cid)].iloc[0]

    vko = row("closure", "vko-restricted-14mar")
    d = f.disruption
    assert vko["expected"] == pytest.approx(float(d.closures.loc[d.closures["airport"] == "UUWW", "expected"].iloc[0]))
    h = d.hourly[d.hourly["airport"] == "UUWW"]["baseline_mean"].dropna()
    assert vko["baseline"] == pytest.approx(24 * h.mean())
    assert vko["p_value"] == pytest.approx(min(1.0, vko["baseline"] * math.exp(-vko["expected"])))
    held = row("baseline_excess", "seed-flights-delayed")
    from scipy import stats

    assert held["observed"] == 9 and held["p_value"] == pytest.approx(stats.poisson.sf(8, held["expected"]))
    # Holm by hand: sort the p-values, multiply the k-th smallest by (n − k + 1), keep the running maximum
    p = t["p_value"].to_numpy(dtype=float)
    order = np.argsort(p, kind="stable")
    holm = np.minimum(1.0, np.maximum.accumulate(p[order] * (len(p) - np.arange(len(p)))))
    assert t["p_adjusted"].to_numpy()[order] == pytest.approx(holm)
    # every verdict that rests on one of them survives the correction and says so
    c = f.claims.set_index("claim_id")
    for cid in ("vko-restricted-14mar", "dme-restricted-14mar", "zia-restricted-14mar", "vko-dme-reopened-14mar", "seed-flights-diverted", "seed-flights-delayed"):
        assert c.loc[cid, "verdict"] == "supported" and f"corrected for the {len(t)} tests run (Holm–Bonferroni)" in c.loc[cid, "reason"], cid


def test_ovda_scenario_still_loads_and_gives_the_same_verdicts(ovda_report) -> None:  # type: ignore[no-untyped-def]
    # The verdicts below are those the code gave before the disruption kinds existed (commit 2c9f7de~1, same seed and
    # fixtures; re-checked by running that tree): adding a scenario kind must not move an Ovda verdict. Two moved with
    # issue 15, each from "contradicted" to "inconclusive" because only absence spoke against it and the data could not
    # have seen what the claim says (docs/verdicts.md, "What the data could have seen"): in this world nothing but the
    # fleet itself is heard low over Ovda, and the fleet is silent for weeks at a time.
    scn = flighttrace.load_scenario(OVDA)
    assert scn.meta.kind == "sorties" and len(scn.claims) == 20
    assert ovda_report.findings.disruption is None
    assert ovda_report.findings.claims.set_index("claim_id")["verdict"].to_dict() == {
        "ap-2023-six-from-baku": "supported", "ap-2023-hours-on-ground": "supported", "ap-2023-back-to-baku-or-ganja": "supported",
        # issue 15: the mean of 10 intervals (3.98 d, 95 % interval 0.96–8.9 d) straddles 2 d and the median is 1.55 d;
        # the 92 cannot be contradicted: nothing but the fleet is ever heard low over Ovda (p_detect 0.005)
        "ap-2023-every-two-days-2020": "inconclusive", "haaretz-2023-92-landings": "inconclusive", "seed-000-92-in-2016-2020": "inconclusive",
        "haaretz-2023-two-hours": "supported", "haaretz-2023-pace-in-fighting": "supported", "soyarmenio-6-in-april-2016": "supported",
        "soyarmenio-20-in-sep-nov-2020": "supported", "soyarmenio-13-in-jul-nov-2021": "supported", "soyarmenio-7-in-aug-sep-2022": "inconclusive",
        "haaretz-2020-four-round-trips": "supported", "haaretz-2016-azaf-two-landings": "inconclusive", "haaretz-2016-azaf-ground-2-3h": "inconclusive",
        "hetq-rises-with-escalation": "supported", "hetq-2023-four-apr-jun": "supported", "soyarmenio-five-aug-sep-2023": "supported",
        "rferl-2024-return-4-sep": "inconclusive", "rferl-2024-about-a-dozen": "inconclusive",
    }


# --------------------------------------------------------------------------- the report


def test_moscow_report_has_its_sections_chart_and_closures_table(report) -> None:  # type: ignore[no-untyped-def]
    html = report.index.read_text()
    for anchor in ('id="claims"', 'id="disruption"', 'id="closures"', 'id="diversions"', 'id="holdings"', 'id="go-arounds"',
                   'id="charts"', 'id="map"', 'id="method"', 'id="limitations"', 'id="manifest"', 'id="detectable"'):
        assert anchor in html, anchor
    assert html.count('<tr id="claim-') == 10
    assert html.count('<tr class="closure">') == 4
    assert "SYNTHETIC DATA." in html
    for name in ("movements_per_hour", "coverage"):
        assert (report.out_dir / "charts" / f"{name}.png").stat().st_size > 10_000
        assert (report.out_dir / "charts" / f"{name}.svg").stat().st_size > 10_000
        assert f'src="charts/{name}.png"' in html
    assert not (report.out_dir / "charts" / "sorties_per_week.png").exists()
    for table in ("closures", "diversions", "holdings", "go_arounds", "disruption_hourly", "movements", "detectable"):
        assert (report.out_dir / "tables" / f"{table}.csv").exists(), table
    # the smallest detectable closure at Sheremetyevo in its busiest hour, as seed-all-four-closed's reason gives it (44 min)
    det = pd.read_csv(report.out_dir / "tables" / "detectable.csv")
    svo = det[det["airport"] == "UUEE"]
    assert len(svo) == 24 and round(svo["smallest_closure_min"].min()) == 44
    assert "UUEE (Sheremetyevo)" in html and "Smallest detectable closure" in html


def test_moscow_evidence_cards_name_files_hashes_and_rows(report) -> None:  # type: ignore[no-untyped-def]
    ev = (report.out_dir / "evidence.html").read_text()
    d = report.findings.disruption
    n = {"closures": len(d.closures), "diversions": len(d.in_focus("diversions")), "holdings": len(d.in_focus("holdings")),
         "go_arounds": len(d.in_focus("go_arounds"))}
    focus = (d.focus_start, d.focus_end)
    assert n == {"closures": len(truth("closures")), "diversions": len(truth_in("diversions", "decision", *focus)),
                 "holdings": len(truth_in("holdings", "start", *focus)), "go_arounds": len(truth_in("go_arounds", "time", *focus))}
    assert n == {"closures": 4, "diversions": 14, "holdings": 9, "go_arounds": 3}
    for section, k in n.items():
        assert ev.count(f'<div class="card {section}"') == k, section
    sha = {i["path"]: i["sha256"] for i in json.loads((report.out_dir / "provenance.json").read_text())["inputs"]}
    for card_id in ("UUWW-closed-2026-03-14T06:19", "H005", d.in_focus("diversions")["leg_id"].iloc[0]):
        card = ev[ev.index(f'id="{card_id}"'):]
        card = card[: card.index("</div>")]
        files = [f for f in sha if f in card]
        assert files and all(sha[f] in card for f in files), card_id
        assert " rows " in card
    # every evidence link on the index page leads to a card
    index = report.index.read_text()
    import re

    for target in set(re.findall(r'href="evidence\.html#([^"]+)"', index)):
        assert f'id="{target}"' in ev, target


def test_moscow_map_shows_holding_circles_and_diverted_tracks(report) -> None:  # type: ignore[no-untyped-def]
    html = report.map.read_text()
    assert report.map.stat().st_size <= 5_000_000
    d = report.findings.disruption
    focus = (d.focus_start, d.focus_end)
    n_div, n_hold, n_ga = (len(truth_in(*a, *focus)) for a in (("diversions", "decision"), ("holdings", "start"), ("go_arounds", "time")))
    assert html.count('"kind": "holding_circle"') == n_hold == 9  # one circle feature per holding in the circles' layer
    assert f"Diverted tracks ({n_div})" in html and f"Holding circles ({n_hold})" in html and f"Go-arounds ({n_ga})" in html
    assert "Diverted tracks (14)" in html and "Holding circles (9)" in html and "Go-arounds (3)" in html
    assert "SYNTHETIC DATA" in html
    assert report.maps_copy is not None and report.maps_copy.read_bytes() == report.map.read_bytes()
    gj = json.loads((report.out_dir / "legs.geojson").read_text())
    assert 20 <= len(gj["features"]) <= 60  # the legs behind the findings, not every flight


def test_moscow_report_is_reproduced_byte_for_byte(report) -> None:  # type: ignore[no-untyped-def]
    assert verify_report(report.out_dir) == []


@pytest.mark.browser
def test_moscow_map_and_report_render_in_a_browser(report, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import functools
    import http.server
    import threading

    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, _open

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(report.out_dir))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page, errors = _open(b, url + "/map.html")
            page.wait_for_selector("path.leaflet-interactive", state="attached", timeout=30_000)
            # tracks, dashed gaps, unseen ends, 9 holding circles and the airports are all vector paths
            assert page.locator("path.leaflet-interactive").count() >= 9 + 14
            assert page.locator(".leaflet-control-layers").count() == 1
            page.screenshot(path=str(tmp_path / "moscow-map.png"))
            assert errors == [], errors
            page.close()
            page, errors = _open(b, url + "/index.html")
            widths = page.evaluate("() => Array.from(document.querySelectorAll('figure img')).map(i => i.naturalWidth)")
            assert len(widths) == 2 and all(w > 100 for w in widths), widths
            page.frame_locator("iframe.map").locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
            assert errors == [], errors
            page.close()
            b.close()
    finally:
        srv.shutdown()
