"""The walkthrough notebook runs offline from top to bottom."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def _run(name: str) -> tuple[nbformat.NotebookNode, list[dict]]:  # type: ignore[type-arg]
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    # committed without outputs: what it shows is what this run computes
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    return nb, [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


@pytest.mark.slow
def test_walkthrough_notebook_runs_top_to_bottom() -> None:
    nb, outs = _run("01-ovda-walkthrough.ipynb")
    assert not [o for o in outs if o.get("output_type") == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) for o in outs)
    assert "supported" in text and "sorties" in text
    # the map rendered inline as HTML
    assert any("text/html" in o.get("data", {}) and "leaflet" in o["data"]["text/html"].lower() for o in outs)
    # the charts for print: the weekly sorties and the event study, drawn inline
    assert sum("image/png" in o.get("data", {}) for o in outs) >= 2
    # the verdict table names every claim of the seed, and the walkthrough explains itself in prose
    import flighttrace

    shown = text + "".join(str(o.get("data", {}).get("text/html", "")) for o in outs)
    ids = [c.id for c in flighttrace.load_scenario(ROOT / "seeds" / "azerbaijan-ovda.yaml").claims]
    assert [i for i in ids if i not in shown] == []
    prose = [c for c in nb.cells if c.cell_type == "markdown"]
    assert len(prose) >= 8 and sum(len(c.source.split()) for c in prose) > 400
    assert not [o for o in outs if o.get("output_type") == "stream" and o.get("name") == "stderr" and "Traceback" in o.get("text", "")]


@pytest.mark.slow
def test_moscow_notebook_runs_top_to_bottom_with_its_kind_s_tables_and_map() -> None:
    nb, outs = _run("02-moscow-disruption.ipynb")
    assert not [o for o in outs if o.get("output_type") == "error"]
    shown = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) for o in outs)
    # the case shows itself finding first; the closures table and one claim followed; the map drawn inline, offline
    assert "10 claims:" in shown and "seed-all-four-closed" in shown and "UUWW" in shown
    assert any("text/html" in o.get("data", {}) and "leaflet" in o["data"]["text/html"].lower() for o in outs)
    assert "unpkg.com" not in shown and "cdn.jsdelivr" not in shown
    # one claim followed from its verdict down to the raw rows: their file, row and the file's SHA-256
    import re

    from flighttrace.hashing import sha256_file

    assert "vko-restricted-14mar" in shown and "last_leg" in shown and "src_row" in shown
    where = re.search(r"Last report on the ground: (\S+), row (\d+)", shown)
    sha = re.search(r"SHA-256 of that file: ([0-9a-f]{64})", shown)
    assert where and sha and sha.group(1) == sha256_file(ROOT / where.group(1))  # the fingerprint shown is the file's own
