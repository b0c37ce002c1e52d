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
