"""File-system oddities: every path gets a manifest row that says what happened, nothing hangs, nothing is lost silently."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from tests.builders import trace_doc, write_json

GOOD = [[0.0, 40.0, 50.0, 1000, 200.0, 90.0, 0, 0], [20.0, 40.01, 50.01, 1100, 200.0, 90.0, 0, 0]]


def read(paths, **kw):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(paths, **kw)
    assert_counts(ds)
    return ds


def rows(ds) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {Path(p).name: r for p, r in zip(ds.manifest["path"], ds.manifest.to_dict("records"), strict=False)}


def whole_file_reasons(ds) -> dict[str, str]:  # type: ignore[no-untyped-def]
    q = ds.quarantine[ds.quarantine["src_row"].isna()]
    return {Path(f).name: r for f, r in zip(q["src_file"], q["reason"], strict=False)}


def test_a_fifo_in_a_folder_is_an_error_row_and_is_never_opened(tmp_path: Path) -> None:
    write_json(tmp_path / "trace_full_600864.json", trace_doc(GOOD))
    os.mkfifo(tmp_path / "pipe.json")  # opening it for reading would block for ever
    ds = read(tmp_path)
    r = rows(ds)
    assert r["pipe.json"]["error"] == "not a regular file (a FIFO)"
    assert r["pipe.json"]["sha256"] == "" and r["pipe.json"]["rows_read"] == 0
    assert whole_file_reasons(ds) == {"pipe.json": "not a regular file (a FIFO)"}
    assert r["trace_full_600864.json"]["rows_kept"] == 2


def test_a_fifo_and_dev_zero_given_by_name_are_error_rows(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    ds = read([tmp_path / "pipe", "/dev/zero"])
    errors = dict(zip(ds.manifest["path"], ds.manifest["error"], strict=False))
    assert errors == {(tmp_path / "pipe").as_posix(): "not a regular file (a FIFO)", "/dev/zero": "not a regular file (a character device)"}


def test_dangling_and_looping_links_are_error_rows(tmp_path: Path) -> None:
    write_json(tmp_path / "trace_full_600864.json", trace_doc(GOOD))
    (tmp_path / "dangling.json").symlink_to(tmp_path / "gone.json")
    (tmp_path / "loop.json").symlink_to(tmp_path / "loop.json")
    ds = read(tmp_path)
    r = rows(ds)
    assert r["dangling.json"]["error"] == f"dangling symbolic link: its target {(tmp_path / 'gone.json').as_posix()!r} does not exist"
    assert r["loop.json"]["error"] == "symbolic link loop: the link points back to itself"
    assert set(whole_file_reasons(ds)) == {"dangling.json", "loop.json"}
    assert len(ds.points) == 2


def test_a_link_to_a_file_is_read_and_a_link_to_a_folder_is_named_not_followed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_json(tmp_path / "elsewhere" / "trace_full_600864.json", trace_doc(GOOD))
    data.mkdir()
    (data / "linked.json").symlink_to(tmp_path / "elsewhere" / "trace_full_600864.json")
    (data / "sub").symlink_to(tmp_path / "elsewhere")
    ds = read(data)
    r = rows(ds)
    assert r["linked.json"]["rows_kept"] == 2 and r["linked.json"]["error"] == ""
    assert r["sub"]["format"] == "skipped"
    assert r["sub"]["notes"] == "symbolic link to a folder: not followed (pass the folder itself to read it)"
    # a link to a folder given by name is followed: the user asked for it
    assert read(data / "sub").manifest["rows_kept"].tolist() == [2]


def test_a_folder_that_cannot_be_listed_is_an_error_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_json(tmp_path / "ok" / "trace_full_600864.json", trace_doc(GOOD))
    write_json(tmp_path / "locked" / "trace_full_600865.json", trace_doc(GOOD, icao="600865"))
    real = os.scandir

    def scandir(path):  # type: ignore[no-untyped-def]
        if Path(path).name == "locked":  # (the tests run as root, for whom chmod 000 locks nothing)
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    ds = read(tmp_path)
    r = rows(ds)
    assert r["locked"]["error"] == "cannot list the folder (Permission denied): its files were not read"
    assert r["trace_full_600864.json"]["rows_kept"] == 2
    assert "trace_full_600865.json" not in r


def test_a_file_name_that_is_not_utf8_gets_a_printable_label(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9_trace_full_600864.json")  # Latin-1 é: not UTF-8
    write_json(tmp_path / name, trace_doc(GOOD))
    ds = read(tmp_path)
    label = (tmp_path / "caf").as_posix() + "\\xe9_trace_full_600864.json"
    assert ds.manifest["path"].tolist() == [label]
    assert ds.points["src_file"].astype(str).unique().tolist() == [label]
    out = ds.to_parquet(tmp_path.parent / (tmp_path.name + "_out"))  # Arrow and JSON writers accept the label
    assert out["points"].exists() and json.loads(out["manifest"].read_text())["files"][0]["path"] == label


def test_a_missing_path_still_has_its_row(tmp_path: Path) -> None:
    ds = read([tmp_path / "nope.json"])
    assert ds.manifest["error"].tolist() == [f"no such file, folder or glob match: {(tmp_path / 'nope.json').as_posix()}"]
