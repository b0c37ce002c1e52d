"""The simulator's file writers, one module per input format.

They write what the readers in :mod:`flighttrace.io` read, for simulated worlds and tests.
"""

from flighttrace.sim.writers.aircraft import write_aircraft_json, write_v2
from flighttrace.sim.writers.fr24 import write_fr24_csv, write_fr24_kml, write_fr24_playback
from flighttrace.sim.writers.fr24_granular import write_fr24_granular
from flighttrace.sim.writers.fr24_tracks import write_fr24_api_tracks
from flighttrace.sim.writers.jet1090 import write_jet1090
from flighttrace.sim.writers.opensky import write_state_vectors_csv, write_state_vectors_parquet, write_states_json, write_tracks_json
from flighttrace.sim.writers.readsb import write_trace
from flighttrace.sim.writers.sbs import write_sbs
from flighttrace.sim.writers.traffic_json import write_traffic_json

__all__ = ["write_fr24_granular", "write_fr24_api_tracks", "write_trace", "write_aircraft_json", "write_v2", "write_state_vectors_csv", "write_state_vectors_parquet", "write_states_json", "write_tracks_json", "write_fr24_csv", "write_fr24_kml", "write_fr24_playback", "write_sbs", "write_jet1090", "write_traffic_json"]
