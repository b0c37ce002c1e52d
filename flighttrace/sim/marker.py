"""The ``synthetic.json`` a simulated world writes at its root: every file with its SHA-256, and what made them.

:mod:`flighttrace.io.synthetic` reads it, so that every dataset, chart, map
and report made from these files says they are simulated.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from flighttrace.hashing import sha256_file
from flighttrace.io.synthetic import MARKER

__all__ = ["world_files", "write_marker"]

WARNING = "Every file in this folder was produced by flighttrace's simulator. None of it is real flight data."
"""What ``synthetic.json`` says of the files it lists."""


def world_files(root: Path) -> list[Path]:
    """Every file under ``root``, sorted."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def write_marker(root: Path, files: list[Path], *, generator: str, scenario: str | os.PathLike[str], seed: int, summary: dict[str, Any]) -> None:
    """Write ``root/synthetic.json``: ``files`` with their SHA-256, the generator, scenario, seed, summary and library versions.

    Deterministic: keys sorted, no time stamp.
    """
    import numpy
    import pandas
    import pyarrow

    from flighttrace._version import __version__

    doc = {
        "synthetic": True,
        "library_versions": {"numpy": numpy.__version__, "pandas": pandas.__version__, "pyarrow": pyarrow.__version__},
        "warning": WARNING,
        "generator": f"flighttrace {__version__} {generator}",
        "scenario": Path(scenario).as_posix(),
        "seed": seed,
        "summary": summary,
        "files": {p.relative_to(root).as_posix(): sha256_file(p) for p in files},
    }
    (root / MARKER).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
