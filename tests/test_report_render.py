"""The evidence page's list of what each claim counted (:func:`flighttrace.report.render.evidence_by_claim`)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from flighttrace.report.render import evidence_by_claim


def test_each_claim_lists_its_own_items_in_the_evidence_tables_order() -> None:
    claims = pd.DataFrame({"claim_id": ["C2", "C1", "C3"], "verdict": ["supported", "contradicted", "inconclusive"],
                           "statement": ["two", "one", None]})
    evidence = pd.DataFrame({
        "claim_id": ["C1", "C2", "C1", "C9", "C2"],  # interleaved; C9 is no claim of the table; C3 has no item
        "item_id": ["S1", "L7", "S3", "S4", "L8"],
        "grade": ["observed", None, "inferred", "observed", "bridged"],
        "kind": ["sortie", "leg", "sortie", "sortie", "leg"],
        "time": pd.to_datetime(["2023-10-03 08:15", "2023-10-04 09:00", None, "2023-10-05 00:00", "2023-10-06 12:30"], utc=True),
        "airport": [None] * 5,
        "detail": ["a", "b", None, "d", "e"],
    })
    run = SimpleNamespace(findings=SimpleNamespace(claims=claims, evidence=evidence), scn=None)
    out = evidence_by_claim(run, {"S1": "evidence.html#S1", "L8": "evidence.html#L8"})  # type: ignore[arg-type]
    assert [(c["claim_id"], c["verdict"], c["statement"]) for c in out] == [("C2", "supported", "two"), ("C1", "contradicted", "one"),
                                                                            ("C3", "inconclusive", "—")]  # a missing statement: a dash
    assert [[i["id"] for i in c["items"]] for c in out] == [["L7", "L8"], ["S1", "S3"], []]
    c2, c1 = out[0]["items"], out[1]["items"]
    assert [i["href"] for i in c2] == ["", "#L8"] and [i["href"] for i in c1] == ["#S1", ""]
    assert [i["grade"] for i in c2] == ["unknown", "bridged"] and c1[1]["detail"] == "" and c1[0]["airport"] == ""
    assert c1[0]["time"] == "2023-10-03 08:15 UTC" and c2[1]["time"] == "2023-10-06 12:30 UTC"


def test_uncovered_spans_of_a_window_in_utc_over_days_of_the_report_zone() -> None:
    from flighttrace.report.summary import uncovered_spans

    baku = "Asia/Baku"  # UTC+4: the table's first day begins at 20:00 UTC the day before
    cov = pd.DataFrame({"date": pd.date_range("2023-09-02", periods=5, freq="D", tz=baku), "covered": [True, False, True, True, True]})
    start, end = pd.Timestamp("2023-09-01", tz="UTC"), pd.Timestamp("2023-09-10", tz="UTC")
    day = [pd.Timestamp(f"2023-09-0{d}", tz=baku) for d in range(2, 8)]
    # before the table, the one uncovered day (3 September in Baku), after the table
    assert uncovered_spans(cov, start, end) == [(start, day[0]), (day[1], day[2]), (day[5], end)]
    # a window inside the covered days has none; an empty table leaves the whole window uncovered
    assert uncovered_spans(cov, day[2], day[4]) == []
    assert uncovered_spans(cov.iloc[:0], start, end) == [(start, end)]


def test_the_coverage_caveat_counts_days_and_speaks_of_one_day_as_one() -> None:
    from flighttrace.report.summary import coverage_caveat

    def cov(covered: list[bool]) -> pd.DataFrame:
        return pd.DataFrame({"date": pd.date_range("2023-07-01", periods=len(covered), freq="D", tz="Asia/Baku"), "covered": covered})

    assert coverage_caveat(cov([True])) == "The one day of the inputs, 2023-07-01, has data."
    assert coverage_caveat(cov([True, True, True])) == "Every one of the 3 days from 2023-07-01 to 2023-07-03 has data."
    assert coverage_caveat(cov([True, False, True, True])).startswith("1 of 4 days from 2023-07-01 to 2023-07-04 (25")
    assert coverage_caveat(cov([])) == "No day of the period has data."
