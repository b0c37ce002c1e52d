"""Scan a day archive (adsb.lol / ADS-B Exchange): by aircraft, or "who landed here".

A global day archive holds hundreds of thousands of ``trace_full_<hex>.json``
members. Two questions are asked of it:

**These aircraft** (:func:`scan_hexes`). Only the members whose file name
carries one of the hexes are read; the others are skipped by name while the
tar streams past, before any byte of them is decompressed or parsed (the
name filtering of :func:`flighttrace.io.sources.iter_sources`). Members
without a hex in their name (``aircraft.json``, other formats) are read and
filtered by row.

**This place** (:func:`scan_bbox`, :func:`who_landed`). Every member must be
parsed, so they are streamed in batches of ``batch_size`` members over a pool
of ``n_jobs`` worker processes. Each worker keeps only what matters (points
inside the box; every point of an aircraft that came low near the airport)
and the parent detects legs on what was kept. Memory is bounded, whatever
the size of the archive:

* the parent holds at most ``2 * n_jobs`` batches in flight plus the one it
  is filling, each also once more as the pickled copy on its way to a worker:
  at most ``2 * (2 * n_jobs + 1) * batch_size * S`` bytes of raw members,
  where ``S`` is the largest member as stored;
* each worker holds its batch (``batch_size * S``) and parses one member at a
  time: at most ``batch_size * S + MEMBER_FACTOR * U`` bytes, where ``U`` is
  the largest member decompressed (JSON text) and ``MEMBER_FACTOR`` (= 24)
  covers the text, its parsed Python objects and the column arrays (measured:
  17 for 30,000-point traces);
* each process also grows by up to ``PROCESS_OVERHEAD_BYTES`` (32 MB) on first
  use (lazily imported readers, allocator arenas, Arrow's memory pool);
* plus, in the parent, what is kept (the answer; ``KEPT_BYTES_PER_POINT`` =
  400 B per point) and the manifest (``MANIFEST_BYTES_PER_MEMBER`` = 2 KB per
  member, tar header and allocator overhead included): the only terms that
  grow with the archive, with the answer and with the number of members.

:func:`memory_bound` computes the figure; every scan reports it with the
observed ``S`` and ``U`` in ``info["scan"]``. The test suite checks it by
measuring peak RSS on a generated archive whose parsed size is many times
the bound.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flighttrace._progress import Progress, ProgressArg

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from flighttrace.io._normalise import Limits
    from flighttrace.io.api import FileResult, ReadJob
    from flighttrace.io.dataset import Dataset
    from flighttrace.io.sources import Source
    from flighttrace.provenance import ManifestRow

__all__ = [
    "ScanResult",
    "scan_hexes",
    "scan_bbox",
    "who_landed",
    "memory_bound",
    "MEMBER_FACTOR",
    "PROCESS_OVERHEAD_BYTES",
    "MANIFEST_BYTES_PER_MEMBER",
    "KEPT_BYTES_PER_POINT",
]

MEMBER_FACTOR: Final = 24
"""Peak working memory of parsing one member, as a multiple of its decompressed size."""
PROCESS_OVERHEAD_BYTES: Final = 32_000_000
"""Growth of a process on first use, whatever the data (lazy imports, allocator arenas, Arrow pool)."""
MANIFEST_BYTES_PER_MEMBER: Final = 2048
"""Parent memory per member: its manifest row (path, SHA-256, counts; ~280 B in Arrow), the tar
header :mod:`tarfile` keeps (~450 B) and allocator overhead (measured 0.6–1.8 KB in all)."""
KEPT_BYTES_PER_POINT: Final = 400
"""Parent memory per point kept: the Arrow table, then the sorted Points frame built from it."""


def memory_bound(
    *,
    batch_size: int,
    n_jobs: int,
    max_member_bytes: int,
    max_member_text_bytes: int,
    members: int = 0,
    kept_points: int = 0,
) -> dict[str, int]:
    """The memory bound of an area scan, in bytes above each process's baseline.

    Parameters
    ----------
    batch_size
        Members per batch.
    n_jobs
        Worker processes (1 = the parent parses, no workers).
    max_member_bytes
        Largest member as stored (compressed), bytes.
    max_member_text_bytes
        Largest member decompressed, bytes.
    members
        Members in the archive (the manifest term; 0 to leave it out).
    kept_points
        Points kept (the answer term; 0 to leave it out).

    Returns
    -------
    dict
        ``parent`` (raw members in flight, plus the manifest and kept
        points), ``worker`` (one batch and one member parsed) and ``total``
        (parent + all workers), in bytes above each process's baseline after
        import, each including :data:`PROCESS_OVERHEAD_BYTES`. With
        ``n_jobs <= 1`` the parent parses and ``worker`` is 0.

    Examples
    --------
    >>> b = memory_bound(batch_size=64, n_jobs=2, max_member_bytes=200_000, max_member_text_bytes=2_000_000)
    >>> b["parent"], b["worker"], b["total"]
    (160000000, 92800000, 345600000)
    """
    raw = batch_size * max_member_bytes
    grows = MANIFEST_BYTES_PER_MEMBER * members + KEPT_BYTES_PER_POINT * kept_points
    worker = PROCESS_OVERHEAD_BYTES + raw + MEMBER_FACTOR * max_member_text_bytes
    if n_jobs <= 1:
        return {"parent": worker + grows, "worker": 0, "total": worker + grows}
    parent = PROCESS_OVERHEAD_BYTES + 2 * (2 * n_jobs + 1) * raw + grows
    return {"parent": parent, "worker": worker, "total": parent + n_jobs * worker}


@dataclass
class ScanResult:
    """What an area scan found.

    Attributes
    ----------
    dataset
        ``points``: the points kept (inside the box, or every point of the
        aircraft that came low near the airport), sorted by icao24 then time;
        ``manifest``: every member read (points not kept are counted in
        ``rows_filtered``); ``quarantine``: every record that failed.
    legs
        For :func:`who_landed`: the legs ending (or starting) at the airport,
        detected on ``dataset.points`` (``point_start`` / ``point_end`` index
        it); ``None`` for :func:`scan_bbox`.
    info
        Members read, batches, the largest member and the memory bound.
    """

    dataset: Dataset
    legs: gpd.GeoDataFrame | None = None
    info: dict[str, Any] = field(default_factory=dict)


def scan_hexes(
    archive: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    icao24: str | Iterable[str],
    *,
    n_jobs: int = 1,
    progress: ProgressArg = False,
    format: str | None = None,
    tz: str | None = None,
) -> Dataset:
    """Read only the traces of some aircraft from a day folder or tar.

    Parameters
    ----------
    archive
        An adsb.lol / ADS-B Exchange day folder, tar, or split tar parts
        (anything :func:`flighttrace.read` takes).
    icao24
        The hexes (a string may hold several, comma-separated).
    n_jobs
        Worker processes for parsing (0 = one per core).
    progress
        ``True`` for a progress bar, or a callable.
    format, tz
        As :func:`flighttrace.read`.

    Returns
    -------
    Dataset
        As :func:`flighttrace.read`; ``info["files_skipped_by_name"]``
        counts the members never parsed.

    Notes
    -----
    ``trace_full_<hex>.json`` / ``trace_recent_<hex>.json`` members of other
    aircraft are chosen out by name while the tar streams: they are not
    decompressed, parsed nor listed in the manifest.
    """
    from flighttrace.io.api import read
    from flighttrace.io.sources import hex_selection

    sel = hex_selection(icao24)
    if not sel:
        raise ValueError("scan_hexes needs at least one icao24 hex")
    return read(archive, icao24=sorted(sel), n_jobs=n_jobs, progress=progress, format=format, tz=tz)


# --------------------------------------------------------------------------- area scans


@dataclass(frozen=True)
class _Area:
    """What a worker keeps of each member."""

    bbox: tuple[float, float, float, float] | None = None  # (min_lon, min_lat, max_lon, max_lat) degrees
    near: tuple[float, float, float, float] | None = None  # (lat, lon, radius km, max alt ft) of an airport

    def keep(self, table: pa.Table) -> np.ndarray:
        """Mask of the rows of one normalised table to keep (vectorised over the rows)."""
        lat = table.column("lat").to_numpy()
        lon = table.column("lon").to_numpy()
        if self.bbox is not None:
            x0, y0, x1, y1 = self.bbox
            inside_lon = (lon >= x0) & (lon <= x1) if x0 <= x1 else (lon >= x0) | (lon <= x1)
            return (lat >= y0) & (lat <= y1) & inside_lon
        assert self.near is not None
        from flighttrace.geo import haversine_km

        flat, flon, radius, max_alt = self.near
        alt = table.column("alt_ft").to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            low = np.isnan(alt) | (alt <= max_alt)
        close = low & (haversine_km(lat, lon, flat, flon) <= radius)
        if not close.any():
            return close
        # every point of the aircraft that came close (per distinct hex, not per point)
        hexcol = table.column("icao24")
        if isinstance(hexcol, pa.ChunkedArray):
            hexcol = hexcol.combine_chunks()
        codes = hexcol.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        hit = np.zeros(len(hexcol.dictionary), dtype=bool)
        hit[codes[close]] = True
        return hit[codes]


@dataclass
class _BatchResult:
    """One batch's results in columnar form (few large buffers, not many small objects)."""

    manifest: pa.Table
    quarantine: pa.Table | None
    points: pa.Table | None
    members: int = 0
    max_bytes: int = 0
    max_text_bytes: int = 0


class _Columns:
    """Append Arrow tables; concatenate them into one every ``every`` appends (bounded overhead)."""

    def __init__(self, *, points: bool = False, every: int = 64) -> None:
        self.tables: list[pa.Table] = []
        self.points = points
        self.every = every

    def add(self, t: pa.Table | None) -> None:
        if t is None or not t.num_rows:
            return
        self.tables.append(t)
        if len(self.tables) >= self.every:
            self.tables = [self.result()]

    def result(self) -> pa.Table | None:
        if not self.tables:
            return None
        if len(self.tables) == 1:
            return self.tables[0]
        t = pa.concat_tables(self.tables, promote_options="permissive")
        if self.points:
            t = t.unify_dictionaries()
        return t.combine_chunks()


def _text_size(src: Source) -> int:
    """Decompressed size of a member (gzip footer, else its stored size)."""
    data = src.data
    if data is None and src.path is not None:
        try:
            with open(src.path, "rb") as fh:
                head = fh.read(2)
                if head == b"\x1f\x8b":
                    fh.seek(-4, os.SEEK_END)
                    return int.from_bytes(fh.read(4), "little")
        except OSError:
            return src.size
        return src.size
    if data is not None and data[:2] == b"\x1f\x8b" and len(data) >= 4:
        return int.from_bytes(data[-4:], "little")
    return src.size


def _scan_batch(job: ReadJob, area: _Area, sources: list[Source]) -> _BatchResult:
    """Read a batch of members, keep only the area's rows (runs in a worker process)."""
    from flighttrace.io._normalise import unify_types
    from flighttrace.io.api import clear_lookup_caches, read_source
    from flighttrace.provenance import manifest_frame, quarantine_frame

    clear_lookup_caches()
    rows: list[ManifestRow] = []
    quarantine: list[tuple[str, int | None, str, str]] = []
    kept: list[pa.Table] = []
    max_bytes = max_text = 0
    for src in sources:
        max_bytes = max(max_bytes, src.size)
        max_text = max(max_text, _text_size(src))
        res: FileResult = read_source(job, src)
        rows.append(res.row)
        quarantine.extend(res.quarantine)
        for t in res.tables:
            m = area.keep(t)
            dropped = int(len(m) - m.sum())
            res.row.rows_filtered += dropped
            res.row.rows_kept -= dropped
            if dropped < len(m):
                kept.append(t if not dropped else t.filter(pa.array(m)))
        res.tables.clear()
        src.data = None  # the raw bytes are no longer needed
    points = None
    if kept:
        points = pa.concat_tables(unify_types(kept)).unify_dictionaries().combine_chunks()
    q = pa.Table.from_pandas(quarantine_frame(quarantine), preserve_index=False) if quarantine else None
    return _BatchResult(
        manifest=pa.Table.from_pandas(manifest_frame(rows), preserve_index=False), quarantine=q, points=points,
        members=len(rows), max_bytes=max_bytes, max_text_bytes=max_text,
    )


def _manifest_from_arrow(table: pa.Table | None) -> pd.DataFrame:
    """The Manifest table, with its dtypes, from the batches' Arrow tables."""
    from flighttrace.provenance import manifest_frame
    from flighttrace.schema import MANIFEST, TIME_DTYPE

    if table is None:
        return manifest_frame([])
    df = table.to_pandas()
    for c in MANIFEST:
        if c.dtype == "int64":
            df[c.name] = df[c.name].astype(np.int64)
        elif c.dtype == "bool":
            df[c.name] = df[c.name].astype(bool)
        elif c.dtype == "str":
            df[c.name] = df[c.name].fillna("").astype(str)
        elif c.dtype == TIME_DTYPE:
            df[c.name] = pd.to_datetime(df[c.name], utc=True).astype(TIME_DTYPE)
    return df


def _batches(sources: Iterator[Source], batch_size: int) -> Iterator[list[Source]]:
    batch: list[Source] = []
    for s in sources:
        if s.live:  # a large member streamed from its archive: a batch of its own, read at once in this process
            if batch:
                yield batch
                batch = []
            yield [s]
            continue
        batch.append(s)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _map_batches(job: ReadJob, area: _Area, batches: Iterator[list[Source]], n_jobs: int) -> Iterator[_BatchResult]:
    """Results in input order; at most ``2 * n_jobs`` batches in flight."""
    if n_jobs <= 1:
        for b in batches:
            yield _scan_batch(job, area, b)
        return
    import multiprocessing as mp
    from concurrent.futures import Future, ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context("spawn")) as pool:
        pending: deque[Any] = deque()
        for b in batches:
            if b[0].live:
                done: Future[_BatchResult] = Future()
                done.set_result(_scan_batch(job, area, b))
                pending.append(done)
            else:
                pending.append(pool.submit(_scan_batch, job, area, b))
            del b
            while len(pending) >= 2 * n_jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


@dataclass
class _Scanned:
    """What the batches of a scan gave: manifest, quarantine and the Points kept (Arrow), and their sizes."""

    manifest: pd.DataFrame
    quarantine: pd.DataFrame
    kept: pa.Table | None
    batches: int
    max_bytes: int
    max_text_bytes: int


def _scan_all(job: ReadJob, area: _Area, sources: Iterator[Source], batch_size: int, n_jobs: int, progress: ProgressArg) -> _Scanned:
    """Scan every batch of ``sources``; their results gathered in columnar form."""
    from flighttrace.schema import empty_quarantine

    man_cols, q_cols, pt_cols = _Columns(), _Columns(), _Columns(points=True)
    n_batches = n_members = 0
    max_bytes = max_text = 0
    with Progress(progress, "scanning", None) as bar:
        for res in _map_batches(job, area, _batches(sources, batch_size), n_jobs):
            n_batches += 1
            n_members += res.members
            man_cols.add(res.manifest)
            q_cols.add(res.quarantine)
            pt_cols.add(res.points)
            max_bytes, max_text = max(max_bytes, res.max_bytes), max(max_text, res.max_text_bytes)
            bar.advance(res.members, description=f"scanned {n_members:,} members")
            del res
    manifest = _manifest_from_arrow(man_cols.result())
    del man_cols
    qt = q_cols.result()
    q = qt.to_pandas() if qt is not None else empty_quarantine()
    return _Scanned(manifest, q, pt_cols.result(), n_batches, max_bytes, max_text)


def _scanned_points(manifest: pd.DataFrame, kept: pa.Table | None) -> pd.DataFrame:
    """The Points table of what a scan kept; each file's span, aircraft and duplicates into ``manifest`` (in place)."""
    from flighttrace.io._normalise import assemble
    from flighttrace.provenance import file_spans
    from flighttrace.schema import TIME_DTYPE

    order: dict[str, int] = {}
    if kept is not None:
        files = kept.column("src_file").chunk(0).dictionary.to_pylist() if kept.num_rows else []
        ranks = pd.Index(manifest["path"]).get_indexer(files)
        order = dict(zip(files, ranks.tolist(), strict=True))
    points, dups = assemble([kept] if kept is not None else [], order)
    del kept
    path = manifest["path"]
    if len(points):
        spans = file_spans(points)
        manifest["time_min"] = path.map(spans["time_min"]).astype(TIME_DTYPE)
        manifest["time_max"] = path.map(spans["time_max"]).astype(TIME_DTYPE)
        manifest["n_aircraft"] = path.map(spans["n_aircraft"]).fillna(0).astype(np.int64)
    if len(dups):
        d = path.map(pd.Series(dups.to_numpy(), index=dups.index.astype(str))).fillna(0).astype(np.int64)
        manifest["rows_duplicate"] = d.to_numpy()
        manifest["rows_kept"] = manifest["rows_kept"].to_numpy() - d.to_numpy()
    return points


def _scan(
    archive: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    area: _Area,
    *,
    icao24: str | Iterable[str] | None,
    batch_size: int,
    n_jobs: int,
    progress: ProgressArg,
    format: str | None,
    tz: str | None,
    limits: Limits | None,
    call: str,
) -> tuple[Dataset, dict[str, Any]]:
    from flighttrace.io.api import run_info, start_read
    from flighttrace.io.dataset import Dataset
    from flighttrace.io.sources import iter_sources
    from flighttrace.provenance import ManifestRow, manifest_frame, quarantine_frame, sort_quarantine

    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    paths = [archive] if isinstance(archive, (str, os.PathLike)) else list(archive)
    if n_jobs == 0:
        n_jobs = os.cpu_count() or 1
    job = start_read(format=format, tz=tz, icao24=icao24, limits=limits)
    sel = job.selection
    skipped = [0]
    missing: list[tuple[str, str]] = []
    sources = iter_sources(paths, icao24=sel, on_skip_by_name=lambda _: skipped.__setitem__(0, skipped[0] + 1),
                           on_missing=lambda p, m: missing.append((p, m)), member_bytes=job.limits.size.member_bytes)
    got = _scan_all(job, area, sources, batch_size, n_jobs, progress)
    manifest, q = got.manifest, got.quarantine
    if missing:
        manifest = pd.concat([manifest, manifest_frame([ManifestRow(path=p, error=msg) for p, msg in missing])], ignore_index=True)
        q = pd.concat([q, quarantine_frame([(p, None, msg, "") for p, msg in missing])], ignore_index=True)
    q = sort_quarantine(q)
    kept, got.kept = got.kept, None
    points = _scanned_points(manifest, kept)
    del kept
    bound = memory_bound(batch_size=batch_size, n_jobs=n_jobs, max_member_bytes=got.max_bytes, max_member_text_bytes=got.max_text_bytes,
                         members=len(manifest), kept_points=len(points))
    scan_info = {
        "members": len(manifest),
        "batches": got.batches,
        "batch_size": batch_size,
        "n_jobs": n_jobs,
        "max_member_bytes": got.max_bytes,
        "max_member_text_bytes": got.max_text_bytes,
        "memory_bound_bytes": bound,
    }
    info = run_info(call, job, skipped[0], scan=scan_info,
                    rows_filtered="points outside the area (and of aircraft outside the icao24 selection)")
    return Dataset(points=points, quarantine=q, manifest=manifest, info=info), scan_info


def scan_bbox(
    archive: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    bbox: tuple[float, float, float, float],
    *,
    icao24: str | Iterable[str] | None = None,
    batch_size: int = 64,
    n_jobs: int = 0,
    progress: ProgressArg = False,
    format: str | None = None,
    tz: str | None = None,
    limits: Limits | None = None,
) -> ScanResult:
    """Every point inside a bounding box, streaming the whole archive on all cores.

    Parameters
    ----------
    archive
        A day folder, tar or split tar parts (anything :func:`flighttrace.read` takes).
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees, edges included;
        ``min_lon > max_lon`` crosses the antimeridian.
    icao24
        Also restrict to these aircraft (members named for others are skipped unread).
    batch_size
        Members per task sent to a worker.
    n_jobs
        Worker processes (0 = one per core, the default; 1 = in this process).
    progress
        ``True`` for a progress bar, or a callable.
    format, tz, limits
        As :func:`flighttrace.read`.

    Returns
    -------
    ScanResult
        ``dataset.points`` inside the box; ``legs`` is ``None``.

    Notes
    -----
    Memory above the baseline of each process is bounded by
    :func:`memory_bound` (``info["memory_bound_bytes"]``): at
    ``batch_size=64``, two workers and members of at most 200 KB (2 MB
    decompressed), 346 MB in all (parent 160 MB, each worker 93 MB), plus
    400 B per point kept and 2 KB per member in the parent.
    Results do not depend on ``batch_size`` or ``n_jobs``.
    """
    x0, y0, x1, y1 = (float(v) for v in bbox)
    if not (-90 <= y0 <= y1 <= 90 and -180 <= x0 <= 180 and -180 <= x1 <= 180):
        raise ValueError(f"bbox must be (min_lon, min_lat, max_lon, max_lat) in degrees, got {bbox}")
    call = f"flighttrace.io.scan.scan_bbox({str(archive)!r}, {(x0, y0, x1, y1)!r})"
    ds, info = _scan(archive, _Area(bbox=(x0, y0, x1, y1)), icao24=icao24, batch_size=batch_size, n_jobs=n_jobs,
                     progress=progress, format=format, tz=tz, limits=limits, call=call)
    info = {**info, "bbox": [x0, y0, x1, y1]}
    return ScanResult(dataset=ds, legs=None, info=info)


def who_landed(
    archive: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    airport: str,
    *,
    event: str = "landing",
    airports: Any = None,
    radius_km: float | None = None,
    max_alt_ft: float | None = None,
    icao24: str | Iterable[str] | None = None,
    batch_size: int = 64, n_jobs: int = 0, progress: ProgressArg = False, format: str | None = None, tz: str | None = None, limits: Limits | None = None,
    **leg_params: Any,
) -> ScanResult:
    """Who landed at (or took off from) an airport: stream the archive, keep the aircraft that came low nearby.

    Parameters
    ----------
    archive
        A day folder, tar or split tar parts.
    airport
        ICAO (or IATA) code, or a scenario's custom site id.
    event
        ``"landing"`` (legs whose destination is the airport), ``"takeoff"``
        (origin) or ``"both"``.
    airports
        An :class:`~flighttrace.reference.airports.AirportIndex` or a Scenario (its
        custom sites), or ``None`` for all of ``airportsdata``; also used to
        detect legs.
    radius_km
        Keep the aircraft with a point this close to the field (km). Default:
        the legs' candidate search radius (``LegParams.search_km``, 60 km),
        so no leg that could end at the field is missed.
    max_alt_ft
        ... at or below this barometric altitude (ft; unknown altitude
        counts as low). Default: the field's elevation plus the highest an
        end can be inferred (``LegParams.aligned_max_agl_ft``, 6,000 ft, or
        ``inferred_max_agl_ft`` if higher) plus 1,000 ft.
    icao24
        Also restrict to these aircraft.
    batch_size, n_jobs, progress, format, tz, limits
        As :func:`scan_bbox`.
    **leg_params
        :class:`~flighttrace.tracks.legs.LegParams` fields for :func:`flighttrace.detect_legs`.

    Returns
    -------
    ScanResult
        ``dataset.points``: every point (in the archive) of the aircraft kept;
        ``legs``: their legs ending (``event``) at the airport, with the usual
        evidence grades.

    Notes
    -----
    Exact for day archives, where each aircraft's points are in one member
    (``trace_full_<hex>.json``): the legs equal those
    :func:`flighttrace.detect_legs` finds on the whole archive. Where an
    aircraft's points are spread over several files, only the files in
    which it came near are kept; read its whole track with
    :func:`scan_hexes` on the hexes found. Memory: as :func:`scan_bbox`.
    """
    import flighttrace
    from flighttrace.tracks.legs import LegParams, resolve_airports

    if event not in ("landing", "takeoff", "both"):
        raise ValueError(f"event must be 'landing', 'takeoff' or 'both', not {event!r}")
    index = resolve_airports(airports)
    code = index.resolve(airport)
    ap = index.get(code)
    p = LegParams(**leg_params) if leg_params else LegParams()
    radius = float(radius_km if radius_km is not None else p.search_km)
    elev = 0.0 if np.isnan(ap.elevation_ft) else ap.elevation_ft
    max_alt = float(max_alt_ft if max_alt_ft is not None else elev + max(p.inferred_max_agl_ft, p.aligned_max_agl_ft) + 1000.0)
    call = f"flighttrace.io.scan.who_landed({str(archive)!r}, {code!r}, event={event!r})"
    ds, info = _scan(archive, _Area(near=(ap.lat, ap.lon, radius, max_alt)), icao24=icao24, batch_size=batch_size,
                     n_jobs=n_jobs, progress=progress, format=format, tz=tz, limits=limits, call=call)
    legs = flighttrace.detect_legs(ds.points, airports if airports is not None else index, params=p)
    if len(legs):
        hit = np.zeros(len(legs), dtype=bool)
        if event in ("landing", "both"):
            hit |= (legs["destination"] == code).to_numpy(dtype=bool, na_value=False)
        if event in ("takeoff", "both"):
            hit |= (legs["origin"] == code).to_numpy(dtype=bool, na_value=False)
        legs = legs[hit].reset_index(drop=True)
    info = {**info, "airport": code, "event": event, "radius_km": radius, "max_alt_ft": max_alt,
            "aircraft_kept": int(ds.points["icao24"].nunique()) if len(ds.points) else 0}
    return ScanResult(dataset=ds, legs=legs, info=info)

