"""Shared fixtures: the Ovda report is built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
WORLD = ROOT / "fixtures" / "ovda" / "data"


@pytest.fixture(scope="session")
def ovda_report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The report of the seed scenario on the fixtures world (built once)."""
    from flighttrace.report import build_report

    out = tmp_path_factory.mktemp("report") / "ovda"
    return build_report(SEED, [WORLD], out, maps_dir=out.parent / "maps", command="pytest")


MOSCOW_SEED = ROOT / "seeds" / "moscow-2026-03-14.yaml"
MOSCOW_WORLD = ROOT / "fixtures" / "moscow" / "data"


@pytest.fixture(scope="session")
def moscow_report(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The report of the Moscow disruption scenario on its simulated world (built once)."""
    from flighttrace.report import build_report

    out = tmp_path_factory.mktemp("report") / "moscow"
    return build_report(MOSCOW_SEED, [MOSCOW_WORLD], out, maps_dir=out.parent / "maps", command="pytest")


@pytest.fixture
def parsed_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ``src_file`` of every file ``flighttrace.read`` parses in this process from now on, in order."""
    import flighttrace.io.api as api

    parsed: list[str] = []
    real = api._read_source

    def spy(job, src):  # type: ignore[no-untyped-def]
        parsed.append(src.name)
        return real(job, src)

    monkeypatch.setattr(api, "_read_source", spy)
    return parsed
