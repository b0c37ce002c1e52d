"""The console script freezes what it made when the command ends (``flighttrace.cli.main``)."""

from __future__ import annotations

import gc
import sys

import pytest

from flighttrace.cli import main


@pytest.mark.parametrize(("argv", "code"), [(["--version"], 0), (["report", "no-such-scenario.yaml", "--data", "nowhere"], 2)])
def test_objects_are_frozen_when_the_command_ends(monkeypatch: pytest.MonkeyPatch, argv: list[str], code: int) -> None:
    """A command that succeeds and one that fails both leave every object frozen, so the exit's collection skips them."""
    monkeypatch.setattr(sys, "argv", ["flighttrace", *argv])
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with pytest.raises(SystemExit) as exc:
            main()
        assert exc.value.code == code
        assert gc.get_freeze_count() > 0  # the objects alive at the end, the test's own included
    finally:
        gc.unfreeze()  # the test process goes on: its objects are collectable again
