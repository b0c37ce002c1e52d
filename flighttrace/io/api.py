"""``flighttrace.read``: every input into one Points table, with provenance."""

from __future__ import annotations

import gzip
import io
import lzma
import os
import tarfile
import time as _time
import zipfile
import zlib
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Final

import numpy as np
import pandas as pd
import pyarrow as pa

from flighttrace._gc import gc_paused
from flighttrace._progress import Progress, ProgressArg
from flighttrace._version import __version__
from flighttrace.io._base import FormatError, ReadContext
from flighttrace.io._normalise import Limits, assemble, normalise_chunk, unify_types
from flighttrace.io.bounds import LimitExceeded, QuarantineCap
from flighttrace.io.dataset import Dataset
from flighttrace.io.detect import dispatch
from flighttrace.io.sources import Source, batches, hex_selection, iter_sources
from flighttrace.provenance import ManifestRow, count_into_rows, file_spans, manifest_frame, quarantine_frame, sort_quarantine
from flighttrace.schema import empty_quarantine

__all__ = ["Dataset", "read", "NothingReadable", "ReadJob", "FileResult", "start_read", "read_source", "run_info", "clear_lookup_caches"]


class NothingReadable(RuntimeError):
    """No input yielded a single point (the CLI exits with code 2)."""


def _describe_error(exc: BaseException) -> str:
    if isinstance(exc, (FormatError, LimitExceeded)):
        return str(exc)
    if isinstance(exc, tarfile.TarError):
        return f"tar archive is truncated or damaged ({exc})"
    if isinstance(exc, zipfile.BadZipFile):
        return f"ZIP member is damaged ({exc})"
    if isinstance(exc, EOFError):
        return f"compressed stream is truncated ({exc})"
    if isinstance(exc, (gzip.BadGzipFile, zlib.error, lzma.LZMAError)):
        return f"compressed stream is corrupt ({exc})"
    if isinstance(exc, UnicodeDecodeError):
        return f"text is not valid UTF-8 ({exc.reason} at byte {exc.start})"
    if type(exc).__name__ == "ParseError" and type(exc).__module__.startswith("xml"):
        return f"not well-formed XML ({exc})"
    if isinstance(exc, LookupError) and not isinstance(exc, (KeyError, IndexError)):
        return f"unknown text encoding ({exc})"
    if isinstance(exc, pa.ArrowInvalid):
        return f"unreadable content ({exc})"
    if isinstance(exc, OSError):
        return f"cannot read the file ({exc.strerror or exc})"
    if isinstance(exc, MemoryError):
        return "out of memory while reading this file"
    return f"internal error while reading ({type(exc).__name__}: {exc}); please report it with this file"


def _custody_id(src: Source, sha256: str) -> str:
    """The custody-log entry id of a fetched disk file, or ``""``."""
    if src.path is None:
        return ""
    from flighttrace.fetch.custody import lookup

    return lookup(src.path, sha256) or ""


def _head_text(src: Source, n: int = 300) -> str:
    if src.path is None and src.data is None:
        return ""  # a tar member streamed from the archive cannot be read twice
    try:
        with src.open() as fh:
            data = fh.read(n)
    except Exception:
        return ""
    return data.decode("utf-8", errors="backslashreplace")


@dataclass(frozen=True)
class ReadJob:
    """What every file of one read shares (sent to worker processes).

    Parameters
    ----------
    format
        A format forced by the caller, or ``None`` to detect each file's.
    tz
        IANA zone of naive times, or ``None``.
    selection
        The lowercase hexes to keep, or ``None`` for every aircraft.
    run_time_ns
        When the read started (times after it are in the future).
    limits
        Plausibility and size limits.
    """

    format: str | None
    tz: str | None
    selection: frozenset[str] | None
    run_time_ns: int
    limits: Limits


@dataclass
class FileResult:
    """What reading one file gave: its manifest row, its quarantine rows and its Points tables (Arrow)."""

    row: ManifestRow
    quarantine: list[tuple[str, int | None, str, str]]
    tables: list[pa.Table]


def clear_lookup_caches() -> None:
    """Forget cached custody-log and synthetic-marker roots (files may have appeared since)."""
    import sys

    for mod, fn in (("flighttrace.fetch.custody", "_root_of_dir"), ("flighttrace.io.synthetic", "_root_of_dir"), ("flighttrace._paths", "_resolved_dir"),
                    ("flighttrace._paths", "_resolved_file")):
        m = sys.modules.get(mod)
        if m is not None:
            getattr(m, fn).cache_clear()


def start_read(
    *, format: str | None = None, tz: str | None = None, icao24: str | Iterable[str] | None = None, limits: Limits | None = None
) -> ReadJob:
    """Check a read's options and start it: the job every file is read with.

    Parameters
    ----------
    format, tz, icao24, limits
        As :func:`read`.

    Returns
    -------
    ReadJob
        With the icao24 selection parsed and the run time fixed; cached
        look-ups of custody logs and synthetic markers are forgotten.

    Raises
    ------
    zoneinfo.ZoneInfoNotFoundError
        For an unknown ``tz``.
    """
    if tz is not None:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)  # raises a clear error for an unknown zone
    selection = hex_selection(icao24)
    clear_lookup_caches()
    return ReadJob(format=format, tz=tz, selection=selection, run_time_ns=_time.time_ns(), limits=limits or Limits())


def _synthetic(src: Source, sha256: str) -> bool:
    if src.path is None:
        return False
    from flighttrace.io.synthetic import is_synthetic

    return is_synthetic(src.path, sha256)


HASH_IN_THREAD_BYTES: int = 4 << 20
"""Files at least this large (bytes as stored) are hashed in a thread while they are parsed."""

CHANGED_WHILE_READ: Final = "changed while read"
"""Start of the error of a file whose size or modification time changed while it was read."""


def _parse(job: ReadJob, src: Source, raw: BinaryIO | io.RawIOBase, ctx: ReadContext, row: ManifestRow, res: FileResult) -> None:
    """Detect, parse and normalise one opened file into ``row`` and ``res``."""
    with gc_paused():  # a JSON document is parsed whole here
        spec, compression, chunks = dispatch(raw, ctx, job.format)
    row.format, row.compression = spec.name, compression
    cap = QuarantineCap(job.limits.size.quarantine_rows)  # a file of broken lines costs no memory per line past it
    # JSON readers walk the parsed document: keep the pause; streamed formats keep the collector
    try:
        with gc_paused() if spec.kind == "json" else nullcontext():
            for chunk in chunks:
                if ctx.bad_records:  # records the reader saw as null: the JSON parser could not parse them
                    bad = ctx.bad_records
                    chunk.quarantine = [(r, *bad[r]) if text == "null" and r in bad else (r, why, text) for r, why, text in chunk.quarantine]
                nc = normalise_chunk(chunk, ctx, spec.name, run_time_ns=job.run_time_ns, limits=job.limits)
                row.rows_read += nc.rows_read
                row.rows_kept += nc.rows_kept
                row.rows_quarantined += nc.rows_quarantined
                row.rows_filtered += nc.rows_filtered
                row.lines_state += nc.lines_state
                cap.add(res.quarantine, nc.quarantine)
                if nc.table is not None:
                    res.tables.append(nc.table)
    finally:  # a file that fails part-way still says how many of its rejected records were not listed
        note = cap.summary(src.name)
        if note is not None:
            res.quarantine.append(note)


def _fail(src: Source, row: ManifestRow, res: FileResult, message: str, raw_text: str = "") -> None:
    """Make ``message`` the file's error, with its whole-file quarantine row."""
    row.error = message
    res.quarantine.append((src.name, None, message, raw_text))


def _changed(src: Source, row: ManifestRow, res: FileResult, how: str) -> None:
    """A file that changed while it was read: its records are not kept (they cannot be checked against any file)."""
    n = row.rows_kept
    row.rows_quarantined += n
    row.rows_kept = 0
    res.tables.clear()
    detail = f"{CHANGED_WHILE_READ}: {how}; its {n:,} record(s) are not kept (the SHA-256 is of the bytes that were parsed); read it again once nothing writes to it"
    if row.error:
        row.error += "; " + detail
        res.quarantine.append((src.name, None, detail, ""))
    else:
        _fail(src, row, res, detail)


def _provenance(src: Source, row: ManifestRow, sha256: str) -> None:
    row.sha256 = sha256
    row.custody = _custody_id(src, sha256)
    row.synthetic = _synthetic(src, sha256)


def _read_source(job: ReadJob, src: Source) -> FileResult:
    """Read one file: detect, parse, normalise, hash the bytes parsed. Never raises for bad content."""
    row = ManifestRow(path=src.name, size_bytes=src.size, notes=list(src.notes))
    res = FileResult(row, [], [])
    if src.error:
        _fail(src, row, res, src.error)
        return res
    if src.skipped:
        row.format = "skipped"
        row.notes.append(src.skipped)
    if not src.has_content:
        return res
    try:
        opened = src.open_tracked(threaded=src.size >= HASH_IN_THREAD_BYTES)
    except OSError as exc:
        _fail(src, row, res, _describe_error(exc))
        return res
    ctx = ReadContext(src_file=src.name, tz=job.tz, icao24=job.selection, size=job.limits.size)
    try:
        if not src.skipped:
            try:
                _parse(job, src, opened.reader, ctx, row, res)
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - a bad file must never stop the run
                message = _describe_error(exc)
                if row.rows_read:
                    message += f"; the {row.rows_read} record(s) before the failure were kept"
                _fail(src, row, res, message, _head_text(src))
        sha256, change = opened.finish()
    finally:
        opened.close()
    if opened.drain_error is not None and not row.error:
        _fail(src, row, res, _describe_error(opened.drain_error))
    _provenance(src, row, sha256)
    if change is not None:
        _changed(src, row, res, change)
    row.tz = ctx.tz_used or ""
    row.notes.extend(ctx.notes)
    return res


def run_info(call: str, job: ReadJob, skipped_by_name: int, **more: Any) -> dict[str, Any]:
    """The ``info`` of a read's :class:`Dataset`: the version, the call, its options, the files skipped by name, and ``more``."""
    options = {"format": job.format, "tz": job.tz, "icao24": sorted(job.selection) if job.selection is not None else None}
    return {"flighttrace_version": __version__, "call": call, "options": options, "files_skipped_by_name": skipped_by_name, **more}


def read_source(job: ReadJob, src: Source) -> FileResult:
    """Read one file: detect its format, parse, normalise, hash the bytes parsed.

    For drivers that hand out the files themselves (:mod:`flighttrace.scale`,
    :mod:`flighttrace.io.scan`); never raises for bad content: a file that
    cannot be read is its manifest row's error.
    """
    return _read_source(job, src)


BATCH_BYTES: int = 4 << 20
"""Worker processes take files in batches of about this many stored bytes…"""
BATCH_FILES: int = 64
"""…or this many files, whichever comes first (one round trip per batch, not per file)."""


def _read_batch(job: ReadJob, srcs: list[Source]) -> list[FileResult]:
    """Read several small files in one worker call (the collector paused for the batch, as :func:`read` pauses it)."""
    with gc_paused():
        return [_read_source(job, src) for src in srcs]


class _Done:
    """A result computed at once (a live tar member, read in this process)."""

    def __init__(self, value: list[FileResult]) -> None:
        self.value = value

    def result(self) -> list[FileResult]:
        return self.value


def _map_sources(job: ReadJob, sources: Iterable[Source], n_jobs: int) -> Iterable[FileResult]:
    """Read sources in order, in this process or in ``n_jobs`` worker processes.

    Workers take batches of files (a day archive is many small files, and a
    round trip per file would cost as much as the parsing). At most
    ``2 * n_jobs`` batches are in flight, so a streamed tar is never held
    whole; results come back in input order (determinism). A large tar
    member streamed from its archive (:attr:`Source.live`) is read here, at
    once, while the archive stands on it.
    """
    if n_jobs <= 1:
        for src in sources:
            yield _read_source(job, src)
        return
    import multiprocessing as mp
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=mp.get_context("spawn"))
    done = False
    try:
        pending: deque[Any] = deque()
        for batch in batches(sources, BATCH_BYTES, BATCH_FILES):
            if batch[0].live:
                pending.append(_Done(_read_batch(job, batch)))
            else:
                pending.append(pool.submit(_read_batch, job, batch))
            while len(pending) >= 2 * n_jobs:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
        done = True
    finally:
        # every result is in: let the workers wind down while the caller assembles the table
        pool.shutdown(wait=not done, cancel_futures=not done)


def read(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    format: str | None = None,
    tz: str | None = None,
    icao24: str | Iterable[str] | None = None,
    progress: ProgressArg = False,
    limits: Limits | None = None,
    command: str | None = None,
    n_jobs: int = 1,
    start: Any = None,
    end: Any = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> Dataset:
    """Read flight-tracking files into one Points table, losing nothing.

    Parameters
    ----------
    paths
        Files, folders (read recursively), globs, tars, split-tar parts or
        ZIP archives. Anything :mod:`flighttrace.io.sources` expands.
    format
        Force a format (see ``flighttrace formats``) instead of detecting it
        from content.
    tz
        IANA zone of naive times (SBS logs written by dump1090-fa use local
        time). Without it, naive times are taken as UTC and the manifest says
        so.
    icao24
        One hex or several: keep only these aircraft; trace files named for
        another hex are not even opened.
    progress
        ``True`` for a progress bar, or a callable ``f(description, done, total)``.
    limits
        Plausibility limits (see :class:`~flighttrace.io._normalise.Limits`).
    command
        The command line or call to record in the manifest.
    n_jobs
        Worker processes for parsing (1 = in this process, the default;
        0 = one per core). Results are identical whatever the number.
    start, end, bbox
        Only for a store folder (:mod:`flighttrace.io.store`): keep points with
        ``start <= time < end`` and inside ``(min_lon, min_lat, max_lon,
        max_lat)`` degrees; the filters (and ``icao24``) are pushed down to
        the Parquet files. A single path that is a store is read with
        :func:`flighttrace.io.store.read_store`.

    Returns
    -------
    Dataset
        ``points``, ``quarantine``, ``manifest``.

    Notes
    -----
    A file that cannot be read becomes a manifest row with its error and a
    quarantine row with ``src_row`` NA; the other files are still read. Every
    record that fails a check is quarantined with all the reasons that apply.

    Examples
    --------
    >>> ds = flighttrace.read("fixtures/")            # doctest: +SKIP
    >>> ds.points.groupby("icao24").size()            # doctest: +SKIP
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    path_list = list(paths)
    from flighttrace.io.store import is_store, read_store

    if len(path_list) == 1 and is_store(path_list[0]):
        return read_store(path_list[0], start=start, end=end, icao24=icao24, bbox=bbox)
    if start is not None or end is not None or bbox is not None:
        raise ValueError("start, end and bbox filter a store folder (flighttrace.io.store); filter the Points table of files after reading")
    job = start_read(format=format, tz=tz, icao24=icao24, limits=limits)
    if n_jobs == 0:
        n_jobs = os.cpu_count() or 1
    with gc_paused():  # one pause for the whole read: each file's own pause no longer ends in a collection of everything it made
        got = _read_files(job, path_list, n_jobs, progress)
        order = {r.path: i for i, r in enumerate(got.rows)}
        points, dups = assemble(got.tables, order)
    # return the memory Arrow freed while converting, so the process holds the Points table and little else
    pa.default_memory_pool().release_unused()
    if len(points):
        count_into_rows(got.rows, file_spans(points), dups)
    info = run_info(command or _describe_call(path_list, format, tz, job.selection), job, got.skipped_by_name)
    q = sort_quarantine(quarantine_frame(got.quarantine)) if got.quarantine else empty_quarantine()
    return Dataset(points=points, quarantine=q, manifest=manifest_frame(got.rows), info=info)


def _read_files(job: ReadJob, path_list: list[Any], n_jobs: int, progress: ProgressArg) -> _Collected:
    """Read every file of ``path_list`` (in order), with a manifest row for each argument that matched nothing."""
    got = _Collected()
    sources = iter_sources(
        path_list,
        icao24=job.selection,
        on_skip_by_name=got.skip,
        on_missing=lambda p, m: got.missing.append((p, m)),
        member_bytes=job.limits.size.member_bytes,
    )
    pool = pa.default_memory_pool()
    # mimalloc (pyarrow's default) keeps the pages a file's parse freed; given back after each file, the read
    # peaks about 20 MB lower on the Ovda world. The C allocator's release trims the whole heap (0.4 s over its
    # 257 files): read() releases it once, at the end.
    per_file_release = pool.backend_name == "mimalloc"
    with Progress(progress, "reading", None) as bar:
        for res in _map_sources(job, sources, n_jobs):
            got.add(res)
            if per_file_release:
                pool.release_unused()
            verb = "skipped" if res.row.format == "skipped" else "read"
            bar.advance(1, description=f"{verb} {Path(res.row.path).name}")
    got.add_missing()
    return got


SMALL_TABLE_ROWS: Final = 256
"""Rows below which a file's table is merged with its neighbours' (:meth:`_Collected._merge_small_tail`): below it, the
table's fixed cost (about 33 KB) outweighs its rows. At 4,096, the readsb benchmark's 1,900-row traces were merged too,
for 0.28 s of its 2 s and nothing saved worth it."""
MERGE_TABLES: Final = 256
"""Small tables merged at a time: each merge copies their rows once."""


@dataclass
class _Collected:
    """What the files of one read gave, in input order."""

    rows: list[ManifestRow] = field(default_factory=list)
    quarantine: list[tuple[str, int | None, str, str]] = field(default_factory=list)
    tables: list[pa.Table] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    skipped_by_name: int = 0

    def skip(self, _: str) -> None:
        self.skipped_by_name += 1

    def add(self, res: FileResult) -> None:
        self.rows.append(res.row)
        self.quarantine.extend(res.quarantine)
        self.tables.extend(res.tables)
        self._merge_small_tail()

    def _merge_small_tail(self) -> None:
        """Merge the last :data:`MERGE_TABLES` tables into one when every one is smaller than :data:`SMALL_TABLE_ROWS` rows.

        Each file's table costs its twenty columns' arrays and buffers (about
        33 KB) whatever its rows: a tar of 20,000 one-point traces peaked at
        769 MB, holding them until :func:`assemble` (181 MB merged). Merged as
        they come, in input order, small tables cost their rows; larger ones
        are never copied.
        """
        tail = self.tables[-MERGE_TABLES:]
        if len(tail) < MERGE_TABLES or any(t.num_rows >= SMALL_TABLE_ROWS for t in tail):
            return
        merged = pa.concat_tables(unify_types(tail)).combine_chunks()
        del self.tables[-MERGE_TABLES:]
        self.tables.append(merged)

    def add_missing(self) -> None:
        """A row (and a whole-file quarantine row) for each argument that matched nothing."""
        for p, msg in self.missing:
            self.rows.append(ManifestRow(path=p, error=msg))
            self.quarantine.append((p, None, msg, ""))


def _describe_call(paths: list[Any], fmt: str | None, tz: str | None, sel: frozenset[str] | None) -> str:
    args = [repr(str(p)) for p in paths]
    if fmt:
        args.append(f"format={fmt!r}")
    if tz:
        args.append(f"tz={tz!r}")
    if sel is not None:
        args.append(f"icao24={sorted(sel)!r}")
    return "flighttrace.read(" + ", ".join(args) + ")"


def assert_counts(ds: Dataset) -> None:
    """Raise when any file's counts do not add up (used by tests and ``ingest``)."""
    from flighttrace.provenance import check_invariant

    check_invariant(ds.manifest)
    kept = ds.points.groupby("src_file", observed=True).size() if len(ds.points) else pd.Series(dtype=np.int64)
    for _, r in ds.manifest.iterrows():
        if int(kept.get(r["path"], 0)) != int(r["rows_kept"]):
            raise AssertionError(f"{r['path']}: manifest says {r['rows_kept']} kept, points table holds {int(kept.get(r['path'], 0))}")
