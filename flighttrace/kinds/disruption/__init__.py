"""The ``disruption`` kind: movements per hour against a baseline, closures, diversions, holdings, go-arounds; its claim tests, report pages and simulated world."""
