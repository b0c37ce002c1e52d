"""The simulator: kinematics of flights, a receiver coverage model, one writer per input format.

Simulated worlds (:mod:`flighttrace.kinds.sorties.world`,
:mod:`flighttrace.kinds.disruption.world`) use it to write files that the
readers in :mod:`flighttrace.io` read back, with a ``synthetic.json`` that
marks every file as simulated, and the truth the tests compare against
(:mod:`flighttrace.sim.validation`). Nothing in the analysis imports it.
"""
