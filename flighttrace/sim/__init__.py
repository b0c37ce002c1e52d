"""The simulator: kinematics of flights, a receiver coverage model, one writer per input format.

Simulated worlds (:mod:`flighttrace.kinds.sorties.world`,
:mod:`flighttrace.kinds.disruption.world`) use it to write files that the
readers in :mod:`flighttrace.io` read back, with a ``synthetic.json`` that
marks every file as simulated, and the truth the tests compare against
(:mod:`flighttrace.sim.validation`). Nothing in the analysis imports it.
"""

from flighttrace._lazy import lazy_exports

_MODULES: dict[str, str] = {name: f"flighttrace.sim.{name}" for name in ("adversarial", "kinematics", "marker", "validation", "writers")}
"""The simulator's modules, each imported on first access (``flighttrace.sim.kinematics.observe``)."""

__getattr__, _ = lazy_exports(__name__, {}, _MODULES)
