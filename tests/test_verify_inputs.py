"""``flighttrace verify`` names every difference in the inputs: a file added to an input folder, a changed or removed tar member."""

from __future__ import annotations

import io
import shutil
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flighttrace.report import build_report, verify_report
from flighttrace.report.verify import input_differences

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
FR24 = ROOT / "fixtures" / "ovda" / "data" / "fr24"
FILES = ["AZQ4206_hex600864_2023-09-03.csv", "AZQ4207_hex600864_2023-09-03.csv"]


def _tar(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            tf.addfile(info, io.BytesIO(data))


def test_input_differences_by_hand() -> None:
    old = [{"path": "d/a.csv", "sha256": "1"}, {"path": "t.tar!x.csv", "sha256": "2"}, {"path": "t.tar!y.csv", "sha256": "3"}]
    new = [{"path": "d/a.csv", "sha256": "1"}, {"path": "d/b.csv", "sha256": "4"}, {"path": "t.tar!x.csv", "sha256": "5"}]
    assert input_differences(old, new) == ["input added: d/b.csv", "input changed: t.tar!x.csv", "input removed: t.tar!y.csv"]
    assert input_differences(old, old) == []


def test_verify_names_a_file_added_to_an_input_folder(tmp_path: Path) -> None:
    data = tmp_path / "evidence"
    data.mkdir()
    shutil.copyfile(FR24 / FILES[0], data / FILES[0])
    build_report(SEED, [data], tmp_path / "rep")
    assert verify_report(tmp_path / "rep") == []
    shutil.copyfile(FR24 / FILES[1], data / FILES[1])
    problems = verify_report(tmp_path / "rep")
    assert problems[0] == f"input added: {(data / FILES[1]).as_posix()}"
    assert not any(p.startswith(("input changed", "input missing")) for p in problems)
    # the CLI prints it as the first difference, and exits 1
    from flighttrace.cli import _load, app

    _load()
    res = CliRunner().invoke(app, ["verify", str(tmp_path / "rep")])
    assert res.exit_code == 1 and res.stderr.splitlines()[0] == f"✗ input added: {(data / FILES[1]).as_posix()}"


def test_verify_names_a_changed_and_a_removed_member_of_an_input_tar(tmp_path: Path) -> None:
    members = {name: (FR24 / name).read_bytes() for name in FILES}
    tar = tmp_path / "evidence.tar"
    _tar(tar, members)
    build_report(SEED, [tar], tmp_path / "rep")
    assert verify_report(tmp_path / "rep") == []
    changed = dict(members)
    changed[FILES[0]] = members[FILES[0]].replace(b"AZQ", b"AZX", 1)
    _tar(tar, changed)
    problems = verify_report(tmp_path / "rep")
    assert problems[0] == f"input changed: {tar.as_posix()}!{FILES[0]}"
    assert [p for p in problems if p.startswith("input")] == [f"input changed: {tar.as_posix()}!{FILES[0]}"]
    _tar(tar, {FILES[0]: members[FILES[0]]})
    assert [p for p in verify_report(tmp_path / "rep") if p.startswith("input")] == [f"input removed: {tar.as_posix()}!{FILES[1]}"]


def test_the_rebuild_uses_this_flighttrace_not_a_folder_of_that_name_where_the_report_was_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a case folder that holds a folder named flighttrace (another version, a checkout): the rebuild runs in the case
    # folder, and Python would import that folder first; it must import the flighttrace that verifies
    case = tmp_path / "case"
    (case / "flighttrace").mkdir(parents=True)
    (case / "flighttrace" / "__init__.py").write_text('raise ImportError("the flighttrace of the case folder was imported")\n')
    data = case / "evidence"
    data.mkdir()
    shutil.copyfile(FR24 / FILES[0], data / FILES[0])
    monkeypatch.chdir(case)
    build_report(SEED, [Path("evidence")], case / "rep")
    assert verify_report(case / "rep") == []


def test_a_rebuild_that_differs_names_the_defaults_changed_since(tmp_path: Path) -> None:
    # a report as an older flighttrace would have recorded it: other defaults (inferred ends up to 6,000 ft, 8 candidate fields)
    # and one output whose recorded digest no longer matches: verify says which defaults changed, by name, then and now
    import json

    from flighttrace.report.settings import defaults_record

    data = tmp_path / "evidence"
    data.mkdir()
    shutil.copyfile(FR24 / FILES[0], data / FILES[0])
    build_report(SEED, [data], tmp_path / "rep")
    prov = tmp_path / "rep" / "provenance.json"
    doc = json.loads(prov.read_text(encoding="utf-8"))
    assert doc["default_thresholds"] == json.loads(json.dumps(defaults_record()))  # every default, as recorded
    doc["default_thresholds"]["legs"]["inferred_max_agl_ft"] = 6000.0
    doc["default_thresholds"]["legs"]["k_candidates"] = 8
    doc["outputs"]["sorties.csv"] = "0" * 64
    prov.write_text(json.dumps(doc), encoding="utf-8")
    problems = verify_report(tmp_path / "rep")
    assert "output differs on rebuild: sorties.csv" in problems
    assert problems[-1] == ("default thresholds changed since the report was made (the rebuild uses this flighttrace's): "
                            "legs.inferred_max_agl_ft 6000.0 then, 3000.0 now; legs.k_candidates 8 then, 16 now")
    del doc["default_thresholds"]  # a report made before they were recorded
    prov.write_text(json.dumps(doc), encoding="utf-8")
    assert verify_report(tmp_path / "rep")[-1].startswith("default thresholds not recorded (the report was made by flighttrace ")
