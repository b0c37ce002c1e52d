"""Claim verdicts on hand-built legs, every answer worked out by hand in the comments.

The hand-built world (January 2023, UTC; fleet = 600864 and 600865):

====  =======  ===========================================  =========================
day   hex      legs                                         what it is
====  =======  ===========================================  =========================
2     600864   UBBB→LLOV 06–10 obs, LLOV→UBBB 12–16         sortie S1, 2 h on the ground
2     4b8100   UBBB→LLOV 08–12                              not in the fleet
3     600865   UBBB→LTAC 06–10, LTAC→UBBB 12–16             elsewhere
4     600864   UBBB→LLOV 06–10 obs, LLOV→UBBG 13–17         sortie S2, 3 h
6     600864   UBBG→LLOV 06–10 *inferred*, LLOV→UBBB 14–18  sortie S3, 4 h
8     600864   UBBB→LLOV 06– *bridged* (seen at LLOV 12:00),
               LLOV→UBBB 12–16                              sortie S4, ≥ 3 h (lower bound)
12    600864   UBBB→(no field named) 06–09                  unknown end
16    600865   UBBB→LLOV 06–10, LLOV→LTAC 12– *bridged*     departure with a bridged destination
1–31  600865   UBBB→UBBN 00–01, UBBN→UBBB 22–23 every day   a daily shuttle: the fleet is heard
====  =======  ===========================================  =========================

The daily shuttle shows that the fleet's transponders were on all month, so a
shortfall can be a contradiction; ``QUIET`` is the same world without it, where
the fleet falls silent for days (8–12 Jan, 12–16 Jan, after 16 Jan) and could
have flown unheard: nothing can be concluded from absence there.

Coverage: every day of January is covered except 20 January.
Landings at LLOV by the fleet, 1–15 Jan: strong s = 3 (S1, S2 observed; S3 inferred),
bridged b = 1 (S4), unknown end u = 1 (12 Jan).
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.claims import VERDICTS, Findings, VerdictRules, evaluate
from flighttrace.claims import coverage as cv
from flighttrace.claims.context import ASSUMED
from flighttrace.claims.findings import CLAIMS_COLUMNS, EVIDENCE_COLUMNS
from flighttrace.kinds.sorties import stats as an
from flighttrace.scenario import parse_scenario

BASE: dict[str, Any] = {
    "meta": {
        "title": "hand-built",
        "summary": "tiny world for verdict tests",
        "sources": [{"id": "src", "outlet": "tests", "title": "t", "url": "https://example.org/", "access": "original", "confidence": "estimate"}],
    },
    "fleet": {
        "selectors": [
            {"id": "fleet", "hexes": ["600864", "600865"]},
            {"id": "other", "role": "distractor", "hexes": ["4b8100"]},
        ]
    },
    "airports": {"codes": ["LLOV", "UBBB", "UBBG", "UBBN", "LTAC"], "groups": {"azerbaijan": ["UBBB", "UBBG", "UBBN"]}},
    "events": [
        {"id": "ev", "name": "clash", "kind": "clash", "start": "2023-02-20", "end": "2023-02-20"},
        {"id": "calm", "name": "calm", "kind": "other", "start": "2023-03-01", "end": "2023-03-01"},
    ],
    "routes": [
        {"id": "r", "sequence": ["azerbaijan", "LLOV", "azerbaijan"], "max_ground_time": "12h"},
        {"id": "two-stops", "sequence": ["UBBB", "LLOV"], "max_ground_time": "12h"},
    ],
}

JAN = {"start": "2023-01-01", "end": "2023-01-15"}
LANDINGS = {"unit": "landings", "fleet": "fleet", "airport": "LLOV"}


def claim(cid: str, test: dict[str, Any], subject: dict[str, Any] | None = None, window: dict[str, Any] | None = None, record: str = "published") -> dict[str, Any]:
    return {"id": cid, "statement": cid, "source": "src", "record": record, "window": window or JAN, "subject": subject or LANDINGS, "test": test}


def scenario(*claims: dict[str, Any]) -> Any:
    raw = copy.deepcopy(BASE)
    raw["claims"] = list(claims)
    return parse_scenario(raw)


def T(text: str | None) -> pd.Timestamp:
    return pd.NaT if text is None else pd.Timestamp(text, tz="UTC")


def leg(icao: str, origin: str | None, dest: str | None, off: str, on: str, *, og: str = "observed", dg: str = "observed") -> dict[str, Any]:
    """One leg; a bridged end has no time (its bound is the given time), an unknown end no field."""
    t_off, t_on = T(off), T(on)
    row = {
        "leg_id": f"{icao}-{t_off:%Y%m%dT%H%M%SZ}",
        "icao24": icao, "registration": None, "typecode": "IL76", "callsign": "AZQ1",
        "first_seen": t_off, "last_seen": t_on,
        "origin": origin, "takeoff_time": t_off, "origin_evidence": og, "origin_reason": f"{og} at {origin}",
        "destination": dest, "landing_time": t_on, "destination_evidence": dg, "destination_reason": f"{dg} at {dest}",
        "takeoff_time_earliest": pd.NaT, "landing_time_latest": pd.NaT, "n_points": 100,
        "lineage": f"data/{icao}.csv:{t_off:%d%H}-{t_on:%d%H}",
    }
    if dg == "bridged":
        row.update(landing_time=pd.NaT, landing_time_latest=t_on, last_seen=t_on - pd.Timedelta(hours=3))
    if dg == "unknown":
        row.update(destination=None, landing_time=pd.NaT, destination_reason="track lost at cruise")
    if og == "bridged":
        row.update(takeoff_time=pd.NaT, takeoff_time_earliest=t_off, first_seen=t_off + pd.Timedelta(hours=1))
    return row


def legs_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    for c in ("first_seen", "last_seen", "takeoff_time", "landing_time", "takeoff_time_earliest", "landing_time_latest"):
        df[c] = pd.to_datetime(df[c], utc=True).astype("datetime64[ns, UTC]")
    return df.sort_values(["icao24", "first_seen"], kind="stable").reset_index(drop=True)


QUIET_ROWS = (
    [
        leg("600864", "UBBB", "LLOV", "2023-01-02T06:00", "2023-01-02T10:00"),
        leg("600864", "LLOV", "UBBB", "2023-01-02T12:00", "2023-01-02T16:00"),
        leg("4b8100", "UBBB", "LLOV", "2023-01-02T08:00", "2023-01-02T12:00"),
        leg("600865", "UBBB", "LTAC", "2023-01-03T06:00", "2023-01-03T10:00"),
        leg("600865", "LTAC", "UBBB", "2023-01-03T12:00", "2023-01-03T16:00"),
        leg("600864", "UBBB", "LLOV", "2023-01-04T06:00", "2023-01-04T10:00"),
        leg("600864", "LLOV", "UBBG", "2023-01-04T13:00", "2023-01-04T17:00"),
        leg("600864", "UBBG", "LLOV", "2023-01-06T06:00", "2023-01-06T10:00", dg="inferred"),
        leg("600864", "LLOV", "UBBB", "2023-01-06T14:00", "2023-01-06T18:00"),
        leg("600864", "UBBB", "LLOV", "2023-01-08T06:00", "2023-01-08T12:00", dg="bridged"),
        leg("600864", "LLOV", "UBBB", "2023-01-08T12:00", "2023-01-08T16:00"),
        leg("600864", "UBBB", None, "2023-01-12T06:00", "2023-01-12T09:00", dg="unknown"),
        leg("600865", "UBBB", "LLOV", "2023-01-16T06:00", "2023-01-16T10:00"),
        leg("600865", "LLOV", "LTAC", "2023-01-16T12:00", "2023-01-16T16:00", dg="bridged"),
    ]
)
SHUTTLE_ROWS = [
    r for d in range(1, 32)
    for r in (leg("600865", "UBBB", "UBBN", f"2023-01-{d:02d}T00:00", f"2023-01-{d:02d}T01:00"), leg("600865", "UBBN", "UBBB", f"2023-01-{d:02d}T22:00", f"2023-01-{d:02d}T23:00"))
]
QUIET = legs_frame(QUIET_ROWS)
WORLD = legs_frame(QUIET_ROWS + SHUTTLE_ROWS)


def coverage_jan(uncovered: tuple[int, ...] = (20,)) -> pd.DataFrame:
    n = 31
    cov = np.array([d + 1 not in uncovered for d in range(n)])
    return pd.DataFrame(
        {
            "date": pd.date_range("2023-01-01", periods=n, tz="UTC").as_unit("ns"),
            "has_file": np.ones(n, dtype=bool),
            "n_points": cov.astype(np.int64) * 50,
            "n_aircraft": cov.astype(np.int64),
            "covered": cov,
            "reason": np.where(cov, "", "no traffic in the region"),
            "tz": ["UTC"] * n,
        }
    )


def run(*claims: dict[str, Any], legs: pd.DataFrame = WORLD, cov: pd.DataFrame | None = None, **kw: Any) -> Findings:
    return evaluate(legs, scenario(*claims), coverage=coverage_jan() if cov is None else cov, **kw)


def verdicts(f: Findings) -> dict[str, tuple[str, str]]:
    return {r.claim_id: (r.verdict, r.reason) for r in f.claims.itertuples()}


# ---------------------------------------------------------------------------------------
# counts


def test_count_at_least_every_branch() -> None:
    f = run(
        claim("al3", {"kind": "count_at_least", "value": 3}),  # s = 3 ≥ 3
        claim("al4", {"kind": "count_at_least", "value": 4}),  # s + b = 4: only with the bridged one
        claim("al5", {"kind": "count_at_least", "value": 5}),  # s + b + u = 5: only with the unknown end
        claim("al6", {"kind": "count_at_least", "value": 6}),  # 5 < 6 and 1–15 Jan fully covered
        claim("gap", {"kind": "count_at_least", "value": 1}, window={"start": "2023-01-17", "end": "2023-01-25"}),  # 0 found, 20 Jan uncovered
        claim("nogap", {"kind": "count_at_least", "value": 1}, window={"start": "2023-01-21", "end": "2023-01-25"}),  # 0 found, covered
    )
    v = verdicts(f)
    assert v["al3"][0] == "supported" and "3 with observed or inferred evidence ≥ 3" in v["al3"][1]
    assert v["al4"][0] == "inconclusive" and "only with 1 bridged" in v["al4"][1]
    assert v["al5"][0] == "inconclusive" and "1 fleet leg in the window ends at no named field" in v["al5"][1]
    assert v["al6"][0] == "contradicted" and "fully covered" in v["al6"][1]
    assert v["gap"][0] == "inconclusive" and "2023-01-20 (1 day: no traffic in the region)" in v["gap"][1]
    assert v["nogap"][0] == "contradicted"
    row = f.claims.set_index("claim_id").loc["al3"]
    # S1, S2 observed; S3 inferred; S4 bridged; 12 Jan unknown end; 4b8100 is not in the fleet
    assert (row["n_observed"], row["n_inferred"], row["n_bridged"], row["n_unknown"]) == (2, 1, 1, 1)
    assert row["value"] == 3.0 and row["expected"] == "at least 3"
    assert row["days_in_window"] == 15.0 and row["days_uncovered"] == 0.0
    gap = f.claims.set_index("claim_id").loc["gap"]
    assert gap["days_in_window"] == 9.0 and gap["days_uncovered"] == 1.0


def test_count_at_most_and_between() -> None:
    f = run(
        claim("am2", {"kind": "count_at_most", "value": 2}),  # s = 3 > 2
        claim("am4", {"kind": "count_at_most", "value": 4}),  # s ≤ 4 but s + b + u = 5 > 4
        claim("am5", {"kind": "count_at_most", "value": 5}),  # 5 ≤ 5, fully covered
        claim("am5gap", {"kind": "count_at_most", "value": 5}, window={"start": "2023-01-01", "end": "2023-01-25"}),  # 20 Jan could hold more
        claim("b35", {"kind": "count_between", "min": 3, "max": 5}),  # both halves supported
        claim("b46", {"kind": "count_between", "min": 4, "max": 6}),  # 4 only with the bridged one
        claim("b02", {"kind": "count_between", "min": 0, "max": 2}),  # too many
    )
    v = verdicts(f)
    # am5gap window 1–25 Jan also holds the 16 Jan landing (s = 4, b = 1, u = 1 → 6 > 5)
    assert {k: x[0] for k, x in v.items()} == {
        "am2": "contradicted", "am4": "inconclusive", "am5": "supported", "am5gap": "inconclusive",
        "b35": "supported", "b46": "inconclusive", "b02": "contradicted",
    }
    assert "3 with observed or inferred evidence > 2" in v["am2"][1]


def test_from_and_to_restrict_the_other_end() -> None:
    f = run(
        # from UBBB: S1, S2 (strong), S4 (bridged); S3 came from UBBG; the 12 Jan leg from UBBB ends nowhere named
        claim("from2", {"kind": "count_at_least", "value": 2}, {**LANDINGS, "from": "UBBB"}),
        claim("from3", {"kind": "count_at_least", "value": 3}, {**LANDINGS, "from": "UBBB"}),
        # departures from LLOV to UBBB: S1, S3, S4 return legs (S2 went to UBBG) → 3
        claim("to3", {"kind": "count_between", "min": 3, "max": 3}, {"unit": "departures", "fleet": "fleet", "airport": "LLOV", "to": "UBBB"}),
        # legs of the fleet touching LTAC in January: two of 600865 (3 Jan) and its 16 Jan return (bridged)
        claim("legs", {"kind": "count_at_least", "value": 2}, {"unit": "legs", "fleet": "fleet", "airport": "LTAC"}, window={"start": "2023-01-01", "end": "2023-01-31"}),
    )
    v = verdicts(f)
    assert v["from2"][0] == "supported"
    assert v["from3"][0] == "inconclusive" and "bridged" in v["from3"][1]
    assert v["to3"][0] == "supported"
    assert v["legs"][0] == "supported"
    ev = f.evidence[f.evidence["claim_id"] == "from2"]
    assert set(ev.loc[ev["grade"] == "observed", "item_id"]) == {"600864-20230102T060000Z", "600864-20230104T060000Z"}


def test_sorties_count_and_fleet_selector() -> None:
    subj = {"unit": "sorties", "fleet": "fleet", "route": "r"}
    f = run(
        claim("s3", {"kind": "count_at_least", "value": 3}, subj),  # S1, S2 observed, S3 inferred
        claim("s5", {"kind": "count_at_least", "value": 5}, subj),  # + S4 bridged + the unknown-end leg = 5
        claim("s6", {"kind": "count_at_least", "value": 6}, subj),  # impossible → contradicted
        claim("other", {"kind": "count_at_least", "value": 1}, {"unit": "landings", "fleet": "other", "airport": "LLOV"}),  # 4b8100's landing
    )
    v = verdicts(f)
    assert v["s3"][0] == "supported" and v["s5"][0] == "inconclusive" and v["s6"][0] == "contradicted"
    assert v["other"][0] == "supported"
    ev = f.evidence[f.evidence["claim_id"] == "s3"]
    sorties = ev[ev["kind"] == "sortie"]
    assert sorties["item_id"].tolist() == ["r-001", "r-002", "r-003", "r-004"]
    # each sortie names its two legs and their input rows
    assert sorties["legs"].iloc[0] == "600864-20230102T060000Z;600864-20230102T120000Z"
    assert sorties["lineage"].iloc[0] == "data/600864.csv:0206-0210; data/600864.csv:0212-0216"
    assert ev.loc[ev["kind"] == "leg", "grade"].tolist() == ["unknown"]


# ---------------------------------------------------------------------------------------
# ground time, destinations, intervals


def test_ground_time_rules() -> None:
    subj = {"unit": "sorties", "fleet": "fleet", "route": "r"}
    f = run(
        # exact stays 2 h, 3 h, 4 h (S4 is a lower bound of 3 h) → median 3 h
        claim("med-in", {"kind": "ground_time", "airport": "LLOV", "min": "2h", "max": "4h", "statistic": "median"}, subj),
        claim("med-out", {"kind": "ground_time", "airport": "LLOV", "min": "1h", "max": "2h30min", "statistic": "median"}, subj),
        claim("mean", {"kind": "ground_time", "airport": "LLOV", "min": "2h59min", "max": "3h1min", "statistic": "mean"}, subj),
        # each: all exact ones inside [2h, 4h] but S4 has only a lower bound → inconclusive
        claim("each-lb", {"kind": "ground_time", "airport": "LLOV", "min": "2h", "max": "4h", "statistic": "each"}, subj),
        # each: S3's 4 h is outside [2h, 3h30min] → contradicted
        claim("each-out", {"kind": "ground_time", "airport": "LLOV", "min": "2h", "max": "3h30min", "statistic": "each"}, subj),
        # only S4 on 8 Jan: a lower bound of 3 h; [1h, 2h] is already exceeded by it, but one stay cannot decide a
        # median (VerdictRules.min_stays = 3); [2h, 4h] cannot be decided either
        claim("lb-over", {"kind": "ground_time", "airport": "LLOV", "max": "2h"}, subj, window={"start": "2023-01-08", "end": "2023-01-08"}),
        claim("lb-only", {"kind": "ground_time", "airport": "LLOV", "min": "2h", "max": "4h"}, subj, window={"start": "2023-01-08", "end": "2023-01-08"}),
        # without a route: ground stays between consecutive legs at LLOV (same 2, 3, 4 h and a 3 h bound)
        claim("stays", {"kind": "ground_time", "airport": "LLOV", "min": "2h", "max": "4h"}, LANDINGS),
        claim("none", {"kind": "ground_time", "airport": "LLOV", "min": "2h", "max": "4h"}, subj, window={"start": "2023-01-21", "end": "2023-01-25"}),
    )
    v = verdicts(f)
    assert {k: x[0] for k, x in v.items()} == {
        "med-in": "supported", "med-out": "contradicted", "mean": "supported", "each-lb": "inconclusive",
        "each-out": "contradicted", "lb-over": "inconclusive", "lb-only": "inconclusive", "stays": "supported", "none": "inconclusive",
    }
    assert "at least 3 stays are needed to judge a median" in v["lb-over"][1]
    row = f.claims.set_index("claim_id").loc["med-in"]
    assert row["value"] == pytest.approx(3.0) and "1 stay known only as a lower bound" in row["reason"]
    assert "(4 h 0 min)" in v["each-out"][1]  # the one duration formatter (issue 17), not "4.0 h"


def test_destinations_within() -> None:
    dep = {"unit": "departures", "fleet": "fleet", "airport": "LLOV"}
    f = run(
        claim("az", {"kind": "destinations_within", "airports": ["azerbaijan"]}, dep),  # UBBB ×3, UBBG
        claim("baku", {"kind": "destinations_within", "airports": ["UBBB"]}, dep),  # UBBG (observed) is outside
        # 16 Jan: one departure, its destination LTAC only bridged → too weak either way
        claim("weak", {"kind": "destinations_within", "airports": ["azerbaijan"]}, dep, window={"start": "2023-01-16", "end": "2023-01-16"}),
        claim("none", {"kind": "destinations_within", "airports": ["azerbaijan"]}, dep, window={"start": "2023-01-21", "end": "2023-01-25"}),
        # sorties: the home end after Ovda (S1 UBBB, S2 UBBG, S3 UBBB, S4 UBBB)
        claim("sorties", {"kind": "destinations_within", "airports": ["UBBB", "UBBG"]}, {"unit": "sorties", "fleet": "fleet", "route": "r"}),
    )
    v = verdicts(f)
    assert v["az"][0] == "supported" and "all 4 known destination(s)" in v["az"][1]
    assert v["baku"][0] == "contradicted" and "UBBG" in v["baku"][1]
    assert v["weak"][0] == "inconclusive" and "bridged" in v["weak"][1]
    assert v["none"][0] == "inconclusive"
    assert v["sorties"][0] == "supported"
    assert f.claims.set_index("claim_id").loc["az", "observed"] == "UBBB 3, UBBG 1"


def test_mean_interval_rules() -> None:
    # strong landings 2, 4, 6 Jan 10:00 → intervals 2 d, 2 d, mean 2 d.
    # + bridged S4 (8 Jan 12:00) → + 2.083 d, mean 2.03 d; + the unknown end (12 Jan 09:00) → + 3.875 d, mean 2.49 d
    # Two intervals say little: the mean's 95 % interval is the hull of the exact one for exponential gaps,
    # [2·4 / χ²(0.975; 4), 2·4 / χ²(0.025; 4)] = [0.72, 16.5] d, and the bootstrap's [2, 2]: it straddles 1, 2 and 3 d.
    f = run(
        claim("max3", {"kind": "mean_interval", "max": "3d"}),  # [0.72, 16.5] straddles 3 → inconclusive
        claim("max1", {"kind": "mean_interval", "max": "1d"}),  # [0.72, 16.5] straddles 1 → inconclusive
        claim("max2", {"kind": "mean_interval", "max": "2d"}),  # straddles 2 → inconclusive
        claim("one", {"kind": "mean_interval", "max": "1d"}, window={"start": "2023-01-02", "end": "2023-01-03"}),  # 1 landing in 2 days: 2 gaps of 1 d are not > 1 d
        claim("sparse", {"kind": "mean_interval", "max": "2d"}, window={"start": "2023-01-21", "end": "2023-01-31"}),  # 0 in 11 covered days: 11 > 2
        rules=VerdictRules(min_intervals=2),  # the world holds only two intervals; the default minimum (5) is tested below
    )
    v = verdicts(f)
    assert {k: x[0] for k, x in v.items()} == {"max3": "inconclusive", "max1": "inconclusive", "max2": "inconclusive", "one": "inconclusive", "sparse": "contradicted"}
    assert "95% interval 0.72–16.51 d" in v["max3"][1]
    assert f.claims.set_index("claim_id").loc["max3", "value"] == pytest.approx(2.0)
    iv = f.intervals[f.intervals["window"] == "max3"]
    assert iv["days"].tolist() == pytest.approx([2.0, 2.0]) and iv["covered"].all()
    assert "mean interval 2 d 0 h, median 2 d 0 h" in f.claims.set_index("claim_id").loc["max3", "observed"]  # the one duration formatter (issue 17)
    # with the default minimum sample, two intervals decide nothing
    g = run(claim("max1", {"kind": "mean_interval", "max": "1d"}))
    assert g.claims.iloc[0]["verdict"] == "inconclusive" and "too few to judge (at least 5 needed)" in g.claims.iloc[0]["reason"]


def test_mean_interval_leaves_out_spans_over_uncovered_days() -> None:
    # 3 Jan uncovered: the 2→4 Jan interval is left out; 4→6 Jan (2 d) is used
    f = run(claim("m", {"kind": "mean_interval", "max": "2d"}, window={"start": "2023-01-01", "end": "2023-01-07"}), cov=coverage_jan((3,)),
            rules=VerdictRules(min_intervals=1))
    row = f.claims.iloc[0]
    assert row["value"] == pytest.approx(2.0)  # one interval: its mean, with an interval too wide to decide
    assert row["verdict"] == "inconclusive" and "over 1 interval(s)" in row["reason"]
    assert "intervals across uncovered days are left out (2023-01-03" in row["reason"]


# ---------------------------------------------------------------------------------------
# rate ratio


def _busy_world(inside_per_day: int, outside_every: int) -> pd.DataFrame:
    """Landings at LLOV in Feb–Mar 2023: ``inside_per_day`` a day on 18–22 Feb, one every ``outside_every`` days elsewhere."""
    rows = []
    for d in pd.date_range("2023-02-01", "2023-03-12", freq="D", tz="UTC"):
        inside = pd.Timestamp("2023-02-18", tz="UTC") <= d < pd.Timestamp("2023-02-23", tz="UTC")
        n = inside_per_day if inside else int((d - pd.Timestamp("2023-02-01", tz="UTC")).days % outside_every == 0)
        for k in range(n):
            off = d + pd.Timedelta(hours=2 + 4 * k)
            rows.append(leg("600864", "UBBB", "LLOV", f"{off:%Y-%m-%dT%H:%M}", f"{off + pd.Timedelta(hours=3):%Y-%m-%dT%H:%M}"))
    return legs_frame(rows)


def _cov_feb_mar() -> pd.DataFrame:
    n = 40  # 1 Feb – 12 Mar
    return pd.DataFrame({"date": pd.date_range("2023-02-01", periods=n, tz="UTC").as_unit("ns"), "covered": np.ones(n, dtype=bool)})


RR_TEST = {"kind": "rate_ratio", "events": ["ev"], "lead": "2d", "lag": "2d", "min_ratio": 1.0}
FEB_MAR = {"start": "2023-02-01", "end": "2023-03-12"}


def test_rate_ratio_claim_against_closed_form() -> None:
    # event 20 Feb (end exclusive 21 Feb), lead 2 d, lag 2 d → window 18–22 Feb: 5 days, 2 landings a day = 10;
    # outside: 35 days with a landing every 5th day counted from 1 Feb (1, 6, 11, 16 Feb; 26 Feb, 3, 8 Mar) = 7
    # RR = (10 / 5) / (7 / 35) = 10
    legs = _busy_world(2, 5)
    f = run(claim("rr", RR_TEST, window=FEB_MAR), legs=legs, cov=_cov_feb_mar())
    row = f.claims.iloc[0]
    assert row["verdict"] == "supported" and row["value"] == pytest.approx(10.0)
    st = f.statistics[f.statistics["claim_id"] == "rr"].iloc[0]
    ref = an.rate_ratio(10, 5.0, 7, 35.0)
    assert (st["n1"], st["t1"], st["n0"], st["t0"]) == (10, 5.0, 7, 35.0)
    assert st["ratio"] == pytest.approx((10 / 5) / (7 / 35))
    assert (st["ci_low"], st["ci_high"], st["p_value"]) == pytest.approx((ref.ci_low, ref.ci_high, ref.p_value))
    assert st["ci_low"] > 1.0
    assert st["event_ids"] == "ev"
    # and independently of flighttrace: Clopper–Pearson on 10 of 17 with p0 = 5/40, mapped to RR = p/(1 − p)·35/5
    from scipy import stats

    bt = stats.binomtest(10, 17, 5.0 / 40.0)
    ci = bt.proportion_ci(confidence_level=0.95, method="exact")
    assert st["ci_low"] == pytest.approx(ci.low / (1 - ci.low) * 7.0, rel=1e-9)
    assert st["ci_high"] == pytest.approx(ci.high / (1 - ci.high) * 7.0, rel=1e-9)
    assert st["p_value"] == pytest.approx(bt.pvalue)


def test_rate_ratio_claim_contradicted_and_inconclusive() -> None:
    # none inside, one a day outside: RR 0, CI high = pU/(1 − pU)·35/5 with pU = 1 − 0.025^(1/35) ≈ 0.1 → ≈ 0.78 < 1
    quiet = _busy_world(0, 1)
    f = run(claim("rr", RR_TEST, window=FEB_MAR), legs=quiet, cov=_cov_feb_mar())
    assert f.claims.iloc[0]["verdict"] == "contradicted"
    st = f.statistics[f.statistics["claim_id"] == "rr"].iloc[0]
    p_hi = 1 - 0.025 ** (1 / 35)  # closed form of the exact upper limit when none of 35 falls inside
    assert (st["n1"], st["n0"]) == (0, 35) and st["ci_low"] == 0.0
    assert st["ci_high"] == pytest.approx(p_hi / (1 - p_hi) * 35 / 5, rel=1e-9) and st["ci_high"] < 1.0
    # one a day everywhere: RR 1, the interval holds 1
    even = _busy_world(1, 1)
    g = run(claim("rr", RR_TEST, window=FEB_MAR), legs=even, cov=_cov_feb_mar())
    assert g.claims.iloc[0]["verdict"] == "inconclusive" and g.claims.iloc[0]["value"] == pytest.approx(1.0)


# ---------------------------------------------------------------------------------------
# reporting rules


def test_record_never_changes_the_verdict() -> None:
    test = {"kind": "count_at_least", "value": 3}
    f = run(*(claim(f"c-{rec}", test, record=rec) for rec in ("published", "second-hand", "unconfirmed", "disputed")))
    assert set(f.claims["verdict"]) == {"supported"}
    assert f.claims["record"].tolist() == ["published", "second-hand", "unconfirmed", "disputed"]


def test_without_coverage_every_reason_says_it_was_assumed() -> None:
    # without the shuttle the legs span 2–16 Jan: 1 Jan lies outside the assumed coverage, so the second claim starts on 2 Jan
    jan2 = {"start": "2023-01-02", "end": "2023-01-15"}
    scn = scenario(claim("al3", {"kind": "count_at_least", "value": 3}), claim("al9", {"kind": "count_at_least", "value": 9}, window=jan2))
    f = evaluate(QUIET, scn)
    assert all(r.endswith(ASSUMED) for r in f.claims["reason"])
    assert f.warnings == (ASSUMED,)
    assert f.coverage["covered"].all() and len(f.coverage) == 15  # 2–16 Jan, the span of the legs
    # the span is assumed covered, but the fleet fell silent for days (8–12 Jan): the shortfall could have flown unheard
    assert f.claims["verdict"].tolist() == ["supported", "inconclusive"]
    assert "was not heard for" in f.claims.iloc[1]["reason"]
    # with the daily shuttle the fleet is heard throughout (1–31 Jan): a shortfall in the assumed coverage is a contradiction
    g = evaluate(WORLD, scn)
    assert len(g.coverage) == 31 and g.claims["verdict"].tolist() == ["supported", "contradicted"]


def test_claim_that_cannot_be_evaluated_is_inconclusive() -> None:
    f = run(claim("bad", {"kind": "count_at_least", "value": 1}, {"unit": "sorties", "fleet": "fleet", "route": "two-stops"}))
    row = f.claims.iloc[0]
    assert row["verdict"] == "inconclusive" and row["reason"].startswith("cannot evaluate: route 'two-stops' has 2 stops")


def test_claim_window_in_the_report_zone() -> None:
    # the claim's window stays 1 Jan 00:00 – 16 Jan 00:00 UTC, i.e. 1 Jan 04:00 – 16 Jan 04:00 in Baku (UTC+4)
    f = run(claim("al3", {"kind": "count_at_least", "value": 3}))
    cov_baku = coverage_jan().assign(date=lambda d: d["date"].dt.tz_convert("Asia/Baku").dt.normalize() , tz="Asia/Baku")
    g = evaluate(WORLD, scenario(claim("al3", {"kind": "count_at_least", "value": 3})), coverage=cov_baku)
    assert g.tz == "Asia/Baku" and f.tz == "UTC"
    # it touches 16 Baku days: 20/24 of 1 Jan, 14 whole days, 4/24 of 16 Jan → 15 days
    assert g.claims.iloc[0]["days_in_window"] == pytest.approx(15.0)
    wd = cv.window_days(g.coverage, pd.Timestamp("2023-01-01", tz="UTC"), pd.Timestamp("2023-01-16", tz="UTC"))
    assert len(wd) == 16 and wd["fraction"].iloc[0] == pytest.approx(20 / 24) and wd["fraction"].iloc[-1] == pytest.approx(4 / 24)
    assert g.claims.iloc[0]["verdict"] == "supported"
    assert str(g.series["day"]["period_start"].dt.tz) == "Asia/Baku"


# ---------------------------------------------------------------------------------------
# the Findings object


def test_findings_tables_shapes() -> None:
    f = run(claim("al3", {"kind": "count_at_least", "value": 3}), rules=VerdictRules(lead="1d", lag="1d"))
    assert list(f.claims.columns) == list(CLAIMS_COLUMNS)
    assert list(f.evidence.columns) == list(EVIDENCE_COLUMNS)
    assert set(f.claims["verdict"]) <= set(VERDICTS)
    assert list(f.series) == ["day", "week", "month"]
    assert list(f.series["day"].columns) == list(cv.SERIES_COLUMNS)
    assert {"event_id", "name", "kind", "start", "end", "window_start", "window_end", "sorties", "days", "days_covered", "rate_per_day"} <= set(f.events.columns)
    assert {"event_id", "day", "sorties", "covered"} <= set(f.event_study.columns)
    assert {"window", "from", "to", "days"} <= set(f.intervals.columns)
    assert {"sortie_id", "icao24", "airport", "arrive", "depart", "ground_time_s", "exact", "evidence"} <= set(f.ground_times.columns)
    assert {"test", "event_ids", "observed", "expected", "baseline", "ratio", "ci_low", "ci_high", "p_value", "n_shifts", "seed", "note"} <= set(f.statistics.columns)
    # the series: S1–S4 arrive on 2, 4, 6 and 8 Jan (S4 by its departure); 20 Jan is uncovered → NaN
    day = f.series["day"].set_index(f.series["day"]["period_start"].dt.day)
    assert day.loc[[2, 4, 6, 8], "sorties"].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert np.isnan(day.loc[20, "sorties"])
    ev = f.events.set_index("event_id")
    assert ev.loc["ev", "window_start"] == pd.Timestamp("2023-02-19", tz="UTC")  # 20 Feb − 1 d
    # S1–S3 exact, S4 a lower bound, and 16 Jan (600865 went on to LTAC, so no return leg): no ground time
    assert f.ground_times["exact"].tolist() == [True, True, True, False, False]
    assert f.ground_times["ground_time_s"].iloc[3] == 3 * 3600.0 and np.isnan(f.ground_times["ground_time_s"].iloc[4])
    assert not f.synthetic and "1 supported" in f.summary()


def test_to_dir_writes_deterministic_csv_and_parquet(tmp_path: Any) -> None:
    cov_baku = coverage_jan().assign(date=lambda d: d["date"].dt.tz_convert("Asia/Baku").dt.normalize(), tz="Asia/Baku")
    f = evaluate(WORLD, scenario(claim("al3", {"kind": "count_at_least", "value": 3})), coverage=cov_baku, synthetic=True)
    a = f.to_dir(tmp_path / "a")
    f2 = evaluate(WORLD, scenario(claim("al3", {"kind": "count_at_least", "value": 3})), coverage=cov_baku, synthetic=True)
    f2.to_dir(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert {"claims.csv", "claims.parquet", "series_week.parquet", "coverage.csv", "findings.json", "statistics.csv"} <= set(names)
    assert set(a) >= {"claims", "evidence", "series_day", "series_week", "series_month", "rolling", "events", "event_study", "intervals", "ground_times", "statistics", "coverage"}
    # report-zone days carry their offset, UTC instants a Z
    cov_csv = (tmp_path / "a" / "coverage.csv").read_text().splitlines()
    assert cov_csv[1].startswith("2023-01-01T00:00:00+04:00")
    assert "2023-01-01T00:00:00Z" in (tmp_path / "a" / "claims.csv").read_text()
    back = pd.read_parquet(tmp_path / "a" / "claims.parquet")
    assert back["verdict"].tolist() == ["supported"]
    assert f.synthetic and f.summary().startswith("SYNTHETIC DATA")


def test_evaluate_is_exported() -> None:
    assert flighttrace.evaluate is evaluate
    assert flighttrace.Findings is Findings


def test_given_sorties_are_used_and_filtered_by_fleet() -> None:
    scn = scenario(claim("s", {"kind": "count_at_least", "value": 1}, {"unit": "sorties", "fleet": "fleet", "route": "r"}))
    srt = flighttrace.find_sorties(WORLD, scn, "r")
    f = evaluate(WORLD, scn, coverage=coverage_jan(), given={"sorties": srt.iloc[:1]})
    # only the first sortie was given: the claim sees one strong sortie (plus the unknown-end leg)
    assert f.claims.iloc[0]["n_observed"] == 1
    assert len(f.ground_times) == 1


def test_empty_legs_and_a_scenario_without_routes_or_events() -> None:
    scn = scenario(
        claim("a", {"kind": "count_at_least", "value": 1}),
        claim("rr", RR_TEST),  # the event (20 Feb) lies outside the claim's window (1–15 Jan)
    )
    empty = WORLD.iloc[:0]
    f = evaluate(empty, scn, coverage=coverage_jan())
    v = verdicts(f)
    # nothing found in a fully covered window, but no aircraft of the fleet was heard at all: its transponders may have been
    # off, so absence says nothing; no covered day inside the event windows: no ratio
    assert v["a"][0] == "inconclusive" and "no aircraft of the fleet (fleet) was heard" in v["a"][1]
    assert f.claims.set_index("claim_id").loc["a", "fleet_heard"] == 0
    assert v["rr"] == ("inconclusive", "no rate ratio: no covered day inside the event windows within the claim's window")
    assert "not computable" in f.summary()
    bare = dict(copy.deepcopy(BASE), events=[], routes=[], claims=[])
    g = evaluate(WORLD, parse_scenario(bare), coverage=coverage_jan())
    assert len(g.claims) == 0 and len(g.events) == 0 and len(g.series["day"]) == 31
    assert g.series["day"]["sorties"].fillna(0).sum() == 0  # no route: no sorties


def test_uncovered_days_hold_only_what_the_covered_rate_makes_plausible() -> None:
    from scipy import stats

    from flighttrace.claims import VerdictRules
    from flighttrace.claims.context import Window as _Window
    from flighttrace.claims.counting import at_least as _at_least

    rules = VerdictRules()
    # 61 found on 1,797 covered days, 30 days uncovered, 92 claimed: 31 missing.
    win = _Window(pd.Timestamp("2016-01-01", tz="UTC"), pd.Timestamp("2021-01-01", tz="UTC"), 1827.0, 30.0, "June 2019")
    # Garwood upper bound of the rate: chi2(0.999; 124) / 2 / 1797 events per day
    lam = stats.chi2.ppf(0.999, 124) / 2 / 1797
    room = stats.poisson.isf(0.001, lam * 30)
    assert 0.045 < lam < 0.05 and room < 31
    verdict, reason = _at_least(92, 59, 0, 2, win, rules)
    assert verdict == "contradicted" and "could plausibly hold at most" in reason
    # the same shortfall of 3 is plausible: inconclusive
    verdict, _ = _at_least(64, 59, 0, 2, win, rules)
    assert verdict == "inconclusive"
    # less than half the window covered: no rate is trusted, any shortfall is inconclusive
    thin = _Window(win.start, win.end, 100.0, 60.0, "most days")
    assert _at_least(92, 5, 0, 0, thin, rules)[0] == "inconclusive"


# ---------------------------------------------------------------------------------------
# scenario-wide statistics, checked against values computed here independently

# Round trips UBBB → LLOV → UBBB of 600864 (each one sortie, at the far field 09:00 or 17:00 UTC), by day of January 2023.
# 20 January is uncovered (coverage_jan), so its two sorties count nowhere.
SORTIE_DAYS = {2: 1, 5: 1, 8: 2, 9: 1, 10: 1, 11: 1, 14: 1, 18: 1, 20: 2, 21: 1, 22: 2, 23: 1, 24: 1, 28: 1, 30: 1}
CONFLICTS = [
    {"id": "clash-10", "name": "clash", "kind": "clash", "start": "2023-01-10", "end": "2023-01-10"},
    {"id": "war-24", "name": "war", "kind": "war", "start": "2023-01-24", "end": "2023-01-24"},
    {"id": "talks-15", "name": "talks", "kind": "other", "start": "2023-01-15", "end": "2023-01-15"},  # not a conflict kind
]


def _round_trips() -> pd.DataFrame:
    rows = []
    for day, n in SORTIE_DAYS.items():
        for k in range(n):
            h = 8 * k  # out 06–09, back 10–13; a second trip the same day 14–17, 18–21
            rows.append(leg("600864", "UBBB", "LLOV", f"2023-01-{day:02d}T{6 + h:02d}:00", f"2023-01-{day:02d}T{9 + h:02d}:00"))
            rows.append(leg("600864", "LLOV", "UBBB", f"2023-01-{day:02d}T{10 + h:02d}:00", f"2023-01-{day:02d}T{13 + h:02d}:00"))
    return legs_frame(rows)


def test_scenario_statistics_against_brute_force_and_closed_form() -> None:
    from scipy import stats

    from flighttrace.claims import VerdictRules

    raw = copy.deepcopy(BASE)
    raw["events"] = CONFLICTS
    raw["claims"] = []
    n_before = 3
    f = evaluate(_round_trips(), parse_scenario(raw), coverage=coverage_jan(), rules=VerdictRules(before_days=n_before, lead="2d", lag="1d"))
    st = f.statistics[f.statistics["claim_id"] == ""].set_index("test")

    # --- the permutation test, by enumerating every circular shift over the 30 covered days
    covered = [d for d in range(1, 32) if d != 20]
    m = len(covered)
    c = [SORTIE_DAYS.get(d, 0) for d in covered]
    pos = [covered.index(next(d for d in covered if d >= e)) for e in (10, 24)]  # both have ≥ 3 covered days before them
    assert all(p >= n_before for p in pos)

    def stat(shift: int) -> int:
        return sum(c[(p + shift - k) % m] for p in pos for k in range(1, n_before + 1))

    all_stats = [stat(s) for s in range(m)]
    # by hand: before 10 Jan → 7, 8, 9 Jan = 0 + 2 + 1; before 24 Jan → 21, 22, 23 Jan = 1 + 2 + 1 → 7
    assert all_stats[0] == 7
    perm = st.loc["permutation_before_start"]
    assert perm["observed"] == 7
    assert perm["p_value"] == pytest.approx(sum(x >= all_stats[0] for x in all_stats) / m)
    assert perm["expected"] == pytest.approx(sum(all_stats) / m)
    assert perm["n_shifts"] == m and perm["event_ids"] == "clash-10,war-24"

    # --- the rate ratio in the conflict windows: start − 2 d … end + 1 d → 8–11 and 22–25 Jan, 8 covered days
    inside = {8, 9, 10, 11, 22, 23, 24, 25}
    n1 = sum(SORTIE_DAYS.get(d, 0) for d in inside)
    n0 = sum(SORTIE_DAYS.get(d, 0) for d in covered if d not in inside)
    t1, t0 = 8.0, float(m - 8)
    assert (n1, n0) == (9, 7)  # inside: 8 Jan ×2, 9, 10, 11, 22 ×2, 23, 24; outside: 2, 5, 14, 18, 21, 28, 30 Jan
    rr = st.loc["rate_ratio"]
    assert (rr["n1"], rr["t1"], rr["n0"], rr["t0"]) == (n1, t1, n0, t0)
    assert rr["ratio"] == pytest.approx((n1 / t1) / (n0 / t0))
    bt = stats.binomtest(n1, n1 + n0, t1 / (t1 + t0))
    ci = bt.proportion_ci(confidence_level=0.95, method="exact")
    assert rr["ci_low"] == pytest.approx(ci.low / (1 - ci.low) * t0 / t1, rel=1e-9)
    assert rr["ci_high"] == pytest.approx(ci.high / (1 - ci.high) * t0 / t1, rel=1e-9)
    assert rr["p_value"] == pytest.approx(bt.pvalue)
    assert rr["event_ids"] == "clash-10,war-24"  # the 'other' event is not a conflict
