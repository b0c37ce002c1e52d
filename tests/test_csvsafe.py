"""CSV exports are safe to open in a spreadsheet (OWASP CSV injection); Parquet and GeoJSON keep the raw values."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flighttrace.csvsafe import FORMULA_STARTS, write_csv

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
EVIL = '=HYPERLINK("http://x")'


def test_formula_cells_get_a_quote_in_front_and_quotes_around_numbers_stay_numbers(tmp_path: Path) -> None:
    df = pd.DataFrame({
        "callsign": [EVIL, "AZQ4206", "-2+3", None, "@SUM(A1)", "\tx", "+1", "a=b"],
        "alt_ft": [-120.5, 3000.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        "mixed": ["-3", -3, None, "ok", 5.0, "x", "y", "z"],
        "kind": pd.Categorical(["=x", "y", "y", "y", "y", "y", "y", "y"]),
    })
    path = write_csv(df, tmp_path / "t.csv")
    expected = (
        "callsign,alt_ft,mixed,kind\n"
        "\"'=HYPERLINK(\"\"http://x\"\")\",-120.5,\"'-3\",\"'=x\"\n"  # quote in front, cell in quotes, its quotes doubled
        "AZQ4206,3000.0,-3,y\n"  # a number in a text column stays a number
        "\"'-2+3\",0.0,,y\n"
        ",1.0,ok,y\n"
        "\"'@SUM(A1)\",2.0,5.0,y\n"
        "\"'\tx\",3.0,x,y\n"
        "\"'+1\",4.0,y,y\n"
        "a=b,5.0,z,y\n"  # '=' inside a cell is harmless
    )
    assert path.read_text() == expected
    # read back as a spreadsheet's CSV parser does: one cell per value, the dangerous ones as text
    rows = list(csv.reader(path.open(newline="")))
    assert rows[1][0] == "'" + EVIL and rows[6][0] == "'\tx" and len({len(r) for r in rows}) == 1


def test_a_table_without_formula_cells_is_written_as_pandas_writes_it(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": ["x", "y,z", 'q"q'], "b": [-1, 2, 3]})
    write_csv(df, tmp_path / "t.csv")
    assert (tmp_path / "t.csv").read_text() == df.to_csv(index=False, lineterminator="\n")


def _cells_are_safe(path: Path) -> list[str]:
    """The cells of a CSV that a spreadsheet would take for a formula (numbers like -3.5 are fine)."""
    bad = []
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            for cell in row:
                if cell[:1] in FORMULA_STARTS:
                    try:
                        float(cell)
                    except ValueError:
                        bad.append(cell)
    return bad


@pytest.fixture(scope="module")
def evil_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fleet aircraft's trace (Baku → Ovda → Baku) whose callsign is a spreadsheet formula, and the aircraft's registration too."""
    from flighttrace.sim.writers import write_trace
    from tests.flights import LLOV, UBBB, flight, join

    root = tmp_path_factory.mktemp("evil")
    pts = join(flight(UBBB, LLOV, "2023-09-05T22:00Z"), flight(LLOV, UBBB, "2023-09-06T04:30Z"))
    pts["callsign"] = EVIL
    write_trace(pts, root / "data" / "trace_full_600864.json", registration="@4K-AZ100", typecode="IL76")
    return root


def test_a_formula_callsign_is_neutralised_in_every_csv_of_report_legs_and_analyze(evil_data: Path, tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    _load()
    runner = CliRunner()
    data = evil_data / "data"
    for args in (["report", str(SEED), "--data", str(data), "--out", str(tmp_path / "report"), "--no-progress"],
                 ["legs", str(data), "--scenario", str(SEED), "--out", str(tmp_path / "legs"), "--no-progress"],
                 ["analyze", str(SEED), "--data", str(data), "--out", str(tmp_path / "analyze"), "--no-progress"]):
        res = runner.invoke(app, args)
        assert res.exit_code == 0, res.output
    csvs = sorted(tmp_path.rglob("*.csv"))
    assert len(csvs) >= 20
    for path in csvs:
        assert _cells_are_safe(path) == [], path
    # the callsign is there, as text, in the exports the issue names
    for rel in ("report/sorties.csv", "report/tables/legs.csv", "report/tables/airport_events.csv", "legs/legs.csv", "legs/sorties.csv"):
        table = pd.read_csv(tmp_path / rel, dtype=str)
        assert "'" + EVIL in set(table["callsign"]), rel
    assert "'@4K-AZ100" in set(pd.read_csv(tmp_path / "report" / "sorties.csv", dtype=str)["registration"])
    # Parquet and GeoJSON are data, not spreadsheets: the raw value
    assert set(pd.read_parquet(tmp_path / "legs" / "legs.parquet")["callsign"].dropna()) == {EVIL}
    props = [f["properties"] for f in json.loads((tmp_path / "report" / "legs.geojson").read_text())["features"]]
    assert {p["callsign"] for p in props} == {EVIL}


def test_the_readme_and_the_reports_method_say_so(evil_data: Path, tmp_path: Path) -> None:
    from flighttrace.report import CSV_NOTE, build_report

    assert "OWASP" in CSV_NOTE and "single quote" in CSV_NOTE
    res = build_report(SEED, [evil_data / "data"], tmp_path / "rep")
    page = res.index.read_text()
    method = page[page.index('id="method"'): page.index('id="limitations"')]
    assert "a single quote in front" in method and "OWASP" in method
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "CSV injection" in readme and "single quote" in readme


def test_iso_text_writes_z_for_utc_and_each_rows_own_offset_elsewhere() -> None:
    from flighttrace.csvsafe import iso_text

    utc = pd.Series(pd.to_datetime(["2023-10-03T08:15:59.999", None, "1969-12-31T23:59:59.5"], utc=True))
    # fractions of a second dropped (floored, before 1970 too); a missing time stays missing
    assert iso_text(utc).tolist()[0::2] == ["2023-10-03T08:15:59Z", "1969-12-31T23:59:59Z"]
    assert pd.isna(iso_text(utc).iloc[1])
    # St John's: -02:30 in summer, -03:30 in winter; 12:00 UTC is 09:30 and 08:30 there
    nl = pd.Series(pd.to_datetime(["2024-07-01T12:00:00", "2024-01-15T12:00:00", None, "2024-07-02T12:00:00"], utc=True)).dt.tz_convert("America/St_Johns")
    got = iso_text(nl)
    assert got.tolist()[:2] + got.tolist()[3:] == ["2024-07-01T09:30:00-02:30", "2024-01-15T08:30:00-03:30", "2024-07-02T09:30:00-02:30"]
    assert pd.isna(got.iloc[2])
    assert iso_text(pd.Series([], dtype="datetime64[ns, UTC]")).tolist() == []


def test_formula_cells_are_found_alike_in_every_kind_of_text_column() -> None:
    # arrow-backed text, Python text, objects that are all text, objects mixing text with numbers and bytes: the
    # same cells start like a formula in each (a number, a byte string or a missing value never does)
    from flighttrace.csvsafe import _text_cells

    values = ["=a", None, "x", "-1", "\rq", "é=", "@b", "+", "\t", ""]
    want = [True, False, False, True, True, False, True, True, True, False]
    for dtype in ("str", "string[python]", "string[pyarrow]", object, "category"):
        assert _text_cells(pd.Series(values, dtype=dtype)).tolist() == want, dtype
    mixed = pd.Series(["=a", -3, 2.5, b"=x", None, "@b", float("nan")], dtype=object)
    assert _text_cells(mixed).tolist() == [True, False, False, False, False, True, False]
    assert _text_cells(pd.Series([None, None], dtype=object)).tolist() == [False, False]
    assert _text_cells(pd.Series([-1.5, 2.0])).tolist() == [False, False]
