"""Helpers shared by the CLI commands."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from flighttrace.safetext import printable

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.io.dataset import Dataset
    from flighttrace.outdir import OutputFolder

class _CommandConsole:
    """A rich :class:`~rich.console.Console` made afresh for each use.

    A Console reads the terminal width (``COLUMNS``) when it is made; one
    made when this module was first imported would keep the width of that
    moment for every later command in the process (a notebook, a test run).
    """

    def __init__(self, **options: object) -> None:
        self._options = options

    def __getattr__(self, name: str) -> object:
        return getattr(Console(**self._options), name)  # type: ignore[arg-type]


err_console: Console = _CommandConsole(stderr=True)  # type: ignore[assignment]
out_console: Console = _CommandConsole()  # type: ignore[assignment]

# options several commands take, declared once (``Annotated``: the default stays in each signature)
Inputs = Annotated[list[Path], typer.Argument(help="Files, folders, globs, tars or ZIP archives (anything `ingest` reads).")]
Icao24 = Annotated[str | None, typer.Option("--icao24", help="Comma-separated hexes to keep.")]
NaiveTz = Annotated[str | None, typer.Option("--tz", help="IANA zone of naive times (SBS logs).")]
ShowProgress = Annotated[bool | None, typer.Option("--progress/--no-progress", help="Progress bar (default: when stderr is a terminal).")]


def plain(value: object) -> str:
    """Text from a file, a path, a scenario or a server, ready to go inside a rich markup string.

    Non-printing characters are escaped (:func:`flighttrace.safetext.printable`)
    and rich markup is escaped, so that ``[/bogus]`` in a file name prints as
    itself and raw bytes never reach the terminal.
    """
    return escape(printable(value))


def fail(message: object, code: int = 2) -> None:
    """Print the reason to stderr (one line, or a first line and one indented line per item) and exit with ``code``."""
    lines = [plain(line) for line in str(message).splitlines()] or [""]
    err_console.print("[bold red]error:[/] " + "\n".join(lines), highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def check_zones(**zones: str | None) -> None:
    """Fail unless every given zone (option name → value, ``report_tz=...`` for ``--report-tz``) is an IANA zone."""
    from flighttrace.timeutil import check_zone

    for option, value in zones.items():
        try:
            check_zone(value, "--" + option.replace("_", "-"))
        except ValueError as exc:
            fail(str(exc))


def output_or_fail(
    path: os.PathLike[str] | str, *, inputs: Iterable[os.PathLike[str] | str | None], shared: bool = False, expect: Iterable[str] = ()
) -> OutputFolder:
    """The checked output folder (:func:`flighttrace.outdir.output_folder`), or a one-line refusal with exit code 2."""
    from flighttrace.outdir import OutputFolderError, output_folder

    try:
        return output_folder(path, inputs=[i for i in inputs if i is not None], command=command_line(), shared=shared, expect=expect)
    except OutputFolderError as exc:
        fail(str(exc))
        raise  # pragma: no cover - fail() exits


def command_line() -> str:
    """The command line as typed (program name normalised)."""
    return "flighttrace " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def show_progress() -> bool:
    """Progress bars on when stderr is a terminal."""
    return sys.stderr.isatty()


def refuse_drafts(scenario: object, allow: bool, name: str) -> None:
    """Exit 2 (one line) when the scenario still has ``status: draft`` claims, unless ``allow``; with it, warn."""
    ids = list(getattr(scenario, "draft_claims", lambda: ())())
    if not ids:
        return
    listed = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
    if not allow:
        fail(f"{name} has {len(ids)} unconfirmed draft claim(s): {listed}; review them and set status: confirmed, or give --allow-draft")
    err_console.print(f"warning: testing {len(ids)} unconfirmed draft claim(s): {listed}", markup=False, highlight=False, soft_wrap=True)


def read_positions(paths: list[str], **options: Any) -> Dataset:
    """:func:`flighttrace.read` of ``paths``, or a one-line refusal: a caller's error, or no position at all (each file said, nothing written)."""
    import flighttrace
    from flighttrace.nodata import NoPositionsError, require_positions

    try:
        ds = flighttrace.read(paths, command=command_line(), **options)
    except Exception as exc:
        fail(str(exc))
    try:
        require_positions(ds, paths)
    except NoPositionsError as exc:
        fail(str(exc))
    return ds
