"""Reference data: airports (from airportsdata, with runways) and fleet identity (ICAO address blocks, registrations).

:mod:`flighttrace.reference.airports`
    :class:`~flighttrace.reference.airports.AirportIndex`: the fields a track
    can start or end at, with their elevation, looked up by position.
:mod:`flighttrace.reference.fleet`
    ICAO 24-bit address blocks by state, registration prefixes, and the
    fleet lookups a scenario's selectors use.
"""
