"""Every test run is listed, and corrected for their number (checked by hand on four p-values)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from flighttrace.claims import multiplicity as mt
from flighttrace.claims.findings import STATISTICS_COLUMNS
from tests.test_claims import FEB_MAR, RR_TEST, _busy_world, _cov_feb_mar, claim, run


def _stats(p: list[float], claims: list[str] | None = None) -> pd.DataFrame:
    rows = [{c: math.nan for c in STATISTICS_COLUMNS} | {"test": "rate_ratio", "claim_id": cid, "event_ids": "ev", "p_value": x, "note": ""}
            for x, cid in zip(p, claims or [""] * len(p), strict=False)]
    return pd.DataFrame(rows, columns=list(STATISTICS_COLUMNS))


def test_holm_by_hand_on_four_p_values() -> None:
    # p = 0.01, 0.04, 0.03, 0.005. Holm: sort 0.005, 0.01, 0.03, 0.04 and multiply by 4, 3, 2, 1:
    # 0.02, 0.03, 0.06, 0.04 → running maximum 0.02, 0.03, 0.06, 0.06; back in the original order:
    st = mt.adjust(_stats([0.01, 0.04, 0.03, 0.005]), method="holm")
    assert st["p_adjusted"].tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert set(st["adjust_method"]) == {"Holm–Bonferroni"}


def test_holm_caps_at_one_and_gives_ties_one_value() -> None:
    # p = 0.5, 0.2, 0.2, 0.9: sorted 0.2, 0.2, 0.5, 0.9 times 4, 3, 2, 1 = 0.8, 0.6, 1.0, 0.9; running maximum
    # 0.8, 0.8, 1.0, 1.0 (at most 1); back in the original order 1.0, 0.8, 0.8, 1.0.
    assert mt.holm(np.array([0.5, 0.2, 0.2, 0.9])).tolist() == pytest.approx([1.0, 0.8, 0.8, 1.0])
    # 0.7 and 0.8: 1.4 → 1, and the larger p may not come out lower
    assert mt.holm(np.array([0.8, 0.7])).tolist() == [1.0, 1.0]
    assert mt.holm(np.array([0.03])).tolist() == [0.03]


def test_benjamini_hochberg_by_hand_and_rows_without_p() -> None:
    # BH: sorted 0.005, 0.01, 0.03, 0.04 times 4/1, 4/2, 4/3, 4/4 = 0.02, 0.02, 0.04, 0.04, then the running minimum
    # from the top: 0.02, 0.02, 0.04, 0.04. A fifth row without a p-value is not a test: it is neither counted nor adjusted.
    st = mt.adjust(_stats([0.01, 0.04, 0.03, 0.005, math.nan]), method="fdr_bh")
    assert st["p_adjusted"].tolist()[:4] == pytest.approx([0.02, 0.04, 0.04, 0.02])
    assert math.isnan(st["p_adjusted"].iloc[4]) and pd.isna(st["adjust_method"].iloc[4])
    t = mt.tests_table(st)
    assert len(t) == 4 and set(t["n_tests"]) == {4} and t["significant"].tolist() == [True, True, True, True]
    with pytest.raises(ValueError, match="unknown multiplicity correction"):
        mt.adjust(_stats([0.5]), method="sidak-ish")


def test_a_claim_keeps_its_verdict_only_if_its_test_survives() -> None:
    st = mt.adjust(_stats([0.01, 0.04, 0.03, 0.005], ["a", "b", "", ""]), method="holm")  # a → 0.03, b → 0.06
    claims = pd.DataFrame({"claim_id": ["a", "b", "c"], "verdict": ["supported", "supported", "supported"], "reason": ["ra", "rb", "rc"]})
    out = mt.enforce(claims, st)
    assert out["verdict"].tolist() == ["supported", "inconclusive", "supported"]
    assert out["reason"].iloc[0] == "ra; p = 0.01; corrected for the 4 tests run (Holm–Bonferroni): 0.03"
    assert out["reason"].iloc[1].startswith("rb; supported on its own, but not after the correction (p = 0.04; ")
    assert out["reason"].iloc[2] == "rc"  # no test of its own


def test_evaluate_lists_every_test_and_names_the_correction() -> None:
    # the rate-ratio claim of test_claims (RR 10, exact p of 10 of 17 at p0 = 5/40) and the scenario-wide rate ratio
    # of the same landings: two tests, Holm doubles the smaller p
    f = run(claim("rr", RR_TEST, window=FEB_MAR), legs=_busy_world(2, 5), cov=_cov_feb_mar())
    t = f.tests.set_index(["test", "claim_id"])
    assert set(t.index) == {("rate_ratio", "rr"), ("rate_ratio", "")}
    assert set(f.tests["method"]) == {"Holm–Bonferroni"} and set(f.tests["n_tests"]) == {2}
    p = np.sort(f.tests["p_value"].to_numpy())
    assert np.sort(f.tests["p_adjusted"].to_numpy()) == pytest.approx([2 * p[0], max(2 * p[0], p[1])])
    assert f.claims.iloc[0]["verdict"] == "supported" and "corrected for the 2 tests run (Holm–Bonferroni)" in f.claims.iloc[0]["reason"]
    assert "tests" in f.tables()


def test_the_disruption_tests_are_corrected_with_the_others_and_a_closure_needs_each_field() -> None:
    # a closure claim resting on two fields (p 0.001 at UUWW, 0.03 at UUDD), a holding count's excess over the baseline
    # weeks (0.004) and a scenario-wide test (0.5). Holm over the 4: sorted 0.001, 0.004, 0.03, 0.5 times 4, 3, 2, 1 =
    # 0.004, 0.012, 0.06, 0.5 (already increasing). UUDD's 0.06 ≥ 0.05: the closure claim is no longer supported;
    # the holding claim (0.012) keeps its verdict.
    st = _stats([0.001, 0.03, 0.004, 0.5], ["two", "two", "held", ""])
    st["test"] = ["closure", "closure", "baseline_excess", "rate_ratio"]
    st["event_ids"] = ["UUWW", "UUDD", "UUWW", "ev"]
    st["expected"], st["baseline"], st["observed"], st["n0"] = [11.9, 9.5, 1.0, 0.0], [82.0, 87.0, 1.0, 0.0], [0, 0, 5, 0], [0, 0, 4, 0]
    st = mt.adjust(st)
    assert st["p_adjusted"].tolist() == pytest.approx([0.004, 0.06, 0.012, 0.5])
    claims = pd.DataFrame({"claim_id": ["two", "held"], "verdict": ["supported", "supported"], "reason": ["r2", "rh"],
                           "plain": ["Seen: closed.", "Seen: 9 holdings."]})
    out = mt.enforce(claims, st).set_index("claim_id")
    assert out["verdict"].to_dict() == {"two": "inconclusive", "held": "supported"}
    assert out.loc["two", "reason"] == ("r2; supported on its own, but not after the correction (p = UUWW 0.001, UUDD 0.03; corrected for "
                                        "the 4 tests run (Holm–Bonferroni): UUWW 0.004, UUDD 0.06 ≥ 0.05)")
    assert out.loc["two", "plain"].startswith("Not decided: supported on its own, but not once the 4 tests run are allowed for")
    assert out.loc["held", "reason"] == "rh; p = 0.004; corrected for the 4 tests run (Holm–Bonferroni): 0.012"
    assert out.loc["held", "plain"] == "Seen: 9 holdings."
    t = mt.tests_table(st)
    assert t["statistic"].tolist()[:3] == ["UUWW: no movement where 11.9 were expected (82 a day)", "UUDD: no movement where 9.5 were expected (87 a day)",
                                           "5 seen vs 1 on ordinary days (4 baseline weeks)"]


def test_holm_equals_statsmodels_holm_on_random_sets() -> None:
    # statsmodels' multipletests is the reference implementation the numpy one replaces (it runs a full
    # garbage collection per call); on random sets, with ties and values near 1, the two agree exactly.
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(7)
    for m in (1, 2, 3, 5, 10, 40):
        for _ in range(50):
            p = rng.choice([rng.uniform(0, 1), 0.05, 0.5], size=m) if m > 2 else rng.uniform(0, 1, size=m)
            p = np.where(rng.uniform(size=m) < 0.5, rng.uniform(0, 1, size=m), p)
            expected = multipletests(p, method="holm")[1]
            assert mt.holm(p).tolist() == expected.tolist()
