"""The ``sorties`` kind: legs chained into a route pattern, frequency series, event windows and their statistics, its claim tests, and its simulated world."""
