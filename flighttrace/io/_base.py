"""The contract between format readers and the ingest framework.

A reader turns the content of one input file into :class:`RawChunk` objects:
columns named as in :data:`flighttrace.schema.POINTS`, with times as float
seconds since the Unix epoch (UTC). It does not validate values, build
categoricals, sort or de-duplicate: :mod:`flighttrace.io._normalise` does that
for every format alike, so every format gets the same checks and reasons.

A reader rejects a record itself only when the record cannot be parsed at
all (a CSV line with the wrong number of fields, a trace point that is not an
array …); it reports it in :attr:`RawChunk.quarantine`. Problems with a
parseable record (a field that is not a number …) are reported as masks in
:attr:`RawChunk.problems`, and the framework quarantines those rows.

Readers come in three kinds:

``stream``
    ``func(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]``; the
    stream is already decompressed. Used for CSV, KML and SBS.
``json``
    ``func(obj: Any, ctx: ReadContext) -> Iterator[RawChunk]``; ``obj`` is the
    parsed JSON document. ``match(obj) -> bool`` tells the dispatcher whether
    a parsed document has this format's shape.
``parquet``
    ``func(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]`` with a
    seekable stream.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from flighttrace.io.bounds import SizeLimits

__all__ = [
    "RawChunk",
    "ReadContext",
    "ReaderSpec",
    "FormatError",
    "truncate_raw",
    "RAW_MAX_CHARS",
    "DEFAULT_CHUNK_ROWS",
]

RAW_MAX_CHARS = 2000
"""Quarantined raw text is cut to this many characters (with a marker)."""

DEFAULT_CHUNK_ROWS = 250_000
"""Records per chunk that streaming readers aim for (tests lower it to exercise chunk boundaries)."""


class FormatError(ValueError):
    """The content is not the expected format; the whole file is rejected.

    The message is shown to the user as the file's error in the manifest, so
    it must say what was expected and what was found.
    """


def truncate_raw(text: str) -> str:
    """Cut ``text`` to :data:`RAW_MAX_CHARS`, marking the cut.

    Parameters
    ----------
    text
        The raw record.

    Returns
    -------
    str
        ``text`` unchanged, or its start followed by ``… [N chars cut]``.
    """
    if len(text) <= RAW_MAX_CHARS:
        return text
    return text[:RAW_MAX_CHARS] + f"… [{len(text) - RAW_MAX_CHARS} chars cut]"


@dataclass
class RawChunk:
    """Columns parsed from a run of records of one file, before validation.

    Parameters
    ----------
    columns
        Arrays of equal length keyed by Points column names. ``time`` is
        required and holds float64 seconds since the Unix epoch, UTC (NaN when
        missing). ``icao24`` is required (strings as found; the framework
        lowercases and checks them). Any other Points column may be omitted;
        it is then missing for every row. String columns may be numpy object
        arrays (``None`` for missing), lists, or pyarrow arrays. ``on_ground``,
        ``military`` may be float arrays with NaN for "not said", or object
        arrays of ``True``/``False``/``None``. ``stale`` and ``new_leg`` are
        bool arrays. ``position_source`` holds values of
        :data:`flighttrace.schema.POSITION_SOURCES`.
    src_row
        int64 array: the record's row, line or array index in its file.
    raw
        ``raw(idx) -> list[str]`` gives the raw text of the records at
        positions ``idx`` (indices into this chunk, not ``src_row``). Called
        only for records that are quarantined.
    quarantine
        Records the reader could not parse at all: ``(src_row, reason, raw)``.
    problems
        ``(mask, reason)`` pairs: rows where ``mask`` is true are quarantined
        with ``reason`` (joined with the framework's own reasons). ``reason``
        is one string for all those rows, or an object array of per-row
        strings the length of the chunk.
    lines_state
        SBS only: messages without a position whose content was carried
        forward into later points.
    """

    columns: dict[str, Any]
    src_row: np.ndarray
    raw: Callable[[np.ndarray], list[str]] | None = None
    quarantine: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[tuple[np.ndarray, Any]] = field(default_factory=list)
    lines_state: int = 0

    def __len__(self) -> int:
        return int(len(self.src_row))

    @property
    def rows_read(self) -> int:
        """Records seen: parsed rows plus rows the reader rejected itself."""
        return len(self) + len(self.quarantine)

    @classmethod
    def only_quarantine(cls, rows: list[tuple[int, str, str]], lines_state: int = 0) -> RawChunk:
        """A chunk with no parsed rows, only rejected ones."""
        return cls(
            columns={"time": np.empty(0), "icao24": np.empty(0, dtype=object)},
            src_row=np.empty(0, dtype=np.int64),
            quarantine=rows,
            lines_state=lines_state,
        )


@dataclass
class ReadContext:
    """What a reader knows about the file it reads and the caller's wishes.

    Parameters
    ----------
    src_file
        The file's label, as it will appear in ``src_file``.
    tz
        IANA zone for naive times (SBS), or ``None``.
    icao24
        The caller's icao24 selection (lowercase), or ``None``. Readers may use
        it to skip work early; the framework applies it in any case.
    chunk_rows
        Preferred number of records per chunk for streaming readers.
    notes
        Readers append assumptions they made ("times assumed UTC"); they end
        up in the manifest.
    tz_used
        Readers that interpret naive times set the zone they applied.
    size
        Size limits (longest line, largest document, longest string).
    bad_records
        Set by the dispatcher when a JSON document's records were parsed one
        by one (the document as a whole was not valid JSON): ``src_row`` →
        ``(reason, raw text)`` of the records that could not be parsed. The
        reader sees ``None`` in their place; the framework reports them with
        these reasons.
    json_booleans
        Whether the JSON document may hold ``true`` / ``false`` (set by the
        dispatcher from the raw bytes; when ``False`` readers need not look
        for booleans among their numbers).
    """

    src_file: str
    tz: str | None = None
    icao24: frozenset[str] | None = None
    chunk_rows: int = field(default_factory=lambda: DEFAULT_CHUNK_ROWS)
    notes: list[str] = field(default_factory=list)
    tz_used: str | None = None
    size: SizeLimits = field(default_factory=SizeLimits)
    bad_records: dict[int, tuple[str, str]] = field(default_factory=dict)
    json_booleans: bool = True


@dataclass(frozen=True)
class ReaderSpec:
    """A registered format.

    Parameters
    ----------
    name
        Format name; also the value of the ``source`` column.
    kind
        ``"stream"``, ``"json"`` or ``"parquet"``.
    func
        The reader (see the module docstring for its signature).
    description
        One line for ``flighttrace formats`` and error messages.
    sniff
        For stream formats: ``sniff(head: bytes) -> bool`` on the first bytes
        of the decompressed content.
    match
        For JSON formats: ``match(obj) -> bool`` on the parsed document.
    json_lines
        A stream format of one JSON object per line (JSON Lines): its
        ``sniff`` is tried on content that starts like JSON, before the
        content is parsed as one JSON document.
    json_stream
        A JSON format read as it streams when its ``sniff`` recognises the
        head (an array of records), tried before the content is parsed as
        one document; a document of another shape is parsed whole and
        recognised by ``match``. ``func`` then takes the stream or the
        parsed document.
    """

    name: str
    kind: Literal["stream", "json", "parquet"]
    func: Callable[..., Iterator[RawChunk]]
    description: str
    sniff: Callable[[bytes], bool] | None = None
    match: Callable[[Any], bool] | None = None
    json_lines: bool = False
    json_stream: bool = False


def as_object_array(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Return ``values`` as a 1-D numpy object array without copying strings."""
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr
