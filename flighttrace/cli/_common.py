"""Helpers shared by the CLI commands."""

from __future__ import annotations

import shlex
import sys

import typer
from rich.console import Console

err_console = Console(stderr=True)
out_console = Console()


def fail(message: str, code: int = 2) -> None:
    """Print a one-line reason to stderr and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


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
