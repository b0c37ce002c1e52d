"""Building blocks of the report's pages that every scenario kind shares.

Airport names beside codes (:class:`Places`), table cells and sections in
the plain form the templates render (:func:`cell`, :func:`table`,
:func:`section`), and the parts of ``index.html`` that do not depend on the
kind: the sources, the manifest, a claim's window in words. Every value is
plain text; the jinja2 templates escape it.

A *cell* is a string or a dict with ``text`` and, optionally, ``href`` (a
link inside the report), ``grade`` or ``verdict`` (drawn as a badge),
``mono`` (a code-like value), ``small`` (a second, smaller line),
``title`` (hover text) and ``links`` (several links, comma separated). A *table* is ``columns``, ``rows`` (lists of cells)
and ``num`` (indexes of right-aligned numeric columns). A *section* is an
``id``, a ``heading``, ``intro`` paragraphs and ``tables`` (each may carry its
own ``heading`` and ``intro``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_count
from flighttrace.timefmt import MISSING, fmt_date, fmt_day_hm, is_missing
from flighttrace.viz.chartstyle import ChartStyle

__all__ = [
    "LINK_SCHEMES",
    "Places",
    "cell",
    "coverage_chart",
    "external_href",
    "manifest_rows",
    "manifest_summary",
    "section",
    "source_label",
    "sources_rows",
    "table",
    "text",
    "window_text",
]

LINK_SCHEMES: Final = ("http", "https")
"""The only URL schemes a source's address becomes a link with; any other stays text."""
_SUFFIXES: Final = re.compile(r"\s+(International\s+Airport|Airport|Airfield|Air\s*Base|Airbase|Aerodrome)$", re.IGNORECASE)
_LATIN: Final = re.compile(r"^[\x20-\x7e\u00c0-\u024f]+$")


def coverage_chart(coverage: pd.DataFrame, style: ChartStyle) -> tuple[str, str, Callable[[], Any]]:
    """(name, caption, draw) of the coverage calendar, the last chart of every kind's report, framed like the kind's charts."""
    from flighttrace.viz import charts as ch

    return ("coverage", "Days with data: covered, no file, or no traffic in the region",
            lambda: ch.coverage_calendar(coverage, title="Coverage of the inputs", style=style))


def text(value: Any, missing: str = MISSING) -> str:
    """A value as page text; a missing one as an em dash."""
    return missing if is_missing(value) else str(value)


def cell(value: Any, *, href: str | None = None, grade: str | None = None, verdict: str | None = None, mono: bool = False,
         small: str | None = None, title: str | None = None, links: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    """A table cell (see the module docs); ``links``: (text, href) pairs shown instead of the value, comma separated."""
    out: dict[str, Any] = {"text": text(value)}
    if links:
        out["links"] = [{"text": t, "href": h} for t, h in links]
    for k, v in (("href", href), ("grade", grade), ("verdict", verdict), ("small", small), ("title", title)):
        if v:
            out[k] = v
    if mono:
        out["mono"] = True
    return out


def table(columns: Sequence[str], rows: list[list[Any]], *, num: Iterable[int] = (), heading: str | None = None, intro: str | None = None,
          id: str | None = None, empty: str = "None.", row_class: str = "") -> dict[str, Any]:  # noqa: A002 - the HTML attribute
    """A table for a section (see the module docs); ``empty`` is said instead when it has no row; ``row_class`` names each row's class."""
    return {"columns": list(columns), "rows": rows, "num": set(num), "heading": heading, "intro": intro, "id": id, "empty": empty,
            "row_class": row_class}


def section(id: str, heading: str, *, intro: Iterable[str] = (), tables: Iterable[dict[str, Any]] = (),  # noqa: A002
            after: Iterable[str] = ()) -> dict[str, Any]:
    """A section of a page: heading, paragraphs, tables, closing paragraphs."""
    return {"id": id, "heading": heading, "intro": list(intro), "tables": list(tables), "after": list(after)}


# --------------------------------------------------------------------------- places


class Places:
    """Airport codes with their names, for every page: ``LLOV (Ovda)``, ``UUWW · VKO · Vnukovo International Airport``.

    The short name is the first Latin-script name the scenario's
    ``airports.aliases`` gives the code, else the database name without
    "International Airport", "Airport", "Airfield" ….

    Parameters
    ----------
    scn
        The scenario (its airport index and aliases).
    """

    def __init__(self, scn: Any) -> None:
        self.scn = scn
        self._cache: dict[str, Any] = {}

    def airport(self, code: Any) -> Any:
        """The :class:`flighttrace.reference.airports.Airport` of a code, or None."""
        if is_missing(code):
            return None
        c = str(code)
        if c not in self._cache:
            try:  # an unknown code is None here: asked first, so no error text with suggestions is worked out for it
                index = self.scn.airport_index() if self.scn is not None else None
                self._cache[c] = index.get(c) if index is not None and c in index else None
            except (KeyError, ValueError):
                self._cache[c] = None
        return self._cache[c]

    def runways(self, code: Any) -> tuple[np.ndarray, float] | None:
        """A field's runway directions (rows of :func:`~flighttrace.reference.runways.runway_directions` of the scenario's index) and the
        farthest a runway end lies from its reference point (km); ``None`` without runway data or for an unknown code. Worked out
        once per field."""
        from flighttrace.reference.airports import haversine_km
        from flighttrace.reference.runways import runway_directions

        key = f"runways:{code}"
        if key not in self._cache:
            ap = self.airport(code)
            got = None
            if ap is not None:
                index = self.scn.airport_index()
                rw = runway_directions(index)
                row = int(index.rows([str(code)])[0])
                d = np.arange(int(rw.offsets[row]), int(rw.offsets[row + 1]))
                if len(d):
                    ends = haversine_km(np.r_[rw.start_lat[d], rw.end_lat[d]], np.r_[rw.start_lon[d], rw.end_lon[d]], ap.lat, ap.lon)
                    got = (d, float(np.max(ends)))
            self._cache[key] = got
        return self._cache[key]

    def runway_km(self, code: Any, lat: np.ndarray, lon: np.ndarray) -> np.ndarray | None:
        """The distance (km) from each position to the nearest runway of a field, as the leg ends are judged
        (:mod:`flighttrace.tracks.ends`); ``None`` for a field without runway data (or an unknown code)."""
        from flighttrace.reference.runways import pair_geometry, runway_directions

        got = self.runways(code)
        if got is None:
            return None
        d = got[0]
        lat, lon = np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
        if not len(lat):
            return np.empty(0)
        rw = runway_directions(self.scn.airport_index())
        seg = pair_geometry(rw, np.tile(d, len(lat)), np.repeat(lat, len(d)), np.repeat(lon, len(d)), arriving=True)["seg_km"]
        return seg.reshape(len(lat), len(d)).min(axis=1)

    def name(self, code: Any) -> str:
        """The short name of a field (``Ovda``), ``""`` when unknown."""
        if is_missing(code):
            return ""
        aliases = getattr(getattr(self.scn, "airports", None), "aliases", {}) or {}
        for alias in aliases.get(str(code), ()):
            if _LATIN.match(alias):
                return str(alias)
        ap = self.airport(code)
        return _SUFFIXES.sub("", ap.name).strip() if ap is not None and ap.name else ""

    def label(self, code: Any, missing: str = "no field named") -> str:
        """``LLOV (Ovda)``; the code alone when its name is not known; ``missing`` for none."""
        if is_missing(code):
            return missing
        n = self.name(code)
        return f"{code} ({n})" if n and n != str(code) else str(code)

    def full(self, code: Any, missing: str = "no field named") -> str:
        """``UUWW · VKO · Vnukovo International Airport`` (panel titles and headings)."""
        if is_missing(code):
            return missing
        ap = self.airport(code)
        if ap is None:
            return str(code)
        iata = f" · {ap.iata}" if isinstance(ap.iata, str) and ap.iata else ""
        return f"{ap.code}{iata} · {ap.name}"

    def labels(self, codes: Iterable[Any]) -> dict[str, str]:
        """Code → :meth:`label` for several codes."""
        return {str(c): self.label(c) for c in codes}


# --------------------------------------------------------------------------- windows, sources, manifest


def window_text(start: Any, end: Any, tz: str | None) -> str:
    """A claim's window: UTC days, the report zone's days when it runs from one local midnight to another, or times."""
    if is_missing(start) or is_missing(end):
        return MISSING
    a, b = pd.Timestamp(start), pd.Timestamp(end)
    last = b - pd.Timedelta(seconds=1)
    if tz and tz != "UTC":
        la, lb = a.tz_convert(tz), b.tz_convert(tz)
        if la == la.normalize() and lb == lb.normalize() and a != a.normalize():
            first, final = f"{la:%Y-%m-%d}", f"{last.tz_convert(tz):%Y-%m-%d}"
            return f"{first} ({tz} day)" if first == final else f"{first} – {final} ({tz} days)"
    if a == a.normalize() and b == b.normalize():
        return fmt_date(a) if fmt_date(a) == fmt_date(last) else f"{fmt_date(a)} – {fmt_date(last)}"
    return f"{fmt_day_hm(a)} – {fmt_day_hm(b)} UTC"


def external_href(url: Any) -> str | None:
    """``url`` when its scheme is http or https (it may become a link), else None (it stays text)."""
    if is_missing(url):
        return None
    try:
        scheme = urlparse(str(url).strip()).scheme.lower()
    except ValueError:
        return None
    return str(url).strip() if scheme in LINK_SCHEMES else None


def _cited(scn: Any) -> dict[str, list[str]]:
    """Source id → the claims that cite it (as source, via or attributed to), in scenario order."""
    out: dict[str, list[str]] = {}
    for c in scn.claims:
        for sid in (c.source, *c.via, c.attributed_to):
            if sid and c.id not in out.setdefault(sid, []):
                out[sid].append(c.id)
    return out


def source_label(src: Any) -> str:
    """``Associated Press, 2023-10-05``: outlet and date of a source."""
    return f"{src.outlet}, {src.date}" if getattr(src, "date", None) else str(src.outlet)


def sources_rows(scn: Any) -> list[dict[str, Any]]:
    """Every source of the scenario: outlet, title, date, language, access, confidence, link, and the claims citing it."""
    cited = _cited(scn)
    rows = []
    for s in scn.meta.sources:  # one row per source
        url = s.url or ""
        rows.append({
            "id": s.id, "outlet": s.outlet, "title": s.title, "date": text(s.date), "language": s.language, "access": s.access,
            "confidence": s.confidence, "url": url, "href": external_href(url), "file": s.file or "",
            "copies": [{"url": u, "href": external_href(u)} for u in s.copies], "notes": s.notes,
            "claims": cited.get(s.id, []),
        })
    return rows


def manifest_summary(ds: Any) -> list[dict[str, str]]:
    """The inputs by format: files, rows read and kept, first and last position (UTC)."""
    m = ds.manifest
    if not len(m):
        return []
    out = []
    for fmt, g in m.groupby(m["format"].fillna("").astype(str), sort=True):  # a few formats
        t0, t1 = g["time_min"].min(), g["time_max"].max()
        out.append({"format": fmt or "not recognised", "files": fmt_count(len(g)), "read": fmt_count(g["rows_read"].sum()),
                    "kept": fmt_count(g["rows_kept"].sum()), "span": MISSING if is_missing(t0) else f"{fmt_day_hm(t0)} – {fmt_day_hm(t1)}",
                    "failed": fmt_count(int((g["error"].astype(str) != "").sum()))})
    return out


def manifest_rows(ds: Any) -> list[dict[str, Any]]:
    """One row per input file: path, format, bytes, SHA-256, rows read / kept / quarantined / duplicate, span, notes."""
    rows = []
    for r in ds.manifest.to_dict(orient="records"):  # one row per input file
        span = MISSING if is_missing(r["time_min"]) else f"{fmt_day_hm(r['time_min'])} → {fmt_day_hm(r['time_max'])}"
        notes = "; ".join(x for x in (r["error"], r["notes"], "synthetic" if r.get("synthetic") else "") if x)
        rows.append({"path": r["path"], "format": r["format"], "size": fmt_count(r["size_bytes"]), "sha256": r["sha256"],
                     "read": fmt_count(r["rows_read"]), "kept": fmt_count(r["rows_kept"]), "quarantined": fmt_count(r["rows_quarantined"]),
                     "duplicate": fmt_count(r["rows_duplicate"]), "span": span, "notes": notes})
    return rows
