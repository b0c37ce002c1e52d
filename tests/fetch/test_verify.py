"""``flighttrace fetch verify``: each kind of tampering is named in one line; a clean archive passes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from flighttrace.cli import _load, app
from flighttrace.fetch.audit import check_archive
from flighttrace.fetch.custody import (
    CUSTODY_FILE,
    GENESIS,
    HEAD_FILE,
    line_hash,
    read_entries,
)
from tests.fetch.conftest import trace_gz

_load()

HEXES = ("600864", "600865", "600866")


def run(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, list(args))
    return res.exit_code, res.output


def problem_lines(text: str) -> list[str]:
    return [ln.removeprefix("problem ") for ln in text.splitlines() if ln.startswith("problem ")]


@pytest.fixture
def fetch_into(server: HTTPServer) -> Callable[[Path], list[dict]]:  # type: ignore[type-arg]
    """Fetch one trace for each of three aircraft into a folder with the CLI; returns the custody entries."""
    for hx in HEXES:
        server.expect_request(f"/g/2023/09/01/traces/{hx[-2:]}/trace_full_{hx}.json").respond_with_data(
            trace_gz(icao=hx), content_type="application/json")

    def fetch(out: Path) -> list[dict]:  # type: ignore[type-arg]
        code, text = run("fetch", "globe", "--hex", ",".join(HEXES), "--start", "2023-09-01", "--end", "2023-09-01",
                         "--base-url", server.url_for("/g"), "--out", str(out), "--min-interval", "0", "--no-progress")
        assert code == 0, text
        return list(read_entries(out / CUSTODY_FILE))

    return fetch


def test_a_clean_archive_verifies(fetch_into: Callable[[Path], list[dict]], tmp_path: Path) -> None:  # type: ignore[type-arg]
    es = fetch_into(tmp_path / "case")
    assert [e["seq"] for e in es] == [1, 2, 3]
    assert es[0]["prev"] == GENESIS
    head = json.loads((tmp_path / "case" / HEAD_FILE).read_text())
    last_line = (tmp_path / "case" / CUSTODY_FILE).read_bytes().splitlines()[-1]
    assert head["seq"] == 3 and head["sha256"] == line_hash(last_line)
    code, text = run("fetch", "verify", str(tmp_path / "case"))
    assert code == 0 and "custody log and files agree (3 entries, 3 files checked)" in text
    assert problem_lines(text) == []


@pytest.mark.parametrize("removed", [1, 2])
def test_removed_last_entries_are_reported(fetch_into: Callable[[Path], list[dict]], tmp_path: Path, removed: int) -> None:  # type: ignore[type-arg]
    out = tmp_path / "case"
    es = fetch_into(out)
    log = out / CUSTODY_FILE
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-removed]))  # the chain of what is left is intact
    code, text = run("fetch", "verify", str(out))
    assert code == 1
    gone = "the last entry was removed" if removed == 1 else f"the last {removed} entries were removed"
    unnamed = [f"{e['path']}: no custody entry names this file (added to the archive afterwards?)" for e in es[-removed:]]
    assert sorted(problem_lines(text)) == sorted([f"{CUSTODY_FILE} ends at entry {3 - removed} but {HEAD_FILE} records 3: {gone}", *unnamed])


def test_a_log_cut_mid_entry_is_reported(fetch_into: Callable[[Path], list[dict]], tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "case"
    es = fetch_into(out)
    log = out / CUSTODY_FILE
    log.write_bytes(log.read_bytes()[:-60])  # the last entry loses its end
    code, text = run("fetch", "verify", str(out))
    assert code == 1
    assert problem_lines(text) == [
        f"line 3 of {CUSTODY_FILE} is not a complete entry (the log was cut or edited there)",
        f"the last line of {CUSTODY_FILE} is not a complete numbered entry (the log was cut or edited); {HEAD_FILE} records 3 entries",
        f"{es[2]['path']}: no custody entry names this file (added to the archive afterwards?)",
    ]


def test_a_file_replaced_by_forged_bytes_is_reported(fetch_into: Callable[[Path], list[dict]], tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "case"
    es = fetch_into(out)
    f = out / es[1]["path"]
    os.chmod(f, 0o644)
    f.write_bytes(trace_gz(icao=HEXES[1], n=6))  # a well-formed trace, just not the one fetched
    code, text = run("fetch", "verify", str(out))
    assert code == 1
    assert problem_lines(text) == [f"{es[1]['path']}: SHA-256 differs from entry 2 (the bytes were replaced or edited)"]


def test_a_file_no_entry_names_is_reported(fetch_into: Callable[[Path], list[dict]], tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "case"
    es = fetch_into(out)
    planted = (out / es[0]["path"]).with_name("trace_full_600867.json")
    planted.write_bytes(trace_gz(icao="600867"))
    code, text = run("fetch", "verify", str(out))
    assert code == 1
    rel = planted.relative_to(out).as_posix()
    assert problem_lines(text) == [f"{rel}: no custody entry names this file (added to the archive afterwards?)"]


def test_an_entry_edited_in_the_middle_breaks_the_chain(fetch_into: Callable[[Path], list[dict]], tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "case"
    fetch_into(out)
    log = out / CUSTODY_FILE
    lines = log.read_bytes().splitlines(keepends=True)
    e = json.loads(lines[0])
    e["operator"] = "someone else"
    lines[0] = json.dumps(e, separators=(",", ":")).encode() + b"\n"
    log.write_bytes(b"".join(lines))
    code, text = run("fetch", "verify", str(out))
    assert code == 1
    assert problem_lines(text) == [
        f"line 2 of {CUSTODY_FILE}: hash chain broken (its prev does not match the line before): an entry before it was edited, inserted or removed"
    ]


def test_a_tampered_log_is_never_extended(fetch_into: Callable[[Path], list[dict]], server: HTTPServer, tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "case"
    fetch_into(out)
    log = out / CUSTODY_FILE
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[:-1]))
    before = log.read_bytes()
    n = len(server.log)
    code, text = run("fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01", "--refresh",
                     "--base-url", server.url_for("/g"), "--out", str(out), "--min-interval", "0", "--no-progress")
    assert code == 2 and "cannot be extended" in text and "the last entry was removed" in text
    assert len([ln for ln in text.splitlines() if ln.strip()]) == 1
    assert len(server.log) == n and log.read_bytes() == before  # nothing asked, nothing written


def test_an_older_log_without_chain_fields_is_said_so_plainly(
    fetch_into: Callable[[Path], list[dict]], server: HTTPServer, tmp_path: Path  # type: ignore[type-arg]
) -> None:
    out = tmp_path / "case"
    es = fetch_into(out)
    old = [{k: v for k, v in e.items() if k not in ("seq", "prev")} for e in es]  # as an older flighttrace wrote them
    (out / CUSTODY_FILE).write_text("".join(json.dumps(e) + "\n" for e in old))
    (out / HEAD_FILE).unlink()
    code, text = run("fetch", "verify", str(out))
    assert code == 0 and problem_lines(text) == []
    assert "entries 1–3 were written by an older flighttrace without a hash chain" in text
    assert "tamper" not in text
    # such a log can still be extended; new entries are numbered on from it and chained to its last line
    code, text = run("fetch", "globe", "--hex", "600864", "--start", "2023-09-01", "--end", "2023-09-01", "--refresh",
                     "--base-url", server.url_for("/g"), "--out", str(out), "--min-interval", "0", "--no-progress")
    assert code == 0, text
    new = list(read_entries(out / CUSTODY_FILE))[-1]
    assert new["seq"] == 4 and new["prev"] == line_hash((out / CUSTODY_FILE).read_bytes().splitlines()[2])
    v = check_archive(out)
    assert v.problems == [] and v.entries == 4


def test_a_run_stopped_between_the_log_and_the_head_is_a_note_not_a_problem(
    fetch_into: Callable[[Path], list[dict]], tmp_path: Path  # type: ignore[type-arg]
) -> None:
    out = tmp_path / "case"
    fetch_into(out)
    second = (out / CUSTODY_FILE).read_bytes().splitlines()[1]
    (out / HEAD_FILE).write_text(json.dumps({"seq": 2, "sha256": line_hash(second)}))
    code, text = run("fetch", "verify", str(out))
    assert code == 0 and problem_lines(text) == []
    assert f"entry 3 was written after {HEAD_FILE} was last updated" in text


def test_a_deleted_file_and_a_deleted_head_record_are_reported(fetch_into: Callable[[Path], list[dict]], tmp_path: Path) -> None:  # type: ignore[type-arg]
    out = tmp_path / "case"
    es = fetch_into(out)
    (out / es[0]["path"]).unlink()
    (out / HEAD_FILE).unlink()
    code, text = run("fetch", "verify", str(out))
    assert code == 1
    assert problem_lines(text) == [
        f"{HEAD_FILE} is missing: the last entries of the log could have been removed unnoticed",
        f"{es[0]['path']}: named by entry 1 but missing",
    ]
