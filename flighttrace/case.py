"""A case: a scenario, its data, and every result, each computed once, on first use.

>>> import flighttrace
>>> case = flighttrace.Case("seeds/azerbaijan-ovda.yaml", "fixtures/ovda/data")   # doctest: +SKIP
>>> case                                  # in Jupyter: the finding first    # doctest: +SKIP
>>> case.claim("ap-2023-six-from-baku")   # one verdict, its evidence, the rows behind it  # doctest: +SKIP

Nothing is read when a Case is made. The first time a result is asked for,
the stages it needs run (read, legs, coverage, claims) and are kept;
:meth:`Case.with_data` and :meth:`Case.with_params` make a new Case that
keeps what did not change. The stages are the library's own functions
(:func:`flighttrace.read`, :func:`flighttrace.detect_legs`,
:func:`flighttrace.coverage`, :func:`flighttrace.evaluate`); what a scenario
kind adds (a fleet's sorties, an airport's closures…) comes from the kind
(:mod:`flighttrace.kinds`) and is reached as attributes of the case
(``case.sorties``, ``case.series`` for a ``sorties`` scenario;
``case.closures``, ``case.diversions`` for a ``disruption`` one).

One claim (:meth:`Case.claim`) has the same: its evidence, legs and raw rows,
the kind's tables cut to it (``case.claim(...).sorties``) and its own map
(``case.claim(...).map()``), through the kind's ``pages`` module. A report
(:meth:`Case.report`) is built with the case's thresholds and records those
that are not the defaults, so ``flighttrace verify`` rebuilds it with them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.claims import Findings, VerdictRules
    from flighttrace.io.api import Dataset
    from flighttrace.scenario import Scenario
    from flighttrace.tracks.params import LegParams

__all__ = ["Case", "ClaimView"]

PathLike = str | os.PathLike[str]

_STAGES = ("dataset", "legs", "coverage", "findings")


class Case:
    """A scenario, the data, and every result, computed once on first use.

    Parameters
    ----------
    scenario
        A scenario file (``seeds/*.yaml``) or a :class:`~flighttrace.scenario.Scenario`.
    data
        Input files or folders (anything :func:`flighttrace.read` takes), or a
        :class:`~flighttrace.io.api.Dataset` read already. ``None``: no data
        (every claim is inconclusive).
    tz
        Zone of naive times in the inputs (SBS logs).
    report_tz
        Zone of the daily bins; default: the scenario's ``meta.report_tz``.
    legs
        Thresholds of leg detection (:class:`~flighttrace.tracks.params.LegParams`).
    rules
        Thresholds of the verdicts (:class:`~flighttrace.claims.VerdictRules`).
    n_jobs
        Worker processes for reading.

    Attributes
    ----------
    points, quarantine, manifest
        The read (:func:`flighttrace.read`).
    legs
        :func:`flighttrace.detect_legs` on the points, with the scenario's fields.
    coverage
        Which days the inputs could see (:func:`flighttrace.coverage`).
    findings
        :func:`flighttrace.evaluate`: verdicts, evidence, statistics, and each kind's tables.
    claims
        The verdicts: claim, verdict, in plain words, the detection probability, the reason.
    """

    def __init__(self, scenario: PathLike | Scenario, data: PathLike | Sequence[PathLike] | Dataset | None = None, *, tz: str | None = None,
                 report_tz: str | None = None, legs: LegParams | None = None, rules: VerdictRules | None = None, n_jobs: int = 1) -> None:
        self._scenario_arg = scenario
        self._data_arg = data
        self._tz = tz
        self._report_tz = report_tz
        self._leg_params = legs
        self._rules = rules
        self._n_jobs = n_jobs
        self._done: dict[str, Any] = {}
        if not isinstance(data, (str, os.PathLike, type(None))) and not _is_dataset(data) and not isinstance(data, Sequence):
            raise TypeError(f"data must be paths or a Dataset, not {type(data).__name__}")

    # -- stages -------------------------------------------------------------------------

    def _once(self, name: str, make: Any) -> Any:
        if name not in self._done:
            self._done[name] = make()
        return self._done[name]

    @property
    def scenario(self) -> Scenario:
        """The scenario (loaded on first use)."""
        def load() -> Any:
            import flighttrace

            s = self._scenario_arg
            return flighttrace.load_scenario(s) if isinstance(s, (str, os.PathLike)) else s

        return self._once("scenario", load)

    @property
    def dataset(self) -> Dataset:
        """The data as read (:class:`~flighttrace.io.api.Dataset`)."""
        def read() -> Any:
            import flighttrace

            d = self._data_arg
            if _is_dataset(d):
                return d
            return flighttrace.read(_data_paths(d), tz=self._tz, n_jobs=self._n_jobs)

        return self._once("dataset", read)

    @property
    def points(self) -> pd.DataFrame:
        """One row per position read, from every input (see DESIGN.md, Points)."""
        return self.dataset.points

    @property
    def quarantine(self) -> pd.DataFrame:
        """Every input row or file that could not become a position, with its reason."""
        return self.dataset.quarantine

    @property
    def manifest(self) -> pd.DataFrame:
        """One row per input file: path, SHA-256, format, rows read, kept, quarantined."""
        return self.dataset.manifest

    @property
    def legs(self) -> pd.DataFrame:
        """Every aircraft's legs, where each took off and landed and how sure that is."""
        def detect() -> Any:
            import flighttrace

            return flighttrace.detect_legs(self.points, self.scenario, params=self._leg_params)

        return self._once("legs", detect)

    @property
    def report_tz(self) -> str:
        """The zone of the daily bins."""
        return self._report_tz or getattr(self.scenario.meta, "report_tz", None) or "UTC"

    @property
    def coverage(self) -> pd.DataFrame:
        """Which days (in :attr:`report_tz`) the inputs could see."""
        def cover() -> Any:
            from flighttrace.claims.coverage import coverage

            return coverage(self.dataset, self.scenario, report_tz=self.report_tz)

        return self._once("coverage", cover)

    @property
    def findings(self) -> Findings:
        """Every claim tested: verdicts, evidence, statistics, and what the scenario's kinds found."""
        def judge() -> Any:
            from flighttrace.claims import evaluate

            return evaluate(self.legs, self.scenario, coverage=self.coverage, points=self.points, report_tz=self.report_tz,
                            rules=self._rules, synthetic=bool(self.dataset.synthetic) or bool(self.scenario.meta.synthetic))

        return self._once("findings", judge)

    @property
    def claims(self) -> pd.DataFrame:
        """The verdicts, one row per claim: claim, verdict, plain words, detection probability, reason."""
        cols = [c for c in ("claim_id", "verdict", "plain", "p_detect", "robustness", "record", "expected", "observed", "reason")
                if c in self.findings.claims.columns]
        return self.findings.claims[cols].set_index("claim_id")

    @property
    def kind(self) -> str:
        """The scenario's kind (``sorties``, ``disruption``; :mod:`flighttrace.kinds`)."""
        return str(getattr(self.scenario.meta, "kind", "sorties"))

    @property
    def found(self) -> Any:
        """What the scenario's kind found: its own tables (e.g. sorties and series, or closures and diversions)."""
        return self.findings.kind(self.kind)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table of the findings by name, as ``report`` writes them under ``tables/``."""
        return self.findings.tables()

    def __getattr__(self, name: str) -> Any:
        # the kind's own tables, as attributes: case.sorties, case.series… (sorties); case.closures… (disruption)
        if name.startswith("_"):
            raise AttributeError(name)
        found = self.found
        if found is not None and not name.startswith("_") and hasattr(found, name):
            return getattr(found, name)
        have = ", ".join(_kind_names(found)) or "none"
        raise AttributeError(f"a {self.kind} case has no {name!r}; its kind's tables: {have}")

    def __dir__(self) -> list[str]:
        found = self._done.get("findings")
        extra = _kind_names(found.kind(self.kind)) if found is not None else []
        return sorted(set(super().__dir__()) | set(extra))

    # -- one claim ----------------------------------------------------------------------

    def claim(self, claim_id: str) -> ClaimView:
        """One claim: its verdict in plain words, the detection figures, its evidence down to the raw rows."""
        ids = list(self.findings.claims["claim_id"])
        if claim_id not in ids:
            raise KeyError(f"no claim {claim_id!r}; the claims are: {', '.join(ids)}")
        return ClaimView(self, claim_id)

    # -- new cases that keep what did not change ----------------------------------------

    def _copy(self, **changes: Any) -> Case:
        new = Case.__new__(Case)
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        new._done = {}
        return new

    def with_data(self, data: PathLike | Sequence[PathLike] | Dataset | None) -> Case:
        """The same scenario and thresholds on other data (the scenario is not loaded again)."""
        new = self._copy(_data_arg=data)
        if "scenario" in self._done:
            new._done["scenario"] = self._done["scenario"]
        return new

    def with_params(self, *, legs: LegParams | None = None, rules: VerdictRules | None = None) -> Case:
        """The same scenario and data with other thresholds; the read (and the legs, if ``legs`` is not given) are kept."""
        new = self._copy(_leg_params=legs if legs is not None else self._leg_params, _rules=rules if rules is not None else self._rules)
        keep = ["scenario", "dataset", "coverage"] + (["legs"] if legs is None else [])
        new._done.update({k: v for k, v in self._done.items() if k in keep})
        return new

    # -- the kind's pages: map and charts -----------------------------------------------

    def _run(self) -> Any:
        """What the report's writers are given (:class:`flighttrace.report.context.ReportRun`), from this case's results."""
        def make() -> Any:
            from flighttrace.kinds import kind_module
            from flighttrace.nodata import relevance_notes
            from flighttrace.report.context import ReportRun

            path = _scenario_file(self._scenario_arg) or Path("scenario.yaml")
            run = ReportRun(self.scenario, path, self.dataset, self.report_tz, self.legs, None, bool(self.findings.synthetic),
                            relevance_notes(self.scenario, self.legs, len(self.points)), kind=self.kind, leg_params=self._leg_params)
            kind_module(self.kind, "pages").prepare(run)
            run.findings = self.findings
            return run

        return self._once("run", make)

    def map(self, *, tiles: str | None = None) -> Any:
        """The kind's map as a :class:`folium.Map`, offline (Leaflet and the basemap are written in) unless ``tiles`` names online tiles.

        Online tiles (``"OpenStreetMap"``…) reveal the area viewed to the tile server; the map says so.
        """
        from flighttrace.kinds import kind_module

        return kind_module(self.kind, "pages").build_map(self._run(), tiles=tiles)

    def charts(self) -> list[Any]:
        """The kind's charts for print, as matplotlib figures (shown inline in a notebook), in the report's order."""
        from flighttrace.kinds import kind_module
        from flighttrace.numfmt import fmt_n

        source = f"Source: flighttrace analysis of {fmt_n(len(self.manifest), 'input file')}; scenario '{self.scenario.meta.title}'."
        return [draw() for _name, _caption, draw in kind_module(self.kind, "pages").charts(self._run(), source)]

    # -- outputs ------------------------------------------------------------------------

    def _paths(self) -> tuple[Path, list[str | os.PathLike[str]]]:
        scn_path = _scenario_file(self._scenario_arg)
        d = self._data_arg
        if scn_path is None or _is_dataset(d):
            raise ValueError("a report records the files it was made from: make the Case from a scenario file and data paths")
        return scn_path, _data_paths(d)

    def report(self, out: PathLike, *, tiles: str | None = None, progress: Any = False) -> Any:
        """Write the report folder (:func:`flighttrace.build_report`) from the case's files and thresholds.

        The report is built with this case's leg and verdict thresholds
        (:meth:`with_params`), so its verdicts are those of :attr:`claims`;
        thresholds other than the defaults are recorded in its
        ``provenance.json``, and :meth:`verify` rebuilds it with them.

        Raises
        ------
        ValueError
            The case was made from a Scenario or a Dataset rather than files,
            or a threshold has no form ``provenance.json`` can record
            (:class:`flighttrace.report.settings.SettingsError`): nothing is
            written rather than a report whose verdicts differ from the case's.
        """
        from flighttrace.report import build_report

        scn_path, paths = self._paths()
        return build_report(scn_path, paths, out, tz=self._tz, report_tz=self._report_tz, tiles=tiles, progress=progress, n_jobs=self._n_jobs,
                            legs=self._leg_params, rules=self._rules)

    def bundle(self, report_dir: PathLike, out: PathLike | None = None, *, max_input_mb: float | None = None) -> Any:
        """One evidence zip of a report folder (:func:`flighttrace.report.bundle.bundle`): report, provenance, custody log, scenario, inputs."""
        from flighttrace.report.bundle import DEFAULT_MAX_INPUT_MB, bundle

        return bundle(report_dir, out, max_input_mb=DEFAULT_MAX_INPUT_MB if max_input_mb is None else max_input_mb)

    def verify(self, report_dir: PathLike) -> list[str]:
        """The differences between a report folder (or its evidence bundle, a zip) and a rebuild from its inputs; empty when it verifies."""
        from flighttrace.report import verify_report
        from flighttrace.report.bundle import is_bundle, verify_bundle

        return verify_bundle(report_dir) if is_bundle(report_dir) else verify_report(report_dir)

    # -- display ------------------------------------------------------------------------

    def __repr__(self) -> str:
        s = self._scenario_arg
        name = Path(s).name if isinstance(s, (str, os.PathLike)) else getattr(getattr(s, "meta", None), "title", "scenario")
        if "findings" not in self._done:
            done = [s for s in _STAGES if s in self._done]
            return f"<flighttrace.Case {name}: claims not tested yet (done: {', '.join(done) or 'nothing'})>"
        f = self._done["findings"]
        vc = f.claims["verdict"].value_counts()
        counts = ", ".join(f"{int(vc.get(v, 0))} {v}" for v in ("supported", "contradicted", "inconclusive"))
        return f"<flighttrace.Case {name}: {len(f.claims)} claim{'' if len(f.claims) == 1 else 's'} ({counts}){', SYNTHETIC DATA' if f.synthetic else ''}>"

    def _repr_html_(self) -> str:
        from flighttrace.case_display import case_html

        return case_html(self)


class ClaimView:
    """One claim of a :class:`Case`: its verdict, in plain words, its detection figures and its evidence.

    ``evidence`` lists the items behind the verdict, ``legs`` the legs behind
    them, ``rows`` the raw input rows (file, row, SHA-256); the kind's own
    tables cut to the claim are attributes (``view.sorties`` for a
    ``sorties`` scenario; ``view.closures``, ``view.diversions``… for a
    ``disruption`` one; all of them: :meth:`tables`), and :meth:`map` draws
    the claim alone.
    """

    def __init__(self, case: Case, claim_id: str) -> None:
        self.case = case
        self.claim_id = claim_id

    @property
    def row(self) -> pd.Series:
        """The claim's row of the claims table."""
        cl = self.case.findings.claims
        return cl[cl["claim_id"] == self.claim_id].iloc[0]

    @property
    def verdict(self) -> str:
        """``supported``, ``contradicted`` or ``inconclusive``."""
        return str(self.row["verdict"])

    @property
    def plain(self) -> str:
        """The verdict in plain words."""
        return str(self.row.get("plain", "") or "")

    @property
    def reason(self) -> str:
        """The technical reason."""
        return str(self.row["reason"])

    @property
    def detection(self) -> dict[str, Any]:
        """How well the data could have seen the claim: ``p_detect``, the fleet aircraft heard, what was missing."""
        r = self.row
        return {k: r[k] for k in ("p_detect", "fleet_heard", "detect_note", "days_in_window", "days_uncovered") if k in r.index}

    @property
    def evidence(self) -> pd.DataFrame:
        """The items behind the verdict (sorties, legs, stays, closures…), each with its grade and lineage."""
        ev = self.case.findings.evidence
        return ev[ev["claim_id"] == self.claim_id].reset_index(drop=True)

    @property
    def leg_ids(self) -> list[str]:
        """The ids of the legs behind the evidence, in the order the evidence names them."""
        from flighttrace.tracks.lineage import leg_ids_of

        return leg_ids_of(self.evidence, self.case.legs)

    @property
    def legs(self) -> pd.DataFrame:
        """The legs behind the evidence."""
        lg = self.case.legs
        return lg[lg["leg_id"].isin(self.leg_ids)].reset_index(drop=True)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The kind's own tables cut to this claim (its ``claim_tables``, :mod:`flighttrace.kinds`): the sorties of a
        ``sorties`` claim; the closures, diversions, holdings and go-arounds of a ``disruption`` one. Each is also an attribute."""
        from flighttrace.kinds import kind_module

        tables: dict[str, pd.DataFrame] = kind_module(self.case.kind, "pages").claim_tables(self.case._run(), self.evidence, self.leg_ids)
        return tables

    def __getattr__(self, name: str) -> Any:
        # the kind's tables of this claim, as attributes: view.sorties (sorties); view.closures, view.diversions… (disruption)
        if name.startswith("_") or name in ("case", "claim_id"):
            raise AttributeError(name)
        tables = self.tables()
        if name in tables:
            return tables[name]
        raise AttributeError(f"a {self.case.kind} claim has no {name!r}; its kind's tables: {', '.join(tables) or 'none'}")

    def map(self, *, tiles: str | None = None) -> Any:
        """The kind's map of this claim alone (its evidence legs, and its sorties or measures), offline like :meth:`Case.map`."""
        from flighttrace.kinds import kind_module

        pages = kind_module(self.case.kind, "pages")
        return pages.build_map(pages.claim_run(self.case._run(), self.evidence, self.leg_ids), tiles=tiles)

    @property
    def rows(self) -> pd.DataFrame:
        """The raw input rows behind the evidence: file, row, the file's SHA-256, and the position's values."""
        import flighttrace

        return flighttrace.lineage(self.evidence, self.case.legs, self.case.dataset)

    def __repr__(self) -> str:
        return f"<flighttrace claim {self.claim_id}: {self.verdict} — {self.plain or self.reason}>"

    def _repr_html_(self) -> str:
        from flighttrace.case_display import claim_html

        return claim_html(self)


def _is_dataset(x: Any) -> bool:
    return hasattr(x, "points") and hasattr(x, "manifest")


def _data_paths(data: object) -> list[str | os.PathLike[str]]:
    """The data argument of a :class:`Case` (not a Dataset) as a list of paths."""
    if data is None:
        return []
    if isinstance(data, (str, os.PathLike)):
        return [str(data)]
    if isinstance(data, Sequence):
        return [str(p) for p in data]
    raise TypeError(f"data must be paths or a Dataset, not {type(data).__name__}")


def _scenario_file(scenario: object) -> Path | None:
    """The scenario's file: the path given, or the file a Scenario was loaded from (``None``: made in code)."""
    if isinstance(scenario, (str, os.PathLike)):
        return Path(scenario)
    loaded_from = getattr(scenario, "path", None)
    return Path(loaded_from) if loaded_from else None


def _kind_names(found: Any) -> list[str]:
    """The public table names a kind's findings offer as attributes."""
    if found is None:
        return []
    names = list(found.tables()) if hasattr(found, "tables") else []
    names += [n for n in getattr(found, "__dataclass_fields__", {}) if not n.startswith("_")]
    return sorted({n for n in names if hasattr(found, n)})

