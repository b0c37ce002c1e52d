"""A reporter's case folder survives every command: evidence, scenario and notes stay byte for byte.

Script-like, as issue 13 tried it: a case folder holds the evidence (a copy of a few fixture files), the
scenario and the reporter's notes. Each command is run with its output into the case folder, into the
evidence folder, into a folder inside the evidence, into the working folder (which holds the case), and into
fresh folders beside the case; then again into its own earlier output, where the reporter has put a note of
her own. Every refusal exits 2 with one line and writes nothing; every file of the case, and every file the
reporter put anywhere, is still there, byte for byte.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flighttrace.cli import _load, app
from flighttrace.outdir import STAMP_NAME

ROOT = Path(__file__).resolve().parents[1]
OVDA = ROOT / "fixtures" / "ovda"
MOSCOW_SEED = ROOT / "seeds" / "moscow-2026-03-14.yaml"


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The working folder: ``case/`` (evidence, scenario, notes) and a to-do list of the reporter's; the process works here."""
    case = tmp_path / "case"
    day = Path("adsblol/2023/09/03")
    shutil.copytree(OVDA / "data" / day, case / "evidence" / day)
    for name in ("AZQ4206_hex600864_2023-09-03.csv", "AZQ4207_hex600864_2023-09-03.csv"):
        (case / "evidence" / "fr24").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(OVDA / "data" / "fr24" / name, case / "evidence" / "fr24" / name)
    shutil.copyfile(OVDA / "synthetic.json", case / "evidence" / "synthetic.json")
    shutil.copyfile(ROOT / "seeds" / "azerbaijan-ovda.yaml", case / "scn.yaml")
    (case / "notes.md").write_text("# Ovda\n\n- called the airport press office, no answer\n- FR24 exports from the desk's account\n")
    (tmp_path / "todo.txt").write_text("file by Friday\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _commands(out: str) -> dict[str, list[str]]:
    """Each writing command, reading the case's evidence and writing to ``out``."""
    return {
        "report": ["report", "case/scn.yaml", "--data", "case/evidence", "--out", out, "--no-progress"],
        "analyze": ["analyze", "case/scn.yaml", "--data", "case/evidence", "--out", out, "--no-progress"],
        "legs": ["legs", "case/evidence", "--scenario", "case/scn.yaml", "--out", out, "--no-progress"],
        "ingest": ["ingest", "case/evidence", "--out", out, "--no-progress"],
        "scan": ["scan", "case/evidence", "--icao24", "600864", "--out", out, "--jobs", "1", "--no-progress"],
        "scale": ["scale", "case/evidence", "--scenario", "case/scn.yaml", "--out", out, "--threads", "--workers", "1", "--no-progress"],
        "simulate": ["simulate", "case/scn.yaml", "--out", out, "--no-progress"],
    }


READERS_REFUSED = {
    "case": "holds the input case/evidence",  # the case folder holds the evidence (and the scenario)
    "case/evidence": "is the input case/evidence",
    "case/evidence/fr24": "is inside the input folder case/evidence",
    "case/evidence/report": "is inside the input folder case/evidence",  # a new folder, but its files would be read as evidence
    ".": "holds the input case/evidence",  # the working folder
}
"""Where the commands that read the evidence may not write, and why."""

SIMULATE_REFUSED = {
    "case": "holds the input case/scn.yaml",
    "case/evidence": "is not empty and was not made by flighttrace",
    "case/evidence/fr24": "is not empty and was not made by flighttrace",
    ".": "holds the input case/scn.yaml",
}
"""``simulate`` reads only its scenario: it refuses the folders that hold it or hold anything else."""


@pytest.mark.slow
def test_no_command_harms_the_case_folder_or_anything_around_it(desk: Path) -> None:
    _load()
    runner = CliRunner()
    before = snapshot(desk)
    # 1. into the case, the evidence, a folder inside the evidence, the working folder: refused, nothing written
    for name in _commands(""):
        for target, why in (SIMULATE_REFUSED if name == "simulate" else READERS_REFUSED).items():
            res = runner.invoke(app, _commands(target)[name], env={"COLUMNS": "300"})
            assert res.exit_code == 2, (name, target, res.output)
            assert res.stderr.count("\n") == 1 and res.stderr.startswith(f"error: output folder {target} {why}"), (name, target, res.stderr)
            assert snapshot(desk) == before, (name, target)
    # 2. into fresh folders beside the case: made
    for name in _commands(""):
        if name == "simulate":
            continue  # below, with a scenario of its own
        res = runner.invoke(app, _commands(f"runs/{name}")[name], env={"COLUMNS": "300"})
        assert res.exit_code == 0, (name, res.output)
        assert (desk / "runs" / name / STAMP_NAME).is_file()
    res = runner.invoke(app, ["simulate", str(MOSCOW_SEED), "--out", "runs/simulate", "--no-progress"])
    assert res.exit_code == 0, res.output
    # 3. the reporter puts her notes into each output folder; a rerun replaces only flighttrace's files
    for name in _commands(""):
        (desk / "runs" / name / "my-notes.txt").write_text(f"notes on the {name} run\n")
    outputs = {name: snapshot(desk / "runs" / name) for name in _commands("")}
    for name in _commands(""):
        if name == "simulate":
            continue  # one world build is enough for the test's time; the rerun rules are those of tests/test_outdir.py
        res = runner.invoke(app, _commands(f"runs/{name}")[name], env={"COLUMNS": "300"})
        assert res.exit_code == 0, (name, res.output)
        again = snapshot(desk / "runs" / name)
        assert again["my-notes.txt"] == f"notes on the {name} run\n".encode()
        assert set(again) == set(outputs[name]), name  # the same files: nothing stale, nothing lost
    # 4. the case, the reporter's to-do list: byte for byte
    after = snapshot(desk)
    assert {k: v for k, v in after.items() if not k.startswith("runs/")} == before
    assert sorted({k.split("/")[0] for k in after}) == ["case", "runs", "todo.txt"]  # nothing else appeared (no maps/)


def test_simulate_into_the_working_folder_with_files_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _load()
    (tmp_path / "draft.md").write_text("the story so far\n")
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "interview.txt").write_text("on background\n")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    res = CliRunner().invoke(app, ["simulate", str(MOSCOW_SEED), "--out", ".", "--no-progress"])
    assert res.exit_code == 2
    assert res.stderr == ("error: output folder . is not empty and was not made by flighttrace (it holds draft.md, sources); "
                          "nothing was written: choose a new or empty folder\n")
    assert snapshot(tmp_path) == before
