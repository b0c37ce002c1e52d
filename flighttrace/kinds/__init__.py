"""Scenario kinds: what a kind of question brings to the pipeline.

:mod:`flighttrace.kinds.sorties`
    a fleet's sorties along a route pattern, counted against a conflict
    timeline (the Ovda case);
:mod:`flighttrace.kinds.disruption`
    an airport disruption: closures, diversions, holdings and go-arounds
    against the baseline of the previous weeks (the Moscow case).
"""
