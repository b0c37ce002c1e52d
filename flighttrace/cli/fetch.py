"""``flighttrace fetch``: OpenSky, globe-history traces and v2 APIs into an archive folder.

Every command saves bodies exactly as received under ``--out`` and appends
to ``--out/custody.jsonl``; it prints a summary (fetched, cached, missing,
failed). Exit codes: 0 when nothing failed, 1 when some requests failed
(they are listed and logged), 2 for an error the user can fix (no
credentials, a bad date, hex or URL).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table
from rich.text import Text

from flighttrace.cli import app
from flighttrace.cli._common import ShowProgress, err_console, out_console, show_progress

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.fetch.archive import Archive, FetchResult

T = TypeVar("T")

MAX_LISTED_PROBLEMS = 15
"""Failed requests listed individually after the summary."""

fetch_app = typer.Typer(
    name="fetch",
    help="Fetch evidence from OpenSky, a globe-history archive or a v2 API into a folder with a custody log.",
    epilog="\b\nExample:\n    flighttrace fetch globe --hex 600864 --start 2023-09-01 --end 2023-09-17 --out archive",
    no_args_is_help=True,
)
opensky_app = typer.Typer(
    name="opensky",
    help="OpenSky Network REST API (needs API client credentials, see docs/fetch.md).",
    epilog="\b\nExample:\n    flighttrace fetch opensky flights --icao24 600864 --start 2023-09-01 --end 2023-09-17 --out archive",
    no_args_is_help=True,
)
fetch_app.add_typer(opensky_app, name="opensky")
app.add_typer(fetch_app, name="fetch")

# ----------------------------------------------------------------------------- shared options

# Each option is declared once, as a type (``Annotated``) the commands' parameters take; the default stays in the signature.
Out = Annotated[Path, typer.Option("--out", "-o", help="Archive folder (created when missing); custody.jsonl lives at its root.")]
Refresh = Annotated[bool, typer.Option("--refresh", help="Ask the server again even for requests already in the archive.")]
Operator = Annotated[str | None, typer.Option("--operator", help="Who is fetching (name, initials or role), written into the custody log.")]
MinInterval = Annotated[float, typer.Option("--min-interval", min=0.0, help="Seconds between two calls to the same server.")]
Timeout = Annotated[float, typer.Option("--timeout", min=0.001, help="Read timeout in seconds (no data for this long = retry).")]
Deadline = Annotated[float, typer.Option(
    "--deadline", min=0.001,
    help="Longest time in seconds one request may take in all (connect + whole body); past it the request fails and is tried again once.",
)]
MaxWait = Annotated[float, typer.Option("--max-wait", min=0.0, help="Longest wait in seconds a rate-limited server may ask for; longer = fail this request.")]
Start = Annotated[str, typer.Option("--start", help="First day (YYYY-MM-DD) or UTC time (YYYY-MM-DDTHH:MM:SSZ).")]
End = Annotated[str, typer.Option("--end", help="Last day, included (YYYY-MM-DD), or UTC time, excluded.")]
Hexes = Annotated[str, typer.Option("--icao24", help="Hex address(es): 600864,600865 or @fleet.txt.")]
ARCHIVE = Path("archive")
"""Where ``--out`` puts the archive by default."""


def _say(label: str, style: str, message: str) -> None:
    """Print ``label message`` to stderr as plain text: URLs, server text and file names never act as markup."""
    err_console.print(Text.assemble((label, style), " ", message), highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> None:
    """One plain-text error line on stderr, then exit with ``code``."""
    _say("error:", "bold red", message)
    raise typer.Exit(code)


def _guard(fn: Callable[[], T]) -> T:
    """Run ``fn``; turn the errors a user can fix into one line and exit code 2."""
    from flighttrace.fetch._validate import FetchParamError
    from flighttrace.fetch.archive import FetchError
    from flighttrace.fetch.custody import CustodyError
    from flighttrace.fetch.http import redact

    code = 2
    try:
        return fn()
    except (FetchParamError, FetchError, CustodyError) as exc:
        msg = redact(exc)
    except OSError as exc:
        msg = redact(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else exc)
    except Exception as exc:  # noqa: BLE001 - never a traceback, never a secret
        msg, code = f"unexpected {type(exc).__name__}: {redact(exc)} (please report it)", 1
    _fail(msg, code)
    raise AssertionError("unreachable")  # pragma: no cover


def _archive(
    out: Path, refresh: bool, operator: str | None, min_interval: float, timeout: float, max_wait: float, deadline: float
) -> Archive:
    from flighttrace.fetch.archive import Archive
    from flighttrace.fetch.http import HttpClient

    client = HttpClient(min_interval_s=min_interval, read_timeout_s=timeout, max_retry_after_s=max_wait, deadline_s=deadline)
    return Archive(out, client=client, operator=operator, refresh=refresh)


def _items(value: str | None, what: str) -> list[str]:
    """``a,b`` or ``@file`` (one or more per line, ``#`` comments) → items."""
    from flighttrace.fetch._validate import FetchParamError

    if value is None:
        return []
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            raise FetchParamError(f"cannot read the {what} list {path}") from None
        text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    else:
        text = value
    items = [x for x in re.split(r"[\s,]+", text) if x]
    if not items:
        raise FetchParamError(f"no {what} given")
    return items


def _progress(progress: bool | None) -> bool:
    return show_progress() if progress is None else progress


def _report(archive: Archive, results: list[FetchResult], notes: list[str] | None = None) -> None:
    """Print the summary table and problems; exit 1 when a request failed."""
    counts = archive.counts()
    t = Table(title=Text(f"Fetched into {archive.root}"), show_lines=False)
    for col in ("fetched", "cached", "missing", "failed"):
        t.add_column(col, justify="right")
    t.add_row(*(f"{counts[c]:,}" for c in ("fetched", "cached", "missing", "failed")))
    out_console.print(t)
    problems = [r for r in results if r.action == "failed"]
    for r in problems[:MAX_LISTED_PROBLEMS]:
        _say("failed", "red", f"{r.entry.get('url')}: {r.note}")
    if len(problems) > MAX_LISTED_PROBLEMS:
        _say("…", "", f"and {len(problems) - MAX_LISTED_PROBLEMS} more failures; see the custody log")
    for note in notes or []:
        _say("note", "yellow", note)
    out_console.print(Text(f"custody log: {archive.custody.path}"), highlight=False, soft_wrap=True)
    if problems:
        raise typer.Exit(1)


# ----------------------------------------------------------------------------- OpenSky


def _opensky(archive: Archive, credentials: Path | None, api_root: str, token_url: str) -> Any:
    from flighttrace.fetch.opensky import OpenSky, load_credentials

    return OpenSky(archive, load_credentials(credentials), api_root=api_root, token_url=token_url)


Credentials = Annotated[Path | None, typer.Option(
    "--credentials", help="OpenSky credentials JSON (the downloaded credentials.json works). Default: OPENSKY_CLIENT_ID/SECRET, then ~/.config/flighttrace/opensky.json."
)]
ApiRoot = Annotated[str, typer.Option("--api-root", help="OpenSky API root.")]
TokenUrl = Annotated[str, typer.Option("--token-url", help="OAuth2 token endpoint.")]
OPENSKY_API = "https://opensky-network.org/api"
OPENSKY_TOKEN = "https://auth.opensky-network.org/auth/realms/opensky-network/protocol/openid-connect/token"


def _from_opensky(
    fetch: Callable[[Any], list[FetchResult]], out: Path, credentials: Path | None, api_root: str, token_url: str, refresh: bool,
    operator: str | None, min_interval: float, timeout: float, deadline: float, max_wait: float,
) -> None:
    """Open the archive and the OpenSky client the options describe, ``fetch`` with the client, report."""

    def run() -> tuple[Archive, list[FetchResult], list[str]]:
        arc = _archive(out, refresh, operator, min_interval, timeout, max_wait, deadline)
        sky = _opensky(arc, credentials, api_root, token_url)
        return arc, fetch(sky), sky.notes

    _report(*_guard(run))


def _aircraft_cmd(what: str, doc: str) -> Callable[..., None]:
    """The command that fetches ``what`` (``flights`` or ``tracks``) of some aircraft over some days."""

    def cmd(
        icao24: Hexes, start: Start, end: End, out: Out = ARCHIVE, credentials: Credentials = None, api_root: ApiRoot = OPENSKY_API,
        token_url: TokenUrl = OPENSKY_TOKEN, refresh: Refresh = False, operator: Operator = None, min_interval: MinInterval = 1.0,
        timeout: Timeout = 60.0, deadline: Deadline = 600.0, max_wait: MaxWait = 300.0, progress: ShowProgress = None,
    ) -> None:
        _from_opensky(lambda sky: getattr(sky, what)(_items(icao24, "icao24"), start, end, progress=_progress(progress)),
                      out, credentials, api_root, token_url, refresh, operator, min_interval, timeout, deadline, max_wait)

    cmd.__doc__ = doc
    return cmd


opensky_app.command("flights")(_aircraft_cmd("flights", "Flight lists of aircraft (/flights/aircraft), in chunks of at most two days.\n\n"
                                             "\b\nExample:\n    flighttrace fetch opensky flights --icao24 600864 --start 2023-09-01 --end 2023-09-17 --out archive\n"))
opensky_app.command("tracks")(_aircraft_cmd("tracks", "Tracks of every flight of aircraft (/flights/aircraft, then /tracks/all per flight).\n\n"
                                           "\b\nExample:\n    flighttrace fetch opensky tracks --icao24 600864 --start 2023-09-03 --end 2023-09-03 --out archive\n"))


def _airport_cmd(kind: str) -> Callable[..., None]:
    def cmd(
        airport: Annotated[str, typer.Option("--airport", help="ICAO airport code, e.g. LLOV.")], start: Start, end: End,
        out: Out = ARCHIVE, credentials: Credentials = None, api_root: ApiRoot = OPENSKY_API,
        token_url: TokenUrl = OPENSKY_TOKEN, refresh: Refresh = False, operator: Operator = None, min_interval: MinInterval = 1.0,
        timeout: Timeout = 60.0, deadline: Deadline = 600.0, max_wait: MaxWait = 300.0, progress: ShowProgress = None,
    ) -> None:
        _from_opensky(lambda sky: sky.airport(kind, airport, start, end, progress=_progress(progress)),
                      out, credentials, api_root, token_url, refresh, operator, min_interval, timeout, deadline, max_wait)

    cmd.__doc__ = (f"{kind.capitalize()}s of an airport (/flights/{kind}), in chunks spanning at most one UTC midnight.\n\n"
                   f"\b\nExample:\n    flighttrace fetch opensky {kind}s --airport LLOV --start 2023-09-01 --end 2023-09-07 --out archive\n")
    return cmd


opensky_app.command("arrivals")(_airport_cmd("arrival"))
opensky_app.command("departures")(_airport_cmd("departure"))


@opensky_app.command("states")
def opensky_states(
    time: Annotated[list[str], typer.Option("--time", help="UTC time(s), repeatable or comma-separated; 'now' for a live call.")],
    bbox: Annotated[str | None, typer.Option("--bbox", help="south,north,west,east in degrees.")] = None,
    icao24: Annotated[str | None, typer.Option("--icao24", help="Restrict to these hex addresses (a,b or @file).")] = None,
    out: Out = ARCHIVE, credentials: Credentials = None, api_root: ApiRoot = OPENSKY_API,
    token_url: TokenUrl = OPENSKY_TOKEN, refresh: Refresh = False, operator: Operator = None, min_interval: MinInterval = 1.0,
    timeout: Timeout = 60.0, deadline: Deadline = 600.0, max_wait: MaxWait = 300.0, progress: ShowProgress = None,
) -> None:
    """State vectors at time points (/states/all), optionally in a box.

    \b
    Example:
        flighttrace fetch opensky states --time 2023-09-03T14:00:00Z --bbox 29,33,33,36 --out archive
    """
    times = [t for item in time for t in item.split(",") if t.strip()]

    def fetch(sky: Any) -> list[FetchResult]:
        hexes = _items(icao24, "icao24") if icao24 else None
        return sky.states(None if times == ["now"] else times, bbox=bbox, icao24=hexes, progress=_progress(progress))

    _from_opensky(fetch, out, credentials, api_root, token_url, refresh, operator, min_interval, timeout, deadline, max_wait)


# ----------------------------------------------------------------------------- globe and v2


@fetch_app.command("globe")
def globe_cmd(
    hex: Annotated[str, typer.Option("--hex", help="Hex address(es): 600864,600865 or @fleet.txt.")],
    start: Annotated[str, typer.Option("--start", help="First UTC day (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--end", help="Last UTC day, included (YYYY-MM-DD).")],
    base_url: Annotated[str, typer.Option("--base-url", help="Where the YYYY/MM/DD folders are (a globe_history mirror).")],
    layout: Annotated[str, typer.Option("--layout", help="Remote layout: globe (YYYY/MM/DD/traces/xx/) or adsbx-samples.")] = "globe",
    out: Out = ARCHIVE, refresh: Refresh = False, operator: Operator = None, min_interval: MinInterval = 1.0,
    timeout: Timeout = 60.0, deadline: Deadline = 600.0, max_wait: MaxWait = 300.0, progress: ShowProgress = None,
) -> None:
    """readsb trace files per aircraft and day from a globe-history archive or mirror.

    \b
    Example:
        flighttrace fetch globe --hex 600864 --start 2023-09-01 --end 2023-09-17 --out archive
    """
    from flighttrace.fetch.globe import fetch_globe

    def run() -> tuple[Archive, list[FetchResult]]:
        arc = _archive(out, refresh, operator, min_interval, timeout, max_wait, deadline)
        res = fetch_globe(arc, _items(hex, "hex"), start, end, base_url=base_url, layout=layout, progress=_progress(progress))
        return arc, res

    _report(*_guard(run))


@fetch_app.command("v2")
def v2_cmd(
    hex: Annotated[str | None, typer.Option("--hex", help="Hex address(es), comma-separated.")] = None,
    callsign: Annotated[str | None, typer.Option("--callsign", help="Callsign.")] = None,
    registration: Annotated[str | None, typer.Option("--registration", help="Registration, e.g. 4K-AZ100.")] = None,
    type: Annotated[str | None, typer.Option("--type", help="ICAO type code, e.g. C30J.")] = None,
    point: Annotated[str | None, typer.Option("--point", help="lat,lon,radius in nautical miles (radius at most 250).")] = None,
    base_url: Annotated[str, typer.Option("--base-url", help="v2 service (adsb.lol, airplanes.live …).")] = "https://api.adsb.lol",
    out: Out = ARCHIVE, operator: Operator = None, min_interval: MinInterval = 1.0,
    timeout: Timeout = 60.0, deadline: Deadline = 600.0, max_wait: MaxWait = 300.0, progress: ShowProgress = None,
) -> None:
    """A live capture from a v2 API (adsb.lol-compatible); every call is a new capture.

    \b
    Example:
        flighttrace fetch v2 --registration 4K-AZ100 --out archive
    """
    from flighttrace.fetch.v2 import fetch_v2

    def run() -> tuple[Archive, list[FetchResult]]:
        arc = _archive(out, False, operator, min_interval, timeout, max_wait, deadline)
        res = fetch_v2(
            arc, hex=hex, callsign=callsign, registration=registration, type=type, point=point,
            base_url=base_url, progress=_progress(progress),
        )
        return arc, res

    _report(*_guard(run))


ARCHIVE_FOLDER = typer.Argument(..., help="An archive folder (holding custody.jsonl).")


@fetch_app.command("verify")
def verify_cmd(
    folder: Path = ARCHIVE_FOLDER,
) -> None:
    """Check an archive against its custody log: chain and head intact, every file unchanged and named.

    One line per finding; exit 1 when there is any, 0 when the log and the files agree.

    \b
    Example:
        flighttrace fetch verify archive
    """
    from flighttrace.fetch.audit import check_archive

    result = _guard(lambda: check_archive(folder))
    for p in result.problems:
        _say("problem", "red", p)
    for n in result.notes:
        _say("note", "yellow", n)
    if result.problems:
        raise typer.Exit(1)
    out_console.print(
        Text(f"{folder}: custody log and files agree ({result.entries} entries, {result.files} files checked)"),
        highlight=False, soft_wrap=True,
    )
