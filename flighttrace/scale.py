"""The same pipeline on a ``dask.distributed`` cluster: ingest, legs and sorties over partitions.

:func:`run` reads the inputs, detects legs and chains sorties like
:func:`flighttrace.read`, :func:`flighttrace.detect_legs` and
:func:`flighttrace.find_sorties` do in one process, and returns the same
tables, row for row. It runs on a :class:`distributed.LocalCluster` by
default, or on any scheduler (``scheduler="tcp://host:8786"``).

How the work is split
---------------------
1. **Ingest (map).** Input files are grouped into tasks of about
   ``task_bytes`` (at most ``max_files_per_task`` files). Each task parses its
   files exactly as :func:`flighttrace.read` does and splits the validated
   rows into ``n_buckets`` buckets by a hash of **icao24** (Knuth's
   multiplicative hash of the 24-bit address, modulo ``n_buckets``), computed
   once per distinct hex.
2. **Shuffle by icao24.** Bucket ``b`` gathers piece ``b`` of every ingest
   task, so each aircraft's points are in exactly one bucket, whole. The
   bucket sorts them by icao24 then time and drops exact duplicates, as
   :func:`flighttrace.io._normalise.assemble` does (duplicates share an
   icao24, so bucket-local deduplication equals the global one).
3. **Legs and sorties per bucket.** Segmentation, ends and bridges are per
   aircraft, so legs of a bucket are the legs of its aircraft. Sorties chain
   consecutive legs of one aircraft, so they too are computed per bucket.
4. **Merge.** The client gathers the small tables: per-bucket aircraft point
   counts give each aircraft's offset in the GLOBAL sorted Points table (the
   one :func:`flighttrace.read` would return), and ``point_start`` /
   ``point_end`` are shifted to it. Legs are ordered by icao24 (then
   first_seen, already), sorties by their arrival at the far field and
   renumbered, the manifest gets its duplicate counts and spans.

Points stay on the workers unless ``gather_points=True``.

Dask is an optional dependency (``pip install 'flighttrace[dask]'``); this
module imports without it and raises an :class:`ImportError` saying so when
used.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time as _time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from flighttrace._progress import Progress, ProgressArg

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pyarrow as pa
    from distributed import Client

    from flighttrace.io._normalise import Limits
    from flighttrace.io.api import ReadJob
    from flighttrace.io.sources import Source
    from flighttrace.provenance import ManifestRow

__all__ = ["ScaleResult", "run", "connect", "bucket_of", "DASK_MISSING"]

DASK_MISSING: Final = (
    "flighttrace.scale needs dask.distributed, an optional dependency: "
    "pip install 'flighttrace[dask]' (or pip install 'dask[distributed]')"
)
_GOLDEN: Final = 0x9E3779B1
_SCATTER_FILES: Final = 1000


def _require_dask() -> Any:
    """Import :mod:`distributed`, or raise an ImportError that says how to install it."""
    try:
        import distributed
    except ImportError as exc:
        raise ImportError(DASK_MISSING) from exc
    return distributed


def bucket_of(icao24: Iterable[str] | np.ndarray, n_buckets: int) -> np.ndarray:
    """The bucket of each hex: ``(address * 0x9E3779B1 mod 2**32) mod n_buckets``.

    Parameters
    ----------
    icao24
        6-digit hexes (valid ones: the reader quarantines others).
    n_buckets
        Number of buckets (≥ 1).

    Returns
    -------
    numpy.ndarray
        int64 bucket numbers, deterministic across machines and runs.

    Examples
    --------
    >>> bucket_of(["600864", "4b8102"], 4).tolist()
    [0, 2]
    """
    vals = np.fromiter((int(h, 16) for h in icao24), dtype=np.uint64)
    return ((vals * np.uint64(_GOLDEN)) % np.uint64(2**32) % np.uint64(n_buckets)).astype(np.int64)


@dataclass
class ScaleResult:
    """What :func:`run` returns (the tables equal the in-process ones).

    Attributes
    ----------
    manifest, quarantine
        As :attr:`flighttrace.Dataset.manifest` / ``quarantine``.
    legs
        As :func:`flighttrace.detect_legs` on the whole Points table
        (``point_start`` / ``point_end`` index the global sorted table).
    sorties
        As :func:`flighttrace.find_sorties`, or ``None`` without a scenario.
    points
        The Points table when ``gather_points=True``, else ``None``.
    info
        Version, call, options, partitioning and timings (s).
    """

    manifest: pd.DataFrame
    quarantine: pd.DataFrame
    legs: gpd.GeoDataFrame | None
    sorties: pd.DataFrame | None
    points: pd.DataFrame | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        """Points kept (after duplicates)."""
        return int(self.manifest["rows_kept"].sum()) if len(self.manifest) else 0


@contextlib.contextmanager
def connect(
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    threads_per_worker: int = 1,
    processes: bool = True,
) -> Iterator[Client]:
    """A Dask client: to ``scheduler`` when given, else to a new LocalCluster closed on exit.

    Parameters
    ----------
    scheduler
        Address such as ``tcp://10.0.0.5:8786``; ``None`` starts a
        :class:`distributed.LocalCluster` on 127.0.0.1.
    n_workers
        Local workers (default: one per core).
    threads_per_worker
        Threads per local worker.
    processes
        Local workers as processes (``True``) or threads of this process.

    Yields
    ------
    distributed.Client
    """
    distributed = _require_dask()
    if scheduler is not None:
        client = distributed.Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    import logging

    # processes talk over TCP on the loopback interface; threads in this process over "inproc"
    where = {"host": "127.0.0.1"} if processes else {}
    cluster = distributed.LocalCluster(
        n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=threads_per_worker, processes=processes,
        dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR, **where,
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


# --------------------------------------------------------------------------- scenario shipping


@dataclass(frozen=True)
class _ScenarioRef:
    """A scenario as text (Scenario objects do not pickle): parsed once per worker."""

    kind: str  # "yaml" or "json"
    text: str
    name: str

    @classmethod
    def of(cls, scenario: Any) -> _ScenarioRef:
        path = getattr(scenario, "path", None)
        if path and os.path.exists(path):
            return cls("yaml", Path(path).read_text(encoding="utf-8"), str(path))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return cls("json", scenario.model_dump_json(), "<scenario>")

    def get(self) -> Any:
        key = hashlib.sha256(self.text.encode()).hexdigest()
        hit = _SCENARIOS.get(key)
        if hit is None:
            from flighttrace.scenario import Scenario, parse_scenario

            hit = parse_scenario(self.text, name=self.name) if self.kind == "yaml" else Scenario.model_validate_json(self.text)
            _SCENARIOS[key] = hit
        return hit


_SCENARIOS: dict[str, Any] = {}


def _airports_of(ref: _ScenarioRef | None, airports: Any) -> Any:
    return ref.get() if ref is not None else airports


# --------------------------------------------------------------------------- tasks (run on workers)


@dataclass
class _Partial:
    rows: list[ManifestRow]
    quarantine: list[tuple[str, int | None, str, str]]
    pieces: list[list[pa.Table]]  # per bucket


def _split_by_bucket(table: pa.Table, n_buckets: int) -> list[pa.Table | None]:
    """Split one normalised table by the bucket of its icao24 (one hash per distinct hex)."""
    import pyarrow as pa

    col = table.column("icao24").combine_chunks()
    codes = col.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    b = bucket_of(col.dictionary.to_pylist(), n_buckets)[codes]
    order = np.argsort(b, kind="stable")
    counts = np.bincount(b, minlength=n_buckets)
    t = table.take(pa.array(order)) if len(counts[counts > 0]) > 1 else table
    out: list[pa.Table | None] = []
    start = 0
    for k in range(n_buckets):
        n = int(counts[k])
        out.append(t.slice(start, n) if n else None)
        start += n
    return out


def _ingest_task(job: ReadJob, sources: list[Source], n_buckets: int) -> _Partial:
    """Parse files as :func:`flighttrace.read` does; split the rows into icao24 buckets."""
    from flighttrace.io.api import clear_lookup_caches, read_source

    clear_lookup_caches()
    part = _Partial(rows=[], quarantine=[], pieces=[[] for _ in range(n_buckets)])
    for src in sources:
        res = read_source(job, src)
        part.rows.append(res.row)
        part.quarantine.extend(res.quarantine)
        for t in res.tables:
            for k, piece in enumerate(_split_by_bucket(t, n_buckets)):
                if piece is not None:
                    part.pieces[k].append(piece)
    return part


def _piece(part: _Partial, bucket: int) -> list[pa.Table]:
    return part.pieces[bucket]


def _rows(part: _Partial) -> tuple[list[ManifestRow], list[tuple[str, int | None, str, str]]]:
    return part.rows, part.quarantine


@dataclass
class _Bucket:
    points: pd.DataFrame
    duplicates: pd.Series  # per src_file
    spans: pd.DataFrame  # per src_file: time_min, time_max, n_aircraft
    aircraft: pd.DataFrame  # icao24, n (points), local_start


def _bucket_task(pieces: list[list[pa.Table]], file_order: dict[str, int]) -> _Bucket:
    """One bucket's Points: sorted by icao24 then time, exact duplicates dropped."""
    from flighttrace.io._normalise import assemble
    from flighttrace.provenance import file_spans

    tables = [t for ts in pieces for t in ts]
    points, dups = assemble(tables, file_order)
    del tables
    if len(points):
        spans = file_spans(points)
        codes = points["icao24"].cat.codes.to_numpy()
        counts = np.bincount(codes, minlength=len(points["icao24"].cat.categories))
        present = np.flatnonzero(counts)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        aircraft = pd.DataFrame({
            "icao24": np.asarray(points["icao24"].cat.categories, dtype=object)[present],
            "n": counts[present].astype(np.int64),
            "local_start": starts[present].astype(np.int64),
        })
    else:
        spans = pd.DataFrame(columns=["time_min", "time_max", "n_aircraft"])
        aircraft = pd.DataFrame({"icao24": pd.Series([], dtype=object), "n": pd.Series([], dtype=np.int64), "local_start": pd.Series([], dtype=np.int64)})
    return _Bucket(points=points, duplicates=dups, spans=spans, aircraft=aircraft)


def _summary(b: _Bucket) -> tuple[pd.Series, pd.DataFrame, pd.DataFrame]:
    return b.duplicates, b.spans, b.aircraft


def _points_of(b: _Bucket) -> pd.DataFrame:
    return b.points


def _legs_task(b: _Bucket, ref: _ScenarioRef | None, airports: Any, params: Any, geometry: bool, lineage: bool) -> gpd.GeoDataFrame | None:
    """Legs of one bucket's aircraft (``point_start`` / ``point_end`` local to the bucket)."""
    if not len(b.points):
        return None
    from flighttrace.tracks.legs import detect_legs

    legs = detect_legs(b.points, _airports_of(ref, airports), params=params, geometry=geometry, lineage=lineage)
    return legs if len(legs) else None


def _sorties_task(legs: gpd.GeoDataFrame | None, ref: _ScenarioRef, route: str | None, fleet: str | None) -> pd.DataFrame | None:
    """Sorties of one bucket's aircraft (ids renumbered when merged)."""
    if legs is None:
        return None
    from flighttrace.kinds.sorties.chain import find_sorties

    s = find_sorties(legs, ref.get(), route, fleet=fleet)
    return s if len(s) else None


# --------------------------------------------------------------------------- client side


def _reinfer(df: pd.DataFrame) -> pd.DataFrame:
    """Infer object columns again, as one frame built in one process would (a bucket whose
    column is all missing gives ``object``, which concatenation keeps)."""
    for c in df.columns:
        if c != "geometry" and df[c].dtype == object:
            df[c] = pd.Series(df[c].to_numpy(dtype=object), index=df.index, name=c)
    return df


def _merge_legs(legs: list[gpd.GeoDataFrame], aircraft: pd.DataFrame) -> gpd.GeoDataFrame:
    """Concatenate bucket legs; shift point ranges to the global sorted Points table."""
    import geopandas as gpd

    ac = aircraft.sort_values("icao24", kind="stable").reset_index(drop=True)
    ac["global_start"] = np.concatenate([[0], np.cumsum(ac["n"].to_numpy())[:-1]]).astype(np.int64)
    shift = pd.Series((ac["global_start"] - ac["local_start"]).to_numpy(), index=ac["icao24"].to_numpy())
    ends = pd.Series((ac["local_start"] + ac["n"]).to_numpy(), index=ac["icao24"].to_numpy())
    out = pd.concat(legs, ignore_index=True)
    hexes = out["icao24"].astype(str).to_numpy()
    # a leg's rows never leave its aircraft (the first run of an aircraft is never an excursion), so a
    # shift per aircraft maps local rows to global ones
    local_end = ends.reindex(hexes).to_numpy()
    if (out["point_end"].to_numpy() > local_end).any():
        raise AssertionError("a leg's point range extends beyond its aircraft's rows; cannot map it to the global table")
    sh = shift.reindex(hexes).to_numpy().astype(np.int64)
    out["point_start"] = out["point_start"].to_numpy() + sh
    out["point_end"] = out["point_end"].to_numpy() + sh
    order = np.argsort(hexes, kind="stable")
    out = _reinfer(out.iloc[order].reset_index(drop=True))
    return gpd.GeoDataFrame(out, geometry="geometry", crs=legs[0].crs)


def _merge_sorties(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Order bucket sorties as :func:`find_sorties` does and renumber them."""
    df = pd.concat(parts, ignore_index=True)
    key = df["arrive_far"].fillna(df["depart_far"])
    df = df.assign(_k=key).sort_values(["_k", "icao24"], kind="stable").drop(columns="_k").reset_index(drop=True)
    df["sortie_id"] = (df["route"].astype(str) + "-" + pd.Series(np.arange(1, len(df) + 1), dtype=np.int64).map("{:03d}".format)).to_numpy(dtype=object)
    return _reinfer(df)


def _gather_points(client: Any, futures: list[Any]) -> pd.DataFrame:
    """The global Points table from the buckets (each sorted; aircraft disjoint)."""
    import pyarrow as pa

    from flighttrace.io._normalise import points_from_table
    from flighttrace.io.store import points_to_arrow
    from flighttrace.schema import empty_points

    frames = [f for f in client.gather(futures) if len(f)]
    if not frames:
        return empty_points()
    table = pa.concat_tables([points_to_arrow(f) for f in frames])
    del frames
    table = table.unify_dictionaries().combine_chunks()
    df = points_from_table(table)
    order = np.argsort(df["icao24"].cat.codes.to_numpy(), kind="stable")
    return df.iloc[order].reset_index(drop=True)


def run(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    scenario: Any = None, airports: Any = None, route: str | None = None, fleet: str | None = None,
    client: Client | None = None, scheduler: str | None = None, n_workers: int | None = None, processes: bool = True,
    n_buckets: int | None = None, task_bytes: int = 64_000_000, max_files_per_task: int = 64,
    icao24: str | Iterable[str] | None = None, format: str | None = None, tz: str | None = None, limits: Limits | None = None,
    legs: bool = True, geometry: bool = True, lineage: bool = True, gather_points: bool = False,
    progress: ProgressArg = False, command: str | None = None,
    **leg_params: Any,
) -> ScaleResult:
    """Read, detect legs and chain sorties on a Dask cluster; the same results as in one process.

    Parameters
    ----------
    paths
        Anything :func:`flighttrace.read` takes. Workers open disk files by
        path, so a remote cluster must see the same paths; tar members are
        streamed by this process and travel with their tasks.
    scenario
        A :class:`~flighttrace.scenario.model.Scenario`: its airports join the leg
        search and its route gives the sorties. Without it, no sorties.
    airports
        An :class:`~flighttrace.reference.airports.AirportIndex` when there is no
        scenario (default: all of ``airportsdata``).
    route, fleet
        As :func:`flighttrace.find_sorties`.
    client
        An existing :class:`distributed.Client` (not closed here).
    scheduler
        Scheduler address (``tcp://host:8786``) to connect to when no client
        is given; without either, a LocalCluster is started and closed.
    n_workers, processes
        The LocalCluster's workers (default one per core) and whether they
        are processes.
    n_buckets
        icao24 hash buckets (default: twice the cluster's threads). Results
        do not depend on it.
    task_bytes, max_files_per_task
        Files per ingest task: up to ``task_bytes`` bytes as stored, at most
        ``max_files_per_task`` files.
    icao24, format, tz, limits
        As :func:`flighttrace.read`.
    legs
        Detect legs (and sorties); ``False`` stops after ingest.
    geometry, lineage
        As :func:`flighttrace.detect_legs`.
    gather_points
        Return the Points table (it stays on the workers otherwise).
    progress
        ``True`` for a progress bar, or a callable.
    command
        The call to record in ``info``.
    **leg_params
        :class:`~flighttrace.tracks.legs.LegParams` fields.

    Returns
    -------
    ScaleResult
        ``manifest``, ``quarantine``, ``legs``, ``sorties`` (and ``points``),
        equal row for row to the in-process results.

    Raises
    ------
    ImportError
        When dask.distributed is not installed.

    Examples
    --------
    >>> res = flighttrace.scale.run("fixtures/ovda/data", scenario=scn)            # doctest: +SKIP
    >>> res = flighttrace.scale.run("day.tar", scheduler="tcp://10.0.0.5:8786")    # doctest: +SKIP
    """
    distributed = _require_dask()
    from flighttrace.io.api import start_read
    from flighttrace.tracks.legs import LegParams

    job = start_read(format=format, tz=tz, icao24=icao24, limits=limits)
    plan = _Plan(
        scenario=scenario, airports=airports, route=route, fleet=fleet, n_buckets=n_buckets, task_bytes=task_bytes,
        max_files_per_task=max_files_per_task, legs=legs, geometry=geometry, lineage=lineage, gather_points=gather_points,
        progress=progress, command=command, params=LegParams(**leg_params) if leg_params else None,
    )
    if client is None:
        with connect(scheduler, n_workers=n_workers, processes=processes) as c:
            return _run(distributed, c, paths, job, plan)
    return _run(distributed, client, paths, job, plan)


@dataclass(frozen=True)
class _Plan:
    """The options of :func:`run` beyond the read's (see there)."""

    scenario: Any
    airports: Any
    route: str | None
    fleet: str | None
    n_buckets: int | None
    task_bytes: int
    max_files_per_task: int
    legs: bool
    geometry: bool
    lineage: bool
    gather_points: bool
    progress: ProgressArg
    command: str | None
    params: Any


def _run(distributed: Any, client: Client, paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]], job: ReadJob, plan: _Plan) -> ScaleResult:
    """:func:`run` on a client."""
    from flighttrace.io.api import run_info
    from flighttrace.io.sources import iter_sources

    t0 = _time.perf_counter()
    timings: dict[str, float] = {}
    path_list = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    n_buckets = plan.n_buckets if plan.n_buckets is not None else max(1, 2 * sum(client.nthreads().values()))
    skipped = [0]
    missing: list[tuple[str, str]] = []
    sources = iter_sources(path_list, icao24=job.selection, on_skip_by_name=lambda _: skipped.__setitem__(0, skipped[0] + 1),
                           on_missing=lambda p, m: missing.append((p, m)), member_bytes=job.limits.size.member_bytes)
    names, partials = _submit_ingest(client, job, sources, n_buckets, plan.task_bytes, plan.max_files_per_task)
    n_tasks = len(partials)
    buckets = _submit_buckets(client, partials, names, n_buckets)
    rows_f = [client.submit(_rows, p, pure=False) for p in partials]
    summ_f = [client.submit(_summary, b, pure=False) for b in buckets]
    legs_f: list[Any] = []
    sorties_f: list[Any] = []
    ref = _ScenarioRef.of(plan.scenario) if plan.scenario is not None else None
    if plan.legs:
        legs_f = [client.submit(_legs_task, b, ref, plan.airports, plan.params, plan.geometry, plan.lineage, pure=False) for b in buckets]
        if ref is not None:
            sorties_f = [client.submit(_sorties_task, lf, ref, plan.route, plan.fleet, pure=False) for lf in legs_f]
    with Progress(plan.progress, "scale: running", len(partials) + len(buckets) + len(legs_f)) as bar:
        for _ in distributed.as_completed([*partials, *buckets, *legs_f], loop=client.loop):
            bar.advance(1)
    rows, quarantine = _gather_rows(client, rows_f)
    del partials, rows_f
    timings["ingest_and_legs_s"] = round(_time.perf_counter() - t0, 3)
    manifest, q, aircraft = _manifest_and_quarantine(client, summ_f, rows, quarantine, missing)
    legs_out: Any = None
    sorties_out: Any = None
    if plan.legs:
        legs_out = _gathered_legs(client, legs_f, aircraft, plan.scenario if plan.scenario is not None else plan.airports)
        if ref is not None:
            sorties_out = _gathered_sorties(client, sorties_f)
    timings["total_s"] = round(_time.perf_counter() - t0, 3)
    points = _gather_points(client, [client.submit(_points_of, b, pure=False) for b in buckets]) if plan.gather_points else None
    info = run_info(
        plan.command or f"flighttrace.scale.run({[str(p) for p in path_list]!r})", job, skipped[0],
        scale={
            "scheduler": str(getattr(getattr(client, "scheduler", None), "address", None)),
            "workers": len(client.nthreads()),
            "threads": int(sum(client.nthreads().values())),
            "n_buckets": n_buckets,
            "partitioning": "shuffle by icao24: bucket = (int(icao24, 16) * 0x9E3779B1 mod 2**32) mod n_buckets",
            "ingest_tasks": n_tasks,
            "files": len(names),
            "timings": timings,
        },
    )
    return ScaleResult(manifest=manifest, quarantine=q, legs=legs_out, sorties=sorties_out, points=points, info=info)


def _submit_ingest(client: Client, job: ReadJob, sources: Iterator[Source], n_buckets: int, task_bytes: int, max_files: int) -> tuple[list[str], list[Any]]:
    """Ingest tasks for the files, in batches; the files' names in input order and the tasks' futures."""
    from flighttrace.io.sources import batches

    names: list[str] = []
    partials: list[Any] = []
    for batch in batches(sources, task_bytes, max_files):
        names.extend(s.name for s in batch)
        if batch[0].live:  # a large tar member streamed from its archive: parsed here, while the archive stands on it
            partials.append(client.scatter(_ingest_task(job, batch, n_buckets)))
        else:
            partials.append(client.submit(_ingest_task, job, batch, n_buckets, pure=False))
        del batch
    return names, partials


def _submit_buckets(client: Client, partials: list[Any], names: list[str], n_buckets: int) -> list[Any]:
    """One task per bucket, gathering its piece of every ingest task."""
    file_order = {n: i for i, n in enumerate(names)}
    # a large file order is sent to every worker once, not with every bucket task
    order_f = client.scatter([file_order], broadcast=True)[0] if len(names) > _SCATTER_FILES else file_order
    buckets = []
    for k in range(n_buckets):
        pieces = [client.submit(_piece, p, k, pure=False) for p in partials]
        buckets.append(client.submit(_bucket_task, pieces, order_f, pure=False))
    return buckets


def _gather_rows(client: Client, rows_f: list[Any]) -> tuple[list[ManifestRow], list[tuple[str, int | None, str, str]]]:
    """The manifest and quarantine rows of every ingest task, in input order."""
    rows: list[ManifestRow] = []
    quarantine: list[tuple[str, int | None, str, str]] = []
    for r, q in client.gather(rows_f):
        rows.extend(r)
        quarantine.extend(q)
    return rows, quarantine


def _manifest_and_quarantine(
    client: Client, summ_f: list[Any], rows: list[ManifestRow], quarantine: list[tuple[str, int | None, str, str]], missing: list[tuple[str, str]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The Manifest (with the buckets' spans and duplicates) and Quarantine tables, and the aircraft of every bucket."""
    from flighttrace.provenance import ManifestRow, count_into_rows, manifest_frame, quarantine_frame, sort_quarantine
    from flighttrace.schema import empty_quarantine

    for p, msg in missing:
        rows.append(ManifestRow(path=p, error=msg))
        quarantine.append((p, None, msg, ""))
    summaries = client.gather(summ_f)
    dups = pd.concat([s[0] for s in summaries if len(s[0])]).groupby(level=0).sum() if any(len(s[0]) for s in summaries) else pd.Series(dtype=np.int64)
    span_parts = [s[1] for s in summaries if len(s[1])]
    aircraft = pd.concat([s[2] for s in summaries], ignore_index=True)
    spans = (
        pd.concat(span_parts).groupby(level=0).agg({"time_min": "min", "time_max": "max", "n_aircraft": "sum"})
        if span_parts else pd.DataFrame(columns=["time_min", "time_max", "n_aircraft"])
    )
    count_into_rows(rows, spans, dups)
    q = sort_quarantine(quarantine_frame(quarantine)) if quarantine else empty_quarantine()
    return manifest_frame(rows), q, aircraft


def _gathered_legs(client: Client, legs_f: list[Any], aircraft: pd.DataFrame, airports: Any) -> gpd.GeoDataFrame:
    """The buckets' legs merged (the empty Legs table when there are none)."""
    parts = [x for x in client.gather(legs_f) if x is not None]
    if parts:
        return _merge_legs(parts, aircraft)
    from flighttrace.schema import empty_points
    from flighttrace.tracks.legs import detect_legs

    return detect_legs(empty_points(), airports)


def _gathered_sorties(client: Client, sorties_f: list[Any]) -> pd.DataFrame:
    """The buckets' sorties merged and renumbered (the empty Sorties table when there are none)."""
    sparts = [x for x in client.gather(sorties_f) if x is not None]
    if sparts:
        return _merge_sorties(sparts)
    from flighttrace.kinds.sorties.chain import SORTIES_COLUMNS

    return pd.DataFrame(columns=list(SORTIES_COLUMNS))
