"""``flighttrace report`` parses the scenario file once: the CLI hands the scenario it loaded (to refuse drafts) to ``build_report``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flighttrace.cli import _load, app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"


@pytest.fixture
def one_flight(tmp_path: Path) -> Path:
    """One Baku → Ovda flight of 600864 in a readsb trace."""
    from flighttrace.sim.writers import write_trace
    from tests.flights import LLOV, UBBB, flight

    data = tmp_path / "data"
    write_trace(flight(UBBB, LLOV, "2023-09-05T22:00Z"), data / "trace_full_600864.json", registration="4K-AZ100", typecode="IL76")
    return data


@pytest.fixture
def parsed_scenarios(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every scenario text parsed from now on (``load_scenario`` parses through ``parse_scenario``)."""
    import flighttrace.scenario.load as load

    names: list[str] = []
    real = load.parse_scenario

    def spy(data, *, name="<string>"):  # type: ignore[no-untyped-def]
        names.append(name)
        return real(data, name=name)

    monkeypatch.setattr(load, "parse_scenario", spy)
    return names


def test_the_cli_parses_the_scenario_file_once(tmp_path: Path, one_flight: Path, parsed_scenarios: list[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _load()  # the commands are registered on first use
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["report", str(SEED), "--data", str(one_flight), "--out", "rep"])
    assert res.exit_code == 0, res.output
    assert parsed_scenarios == [str(SEED)]  # for the draft check; build_report reused it
    assert Path("rep/index.html").is_file()


def test_a_scenario_loaded_from_another_file_is_refused_before_reading(tmp_path: Path, one_flight: Path, parsed_files: list[str]) -> None:
    from flighttrace import load_scenario
    from flighttrace.report import build_report

    other = tmp_path / "other.yaml"
    shutil.copyfile(SEED, other)  # the same text under another name: still another file
    with pytest.raises(ValueError, match="comes from .*other.yaml"):
        build_report(SEED, [one_flight], tmp_path / "rep", loaded=load_scenario(other))
    assert parsed_files == [] and not (tmp_path / "rep").exists()


def test_build_report_loads_the_scenario_itself_when_none_is_given(tmp_path: Path, one_flight: Path, parsed_scenarios: list[str]) -> None:
    from flighttrace import load_scenario
    from flighttrace.report import build_report

    given = load_scenario(SEED)
    parsed_scenarios.clear()
    with_loaded = build_report(SEED, [one_flight], tmp_path / "a", loaded=given)
    assert parsed_scenarios == []
    alone = build_report(SEED, [one_flight], tmp_path / "b")
    assert parsed_scenarios == [str(SEED)]
    # the same verdicts either way
    assert with_loaded.findings.claims["verdict"].tolist() == alone.findings.claims["verdict"].tolist()
