"""Airport lookup and great-circle distances.

The airport table comes from the ``airportsdata`` package (about 28,000
fields with an ICAO code, offline, no download). It is read on first use and
cached; importing this module reads nothing.

:class:`AirportIndex` holds the table and answers three questions:

- *which field is this code?* (:meth:`AirportIndex.get`, :meth:`~AirportIndex.resolve`)
  for an ICAO code, an IATA code or the id of a custom site;
- *where is it?* (:meth:`AirportIndex.positions`);
- *which fields are near these points?* (:meth:`AirportIndex.nearest`), vectorised
  over millions of points: fields sorted by latitude and longitude
  (:mod:`~flighttrace.reference.fieldgrid`), or a k-d tree on 3-D unit vectors
  for the largest queries.

Custom sites (military strips missing from ``airportsdata``, a scenario's own
points) are added with :meth:`AirportIndex.with_sites`, which returns a new
index; an index is never modified in place.

Distances are great-circle distances on a sphere of radius
:data:`EARTH_RADIUS_KM` (the IUGG mean radius, 6,371.0088 km). Over the
distances that matter here (tens of km) the error against the WGS84 ellipsoid
is below 0.5 %.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.geo import EARTH_RADIUS_KM, haversine_km  # noqa: F401  (haversine_km: report.legcards imports it from here)
from flighttrace.reference.fieldgrid import FieldGrid, chord_to_km, km_to_chord, nearest_fill, unit_vectors

__all__ = [
    "AIRPORT_KINDS",
    "BAND_CHUNK_PAIRS",
    "BAND_MAX_PAIRS",
    "GRID_MAX_BAND_PAIRS",
    "IATA_ALIASES",
    "PREBUILT_AIRPORTS",
    "TABLE_COLUMNS",
    "Airport",
    "AirportIndex",
    "airportsdata_table",
    "classify_kind",
]

"""Mean Earth radius (IUGG), km."""

AIRPORT_KINDS: Final[tuple[str, ...]] = ("airport", "heliport", "seaplane")
"""Values of the ``kind`` column."""

TABLE_COLUMNS: Final[tuple[str, ...]] = (
    "code",
    "name",
    "iata",
    "country",
    "lat",
    "lon",
    "elevation_ft",
    "kind",
    "tz",
    "source",
)
"""Columns of :attr:`AirportIndex.table`, in order."""

TEXT_COLUMNS: Final[tuple[str, ...]] = ("code", "name", "iata", "country", "kind", "tz", "source")
"""The text columns of :attr:`AirportIndex.table` (pandas' ``str`` dtype; ``""`` where a value is unknown)."""

IATA_ALIASES: Final[Mapping[str, str]] = {
    # Ovda has no IATA code in airportsdata; vradarserver/standing-data
    # (airports/schema-01/L/LL.csv) gives LLOV / VDA.
    "VDA": "LLOV",
    # Ganja's former IATA code; airport lists in the code corpus disagree
    # (KVD vs GNJ), so both are accepted (investigation.md §3).
    "KVD": "UBBG",
}
"""IATA codes missing from, or retired in, ``airportsdata`` → ICAO code.

Used only when ``airportsdata`` does not itself give the IATA code.
"""

PREBUILT_AIRPORTS: Final = Path(__file__).parents[1] / "data" / "airports.parquet"
"""The airport table prebuilt from ``airportsdata`` by ``scripts/build_airport_data.py``.

Used by :meth:`AirportIndex.default` when the ``airportsdata`` version stored
in its metadata is the one installed; otherwise the table is built from
``airportsdata`` itself.
"""

BAND_MAX_PAIRS: Final = 2_000_000
"""Largest number of (point, field) pairs in the points' latitude bands for which
:meth:`AirportIndex.nearest` gives great-circle (haversine) distances; above it the
distances come from chords between unit vectors, as a k-d tree measures them."""
GRID_MAX_BAND_PAIRS: Final = 40_000_000
"""Largest number of (point, field) pairs in the points' latitude bands for which
:meth:`AirportIndex.nearest` searches the fields sorted by latitude and longitude;
above it a k-d tree answers (same fields and distances; the tree, and the import of
:mod:`scipy.spatial`, only for the largest queries). At this size (80,000 points near
fields around the world, k = 8 within 60 km) the sorted fields take 0.17 s of CPU, the
tree 0.26 s in a fresh process (0.15 s of it importing and building); a tree already
built answers large queries a little faster than the sorted fields."""
BAND_CHUNK_PAIRS: Final = 200_000
"""(point, field) pairs measured at a time by the latitude-band search (bounds its memory to a few MB)."""

_HELI_RE: Final = re.compile(r"\bheli(?:port|pad|[- ]?stop)s?\b", re.IGNORECASE)
_SEA_RE: Final = re.compile(r"\b(?:seaplane\s+base|water\s+aerodrome)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Airport:
    """One row of an :class:`AirportIndex`.

    Attributes
    ----------
    code
        ICAO code, or the id of a custom site.
    name
        Name of the field.
    iata
        IATA code, ``""`` when none.
    country
        ISO 3166-1 alpha-2 country code, ``""`` when unknown.
    lat, lon
        WGS84 position, degrees.
    elevation_ft
        Field elevation, ft; NaN when unknown.
    kind
        ``"airport"``, ``"heliport"`` or ``"seaplane"``.
    tz
        IANA time zone, ``""`` when unknown.
    source
        ``"airportsdata"`` or ``"scenario"``.
    """

    code: str
    name: str
    iata: str
    country: str
    lat: float
    lon: float
    elevation_ft: float
    kind: str
    tz: str
    source: str


def classify_kind(names: pd.Series | Sequence[str]) -> np.ndarray:
    """Classify fields as airport, heliport or seaplane base from their names.

    Parameters
    ----------
    names
        Field names.

    Returns
    -------
    numpy.ndarray
        Object array of ``"heliport"`` (name says heliport, helipad or
        heli-stop), ``"seaplane"`` (name says "Seaplane Base" or "Water
        Aerodrome") or ``"airport"``.
    """
    s = pd.Series(names, dtype=object).fillna("").astype(str)
    kind = np.full(len(s), "airport", dtype=object)
    kind[s.str.contains(_SEA_RE).to_numpy(dtype=bool)] = "seaplane"
    kind[s.str.contains(_HELI_RE).to_numpy(dtype=bool)] = "heliport"
    return kind




def _one_edit(a: str, b: str, *, allow_substitution: bool = True) -> bool:
    """Whether equal-length ``a`` and ``b`` differ by one substitution or one swap of neighbours."""
    diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diff) == 1:
        return allow_substitution
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _read_airportsdata() -> pd.DataFrame:
    """Read the ``airportsdata`` table into the :data:`TABLE_COLUMNS` layout."""
    import airportsdata

    csv = Path(airportsdata.__file__).with_name("airports.csv")
    if csv.is_file():
        raw = pd.read_csv(
            csv,
            keep_default_na=False,
            na_values=[],
            dtype={"elevation": "float64", "lat": "float64", "lon": "float64"},
        )
    else:  # pragma: no cover - a future packaging without the CSV
        raw = pd.DataFrame.from_dict(airportsdata.load("ICAO"), orient="index").reset_index(drop=True)
    raw = raw[raw["icao"].astype(str).str.len() > 0]
    table = pd.DataFrame(
        {
            "code": raw["icao"].astype(str).to_numpy(dtype=object),
            "name": raw["name"].astype(str).to_numpy(dtype=object),
            "iata": raw["iata"].astype(str).to_numpy(dtype=object),
            "country": raw["country"].astype(str).to_numpy(dtype=object),
            "lat": raw["lat"].to_numpy(dtype=np.float64),
            "lon": raw["lon"].to_numpy(dtype=np.float64),
            "elevation_ft": pd.to_numeric(raw["elevation"], errors="coerce").to_numpy(dtype=np.float64),
            "kind": classify_kind(raw["name"]),
            "tz": raw["tz"].astype(str).to_numpy(dtype=object),
            "source": np.full(len(raw), "airportsdata", dtype=object),
        }
    )
    return table


def airportsdata_table() -> pd.DataFrame:
    """The ``airportsdata`` table in the :data:`TABLE_COLUMNS` layout (built from its CSV).

    Returns
    -------
    pandas.DataFrame
        One row per field with an ICAO code, kinds classified by
        :func:`classify_kind`.
    """
    return _read_airportsdata()


def _prebuilt_table() -> pd.DataFrame | None:
    """The prebuilt table when it matches the installed ``airportsdata`` and its positions were checked, else None."""
    from importlib.metadata import PackageNotFoundError, version

    if not PREBUILT_AIRPORTS.is_file():
        return None
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(PREBUILT_AIRPORTS).metadata or {}
        built_for = meta.get(b"flighttrace.airportsdata_version", b"").decode()
        if built_for != version("airportsdata") or b"flighttrace.positions_corrected" not in meta:
            return None
        table = pq.ParquetFile(PREBUILT_AIRPORTS).read().to_pandas()  # text as pandas' Arrow-backed str, as the index keeps it
    except (OSError, ValueError, PackageNotFoundError):  # a damaged file: build from airportsdata instead
        return None
    return table


@functools.lru_cache(maxsize=1)
def _default_index() -> AirportIndex:
    from flighttrace.reference.positions import corrected_positions

    table = _prebuilt_table()  # its positions were checked when it was built
    return AirportIndex(corrected_positions(_read_airportsdata()) if table is None else table)


def _site_value(site: Any, *names: str, default: Any = None) -> Any:
    """Read a field of a custom site given as a mapping or an object."""
    for name in names:
        if isinstance(site, Mapping):
            if name in site and site[name] is not None:
                return site[name]
        else:
            value = getattr(site, name, None)
            if value is not None:
                return value
    return default


class AirportIndex:
    """An immutable table of airfields with lookups and nearest-field queries.

    Parameters
    ----------
    table
        A frame with the columns of :data:`TABLE_COLUMNS`. It is copied; the
        row order is kept and row positions are what :meth:`nearest` returns.

    Notes
    -----
    Build the default index with :meth:`default` and add sites with
    :meth:`with_sites`. Lookup dictionaries and k-d trees are built on first
    use and cached on the instance.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        missing = [c for c in TABLE_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"airport table is missing column(s): {', '.join(missing)}")
        t = table.loc[:, list(TABLE_COLUMNS)].reset_index(drop=True).copy()
        for name in TEXT_COLUMNS:  # Arrow-backed text: a third of the memory of 200,000 Python strings
            t[name] = t[name].astype("str")
        t["lat"] = t["lat"].astype(np.float64)
        t["lon"] = t["lon"].astype(np.float64)
        t["elevation_ft"] = t["elevation_ft"].astype(np.float64)
        bad_kind = sorted(set(t["kind"].unique()) - set(AIRPORT_KINDS))  # each kind once, not each row's
        if bad_kind:
            raise ValueError(f"airport kind(s) {bad_kind} not in {AIRPORT_KINDS}")
        self._table = t
        self._trees: dict[bool, tuple[Any, np.ndarray]] = {}
        self._bands: dict[bool, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._grids: dict[bool, FieldGrid] = {}
        self._grid_xyz: dict[bool, np.ndarray] = {}
        self._cache: dict[str, Any] = {}
        self._codes: dict[str, int] | None = None
        self._code_list: list[str] = []  # the codes in row order, once the look-up maps are built
        self._codes_upper: dict[str, int] | None = None
        self._iata: dict[str, int] | None = None

    # -- construction ---------------------------------------------------------------

    @classmethod
    def default(cls) -> AirportIndex:
        """The whole ``airportsdata`` table (read once, then cached), positions written as D.MMSS digits corrected.

        See :mod:`flighttrace.reference.positions`: a reference point is read
        as degrees, minutes and seconds only where that puts it on the
        field's own runways.

        Returns
        -------
        AirportIndex
            The shared default index. It is immutable, so sharing is safe.
        """
        return _default_index()

    def with_sites(self, sites: Iterable[Any]) -> AirportIndex:
        """Return a new index with custom sites added.

        Parameters
        ----------
        sites
            Mappings or objects with ``id`` (or ``code``), ``name``, ``lat``,
            ``lon`` and optionally ``elevation_ft``, ``kind`` (default
            ``"airport"``), ``iata``, ``country``, ``tz``. A site whose id is
            already a code in the index replaces that row.

        Returns
        -------
        AirportIndex
            A new index; ``self`` is unchanged. Custom rows have
            ``source == "scenario"`` and come after the others.
        """
        rows = []
        for site in sites:
            code = _site_value(site, "id", "code")
            if not code:
                raise ValueError(f"custom site without an id: {site!r}")
            kind = _site_value(site, "kind", default="airport")
            if kind not in AIRPORT_KINDS:
                raise ValueError(f"custom site {code!r}: kind {kind!r} not in {AIRPORT_KINDS}")
            elev = _site_value(site, "elevation_ft")
            rows.append(
                {
                    "code": str(code),
                    "name": str(_site_value(site, "name", default=code)),
                    "iata": str(_site_value(site, "iata", default="")).upper(),
                    "country": str(_site_value(site, "country", default="")),
                    "lat": float(_site_value(site, "lat")),
                    "lon": float(_site_value(site, "lon")),
                    "elevation_ft": float("nan") if elev is None else float(elev),
                    "kind": str(kind),
                    "tz": str(_site_value(site, "tz", default="")),
                    "source": "scenario",
                }
            )
        if not rows:
            return self
        extra = pd.DataFrame(rows, columns=list(TABLE_COLUMNS)).drop_duplicates("code", keep="last")
        keep = ~self._table["code"].isin(extra["code"])
        return AirportIndex(pd.concat([self._table[keep], extra], ignore_index=True))

    # -- plain access -----------------------------------------------------------------

    @property
    def table(self) -> pd.DataFrame:
        """The airport table (a copy is not made; do not modify it)."""
        return self._table

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self._lookup(code) is not None

    def __repr__(self) -> str:
        n_custom = int((self._table["source"] == "scenario").sum())
        return f"AirportIndex({len(self)} fields, {n_custom} custom)"

    def _build_maps(self) -> None:
        codes = self._table["code"].tolist()
        self._code_list = codes
        self._codes = {c: i for i, c in enumerate(codes)}
        self._codes_upper = {}
        for i, c in enumerate(codes):
            self._codes_upper.setdefault(c.upper(), i)
        iata: dict[str, int] = {}
        for i, c in enumerate(self._table["iata"].tolist()):
            if c:
                iata.setdefault(c.upper(), i)
        for alias, icao in IATA_ALIASES.items():
            if alias not in iata and icao in self._codes:
                iata[alias] = self._codes[icao]
        self._iata = iata

    def _lookup(self, code: str, *, accept_iata: bool = True) -> int | None:
        if self._codes is None:
            self._build_maps()
        assert self._codes is not None and self._codes_upper is not None and self._iata is not None
        key = code.strip()
        if key in self._codes:
            return self._codes[key]
        up = key.upper()
        if up in self._codes_upper:
            return self._codes_upper[up]
        if accept_iata and up in self._iata:
            return self._iata[up]
        return None

    def suggest(self, code: str, *, accept_iata: bool = True) -> str | None:
        """A "did you mean" hint for a code that is not in the index.

        Parameters
        ----------
        code
            The code that failed.
        accept_iata
            Whether IATA codes count as known (when false, an IATA code gets
            its ICAO code as the suggestion).

        Returns
        -------
        str or None
            For example ``"UBBB (IATA GYD)"`` or ``"LLOV (Ovda International
            Airport)"``; None when nothing is close.
        """
        if self._codes is None:
            self._build_maps()
        assert self._codes_upper is not None and self._iata is not None
        up = code.strip().upper()
        if up in self._iata:
            row = self._table.iloc[self._iata[up]]
            return f"{row['code']} (IATA {up})"
        if not up:
            return None
        if len(up) == 4:
            pool, table_map = self._codes_upper, self._codes_upper
        elif len(up) == 3:
            pool, table_map = self._iata, self._iata
        else:
            return self._suggest_name(up)
        # one edit away (substitution or swap of neighbours), same first letter
        # (the ICAO region); longest shared prefix first
        best: tuple[int, str] | None = None
        for cand in pool:
            if cand[0] != up[0] or len(cand) != len(up) or not _one_edit(up, cand, allow_substitution=len(up) == 4):
                continue
            shared = next((i for i, (a, b) in enumerate(zip(up, cand, strict=True)) if a != b), len(up))
            key = (-shared, cand)
            if best is None or key < (-best[0], best[1]):
                best = (shared, cand)
        if best is None:
            return self._suggest_name(up)
        hit = best[1]
        row = self._table.iloc[table_map[hit]]
        if len(up) == 4:
            return f"{row['code']} ({row['name']})"
        return f"{row['code']} (IATA {hit}, {row['name']})"

    def _suggest_name(self, up: str) -> str | None:
        """A field whose name contains ``up`` as a word (airports with an IATA code first)."""
        if len(up) < 4 or not re.search(r"[A-Z]{3}", up):
            return None
        names = self._table["name"].str.upper()
        pattern = r"\b" + re.escape(up) + r"\b"
        hits = np.flatnonzero(names.str.contains(pattern, regex=True).to_numpy(dtype=bool))
        if not len(hits):
            return None
        kind = self._table["kind"].to_numpy(dtype=object)
        iata = self._table["iata"].to_numpy(dtype=object)
        best = min(hits, key=lambda i: (kind[i] != "airport", iata[i] == "", i))
        row = self._table.iloc[best]
        return f"{row['code']} ({row['name']})"

    def unknown_message(self, code: str, *, accept_iata: bool = True) -> str:
        """The error text for an unknown code, with a suggestion when one exists."""
        hint = self.suggest(code, accept_iata=accept_iata)
        msg = f"unknown airport {code!r}"
        return f"{msg}: did you mean {hint}?" if hint else msg

    def get(self, code: str, *, accept_iata: bool = True) -> Airport:
        """Look up one field.

        Parameters
        ----------
        code
            An ICAO code (any case), an IATA code (when ``accept_iata``), or
            the id of a custom site.
        accept_iata
            Accept IATA codes. Default true.

        Returns
        -------
        Airport

        Raises
        ------
        KeyError
            ``unknown airport 'GYD': did you mean UBBB (IATA GYD)?`` — with a
            suggestion when a close code exists.
        """
        i = self._lookup(str(code), accept_iata=accept_iata)
        if i is None:
            raise KeyError(self.unknown_message(str(code), accept_iata=accept_iata))
        r = self._table.iloc[i]
        return Airport(
            code=str(r["code"]),
            name=str(r["name"]),
            iata=str(r["iata"]),
            country=str(r["country"]),
            lat=float(r["lat"]),
            lon=float(r["lon"]),
            elevation_ft=float(r["elevation_ft"]),
            kind=str(r["kind"]),
            tz=str(r["tz"]),
            source=str(r["source"]),
        )

    def resolve(self, code: str, *, accept_iata: bool = True) -> str:
        """The canonical code (ICAO, or the custom id) of ``code``.

        Raises
        ------
        KeyError
            As :meth:`get`.
        """
        i = self._lookup(str(code), accept_iata=accept_iata)
        if i is None:
            raise KeyError(self.unknown_message(str(code), accept_iata=accept_iata))
        return self._code_list[i]  # built with the maps _lookup used

    def rows(self, codes: Iterable[str]) -> np.ndarray:
        """Row positions of ``codes`` in :attr:`table` (raises KeyError like :meth:`get`)."""
        out = []
        for c in codes:
            i = self._lookup(str(c))
            if i is None:
                raise KeyError(self.unknown_message(str(c)))
            out.append(i)
        return np.asarray(out, dtype=np.intp)

    def positions(self, codes: Iterable[str]) -> pd.DataFrame:
        """Positions of several fields.

        Parameters
        ----------
        codes
            ICAO / IATA codes or custom ids.

        Returns
        -------
        pandas.DataFrame
            One row per input code, in order, with ``query``, ``code``
            (canonical), ``lat``, ``lon`` (degrees) and ``elevation_ft``.
        """
        codes = list(codes)
        rows = self.rows(codes)
        sub = self._table.iloc[rows]
        return pd.DataFrame(
            {
                "query": pd.Series(codes, dtype=object),
                "code": sub["code"].to_numpy(dtype=object),
                "lat": sub["lat"].to_numpy(),
                "lon": sub["lon"].to_numpy(),
                "elevation_ft": sub["elevation_ft"].to_numpy(),
            }
        )

    def codes_of(self, idx: np.ndarray) -> np.ndarray:
        """Codes for row positions from :meth:`nearest`; ``""`` where ``idx == -1``."""
        idx = np.asarray(idx)
        codes = self._table["code"].to_numpy(dtype=object)
        out = np.full(idx.shape, "", dtype=object)
        ok = idx >= 0
        out[ok] = codes[idx[ok]]
        return out

    # -- nearest-field queries --------------------------------------------------------

    def _candidate_rows(self, include_heliports: bool) -> np.ndarray:
        kind = self._table["kind"].to_numpy(dtype=object)
        return np.arange(len(self._table)) if include_heliports else np.flatnonzero(kind != "heliport")

    def _band(self, include_heliports: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate rows sorted by latitude, with their latitudes and longitudes (cached)."""
        hit = self._bands.get(include_heliports)
        if hit is None:
            rows = self._candidate_rows(include_heliports)
            lat = self._table["lat"].to_numpy()[rows]
            order = np.argsort(lat, kind="stable")
            hit = (rows[order], lat[order], self._table["lon"].to_numpy()[rows][order])
            self._bands[include_heliports] = hit
        return hit

    def _band_query(self, lat: np.ndarray, lon: np.ndarray, k: int, max_km: float, include_heliports: bool) -> tuple[np.ndarray, np.ndarray] | None:
        """Nearest fields of the fields sorted by latitude and longitude; None when the latitude bands hold too many pairs.

        The points are taken :data:`BAND_CHUNK_PAIRS` band pairs at a time (whole points
        per chunk), so the arrays of pairs stay small whatever the number of points;
        of each point's band, only the fields in its window of longitude are measured
        (:class:`~flighttrace.reference.fieldgrid.FieldGrid`). Up to
        :data:`BAND_MAX_PAIRS` band pairs the distances are great-circle; above it
        (up to :data:`GRID_MAX_BAND_PAIRS`) they are measured as the k-d tree of
        :meth:`_tree_query` measures them, so that a query gets the same answer
        from either.
        """
        _, blat, _ = self._band(include_heliports)
        dlat = math.degrees(max_km / EARTH_RADIUS_KM) + 1e-9
        lo = np.searchsorted(blat, lat - dlat, side="left")
        hi = np.searchsorted(blat, lat + dlat, side="right")
        counts = hi - lo
        total = int(counts.sum())
        if total > GRID_MAX_BAND_PAIRS:
            return None
        grid = self._grid(include_heliports)
        xyz = self._grid_vectors(include_heliports) if total > BAND_MAX_PAIRS else None
        m = len(lat)
        idx = np.full((m, k), -1, dtype=np.intp)
        dist = np.full((m, k), np.inf, dtype=np.float64)
        if total == 0:
            return idx, dist
        cum = np.cumsum(counts)
        a = 0
        while a < m:  # one pass per chunk of points
            b = max(int(np.searchsorted(cum, (cum[a - 1] if a else 0) + BAND_CHUNK_PAIRS, side="right")), a + 1)
            nearest_fill(grid, lat[a:b], lon[a:b], max_km, idx[a:b], dist[a:b], xyz)
            a = b
        return idx, dist

    def _grid(self, include_heliports: bool) -> FieldGrid:
        """The candidate fields by latitude cell and longitude (cached)."""
        grid = self._grids.get(include_heliports)
        if grid is None:
            grid = self._grids[include_heliports] = FieldGrid.of(*self._band(include_heliports))
        return grid

    def _grid_vectors(self, include_heliports: bool) -> np.ndarray:
        """Unit vectors of the grid's fields as x, y and z rows, in the grid's order (cached)."""
        xyz = self._grid_xyz.get(include_heliports)
        if xyz is None:
            rows = self._grid(include_heliports).rows
            xyz = unit_vectors(self._table["lat"].to_numpy()[rows], self._table["lon"].to_numpy()[rows])
            xyz = self._grid_xyz[include_heliports] = np.ascontiguousarray(xyz.T)
        return xyz

    def _tree(self, include_heliports: bool) -> tuple[Any, np.ndarray]:
        """The k-d tree over the candidate fields, and their row positions (cached)."""
        hit = self._trees.get(include_heliports)
        if hit is not None:
            return hit
        from scipy.spatial import cKDTree

        rows = self._candidate_rows(include_heliports)
        xyz = unit_vectors(self._table["lat"].to_numpy()[rows], self._table["lon"].to_numpy()[rows])
        tree = cKDTree(xyz) if len(rows) else None
        self._trees[include_heliports] = (tree, rows)
        return tree, rows

    def nearest(
        self,
        lat: Any,
        lon: Any,
        *,
        k: int = 8,
        max_km: float = 60.0,
        heliports: bool | np.ndarray | Sequence[bool] = False,
        workers: int = -1,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest fields within ``max_km`` of each point.

        Parameters
        ----------
        lat, lon
            Point positions, degrees; scalars or 1-D arrays of length n.
        k
            Number of neighbours per point.
        max_km
            Search radius, km (great-circle). Fields farther away are not
            returned.
        heliports
            Whether heliports are candidates: one bool for all points, or one
            per point (true for helicopters). Seaplane bases and airports are
            always candidates.
        workers
            Threads for the k-d tree query (-1: all cores). Results do not
            depend on it.

        Returns
        -------
        idx : numpy.ndarray
            Shape (n, k), int: row positions in :attr:`table`, nearest first;
            -1 where there is no further field within ``max_km``.
        dist_km : numpy.ndarray
            Shape (n, k), float64: great-circle distance, km; ``inf`` where
            ``idx`` is -1.

        Notes
        -----
        Every field near a point is measured: the fields sorted by latitude
        cell and longitude (:mod:`~flighttrace.reference.fieldgrid`) give each
        point those in its window of latitude and longitude. Small
        queries (at most :data:`BAND_MAX_PAIRS` point-field pairs within
        ``max_km`` in latitude) get great-circle (haversine) distances. Larger
        ones place points and fields on the unit sphere as 3-D vectors and are
        measured in chord length, which is monotonic in the great-circle
        distance (``d = 2 R asin(c / 2)``): up to :data:`GRID_MAX_BAND_PAIRS`
        pairs on the same sorted fields, beyond by a
        :class:`scipy.spatial.cKDTree`, which gives the same fields and the same
        distances, bit for bit (the order of exact ties aside: the sorted
        fields give them in row order). The two measures differ by a few
        nanometres (1e-11 km at most). Sorted arrays and trees are built on first use
        and cached on the index.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        if not max_km >= 0:
            raise ValueError(f"max_km must be a non-negative number of km, got {max_km!r}")
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64)).ravel()
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64)).ravel()
        lat_a, lon_a = np.broadcast_arrays(lat_a, lon_a)
        n = lat_a.shape[0]
        heli = np.broadcast_to(np.asarray(heliports, dtype=bool), (n,)) if np.ndim(heliports) else None
        idx = np.full((n, k), -1, dtype=np.intp)
        dist = np.full((n, k), np.inf, dtype=np.float64)
        if n == 0:
            return idx, dist
        finite = np.isfinite(lat_a) & np.isfinite(lon_a)
        if heli is None:
            groups = [(bool(heliports), finite)]
        else:
            groups = [(False, finite & ~heli), (True, finite & heli)]
        for include_heli, sel in groups:
            if not sel.any():
                continue
            all_sel = bool(sel.all())
            banded = self._band_query(lat_a if all_sel else lat_a[sel], lon_a if all_sel else lon_a[sel], k, max_km, include_heli)
            if banded is not None:
                if all_sel:
                    idx, dist = banded
                else:
                    idx[sel], dist[sel] = banded
                continue
            treed = self._tree_query(lat_a if all_sel else lat_a[sel], lon_a if all_sel else lon_a[sel], k, max_km, include_heli, workers)
            if treed is None:
                continue
            rr, km = treed
            kk = rr.shape[1]
            if all_sel:
                idx[:, :kk] = rr
                dist[:, :kk] = km
            else:
                idx[sel, :kk] = rr
                dist[sel, :kk] = km
        return idx, dist

    def _tree_query(self, lat: np.ndarray, lon: np.ndarray, k: int, max_km: float, include_heli: bool,
                    workers: int) -> tuple[np.ndarray, np.ndarray] | None:
        """Nearest fields through the k-d tree of unit vectors: (rows, km), at most ``k`` columns; None when no field is a candidate."""
        tree, rows = self._tree(include_heli)
        if tree is None:
            return None
        chord_max = km_to_chord(max_km)  # a hair of slack so that a field exactly at max_km is kept
        kk = min(k, len(rows))
        xyz = unit_vectors(lat, lon)
        d, j = tree.query(xyz, k=kk, distance_upper_bound=chord_max, workers=workers)
        d = np.asarray(d).reshape(len(xyz), kk)
        j = np.asarray(j).reshape(len(xyz), kk)
        found = j < len(rows)
        km = np.where(found, chord_to_km(np.where(found, d, 0.0)), np.inf)
        found &= km <= max_km
        return np.where(found, rows[np.where(found, j, 0)], -1), np.where(found, km, np.inf)
