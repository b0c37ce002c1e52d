"""Output folders (flighttrace.outdir): new, empty or stamped by flighttrace; nothing else is ever removed or overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from flighttrace.outdir import STAMP_NAME, OutputFolderError, output_folder, read_stamp


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run(out: Path, files: dict[str, str], **kw: object) -> None:
    """A run that writes ``files`` (relative name → text) into ``out``."""
    target = output_folder(out, command="pytest", **kw)  # type: ignore[arg-type]
    with target.writing() as work:
        for rel, text in files.items():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            (work / rel).write_text(text)


def test_a_new_folder_gets_the_files_and_a_stamp_listing_them(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    run(out, {"x.csv": "1\n", "tables/y.csv": "2\n"})
    assert snapshot(out).keys() == {"x.csv", "tables/y.csv", STAMP_NAME}
    stamp = read_stamp(out)
    assert stamp is not None and sorted(stamp["files"]) == ["tables/y.csv", "x.csv"] and stamp["command"] == "pytest"
    import hashlib

    assert stamp["files"]["x.csv"]["sha256"] == hashlib.sha256(b"1\n").hexdigest()
    assert not [p for p in out.iterdir() if p.name.startswith(".flighttrace-partial-")]  # the staging folder is gone


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    run(tmp_path / "out", {"x.csv": "1\n"})
    assert (tmp_path / "out" / "x.csv").read_text() == "1\n"


def test_a_folder_holding_other_files_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "case"
    (out / "evidence").mkdir(parents=True)
    (out / "notes.txt").write_text("reporter's notes\n")
    (out / "evidence" / "trace.json").write_text("{}")
    before = snapshot(out)
    with pytest.raises(OutputFolderError, match=r"is not empty and was not made by flighttrace \(it holds evidence, notes.txt\)"):
        output_folder(out)
    assert snapshot(out) == before and sorted(p.name for p in out.iterdir()) == ["evidence", "notes.txt"]


def test_the_working_folder_with_files_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "notes.txt").write_text("x")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputFolderError, match="output folder . is not empty"):
        output_folder(".")
    assert snapshot(tmp_path) == {"notes.txt": b"x"}


def test_a_rerun_replaces_its_own_files_removes_its_stale_ones_and_keeps_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    run(out, {"index.html": "v1", "charts/old.png": "old", "tables/t.csv": "1\n"})
    (out / "notes.txt").write_text("mine")  # the reporter's own files, added later
    (out / "charts" / "mine.png").write_text("my chart")
    run(out, {"index.html": "v2", "tables/t.csv": "2\n", "tables/new.csv": "3\n"})
    assert snapshot(out) == {
        "index.html": b"v2", "tables/t.csv": b"2\n", "tables/new.csv": b"3\n",  # replaced and added
        "notes.txt": b"mine", "charts/mine.png": b"my chart",  # untouched; charts/old.png (stale, ours) removed
        STAMP_NAME: (out / STAMP_NAME).read_bytes(),
    }
    assert sorted(read_stamp(out)["files"]) == ["index.html", "tables/new.csv", "tables/t.csv"]  # type: ignore[index]
    # a folder of ours that ends up empty goes; one that holds the reporter's file stays
    run(out, {"index.html": "v3"})
    assert not (out / "tables").exists() and (out / "charts" / "mine.png").read_bytes() == b"my chart"


def test_a_file_flighttrace_did_not_write_is_never_written_over(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    run(out, {"index.html": "v1"})
    (out / "sorties.csv").write_text("the reporter's own sorties\n")
    before = snapshot(out)
    with pytest.raises(OutputFolderError, match=r"sorties.csv exists and flighttrace did not write it; nothing was written"):
        run(out, {"index.html": "v2", "sorties.csv": "ours\n"})
    assert snapshot(out) == before  # not even index.html was replaced


def test_a_file_edited_after_flighttrace_wrote_it_is_neither_replaced_nor_removed(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    run(out, {"index.html": "v1", "stale.csv": "1\n"})
    (out / "stale.csv").write_text("1\nthe reporter's correction\n")
    before = snapshot(out)
    with pytest.raises(OutputFolderError, match=r"stale.csv was changed after flighttrace wrote it"):
        output_folder(out)
    assert snapshot(out) == before
    # the same bytes written again (a copy, a touch) are not an edit
    (out / "stale.csv").write_text("1\n")
    os.utime(out / "stale.csv", ns=(1, 1))
    run(out, {"index.html": "v2"})
    assert not (out / "stale.csv").exists()


def test_a_failed_run_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "new" / "rep"
    target = output_folder(out)
    with pytest.raises(RuntimeError), target.writing() as work:
        (work / "index.html").write_text("half")
        raise RuntimeError("the pipeline failed")
    assert not (tmp_path / "new").exists()  # the folders this run made are gone again
    run(tmp_path / "old", {"index.html": "v1"})
    before = snapshot(tmp_path / "old")
    with pytest.raises(RuntimeError), output_folder(tmp_path / "old").writing() as work:
        (work / "index.html").write_text("v2")
        raise RuntimeError
    assert snapshot(tmp_path / "old") == before


@pytest.mark.parametrize(("out", "inputs", "why"), [
    ("case/evidence", ["case/evidence"], "is the input case/evidence"),
    ("case", ["case/evidence"], "holds the input case/evidence"),
    ("case", ["case/scn.yaml"], "holds the input case/scn.yaml"),
    ("case/scn.yaml", ["case/scn.yaml"], "is the input case/scn.yaml"),
    ("case/evidence/report", ["case/evidence"], "is inside the input folder case/evidence"),
    ("case/evidence/report", ["case/evidence/*.csv"], "is inside the input folder case/evidence"),  # a glob: the folder before it
    ("case/store/out", ["case/store"], "is inside the input folder case/store"),
])
def test_an_output_folder_that_is_holds_or_lies_inside_an_input_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str, inputs: list[str], why: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case" / "evidence").mkdir(parents=True)
    (tmp_path / "case" / "store").mkdir()
    (tmp_path / "case" / "scn.yaml").write_text("meta: {}\n")
    before = snapshot(tmp_path)
    with pytest.raises(OutputFolderError, match=f"output folder {out} {why}"):
        output_folder(out, inputs=inputs)
    assert snapshot(tmp_path) == before


def test_an_output_folder_beside_the_scenario_file_is_fine(tmp_path: Path) -> None:
    (tmp_path / "case" / "evidence").mkdir(parents=True)
    (tmp_path / "case" / "scn.yaml").write_text("meta: {}\n")
    run(tmp_path / "case" / "report", {"index.html": "x"}, inputs=[tmp_path / "case" / "scn.yaml", tmp_path / "case" / "evidence"])
    assert (tmp_path / "case" / "report" / "index.html").read_text() == "x"


def test_a_stamp_can_never_point_outside_its_folder(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    run(out, {"index.html": "v1"})
    victim = tmp_path / "evidence.json"
    victim.write_text("evidence")
    doc = json.loads((out / STAMP_NAME).read_text())
    for bad in ("../evidence.json", str(victim), "./../evidence.json", "a/../../evidence.json"):
        doc["files"][bad] = {"sha256": "0" * 64, "size": 8}
    (out / STAMP_NAME).write_text(json.dumps(doc))
    assert sorted(read_stamp(out)["files"]) == ["index.html"]  # type: ignore[index]
    run(out, {"index.html": "v2"})
    assert victim.read_text() == "evidence"


def test_an_unreadable_stamp_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    out.mkdir()
    (out / STAMP_NAME).write_text("{not json")
    with pytest.raises(OutputFolderError, match="cannot be read"):
        output_folder(out)


def test_an_output_path_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(OutputFolderError, match="is a file"):
        output_folder(tmp_path / "f")


def test_a_shared_folder_keeps_everything_and_writes_only_free_or_own_names(tmp_path: Path) -> None:
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "README.md").write_text("maps go here\n")
    run(maps, {"ovda.html": "map 1"}, shared=True, expect=["ovda.html"])
    run(maps, {"moscow.html": "map 2"}, shared=True, expect=["moscow.html"])
    run(maps, {"ovda.html": "map 1b"}, shared=True, expect=["ovda.html"])  # its own copy is replaced
    assert snapshot(maps).keys() == {"README.md", "ovda.html", "moscow.html", STAMP_NAME}
    assert (maps / "ovda.html").read_text() == "map 1b" and (maps / "moscow.html").read_text() == "map 2"
    (maps / "mine.html").write_text("my own map")
    with pytest.raises(OutputFolderError, match="mine.html exists and flighttrace did not write it"):
        output_folder(maps, shared=True, expect=["mine.html"])
    assert (maps / "mine.html").read_text() == "my own map"


def test_a_link_in_a_stamped_folder_never_leads_a_rerun_outside_it(tmp_path: Path) -> None:
    out = tmp_path / "rep"
    run(out, {"index.html": "v1", "charts/a.png": "png"})
    outside = tmp_path / "evidence"
    outside.mkdir()
    (outside / "a.png").write_text("png")  # the same bytes as the listed file, outside the folder
    (out / "charts" / "a.png").unlink()
    (out / "charts").rmdir()
    (out / "charts").symlink_to(outside, target_is_directory=True)
    run(out, {"index.html": "v2"})  # charts/a.png is stale, but it now lies behind a link: left alone
    assert (outside / "a.png").read_text() == "png"
    with pytest.raises(OutputFolderError, match="lies behind a link"):
        run(out, {"index.html": "v3", "charts/b.png": "new"})
    assert sorted(p.name for p in outside.iterdir()) == ["a.png"]
