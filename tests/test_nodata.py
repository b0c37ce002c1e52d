"""No result from no data, and a report on data that holds nothing the scenario is about says so first."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flighttrace.sim.kinematics import Field
from tests.flights import SLLP, flight

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
SLVR = Field("SLVR", -17.6448, -63.1354, 1224.0)  # Viru Viru, Santa Cruz (airportsdata)


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An airliner flying La Paz → Santa Cruz: positions, but none of the Ovda scenario's fleet or airports."""
    from flighttrace.sim.writers import write_trace

    root = tmp_path_factory.mktemp("elsewhere")
    pts = flight(SLLP, SLVR, "2023-09-05T12:00Z", icao24="e80123", callsign="BOV123", typecode="B738")
    write_trace(pts, root / "data" / "trace_full_e80123.json", registration="CP-3000", typecode="B738")
    return root


def test_a_report_on_data_without_the_fleet_or_its_airports_says_so_first(elsewhere: Path, tmp_path: Path) -> None:
    import flighttrace
    from flighttrace.cli import _load, app

    _load()
    res = CliRunner().invoke(app, ["report", str(SEED), "--data", str(elsewhere / "data"), "--out", str(tmp_path / "rep"), "--no-progress"],
                             env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    scn = flighttrace.load_scenario(SEED)
    n = len(flighttrace.read(elsewhere / "data").points)
    fleet = f"NOTE: None of the {n:,} positions of 1 aircraft in the inputs belongs to the scenario's fleet"
    airports = f"NOTE: No leg in the inputs ({n:,} positions of 1 aircraft) begins or ends at any of the scenario's {len(scn.airport_codes())} airports"
    lines = res.stdout.splitlines()
    assert lines[0].startswith(fleet) and lines[1].startswith(airports)  # the first lines of the summary
    assert re.match(r"\d+ claims: ", lines[2])
    # the top of the page says the same, before the summary and the claims
    page = (tmp_path / "rep" / "index.html").read_text()
    main = page[page.index('<div class="relevance"'):]
    assert main.index("belongs to the scenario&#39;s fleet") < main.index(scn.meta.summary[:30].replace("'", "&#39;")) < main.index('id="claims"')


def test_a_report_on_the_fleets_data_has_no_such_note(ovda_report) -> None:  # type: ignore[no-untyped-def]
    assert ovda_report.notes == [] and 'class="relevance"' not in ovda_report.index.read_text()


def test_each_empty_file_is_described_from_the_manifest_and_the_quarantine() -> None:
    from flighttrace.nodata import empty_input_files

    manifest = pd.DataFrame([
        {"path": "a.json", "format": "readsb_trace", "error": "", "notes": "", "rows_read": 3, "rows_kept": 0, "rows_quarantined": 3, "rows_duplicate": 0},
        {"path": "b.json", "format": "readsb_trace", "error": "", "notes": "", "rows_read": 0, "rows_kept": 0, "rows_quarantined": 0, "rows_duplicate": 0},
        {"path": "c.csv", "format": "fr24_csv", "error": "", "notes": "", "rows_read": 2, "rows_kept": 0, "rows_quarantined": 0, "rows_duplicate": 2},
        {"path": "d.bin", "format": "", "error": "unrecognised content (first line: '\ufffd\ufffd\x00\x10JFIF')", "notes": "",
         "rows_read": 0, "rows_kept": 0, "rows_quarantined": 0, "rows_duplicate": 0},
    ])
    quarantine = pd.DataFrame({"src_file": ["a.json"] * 3, "src_row": [0, 1, 2], "reason": ["no position", "no position", "time before 1990"],
                               "raw": ["", "", ""]})
    assert empty_input_files(manifest, quarantine) == [
        {"path": "a.json", "format": "readsb_trace", "reason": "3 records, none usable: 2 × no position; 1 × time before 1990"},
        {"path": "b.json", "format": "readsb_trace", "reason": "no records in it"},
        {"path": "c.csv", "format": "fr24_csv", "reason": "2 records, all duplicates of records in another input"},
        {"path": "d.bin", "format": "not recognised", "reason": "unrecognised content (first line: '\\ufffd\\ufffd\\x00\\x10JFIF')"},
    ]
