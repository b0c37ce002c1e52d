"""``fetch verify``: check an archive folder against its custody log.

Four kinds of tampering are looked for, each reported in one line:

* an entry edited, inserted or removed inside the log: the next entry's
  ``prev`` (SHA-256 of the line before it) or its ``seq`` (its number) no
  longer fits;
* entries removed from the end, or the log cut mid-line: the log no longer
  ends where the head record ``custody.head`` says it does;
* a file whose bytes are not those logged (forged or edited), or a logged
  file that is gone;
* a file in the archive that no entry names (added afterwards).

Lines written by an older flighttrace, before entries were numbered, are
said to be so plainly: what they cannot show is named, and they are not
reported as tampered. The files they name are still checked against their
hashes.

This module imports nothing from the network stack.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from flighttrace.fetch.custody import (
    CUSTODY_FILE,
    GENESIS,
    HEAD_FILE,
    head_state,
    line_hash,
)
from flighttrace.hashing import sha256_file

__all__ = ["TEMP_PREFIXES", "Verification", "check_archive", "verify"]

TEMP_PREFIXES: Final = (".part-", ".head-")
"""Names of flighttrace's own temporary files; one left behind means a run was interrupted."""
_OWN_FILES: Final = frozenset({CUSTODY_FILE, HEAD_FILE})


@dataclass
class Verification:
    """The outcome of :func:`check_archive`.

    Attributes
    ----------
    root
        The archive folder.
    problems
        One line per finding; empty when the archive and its log agree.
    notes
        What could not be checked, or harmless oddities (entries written by
        an older flighttrace, a run that stopped between two writes).
    entries
        Entries in the log.
    files
        Files checked against their logged SHA-256.
    """

    root: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    entries: int = 0
    files: int = 0


@dataclass
class _Chain:
    """State while walking the log line by line."""

    prev: str = GENESIS
    count: int = 0
    numbered: bool = False
    legacy: int = 0
    legacy_chained: bool = True
    named: dict[str, list[tuple[str, int, str, str]]] = field(default_factory=dict)
    """path → [(sha256, seq or line number, action, id)] in log order."""


def _check_line(n: int, raw: bytes, st: _Chain, problems: list[str]) -> None:
    """Check one log line against the chain so far and note the file it names."""
    st.count += 1
    try:
        e: Any = json.loads(raw)
    except ValueError:
        problems.append(f"line {n} of {CUSTODY_FILE} is not a complete entry (the log was cut or edited there)")
        return
    if not isinstance(e, dict):
        problems.append(f"line {n} of {CUSTODY_FILE} is not an entry (not a JSON object)")
        return
    seq = e.get("seq")
    if seq is None:
        if st.numbered:
            problems.append(f"line {n} of {CUSTODY_FILE} has no entry number although earlier entries do: it was inserted or edited")
        else:
            st.legacy += 1
            if e.get("prev") is None:
                st.legacy_chained = False
            elif e.get("prev") != st.prev:
                problems.append(f"line {n} of {CUSTODY_FILE}: hash chain broken (its prev does not match the line before): a line before it was edited, inserted or removed")
    else:
        st.numbered = True
        why = []
        if e.get("prev") != st.prev:
            why.append("its prev does not match the line before")
        if seq != st.count:
            why.append(f"it is numbered {seq} where {st.count} was expected")
        if why:
            problems.append(f"line {n} of {CUSTODY_FILE}: hash chain broken ({'; '.join(why)}): an entry before it was edited, inserted or removed")
    rel = e.get("path")
    if isinstance(rel, str) and rel and e.get("action") in ("fetch", "cache-hit", "failed"):
        st.named.setdefault(rel, []).append((str(e.get("sha256") or ""), seq if isinstance(seq, int) else n, str(e.get("action")), str(e.get("id") or "")))


def _check_files(root: Path, st: _Chain, out: Verification) -> None:
    """Every named file present with its logged hash; every file named."""
    root_r = root.resolve()
    for rel in sorted(st.named):
        uses = [u for u in st.named[rel] if u[0]]
        f = root / rel
        if not f.resolve().is_relative_to(root_r):
            out.problems.append(f"{rel}: entry {st.named[rel][0][1]} names a path outside the archive")
            continue
        if not f.is_file():
            out.problems.append(f"{rel}: named by entry {st.named[rel][0][1]} but missing")
            continue
        if not uses:
            continue
        sha = sha256_file(f)
        out.files += 1
        last_sha, last_seq = uses[-1][0], uses[-1][1]
        if sha != last_sha:
            out.problems.append(f"{rel}: SHA-256 differs from entry {last_seq} (the bytes were replaced or edited)")
        for other_sha, other_seq, _, _ in uses[:-1]:
            if other_sha != last_sha:
                out.problems.append(f"{rel}: the body logged by entry {other_seq} is gone (the file was overwritten later)")
                break
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = f.relative_to(root).as_posix()
        if rel in _OWN_FILES or rel in st.named:
            continue
        if f.name.startswith(TEMP_PREFIXES) and f.name.endswith(".tmp"):
            out.notes.append(f"{rel}: a temporary file left by an interrupted run (not evidence)")
        else:
            out.problems.append(f"{rel}: no custody entry names this file (added to the archive afterwards?)")


def check_archive(root: str | os.PathLike[str]) -> Verification:
    """Check an archive folder against its custody log and head record.

    Parameters
    ----------
    root
        The archive folder (holding ``custody.jsonl``).

    Returns
    -------
    Verification
        Findings (``problems``), what could not be checked (``notes``), and
        how many entries and files were checked.
    """
    root = Path(root)
    out = Verification(root=root)
    log = root / CUSTODY_FILE
    if not log.is_file():
        out.problems.append(f"no {CUSTODY_FILE} in {root}")
        return out
    st = _Chain()
    with open(log, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if raw.strip():
                _check_line(n, raw, st, out.problems)
                st.prev = line_hash(raw)
    out.entries = st.count
    problem, note = head_state(root)
    if problem:
        out.problems.append(problem)
    if st.legacy:
        what = (
            "without entry numbers or a head record: a removal of the last of them cannot be detected"
            if st.legacy_chained
            else "without a hash chain: edits, insertions or removals among them cannot be detected"
        )
        out.notes.append(f"entries 1–{st.legacy} were written by an older flighttrace {what}; the files they name are still checked against their hashes")
    elif note:
        out.notes.append(note)
    _check_files(root, st, out)
    return out


def verify(root: str | os.PathLike[str]) -> list[str]:
    """The findings of :func:`check_archive`: one line per problem, empty when all agree."""
    return check_archive(root).problems
