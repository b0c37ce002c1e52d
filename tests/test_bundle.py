"""The evidence bundle: one deterministic zip with the report and what it rests on; ``flighttrace verify`` works on it."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flighttrace.outdir import OutputFolderError
from flighttrace.report import build_report
from flighttrace.report.bundle import BundleError, bundle, is_bundle, verify_bundle

ROOT = Path(__file__).resolve().parents[1]
FR24 = ROOT / "fixtures" / "ovda" / "data" / "fr24"
FILES = ["AZQ4206_hex600864_2023-09-03.csv", "AZQ4207_hex600864_2023-09-03.csv"]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case folder as a reporter keeps it: the scenario, a data folder with a custody log, the report made in it with relative paths."""
    import os

    root = tmp_path_factory.mktemp("case")
    (root / "data").mkdir()
    for f in FILES:
        shutil.copyfile(FR24 / f, root / "data" / f)
    shutil.copyfile(ROOT / "seeds" / "azerbaijan-ovda.yaml", root / "scn.yaml")
    # a custody log beside the data (as flighttrace fetch writes one): it goes into the bundle with the inputs
    entry = {"id": "e1", "action": "fetch", "path": FILES[0], "sha256": hashlib.sha256((FR24 / FILES[0]).read_bytes()).hexdigest(),
             "url": "https://example.org/AZQ4206.csv", "seq": 1}
    (root / "data" / "custody.jsonl").write_text(json.dumps(entry) + "\n", encoding="utf-8")
    (root / "data" / "custody.head").write_text(json.dumps({"seq": 1}) + "\n", encoding="utf-8")
    here = Path.cwd()
    os.chdir(root)
    try:
        build_report("scn.yaml", ["data"], "rep", command="pytest")
    finally:
        os.chdir(here)
    return root


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def test_a_bundle_holds_report_inputs_custody_and_readme_and_is_the_same_bytes_twice(case: Path, tmp_path: Path) -> None:
    res = bundle(case / "rep", tmp_path / "a.zip")
    names = _names(res.path)
    assert names == sorted(names) and all(n.startswith("rep-bundle/") for n in names)
    rel = {n.removeprefix("rep-bundle/") for n in names}
    report_files = {f"report/{p.relative_to(case / 'rep').as_posix()}" for p in (case / "rep").rglob("*") if p.is_file()}
    assert report_files <= rel and "report/provenance.json" in rel and "report/index.html" in rel
    assert {"README.txt", "bundle.json", "inputs/scn.yaml", "inputs/data/custody.jsonl", "inputs/data/custody.head"} <= rel
    assert {f"inputs/data/{f}" for f in FILES} <= rel
    with zipfile.ZipFile(res.path) as zf:
        infos = zf.infolist()
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        doc = json.loads(zf.read("rep-bundle/bundle.json"))
        readme = zf.read("rep-bundle/README.txt").decode("utf-8")
        # every file is listed with the SHA-256 of its bytes
        for i in infos:
            n = i.filename.removeprefix("rep-bundle/")
            if n != "bundle.json":
                assert doc["files"][n]["sha256"] == hashlib.sha256(zf.read(i)).hexdigest()
    by_path = {i["path"]: i for i in doc["inputs"]}
    assert by_path[f"data/{FILES[0]}"]["origin"]["url"] == "https://example.org/AZQ4206.csv"  # from the custody log
    assert by_path[f"data/{FILES[1]}"]["origin"]["note"] == "given as a local file"
    assert "flighttrace verify" in readme and "report/index.html" in readme
    # the same report gives the same bytes
    again = bundle(case / "rep", tmp_path / "b.zip")
    assert again.path.read_bytes() == res.path.read_bytes()


def test_verify_works_on_the_zip_and_names_what_changed(case: Path, tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    res = bundle(case / "rep", tmp_path / "ev.zip")
    assert is_bundle(res.path) and verify_bundle(res.path) == []
    _load()
    out = CliRunner().invoke(app, ["verify", str(res.path)])
    assert out.exit_code == 0, out.output
    # a page edited inside the zip, and an input changed: each named, and the CLI exits 1
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(res.path) as src, zipfile.ZipFile(edited, "w") as dst:
        for i in src.infolist():
            data = src.read(i)
            if i.filename.endswith("report/index.html"):
                data = data.replace(b"The finding", b"A finding")
            if i.filename.endswith(f"inputs/data/{FILES[1]}"):
                data = data.replace(b"AZQ", b"AZX", 1)
            dst.writestr(i, data)
    problems = verify_bundle(edited)
    assert "bundle file changed: report/index.html" in problems and f"bundle file changed: inputs/data/{FILES[1]}" in problems
    assert "output edited: index.html" in problems and f"input changed: data/{FILES[1]}" in problems
    out = CliRunner().invoke(app, ["verify", str(edited)])
    assert out.exit_code == 1 and "✗ output edited: index.html" in out.output


def test_inputs_past_the_size_are_left_out_with_their_hashes(case: Path, tmp_path: Path) -> None:
    res = bundle(case / "rep", tmp_path / "small.zip", max_input_mb=0.01)
    rel = {n.removeprefix("rep-bundle/") for n in _names(res.path)}
    assert not any(n.startswith("inputs/data/AZQ") for n in rel) and "inputs/scn.yaml" in rel
    assert sorted(res.inputs_left_out) == sorted(f"data/{f}" for f in FILES)
    with zipfile.ZipFile(res.path) as zf:
        doc = json.loads(zf.read("rep-bundle/bundle.json"))
        assert "over the" in zf.read("rep-bundle/README.txt").decode("utf-8")
    for inp in doc["inputs"]:  # the data files are out, with their hashes; the custody log read beside them stays in
        assert (inp["in_bundle"] is None) is inp["path"].startswith("data/AZQ")
        assert inp["sha256"] == hashlib.sha256((case / inp["path"]).read_bytes()).hexdigest()
    problems = verify_bundle(res.path)
    assert sorted(p.split(" (")[0] for p in problems) == sorted(f"input left out of the bundle: data/{f}" for f in FILES)


def test_a_bundle_never_replaces_a_file_flighttrace_did_not_write(case: Path, tmp_path: Path) -> None:
    mine = tmp_path / "notes.zip"
    mine.write_bytes(b"a reporter's own file")
    with pytest.raises(OutputFolderError, match="flighttrace did not write it"):
        bundle(case / "rep", mine)
    assert mine.read_bytes() == b"a reporter's own file"
    with pytest.raises(OutputFolderError, match="inside the report folder"):
        bundle(case / "rep", case / "rep" / "x.zip")
    with pytest.raises(BundleError, match="no such report folder"):
        bundle(tmp_path / "nothing")
    # a bundle flighttrace wrote is replaced by the next one
    first = bundle(case / "rep", tmp_path / "again.zip")
    assert bundle(case / "rep", tmp_path / "again.zip").path == first.path


def test_report_bundle_option_writes_the_zip_beside_the_report(tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    _load()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(FR24 / FILES[0], data / FILES[0])
    out = tmp_path / "rep"
    res = CliRunner().invoke(app, ["report", str(ROOT / "seeds" / "azerbaijan-ovda.yaml"), "--data", str(data), "--out", str(out), "--bundle",
                                   "--no-progress"])
    assert res.exit_code == 0, res.output
    assert f"Bundle: {tmp_path / 'rep.zip'}" in res.output.splitlines() and is_bundle(tmp_path / "rep.zip")
