"""The FlightRadar24 KML export (``fr24_kml``; see :mod:`flighttrace.io.fr24`).

The document is walked with :func:`xml.etree.ElementTree.iterparse`, keeping
only the ``Route`` folder's placemarks (their text is converted per chunk on
whole columns); documents with a DTD are refused before the parser sees them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, BinaryIO, Final

import numpy as np
import orjson
import pandas as pd

from flighttrace.io import fr24_common as common
from flighttrace.io._base import FormatError, RawChunk, ReadContext, ReaderSpec
from flighttrace.io.bounds import BoundedReader, LimitExceeded, mb

__all__ = ["read_kml", "sniff_kml", "SPEC", "PROLOG_MAX_BYTES"]

PROLOG_MAX_BYTES: Final = 1 << 20
"""A KML whose root element does not start within this many bytes is refused."""

# KML

_KML_SNIFF: Final = re.compile(rb"<kml[\s>/:]|opengis\.net/kml|earth\.google\.com/kml", re.IGNORECASE)
_ROOT_START: Final = re.compile(rb"<[A-Za-z_:]")
_COMMENT: Final = re.compile(rb"<!--.*?-->|<\?.*?\?>", re.DOTALL)
"""Comments and processing instructions: what may precede a DTD besides white space."""
_DTD: Final = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_COORD_RE: Final = r"^\s*(?P<lon>[^,\s]+)\s*,\s*(?P<lat>[^,\s]+)\s*(?:,\s*(?P<alt>[^,\s]+)\s*)?$"
_SPEED_RE: Final = r"(?i)<b>\s*Speed:\s*</b>\s*(?:</span>)?\s*(?:<span[^>]*>)?\s*([-+]?\d+(?:\.\d+)?)\s*kts?\b"
_HEADING_RE: Final = r"(?i)<b>\s*Heading:\s*</b>\s*(?:</span>)?\s*(?:<span[^>]*>)?\s*([-+]?\d+(?:\.\d+)?)\s*(?:&deg;|°|&#176;)"
_CARD_REG: Final = re.compile(r"Registration\s*(?:<[^<>]*>\s*)*([A-Z0-9][A-Z0-9-]{1,11})\s*<", re.IGNORECASE)
_CARD_TYPE: Final = re.compile(r"Aircraft\s*<span[^<>]*>\s*\(\s*([A-Z0-9]{2,4})\s*\)\s*</span>", re.IGNORECASE)


def sniff_kml(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:1] == b"<" and _KML_SNIFF.search(text) is not None


class _PrologGuard:
    """A byte stream that refuses XML with a DTD before the parser sees it.

    Entity declarations (only possible in a DTD) are how an XML document
    expands without bound ("billion laughs"); FR24 never writes a DTD.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._pending = b""
        self._checked = False

    def read(self, size: int = -1) -> bytes:
        if not self._checked:
            self._check()
        if self._pending:
            out, self._pending = self._pending, b""
            return out
        return self._stream.read(size)

    def _check(self) -> None:
        parts: list[bytes] = []
        total = 0
        while True:
            data = self._stream.read(1 << 16)
            parts.append(data)
            total += len(data)
            buf = b"".join(parts)
            stripped = _COMMENT.sub(b"", buf)
            m = _ROOT_START.search(stripped)
            if m is not None or not data or total > PROLOG_MAX_BYTES:
                break
        prolog = stripped[: m.start()] if m is not None else stripped
        if _DTD.search(prolog):
            raise FormatError(
                "KML with a document type declaration (<!DOCTYPE …>) refused: FR24 never writes one, "
                "and its entity declarations can expand without bound"
            )
        if m is None and total > PROLOG_MAX_BYTES:
            raise FormatError(f"XML without a root element in its first {PROLOG_MAX_BYTES} bytes")
        self._pending = buf
        self._checked = True


class _LocalNames(dict[Any, str]):
    """Tag → local name (namespace dropped), computed once per distinct tag."""

    def __missing__(self, tag: Any) -> str:
        name = tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""
        self[tag] = name
        return name


class _Placemarks:
    """Route placemarks collected as text, converted per chunk on whole columns."""

    def __init__(self, local: _LocalNames, max_text: int) -> None:
        self.local = local
        self.max_text = max_text
        self.too_long: list[int] = []  # positions of placemarks holding a text longer than max_text
        self.rows: list[int] = []
        self.names: list[str | None] = []
        self.whens: list[str | None] = []
        self.coords: list[str | None] = []
        self.descs: list[str | None] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, index: int, elem: ET.Element) -> None:
        """Keep the text of one placemark's name, description, TimeStamp/when and Point/coordinates."""
        local = self.local
        name = desc = when = coords = None
        for child in elem:
            kind = local[child.tag]
            if kind == "TimeStamp":
                when = next((c.text for c in child if local[c.tag] == "when"), None)
            elif kind == "Point":
                coords = next((c.text for c in child if local[c.tag] == "coordinates"), None)
            elif kind == "description":
                desc = child.text
            elif kind == "name":
                name = child.text
        texts = (name, desc, when, coords)
        if any(t is not None and len(t) > self.max_text for t in texts):
            self.too_long.append(len(self.rows))
            name = desc = when = coords = None  # never parsed, never kept whole
        self.rows.append(index)
        self.names.append(name)
        self.whens.append(when)
        self.coords.append(coords)
        self.descs.append(desc)

    def raw(self, idx: np.ndarray) -> list[str]:
        return [
            orjson.dumps(
                {"name": self.names[i], "when": self.whens[i], "coordinates": self.coords[i], "description": self.descs[i]}
            ).decode()
            for i in np.asarray(idx, dtype=np.int64)
        ]


def _kml_chunk(pm: _Placemarks, meta: dict[str, str | None], hexid: str | None, stats: dict[str, int]) -> RawChunk:
    """Convert collected placemarks to a chunk, column by column."""
    n = len(pm)
    when = pd.Series(pm.whens, dtype=object)
    no_when = (when.isna() | (when.astype(str).str.strip() == "")).to_numpy(dtype=bool)
    time = common.iso_seconds(when)
    naive = ~np.isnan(time) & ~when.str.strip().str.contains(common.ISO_ZONE_RE).fillna(False).to_numpy(dtype=bool)
    stats["naive"] += int(naive.sum())
    far = common.beyond_ns(time)

    coords = pd.Series(pm.coords, dtype=object)
    no_coord = (coords.isna() | (coords.astype(str).str.strip() == "")).to_numpy(dtype=bool)
    parts = coords.str.extract(_COORD_RE)
    lon, lon_bad = common.text_numbers(parts["lon"])
    lat, lat_bad = common.text_numbers(parts["lat"])
    alt_m, alt_bad = common.text_numbers(parts["alt"])
    fatal = [
        (no_when, "Placemark has no TimeStamp/when"),
        (~no_when & np.isnan(time) & ~far, "TimeStamp/when is not an ISO 8601 date-time"),
        (far, "TimeStamp/when is outside the years 1678–2261"),
        (no_coord, "Placemark has no Point/coordinates"),
        (~no_coord & parts["lon"].isna().to_numpy(), 'Point/coordinates is not "lon,lat,alt"'),
        (lon_bad, "Point/coordinates longitude is not a number"),
        (lat_bad, "Point/coordinates latitude is not a number"),
    ]
    if pm.too_long:
        long_text = np.zeros(n, dtype=bool)
        long_text[pm.too_long] = True
        fatal = [(m & ~long_text, r) for m, r in fatal]
        fatal.append((long_text, f"Placemark holds a text longer than {mb(pm.max_text)} (limit string_bytes)"))
    desc = pd.Series(pm.descs, dtype=object)
    gs, _ = common.text_numbers(desc.str.extract(_SPEED_RE, expand=False))
    track, _ = common.text_numbers(desc.str.extract(_HEADING_RE, expand=False))
    alt, on_ground, odd = common.ground_state(alt_m * common.FT_PER_M, gs)
    stats["odd_zero"] += int(odd.sum())
    columns = common.fr24_columns(n, hexid, time, lat, lon, alt, on_ground, gs, track, callsign=np.full(n, meta.get("callsign"), dtype=object),
                           registration=np.full(n, meta.get("registration"), dtype=object), typecode=np.full(n, meta.get("typecode"), dtype=object))
    problems = [(alt_bad, "Point/coordinates altitude is not a number")]
    return common.addressed(common.assemble(columns, np.asarray(pm.rows, dtype=np.int64), pm.raw, fatal, problems, []), hexid, "FR24 KML")


def _document_meta(name: str | None, card: str | None, ctx: ReadContext) -> dict[str, str | None]:
    """Callsign from ``"flight/callsign"``; registration and type from the HTML card."""
    meta: dict[str, str | None] = {"callsign": None, "registration": None, "typecode": None}
    for what, text in (("name", name), ("description", card)):
        if text is not None and len(text) > ctx.size.string_bytes:
            ctx.notes.append(f"Document {what} longer than {mb(ctx.size.string_bytes)} (limit string_bytes): not read")
    name = name if name is None or len(name) <= ctx.size.string_bytes else None
    card = card if card is None or len(card) <= ctx.size.string_bytes else None
    if name is not None:
        flight, slash, callsign = name.strip().partition("/")
        if slash and callsign.strip():
            meta["callsign"] = callsign.strip()
        else:
            ctx.notes.append(f"Document name {name.strip()[:40]!r} has no '/<callsign>': callsign not set")
    if card:
        m = _CARD_REG.search(card)
        if m:
            meta["registration"] = m.group(1)
        m = _CARD_TYPE.search(card)
        if m:
            meta["typecode"] = m.group(1)
    return meta


class _RouteWalk:
    """Where a walk through a KML document stands: open elements and folders, the Route's placemarks so far."""

    def __init__(self, ctx: ReadContext, hexid: str | None, stats: dict[str, int]) -> None:
        self.ctx = ctx
        self.hexid = hexid
        self.stats = stats
        self.local = _LocalNames()
        self.pm = _Placemarks(self.local, ctx.size.string_bytes)
        self.stack: list[ET.Element] = []  # open elements outside placemarks
        self.folders: list[str | None] = []  # names of the open folders
        self.inside = 0  # depth inside the current Placemark (its children need no bookkeeping)
        self.route_index = 0
        self.seen_route = False
        self.doc_name: str | None = None
        self.doc_card: str | None = None
        self.meta: dict[str, str | None] | None = None

    def chunk(self) -> RawChunk:
        """The placemarks collected so far as a chunk; collecting starts again."""
        self.meta = self.meta or _document_meta(self.doc_name, self.doc_card, self.ctx)
        out = _kml_chunk(self.pm, self.meta, self.hexid, self.stats)
        self.pm = _Placemarks(self.local, self.ctx.size.string_bytes)
        return out

    def take(self, event: str, elem: ET.Element) -> bool:
        """Follow one ``iterparse`` event; whether a chunk's worth of placemarks is ready."""
        if self.inside:
            self.inside += 1 if event == "start" else -1
            if self.inside:
                return False
        kind = self.local[elem.tag]
        if event == "start":
            self.stack.append(elem)
            if kind == "Placemark":
                self.inside = 1
            elif kind == "Folder":
                self.folders.append(None)
            return False
        self.stack.pop()
        parent = self.local[self.stack[-1].tag] if self.stack else ""
        ready = False
        if kind == "Placemark":
            if self.folders and self.folders[-1] == "Route":
                self.pm.add(self.route_index, elem)
                self.route_index += 1
                ready = len(self.pm) >= self.ctx.chunk_rows
        elif kind == "name":
            if parent == "Folder" and self.folders:
                self.folders[-1] = (elem.text or "").strip()
                self.seen_route |= self.folders[-1] == "Route"
            elif parent == "Document" and self.doc_name is None:
                self.doc_name = elem.text or ""
        elif kind == "description" and parent == "Document" and self.doc_card is None:
            self.doc_card = elem.text or ""
        elif kind == "Folder" and self.folders:
            self.folders.pop()
        if parent in ("kml", "Document", "Folder"):
            elem.clear()
            self.stack[-1].remove(elem)
        return ready


def read_kml(stream: BinaryIO, ctx: ReadContext) -> Iterator[RawChunk]:
    """Read an FR24 KML export (the ``Route`` folder only), one chunk per ``ctx.chunk_rows`` placemarks.

    A ``stream`` reader (:mod:`flighttrace.io._base`); the ICAO address comes
    from ``ctx.src_file`` or ``ctx.icao24``, as for the CSV export.

    Raises
    ------
    FormatError
        For a DTD, XML that is not well-formed (after the placemarks before
        the fault were yielded), or a KML without a ``Route`` folder.
    """
    hexid = common.resolve_hex(ctx, "FR24 KML")
    stats = {"odd_zero": 0, "naive": 0}
    walk = _RouteWalk(ctx, hexid, stats)
    try:
        try:
            whole = BoundedReader(stream, ctx.size.document_bytes, "KML document")
            for event, elem in ET.iterparse(_PrologGuard(whole), events=("start", "end")):  # type: ignore[arg-type]  # noqa: S314 - DTDs refused above
                if walk.take(event, elem):
                    yield walk.chunk()
        except ET.ParseError as exc:
            if len(walk.pm):
                yield walk.chunk()
            raise FormatError(f"KML is not well-formed XML ({exc})") from exc
        except LimitExceeded:
            if len(walk.pm):
                yield walk.chunk()
            raise
        except LookupError as exc:  # the XML declaration names an encoding Python does not know
            if len(walk.pm):
                yield walk.chunk()
            raise FormatError(f"KML declares an unknown character encoding ({exc})") from exc
        if not walk.seen_route:
            raise FormatError("KML without a Folder named 'Route': not a FlightRadar24 KML export")
        if len(walk.pm):
            yield walk.chunk()
    finally:
        if stats["odd_zero"]:
            ctx.notes.append(common.ground_note(stats["odd_zero"]))
        if stats["naive"]:
            ctx.notes.append(f"{stats['naive']} TimeStamp/when value(s) without a time zone taken as UTC")


# ---------------------------------------------------------------------------


SPEC: ReaderSpec = ReaderSpec(name="fr24_kml", kind="stream", func=read_kml, sniff=sniff_kml,
                              description="FlightRadar24 KML export (Route folder; hex from the file name or icao24=)")
