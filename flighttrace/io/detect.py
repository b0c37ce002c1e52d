"""Detect compression and format from content, never from the file name.

Compression is told by magic bytes (gzip ``1f 8b``, zstd ``28 b5 2f fd``),
so a readsb trace named ``.json`` but stored gzip-compressed is read like any
other. Parquet is told by ``PAR1``. After decompression, a JSON document is
parsed once and matched by its shape (its top-level keys); XML goes to the
KML reader; text formats are told by their header line.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO, Final, cast

from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.bounds import read_bounded
from flighttrace.io.jsonrecords import parse_document

__all__ = ["BINARY_KINDS", "FORMATS", "HEAD_BYTES", "binary_reason", "dispatch", "formats", "open_decoded"]

if TYPE_CHECKING:
    FORMATS: dict[str, ReaderSpec]
    """Every registered reader by format name, loaded on first use (module ``__getattr__``)."""

HEAD_BYTES = 64 * 1024
"""How much decompressed content is peeked at to tell a text format."""

_MODULES = ("readsb", "aircraft", "opensky", "opensky_json", "fr24", "sbs", "fr24_granular", "fr24_tracks", "jet1090", "traffic_json")


@lru_cache(maxsize=1)
def formats() -> dict[str, ReaderSpec]:
    """All registered formats by name, in detection order."""
    import importlib

    specs: dict[str, ReaderSpec] = {}
    for mod in _MODULES:
        m = importlib.import_module(f"flighttrace.io.{mod}")
        for spec in m.SPECS:
            specs[spec.name] = spec
    return specs


def __getattr__(name: str) -> Any:
    if name == "FORMATS":
        return formats()
    raise AttributeError(name)


def _buffered(raw: BinaryIO | io.RawIOBase) -> io.BufferedReader:
    """``raw`` with a read buffer (``peek``); a stream already buffered is used as it is."""
    if isinstance(raw, io.BufferedReader):
        return raw
    return io.BufferedReader(cast(io.RawIOBase, raw), buffer_size=1 << 20)  # a raw byte stream: file, tar member, hashing reader


def open_decoded(raw: BinaryIO | io.RawIOBase) -> tuple[io.BufferedReader, str]:
    """Wrap a stored byte stream so that reads return decompressed content.

    Parameters
    ----------
    raw
        The bytes as stored.

    Returns
    -------
    stream : io.BufferedReader
        Decompressed content; ``peek`` works on it.
    compression : str
        ``"gzip"``, ``"zstd"`` or ``"none"``.

    Raises
    ------
    FormatError
        For zstd content when the ``zstandard`` package is not installed.
    """
    buf = _buffered(raw)
    magic = buf.peek(4)[:4]
    if magic[:2] == b"\x1f\x8b":
        return io.BufferedReader(gzip.GzipFile(fileobj=buf, mode="rb"), buffer_size=HEAD_BYTES * 2), "gzip"
    if magic == b"\x28\xb5\x2f\xfd":
        try:
            import zstandard
        except ImportError as exc:
            raise FormatError("the file is zstd-compressed; install the 'zstandard' package to read it") from exc
        reader = zstandard.ZstdDecompressor().stream_reader(buf)
        return io.BufferedReader(reader, buffer_size=HEAD_BYTES * 2), "zstd"
    return buf, "none"


SMALL_GZIP_BYTES = 8 << 20
"""Gzip files up to this size (as stored) are decompressed in one call rather than streamed."""
SMALL_GZIP_MAX_INFLATED = 64 << 20
"""…unless their content is larger than this (bytes): a small gzip of text can inflate 200-fold, and a
streamed format (CSV, SBS) must then stream rather than be held whole."""


def _small_gzip_in_memory(buf: io.BufferedReader, magic: bytes) -> tuple[io.BufferedReader, str] | None:
    """Decompress a small gzip file in one C call (trace files are per aircraft-day, mostly < 1 MB).

    Streaming through :class:`gzip.GzipFile` costs Python-level work per
    block; for a small file, reading the stored bytes once and inflating them
    whole is several times faster. Large files keep streaming.
    """
    if magic[:2] != b"\x1f\x8b" or not buf.seekable():
        return None
    pos = buf.tell()
    size = buf.seek(0, io.SEEK_END) - pos
    buf.seek(pos)
    if size > SMALL_GZIP_BYTES:
        return None
    data = inflate_one_member(buf.read(), SMALL_GZIP_MAX_INFLATED)
    if data is None:
        # corrupt or truncated (stream, so the records before the damage are still read), larger than
        # the cap, or several gzip members: the streaming reader handles all of these
        buf.seek(pos)
        return None
    return io.BufferedReader(io.BytesIO(data), buffer_size=HEAD_BYTES * 2), "gzip"


@lru_cache(maxsize=1)
def _inflater() -> tuple[Any, tuple[type[Exception], ...]]:
    """The fastest gzip inflater at hand and its error types: ISA-L's (``isal``, several times zlib's speed) or zlib's."""
    try:
        from isal import isal_zlib
    except ImportError:  # a platform without isal's wheels: the standard library's zlib gives the same bytes
        return zlib, (zlib.error,)
    isal_error: type[Exception] = getattr(isal_zlib, "error")  # noqa: B009 - the stub types it as an instance, it is the class
    return isal_zlib, (isal_error, zlib.error)


def inflate_one_member(stored: bytes, max_bytes: int) -> bytes | None:
    """The content of ``stored`` when it is exactly one whole, intact gzip member of at most ``max_bytes``, else ``None``.

    Parameters
    ----------
    stored
        The bytes as stored (gzip framing).
    max_bytes
        Largest content accepted, bytes.

    Returns
    -------
    bytes or None
        ``None`` when the bytes are corrupt or truncated (a bad CRC or length
        included), the content is larger than ``max_bytes``, or another
        member or anything else follows the first: the caller streams such a
        file instead, which reads the records before any damage and names it.
    """
    module, errors = _inflater()
    inflate = module.decompressobj(wbits=31)  # gzip framing
    try:
        data = inflate.decompress(stored, max_bytes)
    except errors:
        return None
    if not inflate.eof or inflate.unconsumed_tail or inflate.unused_data:
        return None
    return bytes(data)


def _peek_head(stream: io.BufferedReader) -> bytes:
    head = stream.peek(HEAD_BYTES)
    if len(head) < 2048:
        # BufferedReader.peek returns at most one buffer fill; small is fine.
        return head
    return head[:HEAD_BYTES]


def _describe_head(head: bytes) -> str:
    line = head.split(b"\n", 1)[0][:80]
    return line.decode("utf-8", errors="replace")


_BEAST_TYPES: Final = (b"1", b"2", b"3", b"4", b"5")
"""Frame types of the Beast binary protocol (Mode A/C, Mode S short and long, and receiver-specific frames), after its 0x1a escape."""
BEAST_REASON: Final = ("Beast binary (raw Mode S frames, as dump1090 and readsb send them on port 30005): flighttrace reads decoded "
                       "positions, not raw frames; decode them first (jet1090 / rs1090 writes JSON Lines that flighttrace reads)")
"""Why a Beast binary capture is not read."""
_TO_PARQUET: Final = "save the table as Parquet or CSV where it was made (for example pandas' DataFrame.to_parquet), and read that"
BINARY_KINDS: Final[tuple[tuple[tuple[bytes, ...], str], ...]] = (
    ((b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05"),
     "a Python pickle (as pandas' and traffic's to_pickle write): not read, since loading a pickle runs code stored in the file; "
     + _TO_PARQUET),
    ((b"\x89HDF\r\n\x1a\n",), "an HDF5 file (as pandas' and traffic's to_hdf write): flighttrace does not read HDF5; " + _TO_PARQUET),
    ((b"ARROW1",), "an Arrow IPC (Feather) file (as pandas' and traffic's to_feather write): flighttrace does not read it; " + _TO_PARQUET),
    ((b"\xff\xff\xff\xff",), "an Arrow IPC stream: flighttrace does not read it; " + _TO_PARQUET),
    ((b"7z\xbc\xaf\x27\x1c",), "a 7-Zip archive: flighttrace does not open it; unpack it and give flighttrace the folder (or a tar archive)"),
    ((b"PK\x03\x04", b"PK\x05\x06"),
     "a ZIP archive, inside another archive or named as an office document or a data file (an Excel workbook is one): not "
     "opened; flighttrace opens a ZIP named .zip or .kmz, given as a file or found in a folder: unpack the outer archive or rename "
     "the file, or save a workbook's sheet as CSV"),
    ((b"SQLite format 3\x00",),
     "an SQLite database (a receiver's BaseStation.sqb is one): flighttrace does not read databases; give it the receiver's "
     "SBS log (port 30003), or export the table of positions as CSV"),
    ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "an OLE2 compound file (an Excel 97-2003 workbook is one): save the sheet as CSV and read that"),
)
"""Binary files flighttrace does not read, told by their first bytes, and what to do instead (:func:`binary_reason`)."""


def binary_reason(head: bytes) -> str | None:
    """Why a binary file of a known kind is not read (:data:`BINARY_KINDS`), from its first bytes; ``None`` for any other.

    Examples
    --------
    >>> binary_reason(b"\\x80\\x05\\x95...").split(":")[0]
    "a Python pickle (as pandas' and traffic's to_pickle write)"
    >>> binary_reason(b"time,icao24") is None
    True
    """
    for magics, reason in BINARY_KINDS:
        if head.startswith(magics):
            return reason
    return None


OPENSKY_FLIGHTS_REASON: Final = ("an OpenSky flights list (firstSeen, lastSeen, estimated departure and arrival airports): it holds no "
                                 "position; flighttrace reads positions (OpenSky state vectors, /states/all, /tracks/all)")
"""Why an OpenSky /flights/* answer is not read."""


def _known_without_positions(obj: Any) -> str | None:
    """Why a JSON document of a known kind that holds no position is not read (:data:`OPENSKY_FLIGHTS_REASON`); ``None`` otherwise."""
    first = obj[0] if isinstance(obj, list) and obj else obj
    if isinstance(first, dict) and "firstSeen" in first and "lastSeen" in first and "icao24" in first:
        return OPENSKY_FLIGHTS_REASON
    return None


def _json_keys(obj: Any) -> str:
    if isinstance(obj, dict):
        keys = list(obj)[:8]
        return "object with keys " + ", ".join(repr(k) for k in keys)
    if isinstance(obj, list):
        return f"array of {len(obj)} element(s)"
    return type(obj).__name__


def _json_lines_shape(text: bytes) -> str | None:
    """For content of one JSON object per line: the first object's shape (:func:`_json_keys`); ``None`` for anything else."""
    import orjson

    lines = [x for x in text.split(b"\n")[:3] if x.strip()]
    if len(lines) < 2 or lines[1].lstrip()[:1] != b"{":
        return None
    try:
        return _json_keys(orjson.loads(lines[0]))
    except orjson.JSONDecodeError:
        return None


def _parse_json(stream: io.BufferedReader, ctx: ReadContext) -> Any:
    """The whole JSON document, read up to the document limit; bad records cost only themselves."""
    data = read_bounded(stream, ctx.size.document_bytes, "JSON document")
    ctx.json_booleans = has_true_or_false(data)
    return parse_document(data, ctx)


E_LOOKS: int = 64
"""Letters ``e`` looked at one by one by :func:`has_true_or_false` before it searches for the two words instead."""


def has_true_or_false(data: bytes) -> bool:
    """Whether ``b"true"`` or ``b"false"`` occurs in ``data``: ``b"true" in data or b"false" in data``, found faster.

    Both words end with ``e``, a letter a trace's numbers and keys hardly
    use: the ``e`` are found with the C library's byte search (several times
    as fast as searching for a word), and only the bytes before each are
    compared. After :data:`E_LOOKS` of them the two words are searched for
    as such. The answer is the same either way.
    """
    i = data.find(b"e")
    for _ in range(E_LOOKS):
        if i < 0:
            return False
        if (i >= 3 and data.startswith(b"tru", i - 3)) or (i >= 4 and data.startswith(b"fals", i - 4)):
            return True
        i = data.find(b"e", i + 1)
    return i >= 0 and (b"true" in data or b"false" in data)


_NOUNS: Final = {
    "readsb_trace": "a readsb trace",
    "aircraft_json": "an aircraft.json snapshot",
    "v2_api": "a v2 API response",
    "opensky_csv": "OpenSky state vectors in CSV",
    "opensky_parquet": "OpenSky state vectors in Parquet",
    "opensky_states": "an OpenSky /states/all document",
    "opensky_tracks": "an OpenSky /tracks/all document",
    "fr24_json": "an FR24 playback document",
    "fr24_csv": "an FR24 CSV export",
    "fr24_kml": "an FR24 KML export",
    "sbs": "an SBS log",
    "fr24_granular": "an FR24 granular CSV export",
    "fr24_api_csv": "an FR24 API flight-tracks CSV",
    "jet1090": "jet1090 JSON Lines",
    "traffic_json": "a JSON table of state vectors written by pandas",
}
"""How messages name each format when a forced format does not fit the content."""


def _noun(spec: ReaderSpec) -> str:
    return _NOUNS.get(spec.name, f"{spec.name!r} content")


def _content_kind(text: bytes, magic: bytes) -> str:
    """What the content looks like, for a message about a forced format."""
    if magic == b"PAR1":
        return "a Parquet file"
    if text[:1] in (b"{", b"["):
        return "JSON"
    if text[:1] == b"<":
        return "XML"
    return "text"


def _forced(spec: ReaderSpec, stream: io.BufferedReader, text: bytes, compression: str, ctx: ReadContext) -> tuple[ReaderSpec, str, Iterator[RawChunk]]:
    """Start the reader of a format the caller named, or say clearly why the content is not that format."""
    kind = _content_kind(text, b"")
    if spec.kind == "json":
        if kind != "JSON":
            raise FormatError(f"not {_noun(spec)}: the content is {kind}, not JSON (first line: {_describe_head(text)!r})")
        return spec, compression, spec.func(_forced_document(spec, stream, ctx), ctx)
    if spec.kind == "parquet":
        raise FormatError(f"not {_noun(spec)}: the content is {kind}, not a Parquet file")
    if spec.json_stream:
        return spec, compression, _forced_stream(spec, stream, text, kind, ctx)
    if spec.json_lines:
        if kind != "JSON" or spec.sniff is None or not spec.sniff(text):
            raise FormatError(f"not {_noun(spec)}: its first lines are not such messages (first line: {_describe_head(text)!r})")
    elif kind == "JSON" and spec.name != "fr24_kml":
        raise FormatError(f"not {_noun(spec)}: the content is JSON")
    return spec, compression, spec.func(stream, ctx)


def _forced_stream(spec: ReaderSpec, stream: io.BufferedReader, text: bytes, kind: str, ctx: ReadContext) -> Iterator[RawChunk]:
    """A forced JSON format that streams (``json_stream``): read as it streams when its sniff knows the head, else parsed whole and matched."""
    if kind != "JSON":
        raise FormatError(f"not {_noun(spec)}: the content is {kind}, not JSON (first line: {_describe_head(text)!r})")
    if spec.sniff is not None and spec.sniff(text):
        return spec.func(stream, ctx)
    return spec.func(_forced_document(spec, stream, ctx), ctx)


def _forced_document(spec: ReaderSpec, stream: io.BufferedReader, ctx: ReadContext) -> Any:
    """The JSON document of a forced format, parsed whole; a document of another shape is refused, saying what it is."""
    try:
        obj = _parse_json(stream, ctx)
    except FormatError as exc:
        raise FormatError(f"not {_noun(spec)}: {exc}") from exc
    if spec.match is not None and not spec.match(obj):
        raise FormatError(f"not {_noun(spec)}: format {spec.name!r} was given, but the JSON document is an {_json_keys(obj)}")
    return obj


def dispatch(
    raw: BinaryIO | io.RawIOBase,
    ctx: ReadContext,
    fmt: str | None = None,
) -> tuple[ReaderSpec, str, Iterator[RawChunk]]:
    """Detect (or take) the format of one stored file and start its reader.

    Parameters
    ----------
    raw
        The stored bytes.
    ctx
        Reader context.
    fmt
        An explicit format name that overrides detection.

    Returns
    -------
    spec : ReaderSpec
        The format.
    compression : str
        ``"gzip"``, ``"zstd"`` or ``"none"``.
    chunks : iterator of RawChunk
        The reader's output (lazy).

    Raises
    ------
    FormatError
        Empty file, unknown format, invalid JSON, or a JSON shape that does
        not fit the explicit format.
    """
    specs = formats()
    if fmt is not None and fmt not in specs:
        raise FormatError(f"unknown format {fmt!r}; known formats: {', '.join(specs)}")
    buf = _buffered(raw)
    magic = buf.peek(4)[:4]
    if not magic:
        raise FormatError("the file is empty")
    parquet = [s for s in specs.values() if s.kind == "parquet"]
    if fmt is not None and magic == b"PAR1" and specs[fmt].kind != "parquet":
        raise FormatError(f"not {_noun(specs[fmt])}: the file is Parquet (format {fmt!r} was given)")
    if fmt is not None and specs[fmt].kind == "parquet" and magic != b"PAR1":
        head = buf.peek(HEAD_BYTES)[:HEAD_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
        raise FormatError(f"not {_noun(specs[fmt])}: the content is {_content_kind(head, magic)}, not a Parquet file")
    if magic == b"PAR1" or (fmt is not None and specs[fmt].kind == "parquet"):
        import pyarrow.parquet as pq

        seekable: BinaryIO = buf if buf.seekable() else io.BytesIO(read_bounded(buf, ctx.size.member_bytes, "Parquet file streamed from an archive"))
        try:
            names = pq.ParquetFile(seekable).schema_arrow.names
        except Exception as exc:
            if fmt is not None:
                raise FormatError(f"not {_noun(specs[fmt])}: unreadable as Parquet ({exc})") from exc
            raise FormatError(f"unreadable Parquet file: {exc}") from exc
        seekable.seek(0)
        if fmt is not None:
            spec = specs[fmt]
        else:
            cand = [s for s in parquet if s.match is not None and s.match(names)]
            if not cand:
                raise FormatError(f"Parquet file with unknown columns: {', '.join(names[:12])}")
            spec = cand[0]
        return spec, "none", spec.func(seekable, ctx)
    stream, compression = _small_gzip_in_memory(buf, magic) or open_decoded(buf)
    head = _peek_head(stream)
    if not head.strip():
        raise FormatError("the file is empty" if compression == "none" else f"the {compression} content is empty")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    binary = binary_reason(head)
    if binary is not None:  # a known binary kind, forced format or not: say what it is and what to do
        raise FormatError(binary if compression == "none" else f"inside {compression}: {binary}")
    if fmt is not None:
        return _forced(specs[fmt], stream, text, compression, ctx)
    if text[:1] in (b"{", b"["):
        for spec in specs.values():  # one JSON object per line: a stream of records, not one document
            if (spec.json_lines or spec.json_stream) and spec.sniff is not None and spec.sniff(text):
                return spec, compression, spec.func(stream, ctx)
        try:
            obj = _parse_json(stream, ctx)
        except FormatError as exc:
            shape = _json_lines_shape(text)
            if shape is None:
                raise
            readers = ", ".join(s.name for s in specs.values() if s.json_lines or s.json_stream)
            raise FormatError(f"JSON Lines (one JSON value per line) of unknown shape: the first line is an {shape}; "
                              f"the JSON Lines flighttrace reads: {readers}") from exc
        for spec in specs.values():
            if (spec.kind == "json" or spec.json_stream) and spec.match is not None and spec.match(obj):
                return spec, compression, spec.func(obj, ctx)
        known_kind = _known_without_positions(obj)
        raise FormatError(known_kind or f"JSON of unknown shape ({_json_keys(obj)}); expected a readsb trace, aircraft.json, v2 API, "
                                        "OpenSky states/tracks, FR24 playback document or a pandas table of state vectors "
                                        "(icao24, a time and a latitude column)")
    for spec in specs.values():
        if spec.kind == "stream" and spec.sniff is not None and spec.sniff(text):
            return spec, compression, spec.func(stream, ctx)
    if head[:1] == b"\x1a" and head[1:2] in _BEAST_TYPES:
        raise FormatError(BEAST_REASON)
    known = ", ".join(s.name for s in specs.values())
    raise FormatError(f"unrecognised content (first line: {_describe_head(text)!r}); known formats: {known}")
