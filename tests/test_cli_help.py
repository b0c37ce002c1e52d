"""Every command's help: plain text (no ``<bool>``, no markup), arguments named plainly, and an example to copy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner


def _commands() -> Iterator[list[str]]:
    """The path of every command and group of the application (``[]`` is the application itself)."""
    import typer.main

    from flighttrace.cli import _load, app

    _load()

    def walk(cmd: Any, path: list[str]) -> Iterator[list[str]]:
        yield path
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


PATHS = list(_commands())


def test_every_command_is_covered() -> None:
    names = {" ".join(p) for p in PATHS}
    assert {"", "report", "verify", "bundle", "analyze", "simulate", "fetch", "fetch opensky states"} <= names and len(names) >= 20


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) or "flighttrace" for p in PATHS])
def test_help_is_plain_and_shows_an_example(path: list[str]) -> None:
    from flighttrace.cli import app

    res = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert res.exit_code == 0, res.output
    text = res.output
    for raw in ("<bool>", "[bold", "[/", "``", ":mod:", ":func:", ":class:", "\x1b["):
        assert raw not in text, raw
    usage = text.splitlines()[0]
    assert usage.startswith("Usage: flighttrace") and "{" not in usage  # arguments named as NAME, not {name}
    # an example to copy: the command itself, with its arguments
    lines = text.splitlines()
    k = lines.index("  Example:")
    assert lines[k + 1].strip().startswith("flighttrace " + " ".join(path))
