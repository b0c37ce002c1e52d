"""Fetching evidence on request: OpenSky REST, globe-history traces, v2 APIs.

flighttrace works offline; nothing here runs unless asked. Every fetched body
is saved exactly as it came into an archive folder, hashed while it streams,
and logged in the folder's append-only, hash-chained ``custody.jsonl``; a
body that fails its checks is kept in ``quarantine/`` and logged as failed.
Importing this package is cheap: the network stack loads on first use.

>>> from flighttrace.fetch import Archive, fetch_globe       # doctest: +SKIP
>>> arc = Archive("evidence/", operator="desk 3")            # doctest: +SKIP
>>> fetch_globe(arc, "600864", "2023-09-01", "2023-09-20",
...             base_url="https://mirror.example/globe_history")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flighttrace._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "Archive": "flighttrace.fetch.archive",
    "Request": "flighttrace.fetch.archive",
    "FetchResult": "flighttrace.fetch.archive",
    "FetchError": "flighttrace.fetch.archive",
    "AuthError": "flighttrace.fetch.archive",
    "load_json": "flighttrace.fetch.archive",
    "HttpClient": "flighttrace.fetch.http",
    "OpenSky": "flighttrace.fetch.opensky",
    "Credentials": "flighttrace.fetch.opensky",
    "CredentialsError": "flighttrace.fetch.opensky",
    "load_credentials": "flighttrace.fetch.opensky",
    "chunk_interval": "flighttrace.fetch.opensky",
    "fetch_globe": "flighttrace.fetch.globe",
    "fetch_v2": "flighttrace.fetch.v2",
    "FetchParamError": "flighttrace.fetch._validate",
    "CustodyLog": "flighttrace.fetch.custody",
    "lookup": "flighttrace.fetch.custody",
    "verify": "flighttrace.fetch.audit",
    "check_archive": "flighttrace.fetch.audit",
}

__all__ = [
    "Archive",
    "AuthError",
    "Credentials",
    "CredentialsError",
    "CustodyLog",
    "FetchError",
    "FetchParamError",
    "FetchResult",
    "HttpClient",
    "OpenSky",
    "Request",
    "check_archive",
    "chunk_interval",
    "fetch_globe",
    "fetch_v2",
    "load_credentials",
    "load_json",
    "lookup",
    "verify",
]

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.fetch._validate import FetchParamError
    from flighttrace.fetch.archive import (
        Archive,
        AuthError,
        FetchError,
        FetchResult,
        Request,
        load_json,
    )
    from flighttrace.fetch.audit import check_archive, verify
    from flighttrace.fetch.custody import CustodyLog, lookup
    from flighttrace.fetch.globe import fetch_globe
    from flighttrace.fetch.http import HttpClient
    from flighttrace.fetch.opensky import (
        Credentials,
        CredentialsError,
        OpenSky,
        chunk_interval,
        load_credentials,
    )
    from flighttrace.fetch.v2 import fetch_v2


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
