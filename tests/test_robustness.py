"""The robustness panel on the hand-built world of test_claims (its table: S1 2 Jan 2 h, S2 4 Jan 3 h, S3 6 Jan 4 h
inferred, S4 8 Jan bridged, an unknown end on 12 Jan)."""

from __future__ import annotations

import pandas as pd
import pytest

from flighttrace.claims import VerdictRules
from tests.test_claims import FEB_MAR, RR_TEST, _busy_world, _cov_feb_mar, claim, run

AT_LEAST_3 = {"kind": "count_at_least", "value": 3}


def _row(f, cid):  # type: ignore[no-untyped-def]
    return f.claims.set_index("claim_id").loc[cid]


def test_a_window_edge_two_days_later_flips_a_count_and_is_named() -> None:
    # 1–8 Jan (8 days, so edges move min(2 d, ¼ × 8 d) = 2 d): S1, S2, S3 strong → 3 ≥ 3, supported.
    # Start 2 d later (3 Jan): S2, S3 strong + S4 bridged → 3 only with the bridged one → inconclusive.
    # Start earlier, end earlier (7 Jan) or later (11 Jan) keep S1–S3: supported.
    # 1–15 Jan, at least 1: every change keeps at least one strong landing → solid.
    f = run(claim("edge", AT_LEAST_3, window={"start": "2023-01-01", "end": "2023-01-08"}),
            claim("solid", {"kind": "count_at_least", "value": 1}))
    edge, solid = _row(f, "edge"), _row(f, "solid")
    assert edge["verdict"] == "supported" and edge["robustness"] == "fragile"
    assert edge["fragile_because"] == "window start moved 2 d later → inconclusive"
    assert solid["robustness"] == "solid" and solid["fragile_because"] == ""
    panel = f.robustness[f.robustness["claim_id"] == "edge"].set_index("variant")
    assert panel["verdict"].to_dict() == {"start earlier": "supported", "start later": "inconclusive", "end earlier": "supported", "end later": "supported"}
    assert list(f.robustness.columns) == ["claim_id", "variant", "change", "verdict", "original", "flips"]


def test_band_edge_and_leave_one_out_flip_a_median_at_its_edge() -> None:
    # exact stays 2, 3 and 4 h: median 3 h in [1 h, 3 h] → supported, on the edge.
    # max 3 h → 2.7 h: 3 > 2.7 → contradicted; max → 3.3 h, min → 0.9 h or 1.1 h: supported.
    # without the lowest (2 h): median 3.5 h → contradicted; without the middle: (2 + 4)/2 = 3 h, without the highest:
    # 2.5 h → supported.
    # (min_stays=2: with the default of 3, leaving any of the three out leaves too few stays to judge a median)
    gt = {"kind": "ground_time", "airport": "LLOV", "min": "1h", "max": "3h", "statistic": "median"}
    f = run(claim("gt", gt, {"unit": "sorties", "fleet": "fleet", "route": "r"}), rules=VerdictRules(min_stays=2))
    row = _row(f, "gt")
    assert row["verdict"] == "supported" and row["robustness"] == "fragile"
    flips = row["fragile_because"].split("; ")
    assert "max 3 h → 2.7 h → contradicted" in flips
    assert any(x.endswith("(2.00 h, the lowest exact stay) → contradicted") for x in flips)
    assert not any("3.3 h" in x or "0.9 h" in x or "1.1 h" in x or "the middle" in x or "the highest" in x for x in flips)
    panel = f.robustness[f.robustness["claim_id"] == "gt"].set_index("variant")["verdict"]
    assert (panel["band max up"], panel["band min down"], panel["band min up"]) == ("supported",) * 3
    assert (panel["without the middle stay"], panel["without the highest stay"]) == ("supported", "supported")


def test_other_lead_lag_windows_are_tried_for_a_rate_ratio() -> None:
    # The busy world: 2 landings a day on 18–22 Feb, one every 5th day from 1 Feb otherwise; supported with lead and
    # lag 2 d. With the pair 60 d / 30 d the event's window [20 Feb − 60 d, 21 Feb + 30 d) covers the whole claim
    # window (1 Feb – 12 Mar): no covered day outside, no ratio → inconclusive, and named.
    f = run(claim("rr", RR_TEST, window=FEB_MAR), legs=_busy_world(2, 5), cov=_cov_feb_mar())
    row = _row(f, "rr")
    assert row["verdict"] == "supported" and row["robustness"] == "fragile"
    assert "event windows start − 60d … end + 30d (instead of − 2 d … + 2 d) → inconclusive" in row["fragile_because"]
    variants = set(f.robustness.loc[f.robustness["claim_id"] == "rr", "variant"])
    assert {"lead shorter", "lead longer", "lag shorter", "lag longer", "lead/lag 0d/0d", "lead/lag 15d/7d", "lead/lag 30d/15d",
            "lead/lag 60d/30d", "band min_ratio down", "band min_ratio up"} == variants


def test_the_panel_can_be_switched_off() -> None:
    f = run(claim("edge", AT_LEAST_3), rules=VerdictRules(robustness=False))
    assert len(f.robustness) == 0 and _row(f, "edge")["robustness"] == "not run"


def test_the_panel_s_verdict_only_rules_give_the_full_rules_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The world's landings at LLOV hold bridged and unnamed ends, so every branch of the count rules is met by some
    # change; the rate ratio's changes move its windows. With the kind's verdict-only rules taken away the panel runs
    # the full rules: the same table must come out.
    from flighttrace.kinds.sorties import claims as sorties_claims

    counts = [claim("least", AT_LEAST_3), claim("most", {"kind": "count_at_most", "value": 4}),
              claim("between", {"kind": "count_between", "min": 3, "max": 4}, window={"start": "2023-01-01", "end": "2023-01-10"})]
    rr = [claim("rr", RR_TEST, window=FEB_MAR), claim("rr-high", {**RR_TEST, "min_ratio": 8.0}, window=FEB_MAR)]
    fast = [run(*counts).robustness, run(*rr, legs=_busy_world(2, 5), cov=_cov_feb_mar()).robustness]
    monkeypatch.setattr(sorties_claims, "VERDICT_RULES", {})
    full = [run(*counts).robustness, run(*rr, legs=_busy_world(2, 5), cov=_cov_feb_mar()).robustness]
    for a, b in zip(fast, full, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert set(fast[0]["verdict"]) >= {"supported", "inconclusive"} and len(fast[1]) == 20


def test_a_window_is_built_once_per_subject_test_and_span() -> None:
    # A band moved leaves the claim's gates and fleet alone: the window (its days and detection) is the one built
    # for the claim; another subject gets its own. 1–8 Jan: 7 days, every one covered.
    from flighttrace.claims.context import Context
    from flighttrace.claims.robustness import window_of
    from tests.test_claims import WORLD, coverage_jan, scenario

    scn = scenario(claim("c", AT_LEAST_3), claim("d", AT_LEAST_3, {"unit": "landings", "fleet": "fleet", "airport": "UBBB"}))
    ctx = Context(scn, WORLD, coverage_jan(), VerdictRules(), assumed=False)
    c, d = scn.claims
    s, e = pd.Timestamp("2023-01-01", tz="UTC"), pd.Timestamp("2023-01-08", tz="UTC")
    own = window_of(ctx, c, s, e, record=True)
    assert (own.days, own.uncovered, own.uncovered_text) == (7.0, 0.0, "")
    moved = c.model_copy(update={"test": c.test.model_copy(update={"value": 4})})
    assert window_of(ctx, moved, s, e) is own
    assert window_of(ctx, d, s, e) is not own and window_of(ctx, d, s, e).detect.gates != own.detect.gates
