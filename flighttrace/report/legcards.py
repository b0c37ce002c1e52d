"""The parts of an evidence card about its legs, for every scenario kind: what a lawyer needs to follow a leg to its rows.

For each leg, :class:`LegEvidence` gives

* its times, callsign and the number of positions;
* each end: the field (code and name), the grade and its reason, the other
  field that was considered and why it was not chosen, a small
  height-and-distance profile (:func:`flighttrace.viz.svgmini.end_profile`),
  and the **decisive rows**: the positions that put the aircraft on the
  ground or at runway height at the field (for an end that was not seen, the
  position nearest it), each with its file, row, the file's SHA-256, its
  values and how the position was found (ADS-B, MLAT …);
* the source rows of the leg (file, first and last row, SHA-256), from its
  positions' ``src_file`` / ``src_row`` as :func:`flighttrace.lineage` joins
  them (never from parsing the legs' ``lineage`` text);
* the chain from the ICAO address to the registration and the operator, and
  where each link comes from (the data files or the scenario's fleet list
  with its sources).

Every value is plain text or an SVG made here; the templates escape text.
"""

from __future__ import annotations

from typing import Any, Final

import markupsafe
import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_count, fmt_ft, fmt_km, fmt_n
from flighttrace.reference.airports import haversine_km
from flighttrace.report.parts import Places, text
from flighttrace.timefmt import fmt_duration, fmt_time
from flighttrace.tracks.lineage import lineage
from flighttrace.viz.svgmini import end_profile

__all__ = ["DECISIVE_MAX", "END_ROWS", "PROFILE_KM", "PROFILE_POINTS", "REGISTRATION_SOURCES", "LegEvidence", "fleet_by_address", "registration_of",
           "with_registrations"]

PROFILE_KM: Final = 40.0
"""A leg end's profile shows the positions within this distance of the field (km), at that end of the leg."""
PROFILE_POINTS: Final = 80
"""Most positions drawn in a profile (evenly thinned; decisive positions always drawn)."""
DECISIVE_MAX: Final = 2
"""Most decisive rows listed per leg end: the first and the last position at the field (or the one position nearest it)."""
_FOUND_BY: Final = {"adsb": "ADS-B", "mlat": "MLAT", "other": "other", "unknown": "not said"}
"""How a position was found, in words (``position_source``)."""
END_ROWS: Final = 512
"""Positions at a leg's end whose distances from the field are worked out first (:meth:`LegEvidence._reach`); the whole leg only
when all of them are within :data:`PROFILE_KM` of it."""
SPAN_ROWS: Final = 65_536
"""Rows of the fleet's legs whose source files :meth:`LegEvidence.sources` sums at once (a few int64 columns of this length)."""

_ROW_COLUMNS: Final = ("src_file", "src_row", "time", "lat", "lon", "alt_ft", "on_ground", "gs_kt", "position_source", "source")
"""The columns of the Points table an evidence card reads (a subset of :data:`flighttrace.tracks.lineage.LINEAGE_COLUMNS`)."""
_ENDS: Final = (("origin", "Take-off from", "takeoff_time"), ("destination", "Landing at", "landing_time"))
REGISTRATION_SOURCES: Final = {"data": "data", "fleet": "fleet list"}
"""The ``registration_source`` of an export row, by where :func:`registration_of` found the registration (blank: nowhere)."""


def fleet_by_address(scn: Any) -> dict[str, Any]:
    """The scenario's fleet list by ICAO address (lower case; the first aircraft of an address wins)."""
    out: dict[str, Any] = {}
    for ac in getattr(getattr(scn, "fleet", None), "aircraft", ()):  # the scenario's fleet list, by address
        if ac.hex is not None:
            out.setdefault(str(ac.hex).lower(), ac)
    return out


def registration_of(icao24: Any, in_data: Any, fleet: dict[str, Any]) -> tuple[str, str]:
    """(registration, where it comes from): from the data (``"data"``), else from the scenario's fleet list (``"fleet"``), else ``("", "")``.

    Parameters
    ----------
    icao24
        The aircraft's address.
    in_data
        The registration the input rows gave (blank or missing: none).
    fleet
        :func:`fleet_by_address` of the scenario.
    """
    if not text(in_data, "") == "":
        return str(in_data), "data"
    ac = fleet.get(str(icao24).lower())
    if ac is not None:
        return ac.registration, "fleet"
    return "", ""


def with_registrations(frame: pd.DataFrame, scn: Any) -> pd.DataFrame:
    """A copy of a table of legs or sorties whose blank registrations are filled from the scenario's fleet list, for an export.

    The registration the data gave is kept; where it gave none and the
    fleet list knows the address, the fleet list's registration is written
    and the new column ``registration_source`` (after ``registration``) says
    so: ``data``, ``fleet list``, or blank where neither gives one. The rule
    is :func:`registration_of`, the one the evidence cards follow; it is
    applied once per distinct (address, registration) pair.

    Examples
    --------
    >>> from types import SimpleNamespace as N
    >>> scn = N(fleet=N(aircraft=[N(hex="600864", registration="4K-AZ100")]))
    >>> t = pd.DataFrame({"icao24": ["600864", "600864", "abc123"], "registration": [None, "4K-AZ9", None]})
    >>> with_registrations(t, scn)[["registration", "registration_source"]].fillna("").to_numpy().tolist()
    [['4K-AZ100', 'fleet list'], ['4K-AZ9', 'data'], ['', '']]
    """
    if not {"icao24", "registration"} <= set(frame.columns):
        return frame
    fleet = fleet_by_address(scn)
    icao = frame["icao24"].astype(object).to_numpy()
    reg = frame["registration"].astype(object).to_numpy()
    pairs = pd.MultiIndex.from_arrays([pd.Index(icao, dtype=object), pd.Index(reg, dtype=object)])
    codes, uniq = pd.factorize(pairs)
    found = [registration_of(a, r, fleet) for a, r in uniq]  # one per distinct (address, registration)
    new_reg = np.array([f[0] or None for f in found] + [None], dtype=object)[codes]
    where = np.array([REGISTRATION_SOURCES.get(f[1]) for f in found] + [None], dtype=object)[codes]
    out = frame.copy()
    out["registration"] = new_reg
    out.insert(list(out.columns).index("registration") + 1, "registration_source", where)
    return out


class _Coded:
    """A categorical column read one value at a time, each as the column gives it (its category, NaN where missing),
    from its codes and a list of its categories (no pandas indexing per value)."""

    def __init__(self, col: pd.Categorical) -> None:
        self._codes = col.codes
        self._values = [*col.categories.tolist(), np.nan]  # code -1 (missing) takes the last

    def __getitem__(self, i: int) -> Any:
        return self._values[self._codes[i]]


def _one_by_one(arr: Any, *, whole: bool) -> Any:
    """What a column's values are read from one at a time (``col[i]``), each as ``arr[i]`` gives it, without pandas'
    indexing for each: a NumPy-backed array's own ndarray, a categorical's codes and categories and, with ``whole``
    (a short table), a text column as an array of its values; any other array as it is."""
    if isinstance(arr, pd.arrays.NumpyExtensionArray):
        return np.asarray(arr)
    if isinstance(arr, pd.Categorical):
        return _Coded(arr)
    if whole and isinstance(arr.dtype, pd.StringDtype) and arr.dtype.na_value is np.nan:
        return arr.to_numpy()
    return arr


def _rows_text(rows: pd.DataFrame) -> list[dict[str, str]]:
    """File, first and last row and SHA-256 per file, in the order the files first appear."""
    if not len(rows):
        return []
    g = rows.groupby(rows["src_file"].astype(str), sort=False)
    agg = g.agg(first=("src_row", "min"), last=("src_row", "max"), n=("src_row", "size"), sha256=("sha256", "first"))
    return [{"file": f, "rows": f"{fmt_count(r.first)}–{fmt_count(r.last)}", "n": fmt_count(r.n), "sha256": str(r.sha256) or "—"}
            for f, r in zip(agg.index, agg.itertuples(), strict=True)]


class LegEvidence:
    """The leg parts of the evidence cards of one report (see the module docs).

    Parameters
    ----------
    run
        The :class:`flighttrace.report.context.ReportRun`.
    leg_ids
        The legs that get a card or a row on a card. A leg's positions are
        its ``point_start:point_end`` range of the sorted Points table
        (:attr:`~flighttrace.report.context.ReportRun.sorted_points`), read
        in place: no table of every card's positions is built.
    places
        Airport names.
    """

    def __init__(self, run: Any, leg_ids: list[str], places: Places) -> None:
        self.run = run
        self.places = places
        self.params = run.leg_thresholds
        legs = run.legs
        self.by_id = legs.assign(_id=legs["leg_id"].astype(str)).drop_duplicates("_id").set_index("_id")
        ids = [i for i in dict.fromkeys(leg_ids) if i in self.by_id.index]
        self._ids = ids if {"point_start", "point_end"} <= set(legs.columns) and len(run.ds.points) else []
        self._pts = run.sorted_points if self._ids else None
        self._range: dict[str, tuple[int, int]] = {}
        self._columns: dict[str, Any] = {}
        if self._pts is not None:  # each leg's rows are point_start:point_end of the sorted Points table: ranges, no copy
            ranges = self.by_id.loc[self._ids]
            n = len(self._pts)
            a = np.clip(pd.to_numeric(ranges["point_start"], errors="coerce").fillna(0).to_numpy(np.int64), 0, n)
            b = np.clip(pd.to_numeric(ranges["point_end"], errors="coerce").fillna(0).to_numpy(np.int64), 0, n)
            self._range = {i: (int(x), max(int(y), int(x))) for i, x, y in zip(self._ids, a.tolist(), b.tolist(), strict=True)}
            # the columns a card reads, each taken once (a row's values are read from them as a table row would give them)
            self._columns = {c: self._pts[c].array for c in _ROW_COLUMNS if c in self._pts.columns}
        # the columns every leg end reads, as numpy arrays taken once (a NumPy-backed column as it is, no copy; on_ground
        # as booleans, missing as False): an end then slices them, with no pandas indexing per end
        self._arrays = {c: np.asarray(col) for c, col in self._columns.items()
                        if c in ("lat", "lon", "alt_ft") and isinstance(col, pd.arrays.NumpyExtensionArray)}
        if "on_ground" in self._columns:
            self._arrays["on_ground"] = self._columns["on_ground"].to_numpy(dtype=bool, na_value=False)
        self._point_cols = {c: _one_by_one(col, whole=False) for c, col in self._columns.items()}
        self._span_cache: dict[str, dict[str, tuple[int, int, int, Any]]] | None = None
        self._records: dict[str, dict[str, Any]] = {}
        self._cells: dict[Any, Any] | None = None
        self._fleet = fleet_by_address(run.scn)

    # -- rows ------------------------------------------------------------------------

    def record(self, leg_id: str) -> dict[str, Any]:
        """A leg's row of the legs table, as a dictionary of its cells (read once per leg)."""
        rec = self._records.get(leg_id)
        if rec is None:
            if self._cells is None:  # each column taken once; a cell is then read as the table's row gives it
                self._cells = {c: _one_by_one(self.by_id[c].array, whole=True) for c in self.by_id.columns}
            k = self.by_id.index.get_loc(leg_id)
            rec = self._records[leg_id] = {c: col[k] for c, col in self._cells.items()}
        return rec

    def positions(self, leg_id: str) -> pd.DataFrame:
        """The positions of a leg, as :func:`flighttrace.lineage` gives them."""
        if str(leg_id) not in self._range or self._pts is None:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in ("leg_id", "src_file", "src_row", "sha256")})
        return lineage([str(leg_id)], self.run.legs, self._pts, manifest=self.run.ds.manifest, presorted=True)

    def _sha_of_codes(self, files: pd.Series) -> tuple[np.ndarray, list[str], np.ndarray]:
        """(codes, file names, SHA-256 per code with a trailing "" for code -1) of a column of input files."""
        sha = self.run.sha_of
        if isinstance(files.dtype, pd.CategoricalDtype):  # by code: no text per row
            codes, names = files.cat.codes.to_numpy(), [str(c) for c in files.cat.categories]
        else:
            codes, uniq = pd.factorize(files.astype(str))
            names = [str(c) for c in uniq]
        return codes, names, np.array([sha.get(c, "") for c in names] + [""], dtype=object)

    def sources(self, leg_ids: list[str]) -> list[dict[str, str]]:
        """The source rows of some legs: file, first–last row, how many, SHA-256.

        The same as :func:`_rows_text` of the legs' positions put together:
        each leg's spans per file are worked out once (:meth:`_spans`) and
        merged here (files in order of first appearance, first row the least,
        last row the greatest, counts added).
        """
        spans = self._spans()
        merged: dict[str, list[Any]] = {}
        for i in dict.fromkeys(str(x) for x in leg_ids):
            for f, (a, b, n, sha) in spans.get(i, {}).items():
                m = merged.get(f)
                if m is None:
                    merged[f] = [a, b, n, sha]
                else:
                    m[0], m[1], m[2] = min(m[0], a), max(m[1], b), m[2] + n
        return [{"file": f, "rows": f"{fmt_count(a)}–{fmt_count(b)}", "n": fmt_count(n), "sha256": str(sha) or "—"} for f, (a, b, n, sha) in merged.items()]

    def _spans(self) -> dict[str, dict[str, tuple[int, int, int, Any]]]:
        """Per leg, per file (in order of first appearance): first row, last row, how many, SHA-256; computed once, for every leg."""
        if self._span_cache is None:
            per: dict[str, dict[str, tuple[int, int, int, Any]]] = {}
            pts = self._pts
            if pts is not None and "src_file" in pts and self._range:
                lo_b_all = np.array([self._range[i] for i in self._ids], dtype=np.int64).reshape(-1, 2)
                count_all = lo_b_all[:, 1] - lo_b_all[:, 0]
                all_codes, names, sha = self._sha_of_codes(pts["src_file"])
                src_rows = pts["src_row"].to_numpy(dtype=np.int64)
                chunk_of = (np.cumsum(count_all) - count_all) // SPAN_ROWS
                for c in np.unique(chunk_of).tolist():  # the legs of about SPAN_ROWS rows at a time, in order: the same dictionary
                    legs_c = np.flatnonzero(chunk_of == c)
                    self._spans_of(per, legs_c, lo_b_all[legs_c], all_codes, names, sha, src_rows)
            self._span_cache = per
        return self._span_cache

    def _spans_of(self, per: dict[str, dict[str, tuple[int, int, int, Any]]], legs_c: np.ndarray, lo_b: np.ndarray, all_codes: np.ndarray,
                  names: list[str], sha: np.ndarray, src_rows: np.ndarray) -> None:
        """:meth:`_spans` of some legs (``legs_c``, numbers in ``self._ids``, rows ``lo_b``), added to ``per``."""
        count = lo_b[:, 1] - lo_b[:, 0]
        rows = np.arange(int(count.sum()), dtype=np.int64) + np.repeat(lo_b[:, 0] - np.r_[0, np.cumsum(count)[:-1]], count)
        leg_codes = np.repeat(legs_c.astype(np.int64), count)
        codes = all_codes[rows]
        at = np.flatnonzero(codes >= 0)
        # one key per (leg, file); its first row, in order of appearance, as a groupby without sorting would give
        key, first, inv = np.unique(leg_codes[at] * len(names) + codes[at], return_index=True, return_inverse=True)
        src_row = src_rows[rows[at]]
        lo = np.full(len(key), np.iinfo(np.int64).max)
        hi = np.full(len(key), np.iinfo(np.int64).min)
        np.minimum.at(lo, inv, src_row)
        np.maximum.at(hi, inv, src_row)
        n = np.bincount(inv, minlength=len(key))
        for k in np.argsort(first, kind="stable").tolist():
            leg, f = divmod(int(key[k]), len(names))
            per.setdefault(self._ids[leg], {})[names[f]] = (int(lo[k]), int(hi[k]), int(n[k]), sha[f])

    def sources_of(self, parts: pd.DataFrame) -> list[dict[str, str]]:
        """The source rows of parts of legs (rows with ``leg_id``, ``point_start``, ``point_end``: a holding, a go-around)."""
        if not len(parts) or not len(self.run.ds.points):
            return []
        return _rows_text(lineage(parts, self.run.legs, self.run.sorted_points, manifest=self.run.ds.manifest, presorted=True))

    # -- identity --------------------------------------------------------------------

    def registration(self, icao24: Any, in_data: Any) -> tuple[str, str]:
        """(registration, where it comes from): from the data, else from the scenario's fleet list, else unknown (:func:`registration_of`)."""
        return registration_of(icao24, in_data, self._fleet)

    def chain(self, icao24: Any, registration: Any, typecode: Any, leg_ids: list[str]) -> list[dict[str, Any]]:
        """Address → registration → operator, each with where it comes from (data files or the fleet list and its sources)."""
        ac = self._fleet.get(str(icao24).lower())
        files = sorted({r["file"] for r in self.sources(leg_ids)})
        in_files = fmt_n(len(files), "input file") if files else "the input files"
        cite = [{"id": s, "href": f"index.html#source-{s}"} for s in (ac.source if ac is not None else ())]
        out: list[dict[str, Any]] = [{"link": "ICAO 24-bit address", "value": str(icao24), "from": f"every position of the leg, as broadcast, in {in_files}", "sources": []}]
        reg, where = self.registration(icao24, registration)
        if where == "data":
            agree = ""
            if ac is not None:
                agree = " (the scenario's fleet list agrees)" if reg.replace("-", "").upper() in {r.replace("-", "") for r in ac.registrations} \
                    else f" (the scenario's fleet list says {ac.registration})"
            out.append({"link": "Registration", "value": reg, "from": f"the registration field of the input rows{agree}", "sources": []})
        elif where == "fleet" and ac is not None:  # "fleet" is said only when the fleet list has the aircraft
            out.append({"link": "Registration", "value": reg, "from": f"not in the data; the scenario's fleet list gives {icao24} → {reg}"
                        + (f" ({ac.confidence})" if ac.confidence != "confirmed" else ""), "sources": cite})
        else:
            out.append({"link": "Registration", "value": "unknown", "from": "neither the data nor the scenario's fleet list gives one", "sources": []})
        if ac is not None and ac.operator:
            why = f"the scenario's fleet list ({ac.confidence})" + (f": {ac.notes.rstrip('. ')}" if ac.notes else "")
            out.append({"link": "Operator", "value": ac.operator + (" (military)" if ac.military else ""), "from": why, "sources": cite})
        else:
            out.append({"link": "Operator", "value": "unknown", "from": "the aircraft is not in the scenario's fleet list", "sources": []})
        kind = text(typecode, "") or (ac.typecode if ac is not None else "")
        if kind:
            variant = f" ({ac.variant})" if ac is not None and ac.variant else ""
            out.append({"link": "Type", "value": kind + variant, "from": "the input rows" if text(typecode, "") else "the scenario's fleet list",
                        "sources": [] if text(typecode, "") else cite})
        return out

    # -- ends ------------------------------------------------------------------------

    def _end(self, lg: dict[str, Any], leg_id: str, end: str, role: str, time_col: str) -> dict[str, Any]:
        """One end of a leg: field, grade, reason, the other field considered, decisive rows and profile."""
        code = lg.get(end)
        grade = text(lg.get(f"{end}_evidence"), "unknown")
        placed = not text(code, "") == ""
        out: dict[str, Any] = {"role": role if placed else role.split(" ")[0] + ":", "code": text(code, ""),
                               "place": self.places.label(code) if placed else "no field fits", "grade": grade,
                               "reason": text(lg.get(f"{end}_reason"), ""), "second": "",
                               "time": fmt_time(lg.get(time_col)) if not text(lg.get(time_col), "") == "" else
                               f"not seen; {'first' if end == 'origin' else 'last'} position {fmt_time(lg.get('first_seen' if end == 'origin' else 'last_seen'))}",
                               "decisive": [], "profile": "", "decisive_note": ""}
        second = lg.get(f"{end}_second")
        if not text(second, "") == "":
            dist = lg.get(f"{end}_second_dist_km")
            why = text(lg.get(f"{end}_second_reason"), "").removeprefix(f"{second}, ")
            out["second"] = f"{self.places.label(second)}: " + (why if why else f"{fmt_km(dist)} away")
        a, b = self._range.get(leg_id, (0, 0))
        if b <= a:
            return out
        ap = self.places.airport(code)
        a, b, dist = self._reach(a, b, end, ap)
        n_pos = b - a
        alt = self._floats("alt_ft", a, b) if "alt_ft" in self._columns else np.full(n_pos, np.nan)
        ground = self._arrays["on_ground"][a:b] if "on_ground" in self._arrays else np.zeros(n_pos, bool)
        k = 0 if end == "origin" else n_pos - 1
        if ap is not None:
            elev = float(ap.elevation_ft) if np.isfinite(ap.elevation_ft) else 0.0
            height = np.where(ground & np.isnan(alt), 0.0, alt - elev)
        else:  # no field: height above sea level
            height = np.where(ground & np.isnan(alt), 0.0, alt)
        near = dist <= PROFILE_KM
        if end == "destination":  # the trailing run of positions within reach of the field
            stop = np.flatnonzero(~near)
            first = int(stop[-1]) + 1 if len(stop) else 0
            span = np.arange(min(first, n_pos - 2) if n_pos >= 2 else 0, n_pos)
        else:
            stop = np.flatnonzero(~near)
            last = int(stop[0]) if len(stop) else n_pos
            span = np.arange(0, max(last, min(2, n_pos)))
        p = self.params
        at_field, rule, box_km = self._at_field(str(code), a, b, dist, height, ground) if ap is not None else (np.zeros(n_pos, bool), "", 0.0)
        cand = span[at_field[span]]
        if len(cand):
            pick = cand[[0, -1] if cand[-1] != cand[0] else [0]][:DECISIVE_MAX]  # the first and the last (in order: cand ascends)
            out["decisive_note"] = (f"{fmt_count(len(cand))} position{'s' if len(cand) != 1 else ''} {rule}"
                                    + ("; the first and the last shown" if len(pick) > 1 else ""))
        else:
            pick = np.array([k])
            out["decisive_note"] = ("no position at runway height at the field: the " + ("last" if end == "destination" else "first")
                                    + " position seen, from which the end is " + ("inferred" if grade != "unknown" else "left open"))
        out["decisive"] = [self._row(self._point(a + i), dist[i], height[i], ap is not None) for i in pick.tolist()]
        show = span
        if len(show) > PROFILE_POINTS:
            show = np.unique(np.r_[show[np.round(np.linspace(0, len(show) - 1, PROFILE_POINTS)).astype(int)], pick])
        dec = (show[:, None] == pick[None, :]).any(axis=1)  # which shown positions are decisive (pick: one or two)
        where = self.places.label(code) if ap is not None else "the last position" if end == "destination" else "the first position"
        label = (f"{role} {where}: height against distance, {len(show)} positions, the decisive ones dotted"
                 + (f"; shaded: at most {p.observed_agl_ft:g} ft above the field and within {fmt_km(box_km)} of its reference point, "
                    "as far as a position at the field can lie" if ap is not None else ""))
        x_label = f"km from {code}" if ap is not None else "km from the " + ("last" if end == "destination" else "first") + " position"
        out["profile"] = markupsafe.Markup(end_profile(dist[show], height[show], dec, label=label,
                                                       field_box=(box_km, p.observed_agl_ft) if ap is not None else None,
                                                       x_label=x_label, y_label="ft above the field" if ap is not None else "ft (altitude)"))
        return out

    def _at_field(self, code: str, a: int, b: int, dist: np.ndarray, height: np.ndarray, ground: np.ndarray) -> tuple[np.ndarray, str, float]:
        """Which positions of rows ``a:b`` are at the field by the rule of a seen end (:mod:`flighttrace.tracks.ends`), that rule in
        words, and how far from the field's reference point such a position can lie (km).

        On the ground: within ``ground_runway_km`` of one of its runways;
        in the air: at most ``observed_agl_ft`` above it and within
        ``observed_runway_km`` of a runway. A field without runway data:
        within ``no_runway_km`` of its reference point. Never farther than
        ``observed_km`` from that point.
        """
        p = self.params
        low = height <= p.observed_agl_ft
        maybe = (dist <= p.observed_km) & (ground | low)  # only these can be at the field: their distance to a runway is measured
        known = self.places.runways(code)
        if known is None:
            at = maybe & (dist <= p.no_runway_km)
            return at, (f"on the ground or at most {fmt_ft(p.observed_agl_ft)} above the field, within {fmt_km(p.no_runway_km)} of its "
                        "reference point (no runway data)"), min(p.no_runway_km, p.observed_km)
        reach = known[1]
        at = np.zeros(len(dist), dtype=bool)
        idx = np.flatnonzero(maybe)
        if len(idx):
            seg = self.places.runway_km(code, self._floats("lat", a, b)[idx], self._floats("lon", a, b)[idx])
            seg = np.full(len(idx), np.inf) if seg is None else seg
            at[idx] = np.where(ground[idx], seg <= p.ground_runway_km, seg <= p.observed_runway_km)
        return at, (f"on the ground within {fmt_km(p.ground_runway_km)} of a runway, or at most {fmt_ft(p.observed_agl_ft)} above the field "
                    f"and within {fmt_km(p.observed_runway_km)} of a runway"), min(reach + p.ground_runway_km, p.observed_km)

    def _floats(self, name: str, a: int, b: int) -> np.ndarray:
        """Rows ``a:b`` of a column of the sorted Points table as float64 (missing as NaN)."""
        arr = self._arrays.get(name)
        return arr[a:b].astype(np.float64, copy=False) if arr is not None else np.asarray(self._columns[name][a:b], dtype=float)

    def _reach(self, a: int, b: int, end: str, ap: Any) -> tuple[int, int, np.ndarray]:
        """The rows of a leg (``a:b``) that an end's profile and decisive rows can come from, and their distances (km).

        The distance is from the field ``ap`` or, with no field, from the
        end's own position (the leg's first or last). An end reads only its
        run of positions within :data:`PROFILE_KM` of the field, at that end
        of the leg: the distances are worked out for the :data:`END_ROWS`
        positions at that end, and for the whole leg only when every one of
        them is within reach. The rows given hold a position out of reach
        (so the run ends inside them) or are the whole leg; what the end
        shows is then the same as from the whole leg.
        """
        rows = END_ROWS
        while True:
            lo, hi = (a, min(b, a + rows)) if end == "origin" else (max(a, b - rows), b)
            lat, lon = self._floats("lat", lo, hi), self._floats("lon", lo, hi)
            if ap is not None:
                dist = haversine_km(lat, lon, ap.lat, ap.lon)
            else:
                k = 0 if end == "origin" else hi - lo - 1
                dist = haversine_km(lat, lon, lat[k], lon[k])
            if hi - lo == b - a or not bool((dist <= PROFILE_KM).all()):
                return lo, hi, dist
            rows = b - a

    def _point(self, i: int) -> dict[str, Any]:
        """Row ``i`` of the sorted Points table: the card's columns, each value as the table's row gives it, and the file's SHA-256."""
        r = {c: col[i] for c, col in self._point_cols.items()}
        f = r.get("src_file")
        r["sha256"] = "" if f is None or (not isinstance(f, str) and pd.isna(f)) else self.run.sha_of.get(str(f), "")
        return r

    @staticmethod
    def _row(r: dict[str, Any], dist: float, height: float, has_field: bool) -> dict[str, str]:
        og = r.get("on_ground")
        return {
            "file": str(r["src_file"]), "row": fmt_count(r["src_row"]), "sha256": str(r.get("sha256") or "—"),
            "sha_short": (str(r.get("sha256") or "")[:12] + "…") if r.get("sha256") else "—",
            "time": fmt_time(r["time"], seconds=True), "lat": f"{float(r['lat']):.5f}", "lon": f"{float(r['lon']):.5f}",
            "alt": fmt_ft(r.get("alt_ft")), "height": fmt_ft(height) if has_field else "—", "dist": fmt_km(dist) if has_field else "—",
            "speed": f"{float(r['gs_kt']):.0f} kt" if "gs_kt" in r and pd.notna(r.get("gs_kt")) else "—",
            "ground": "yes" if og is True or og == 1 else ("no" if og is False or og == 0 else "not said"),
            "source": _FOUND_BY.get(text(r.get("position_source"), "unknown"), text(r.get("position_source"))), "format": text(r.get("source"), ""),
        }

    # -- a leg -----------------------------------------------------------------------

    def leg(self, leg_id: str, *, anchor: bool, tz: str, on_map: bool = True) -> dict[str, Any] | None:
        """A leg's part of a card; ``anchor``: this row carries the leg's id on the page (only its first appearance does);
        ``on_map``: the map draws this leg (its row then links to it)."""
        if leg_id not in self.by_id.index:
            return None
        lg = self.record(leg_id)
        reg, where = self.registration(lg.get("icao24"), lg.get("registration"))
        return {
            "leg_id": leg_id, "anchor": anchor, "icao24": text(lg.get("icao24")),
            "callsign": text(lg.get("callsigns"), "").replace(",", ", ") or text(lg.get("callsign"), "no callsign"),
            "registration": reg, "registration_from": where,
            "takeoff": fmt_time(lg.get("takeoff_time"), tz), "landing": fmt_time(lg.get("landing_time"), tz),
            "first_seen": fmt_time(lg.get("first_seen")), "last_seen": fmt_time(lg.get("last_seen")),
            "origin": self.places.label(lg.get("origin")), "destination": self.places.label(lg.get("destination")),
            "origin_evidence": text(lg.get("origin_evidence"), "unknown"), "destination_evidence": text(lg.get("destination_evidence"), "unknown"),
            "n_points": fmt_count(lg.get("n_points")), "max_gap": fmt_duration(lg.get("max_gap_s")),
            "ends": [self._end(lg, leg_id, end, role, col) for end, role, col in _ENDS],
            "map_href": f"map.html#leg={leg_id}" if on_map else "",
        }
