"""One way to write a number (flighttrace.numfmt): counts, distances, heights, days, shares, ratios, p-values, and CSV decimals."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flighttrace.numfmt import fixed_decimals, fmt_count, fmt_days, fmt_ft, fmt_km, fmt_n, fmt_number, fmt_p, fmt_p_is, fmt_ratio, fmt_share


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (3.0, "3"), (548602, "548,602"), (1234.5, "1,234"), (None, "—"), (math.nan, "—"), (pd.NA, "—"),
])
def test_counts_are_whole_and_thousands_separated(value: object, text: str) -> None:
    assert fmt_count(value) == text


def test_counts_with_their_noun_take_the_plural_only_when_not_one() -> None:
    assert [fmt_n(1, "leg"), fmt_n(0, "leg"), fmt_n(2, "sortie"), fmt_n(1200, "leg")] == ["1 leg", "0 legs", "2 sorties", "1,200 legs"]
    assert fmt_n(3, "aircraft", "aircraft") == "3 aircraft"


@pytest.mark.parametrize(("km", "text"), [(15.63, "15.6 km"), (0.04, "0.0 km"), (99.94, "99.9 km"), (100.0, "100 km"), (411.7, "412 km"),
                                          (1234.2, "1,234 km")])
def test_distances_have_one_decimal_under_100_km(km: float, text: str) -> None:
    assert fmt_km(km) == text


def test_heights_are_whole_feet() -> None:
    assert [fmt_ft(3164.4), fmt_ft(150), fmt_ft(-12.0), fmt_ft(None)] == ["3,164 ft", "150 ft", "-12 ft", "—"]


@pytest.mark.parametrize(("days", "text"), [
    (44, "44 days"), (1, "1 day"), (2.0000000001, "2 days"),
    # the cases: a window of 14 h 30 min is no "0.604167" day, and 43.875 days is not written to the millisecond
    (0.604167, "14 h 30 min"), (43.875, "43.9 days"), (1.8298611, "1 d 20 h"),
])
def test_days_whole_or_as_a_duration_under_two_days(days: float, text: str) -> None:
    assert fmt_days(days) == text


@pytest.mark.parametrize(("share", "text"), [(0.6238, "62%"), (0.1, "10%"), (0.045, "4.5%"), (0.0004, "< 0.1%"), (0, "0%"), (1.0, "100%")])
def test_shares_as_per_cent_never_a_false_zero(share: float, text: str) -> None:
    assert fmt_share(share) == text


def test_ratios_and_p_values() -> None:
    assert [fmt_ratio(6.268173), fmt_ratio(9.308363), fmt_ratio(math.inf)] == ["6.27", "9.31", "—"]
    # three significant digits down to 0.001, a bound below it (1.44e-11 is not a number a reader can use)
    assert [fmt_p(0.009024644), fmt_p(0.5), fmt_p(0.001), fmt_p(1.443392e-11)] == ["0.00902", "0.5", "0.001", "< 0.001"]
    # in a sentence, the same way: "p = 0.00902", "p < 0.001" (never "p = 1.61e-14")
    assert [fmt_p_is(0.009024644), fmt_p_is(1.6090e-14), fmt_p_is(None)] == ["p = 0.00902", "p < 0.001", "p = —"]


def test_other_numbers_are_whole_or_fixed_decimals_and_thousands_separated() -> None:
    # the Statistics table's raw 0.22503516174402247 and the test table's 18000 draws and 2519.6 d
    assert [fmt_number(18000.0), fmt_number(2519.565972), fmt_number(0.22503516174402247, 2), fmt_number(8.320153)] == ["18,000", "2,519.6", "0.23", "8.3"]
    assert [fmt_number(27.0), fmt_number(-0.04), fmt_number(float("nan"))] == ["27", "0.0", "—"]  # never "-0.0"


def test_csv_floats_get_fixed_decimals_by_column_and_whole_numbers_none() -> None:
    df = pd.DataFrame({
        "ground_time_s": [12342.705000192, np.nan],  # seconds: to the millisecond
        "days_in_window": [17.000000000000004, 43.875],  # no unit suffix: 6 decimals
        "sorties": [3.0, np.nan],  # every value whole: written whole
        "origin_dist_km": [15.77, -0.0000001],  # km: to the metre, never "-0.000"
        "p_value": [1.443392e-11, 0.009024644],  # p-values: a fixed mantissa
        "callsign": ["AZQ4002", "=HYPERLINK()"],  # text untouched
    })
    out = fixed_decimals(df)
    assert out["ground_time_s"].tolist() == ["12342.705", None]
    assert out["days_in_window"].tolist() == ["17.000000", "43.875000"]
    assert out["sorties"].tolist() == ["3", None]
    assert out["origin_dist_km"].tolist() == ["15.770", "0.000"]
    assert out["p_value"].tolist() == ["1.4434e-11", "9.0246e-03"]
    assert out["callsign"].tolist() == df["callsign"].tolist()
    assert fixed_decimals(df[["callsign"]]) is not None and df["ground_time_s"].iloc[0] == 12342.705000192  # the input is not changed


def test_report_csvs_carry_no_float_noise(ovda_report) -> None:  # type: ignore[no-untyped-def]
    import re

    out: Path = ovda_report.out_dir
    noise = re.compile(r"\d\.\d*(0000000\d|9999999\d)")  # 17.000000000000004, 12342.705000192 …
    for csv in [out / "sorties.csv", *sorted((out / "tables").glob("*.csv"))]:
        text = csv.read_text(encoding="utf-8")
        assert not noise.search(text), (csv.name, noise.search(text).group(0) if noise.search(text) else "")
    s = pd.read_csv(out / "sorties.csv", dtype=str)
    gt = s["ground_time_s"].dropna()
    assert len(gt) and gt.str.fullmatch(r"\d+(\.\d{3})?").all()
    # the numbers still read back as the analysis found them, to the millisecond
    assert np.allclose(gt.astype(float).to_numpy(), ovda_report.findings.ground_times.set_index("sortie_id").loc[s.dropna(subset=["ground_time_s"])["sortie_id"], "ground_time_s"].to_numpy(), atol=5e-4)


def _page_words(path: Path) -> str:
    import html
    import re

    page = path.read_text(encoding="utf-8")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[page.index("<body"):])).split())


def test_report_pages_write_every_number_one_way(ovda_report) -> None:  # type: ignore[no-untyped-def]
    """index.html and evidence.html: thousands separated (never "2519.6 d", "18000 draws", "3139 ft", "rows 1159–2950"), no exponent, durations in words."""
    import re

    import flighttrace

    out: Path = ovda_report.out_dir
    scn = flighttrace.load_scenario(Path(__file__).resolve().parents[1] / "seeds" / "azerbaijan-ovda.yaml")
    # numbers that are names, not quantities: ICAO addresses (6 hex digits), years, a date-stamped version (airportsdata 20260905),
    # a manufacturer's serial number (msn 1033418592)
    addresses = {a.hex for a in scn.fleet.aircraft} | set(pd.read_csv(out / "tables" / "legs.csv", dtype=str)["icao24"])
    addresses |= set(pd.read_csv(out / "tables" / "lookalikes.csv", dtype=str).get("icao24", pd.Series(dtype=str)).dropna())

    def is_name(tok: str) -> bool:
        return tok in addresses or (len(tok) == 4 and 1900 <= int(tok) <= 2100) or (len(tok) == 8 and tok[:2] in ("19", "20"))

    bare = re.compile(r"(?<![\w.:/#,-])\d{4,}(?![\w:/-]|[.,]\d)")  # a number of 4+ digits standing alone, not part of a name, time or hash
    for name in ("index.html", "evidence.html"):
        words = _page_words(out / name)
        found = [words[max(0, m.start() - 30): m.end() + 10] for m in bare.finditer(words)
                 if not is_name(m.group(0)) and not words[: m.start()].endswith("msn ")]
        assert not found, (name, found[:5])
        assert not re.search(r"(?<![\w.])\d+(\.\d+)?e[-+]\d+(?!\w)", words), name  # 1.61e-14
        assert not re.search(r"\[\d+(min|h|d|s)\b", words), name  # a claim's band as the scenario file writes it: "[90min, 8h]"
    # the heights in the leg-end reasons are written as every other height ("3,139 ft", never "3139 ft")
    ev = _page_words(out / "evidence.html")
    heights = re.findall(r"(\d[\d,]*) ft above", ev)
    assert heights and all(h == f"{int(h.replace(',', '')):,}" for h in heights) and any(int(h.replace(",", "")) >= 1000 for h in heights)
    # the pre-registration's lead and lag (the scenario's rate-ratio claims: lead 30d, lag 15d) in words
    assert "event windows widened by 30 days before and 15 days after each event" in _page_words(out / "index.html")
    # a ground-time claim's band in words, with the one duration formatter: "in [1 h 30 min, 8 h 0 min]", never "[90min, 8h]"
    claims = pd.read_csv(out / "tables" / "claims.csv")
    band = claims.loc[claims["claim_id"] == "ap-2023-hours-on-ground", "expected"].iloc[0]
    assert band == "median ground time at LLOV in [1 h 30 min, 8 h 0 min]"
