"""Fixtures for the draft tests: small articles written for the tests, and the seed articles of ../shared/seeds."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _find_seeds() -> Path | None:
    """``shared/seeds`` beside the repository (CI clones the repo next to shared/), or beside a folder above it."""
    for base in ROOT.parents:
        if (base / "shared" / "seeds").is_dir():
            return base / "shared" / "seeds"
    return None


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The folder of the seed articles; the test fails with a clear message when it is missing."""
    found = _find_seeds()
    if found is None:
        pytest.fail(f"the seed articles were not found: expected shared/seeds next to the repository {ROOT} (as in CI) or above it")
    return found


@pytest.fixture
def write_article(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Write a small article (text written for the test) and return its path."""

    def write(text: str, name: str = "article.txt") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


def scenario_without(src: Path, source_id: str, out: Path) -> Path:
    """A copy of a seed scenario without the claims that name ``source_id`` (as source, via or attributed_to):
    the scenario as it stood before the article was read."""
    from flighttrace.scenario import load_scenario

    with warnings.catch_warnings():  # pydantic warns on dumping RateRatio.events (a tuple or "all"); the values are right
        warnings.simplefilter("ignore", UserWarning)
        raw = load_scenario(src).model_dump(mode="json", by_alias=True, exclude_none=True)
    raw["claims"] = [c for c in raw["claims"]
                     if c["source"] != source_id and source_id not in (c.get("via") or []) and c.get("attributed_to") != source_id]
    out.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
