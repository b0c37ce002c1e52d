"""Errors before work, and never a traceback: every command, given bad arguments or bad inputs, exits 2 with a message.

Also: ``--version``; zones checked before any file is read; bytes and markup from file names and contents printed
as plain, escaped text.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from flighttrace import __version__
from flighttrace.cli import _load, app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00C\x00"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffd]")
"""Characters that must never reach the terminal: controls, and U+FFFD (raw bytes that are not text)."""


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def place(tmp_path: Path) -> dict[str, Path]:
    """Inputs and folders for bad invocations; every run starts in an empty working folder ``work``."""
    from flighttrace.sim.writers import write_trace
    from tests.flights import LLOV, UBBB, flight

    p = {"root": tmp_path}
    p["junk"] = tmp_path / "junk"  # a reporter's notes, a photograph and a file named like rich markup: no positions at all
    p["junk"].mkdir()
    (p["junk"] / "notes.txt").write_text("called the airport, no answer\n")
    (p["junk"] / "photo.jpg").write_bytes(JPEG_HEAD)
    (p["junk"] / "evil[red]x.txt").write_text("note [/bogus] not markup [bold]\n")
    p["empty"] = tmp_path / "empty"
    p["empty"].mkdir()
    p["data"] = tmp_path / "data"
    write_trace(flight(UBBB, LLOV, "2023-09-05T22:00Z"), p["data"] / "trace_full_600864.json", registration="4K-AZ100", typecode="IL76")
    p["busy"] = tmp_path / "busy"  # a folder flighttrace did not write
    p["busy"].mkdir()
    (p["busy"] / "story.docx").write_bytes(b"the reporter's draft")
    p["afile"] = tmp_path / "afile.txt"
    p["afile"].write_text("a file, not a folder\n")
    p["badyaml"] = tmp_path / "bad.yaml"
    p["badyaml"].write_text("meta: [unclosed\n")
    p["corrupt"] = tmp_path / "corrupt_report"
    p["corrupt"].mkdir()
    (p["corrupt"] / "provenance.json").write_bytes(b"\x00\xffnot json")
    p["out"] = tmp_path / "o"
    p["work"] = tmp_path / "work"
    p["work"].mkdir()
    return p


def _cases(p: dict[str, Path]) -> dict[str, list[list[str]]]:
    """Bad invocations per command (fetch: argument errors only)."""
    s, d, o, junk, busy = str(SEED), str(p["data"]), str(p["out"]), str(p["junk"]), str(p["busy"])
    return {
        "report": [
            ["report", s, "--data", d, "--out", o, "--tz", "Mars/Olympus"],
            ["report", s, "--data", d, "--out", o, "--report-tz", "EST5"],
            ["report", s, "--data", junk, "--out", o],
            ["report", s, "--data", str(p["empty"]), "--out", o],
            ["report", s, "--data", d, "--out", busy],
            ["report", s, "--data", d, "--out", str(p["afile"])],
            ["report", s, "--data", d, "--out", d],
            ["report", str(p["badyaml"]), "--data", d, "--out", o],
            ["report", str(p["root"] / "nope.yaml"), "--data", d, "--out", o],
            ["report", s, "--data", str(p["root"] / "nowhere"), "--out", o],
            ["report", s, "--data", d, "--jobs", "many"],
            ["report", s],
        ],
        "verify": [["verify", str(p["root"] / "nowhere")], ["verify", busy], ["verify", str(p["corrupt"])], ["verify"],
                   ["verify", str(p["afile"])]],  # a file that is no evidence bundle
        "bundle": [["bundle", str(p["root"] / "nowhere")], ["bundle", busy], ["bundle", str(p["corrupt"])], ["bundle"],
                   ["bundle", str(p["corrupt"]), "--out", str(p["afile"])]],
        "analyze": [
            ["analyze", s, "--data", d, "--tz", "Mars/Olympus"],
            ["analyze", s, "--data", d, "--report-tz", "utc"],
            ["analyze", s, "--data", junk],
            ["analyze", s, "--data", d, "--out", busy],
            ["analyze", str(p["badyaml"]), "--data", d],
            ["analyze", s, "--data", d, "--lead", "soon"],
            ["analyze", s],
        ],
        "legs": [
            ["legs", d, "--out", o, "--tz", "EST5"],
            ["legs", junk, "--out", o],
            ["legs", str(p["empty"]), "--out", o],
            ["legs", d, "--out", busy],
            ["legs", d, "--out", o, "--scenario", str(p["badyaml"])],
            ["legs", d, "--out", d],
        ],
        "simulate": [
            ["simulate", str(p["root"] / "nope.yaml"), "--out", o],
            ["simulate", s, "--out", busy],
            ["simulate", str(p["badyaml"]), "--out", o],
            ["simulate", s, "--out", str(p["root"])],  # the folder that holds the scenario... and everything else
            ["simulate", s],
        ],
        "ingest": [
            ["ingest", junk, "--out", o],
            ["ingest", d, "--out", o, "--format", "nope"],
            ["ingest", d, "--out", o, "--tz", "Mars/Olympus"],
            ["ingest", d, "--out", busy],
            ["ingest", d, "--out", o, "--store", o],
            ["ingest", str(p["root"] / "nowhere"), "--out", o],
        ],
        "formats": [["formats", "extra"]],
        "draft": [
            ["draft", str(p["root"] / "nope.txt"), "--out", o + ".yaml"],
            ["draft", str(p["junk"] / "notes.txt"), "--out", o + ".yaml", "--lang", "klingon"],
            ["draft", str(p["junk"] / "notes.txt"), "--out", o + ".yaml", "--date", "last spring"],
            ["draft", str(p["junk"] / "notes.txt"), "--out", str(p["afile"])],
            ["draft", str(p["junk"] / "notes.txt"), "--out", o + ".yaml", "--scenario", str(p["badyaml"])],
            ["draft", str(p["junk"] / "notes.txt")],
        ],
        "scan": [
            ["scan", d, "--out", o],
            ["scan", d, "--out", o, "--bbox", "1,2"],
            ["scan", d, "--out", o, "--bbox", "30,29,36,33", "--airport", "LLOV"],
            ["scan", d, "--out", busy, "--icao24", "600864"],
            ["scan", d, "--out", o, "--airport", "LLOV", "--scenario", str(p["badyaml"])],
        ],
        "scale": [
            ["scale", d, "--out", o, "--tz", "Mars/Olympus"],
            ["scale", d, "--out", busy],
            ["scale", d, "--out", o, "--scenario", str(p["badyaml"])],
            ["scale", d, "--out", o, "--buckets", "some"],
        ],
    }


def _all_commands() -> dict[str, object]:
    """Every leaf command by its full name (``fetch opensky flights``)."""
    _load()
    found: dict[str, object] = {}

    def walk(cmd: object, prefix: str) -> None:
        subs = getattr(cmd, "commands", None)  # a group (typer carries its own click)
        if subs:
            for name, sub in subs.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            found[prefix] = cmd

    walk(typer.main.get_command(app), "")
    return found


def test_help_lists_every_command_and_each_has_bad_cases(place: dict[str, Path]) -> None:
    _load()
    res = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    commands = res.output[res.output.index("\nCommands:\n"):]
    listed = {line.split()[0] for line in commands.splitlines() if re.match(r"^  [a-z]+ ", line)}
    top = {name.split()[0] for name in _all_commands()}
    assert listed == top and "report" in listed and "fetch" in listed
    assert set(_cases(place)) == top - {"fetch"}  # fetch's subcommands: argument errors, below


def _check(res: object, what: list[str]) -> None:
    out = res.output + (res.stderr if res.stderr_bytes is not None else "")  # type: ignore[attr-defined]
    assert res.exit_code == 2, (what, res.exit_code, out, res.exception)  # type: ignore[attr-defined]
    assert "Traceback" not in out and res.exception is None or isinstance(res.exception, SystemExit), what  # type: ignore[attr-defined]
    assert not RAW.search(out), (what, out)


def test_every_command_with_bad_arguments_or_inputs_exits_2_without_a_traceback_and_writes_nothing(
        place: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _load()
    monkeypatch.chdir(place["work"])
    runner = CliRunner()
    before = snapshot(place["root"])
    for cases in _cases(place).values():
        for args in cases:
            res = runner.invoke(app, args, env={"COLUMNS": "100"})
            _check(res, args)
            assert snapshot(place["root"]) == before, args  # nothing written anywhere (no out folder, no maps/)


def test_fetch_subcommands_with_bad_arguments_exit_2(place: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(place["work"])
    runner = CliRunner()
    fetch = sorted(name for name in _all_commands() if name.startswith("fetch "))
    assert {"fetch globe", "fetch v2", "fetch verify"} <= set(fetch)
    for name in fetch:
        for extra in (["--no-such-option"], ["--out"]):
            args = [*name.split(), *extra]
            _check(runner.invoke(app, args), args)
    assert snapshot(place["work"]) == {}


def test_version_is_printed() -> None:
    res = subprocess.run([sys.executable, "-c", "from flighttrace.cli import main; main()", "--version"], capture_output=True,
                         text=True, cwd=ROOT, check=False)
    assert res.returncode == 0 and res.stdout == f"flighttrace {__version__}\n"


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--tz", "Mars/Olympus", "--tz: unknown time zone 'Mars/Olympus'"),
    ("--tz", "EST5", "POSIX TZ rule"),
    ("--report-tz", "EST5", "means UTC−5 all year, which IANA names Etc/GMT+5"),
    ("--report-tz", "europe/moscow", "did you mean Europe/Moscow?"),
])
def test_zones_are_checked_before_any_file_is_read(place: dict[str, Path], parsed_files: list[str], option: str, value: str,
                                                    says: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(place["work"])
    res = CliRunner().invoke(app, ["report", str(SEED), "--data", str(place["data"]), "--out", str(place["out"]), option, value])
    assert res.exit_code == 2 and says in " ".join(res.stderr.split())
    assert parsed_files == []  # refused before the read
    assert res.stderr.count("\n") == 1


def test_a_valid_zone_passes(place: dict[str, Path]) -> None:
    from flighttrace.timeutil import check_zone

    assert check_zone("Asia/Baku") == "Asia/Baku" and check_zone(None) is None and check_zone("EST5EDT") == "EST5EDT"


def test_no_positions_names_each_file_its_format_and_why_and_writes_nothing(place: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(place["work"])
    runner = CliRunner()
    for args in (["report", str(SEED), "--data", str(place["junk"]), "--out", "rep", "--maps", "maps"],
                 ["analyze", str(SEED), "--data", str(place["junk"]), "--out", "an"],
                 ["legs", str(place["junk"]), "--out", "lg"]):
        res = runner.invoke(app, args, env={"COLUMNS": "300"})
        assert res.exit_code == 2, res.output
        lines = res.stderr.splitlines()
        assert lines[0].startswith("error: no positions in the 3 input files; nothing was written.")
        by_file = {Path(line.split(" [")[0].strip()).name: line for line in lines[1:]}
        assert set(by_file) == {"notes.txt", "photo.jpg", "evil[red]x.txt"}
        assert "[not recognised]: unrecognised content (first line: 'called the airport, no answer')" in by_file["notes.txt"]
        assert "[not recognised]" in by_file["photo.jpg"] and "JFIF" in by_file["photo.jpg"]
        assert "\\ufffd" in by_file["photo.jpg"] or "\\xff" in by_file["photo.jpg"]  # its bytes escaped, never raw
        assert not RAW.search(res.stderr)
        assert "note [/bogus] not markup [bold]" in by_file["evil[red]x.txt"]  # file text and names printed as text
        assert snapshot(place["work"]) == {}  # not even the out folder or maps/
    res = runner.invoke(app, ["report", str(SEED), "--data", str(place["empty"]), "--out", "rep"])
    assert res.exit_code == 2 and res.stderr.startswith(f"error: no input files: {place['empty']} hold(s) no file to read")


def test_an_unreadable_file_alone_gives_no_result(place: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import gzip

    monkeypatch.chdir(place["work"])
    cut = place["root"] / "cut"
    cut.mkdir()
    (cut / "states.csv.gz").write_bytes(gzip.compress(b"time,icao24,lat,lon\n" * 50)[:30])  # a truncated gzip
    res = CliRunner().invoke(app, ["legs", str(cut), "--out", "lg"], env={"COLUMNS": "300"})
    assert res.exit_code == 2 and "states.csv.gz [" in res.stderr and snapshot(place["work"]) == {}


def test_build_report_raises_before_reading(place: dict[str, Path], parsed_files: list[str]) -> None:
    from flighttrace.nodata import NoPositionsError
    from flighttrace.outdir import OutputFolderError
    from flighttrace.report import build_report

    with pytest.raises(ValueError, match="unknown time zone"):
        build_report(SEED, [place["data"]], place["out"], tz="Mars/Olympus")
    with pytest.raises(OutputFolderError, match="is not empty and was not made by flighttrace"):
        build_report(SEED, [place["data"]], place["busy"])
    assert parsed_files == [] and not place["out"].exists()
    with pytest.raises(NoPositionsError) as err:
        build_report(SEED, [place["junk"]], place["out"])
    assert {Path(f["path"]).name for f in err.value.files} == {"notes.txt", "photo.jpg", "evil[red]x.txt"}
    assert not place["out"].exists()


def test_file_names_and_file_text_in_the_ingest_table_are_printed_as_text(place: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    import flighttrace.cli.ingest as ingest_cmd

    _load()
    monkeypatch.chdir(place["work"])
    monkeypatch.setattr(ingest_cmd, "out_console", Console(width=400))  # one table row per file, however narrow the terminal
    res = CliRunner().invoke(app, ["ingest", str(place["junk"]), "--out", "o", "--no-progress"])
    assert res.exit_code == 2 and not RAW.search(res.stdout)
    row = next(line for line in res.stdout.splitlines() if "x.txt" in line)
    assert "evil[red]x.txt" in row and "note [/bogus] not markup [bold]" in row  # neither taken for markup
    photo = next(line for line in res.stdout.splitlines() if "photo.jpg" in line)
    assert "\\ufffd" in photo and "JFIF" in photo
