"""Text on the maps: escaping, times and durations, and the popups and tooltips of a leg.

Every string that came from a data file or a scenario (callsigns,
registrations, reasons, leg ids, airport and event names …) goes through
:func:`escape_html` before it reaches a page. Its output is safe as HTML
text and as an attribute value, and holds no character that JavaScript
template literals treat as syntax.
"""

from __future__ import annotations

import html as _html
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final, Literal

import pandas as pd

from flighttrace.numfmt import fmt_share
from flighttrace.timefmt import fmt_duration, fmt_time

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.viz.tracks import _Track

__all__ = ["card_link", "escape_html", "fmt_time_s"]

_NS_PER_S: Final = 1_000_000_000


# --------------------------------------------------------------------------- escaping


def escape_html(value: Any, *, missing: str = "\u2014") -> str:
    """Text that is safe inside HTML and inside a JavaScript template literal.

    Parameters
    ----------
    value
        Any value; ``None``, NaN and NaT become ``missing``.
    missing
        What to show for a missing value (an em dash by default). Not escaped.

    Returns
    -------
    str
        ``html.escape(str(value))`` with, in addition, the backtick, ``$`` and
        backslash as character references (live in JavaScript template
        literals), and line breaks as spaces. The browser shows the original
        characters as text.

    Examples
    --------
    >>> escape_html("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> escape_html("`${x}`")
    '&#96;&#36;{x}&#96;'
    """
    if value is None:
        return missing
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return missing
        except (TypeError, ValueError):
            pass
    return _escape_text(str(value))


@lru_cache(maxsize=1 << 16)
def _escape_text(text: str) -> str:
    """:func:`escape_html` of a string (remembered: maps repeat codes, grades and reasons thousands of times)."""
    text = _html.escape(text, quote=True)
    for raw, ref in (("`", "&#96;"), ("$", "&#36;"), ("\\", "&#92;"), ("\u2028", "&#8232;"), ("\u2029", "&#8233;")):
        text = text.replace(raw, ref)
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def fmt_time_s(ts: Any) -> str:
    """A UTC time to the second, ``2023-09-03 10:27:53 UTC`` (:func:`flighttrace.timefmt.fmt_time`), or an em dash."""
    return fmt_time(ts, seconds=True)


def present(value: Any) -> bool:
    """Whether a value is given: not None, NaN, NaT nor a blank string."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != ""
    try:
        return not bool(pd.isna(value))
    except (TypeError, ValueError):
        return True


# --------------------------------------------------------------------------- popups


def _row_html(rows: list[tuple[str, str]]) -> str:
    """A two-column table; the values must already be escaped."""
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f'<table class="ft-popup">{body}</table>'


def _end_text(leg: dict[str, Any], end: Literal["origin", "destination"]) -> str:
    code = leg.get(end)
    grade = leg.get(f"{end}_evidence")
    reason = leg.get(f"{end}_reason")
    when = leg.get("takeoff_time" if end == "origin" else "landing_time")
    parts = [f"<b>{escape_html(code, missing='unknown field')}</b>"]
    if present(leg.get(f"{end}_name")):
        parts.append(f"({escape_html(leg.get(f'{end}_name'))})")
    if present(when):
        parts.append(f"at {fmt_time_s(when)}")
    parts.append(f"&mdash; evidence: <b>{escape_html(grade, missing='unknown')}</b>")
    text = " ".join(parts)
    if present(reason):
        text += f"<br><i>{escape_html(reason)}</i>"
    return text


def card_link(evidence_page: str | None, anchor: Any) -> list[tuple[str, str]]:
    """The popup row that links to an evidence card (``evidence.html#<id>``, opened in the whole window), or none."""
    if not evidence_page or not present(anchor):
        return []
    href = escape_html(f"{evidence_page}#{anchor}")
    return [("Evidence", f'<a href="{href}" target="_top">evidence card, with the source rows</a>')]


def _leg_popup(leg: dict[str, Any], sortie: dict[str, Any] | None, role: str | None, track: _Track, fleet_reg: str | None,
               evidence_page: str | None = None) -> str:
    reg = leg.get("registration")
    if present(reg):
        reg_text = escape_html(reg)
    else:
        reg_text = f"{escape_html(fleet_reg)} (from the scenario's fleet list)" if fleet_reg else "registration unknown"
    callsigns = leg.get("callsigns") if present(leg.get("callsigns")) else leg.get("callsign")
    head = f"<b>{reg_text}</b> &middot; {escape_html(callsigns, missing='no callsign')}"
    aircraft = f"ICAO 24-bit address {escape_html(leg.get('icao24'))}"
    if present(leg.get("typecode")):
        aircraft += f", type {escape_html(leg.get('typecode'))}"
    rows: list[tuple[str, str]] = [
        ("Aircraft", aircraft),
        ("Leg", escape_html(leg.get("leg_id"))),
    ]
    if sortie is not None:
        far = escape_html(sortie.get("far"), missing="the far field")
        what = f"outbound to {far}" if role == "in" else f"return from {far}"
        exact = present(sortie.get("ground_time_s"))
        gt = sortie.get("ground_time_s") if exact else sortie.get("ground_time_min_s")
        gt_text = ("" if exact else "at least ") + fmt_duration(gt) if present(gt) else "unknown"
        grade = escape_html(sortie.get("evidence"), missing="unknown")
        text = f"{escape_html(sortie.get('sortie_id'))} ({what}); evidence at {far}: <b>{grade}</b>; ground time {gt_text}"
        if present(sortie.get("note")):
            text += f"<br><i>{escape_html(sortie.get('note'))}</i>"
        rows.append(("Sortie", text))
    rows += [
        ("First seen", fmt_time_s(leg.get("first_seen"))),
        ("Last seen", fmt_time_s(leg.get("last_seen"))),
        ("Took off from", _end_text(leg, "origin")),
        ("Landed at", _end_text(leg, "destination")),
    ]
    gaps = f"longest {fmt_duration(leg.get('max_gap_s'))}"
    if track.gaps:
        gaps += f"; {len(track.gaps)} drawn dashed"
        if track.located_by == "geometry":
            gaps += " (placed from the track's shape: times of positions not given)"
    rows.append(("Not seen", gaps))
    if present(leg.get("n_points")):
        extra = f"{int(leg['n_points'])} positions"
        if present(leg.get("n_suspect")) and int(leg["n_suspect"]):
            extra += f", {int(leg['n_suspect'])} flagged as suspect and not drawn"
        if present(leg.get("mlat_share")):
            extra += f", {fmt_share(leg['mlat_share'])} MLAT"
        rows.append(("Data", extra))
    if present(leg.get("lineage")):
        rows.append(("Source rows", escape_html(leg.get("lineage"))))
    rows += card_link(evidence_page, leg.get("leg_id"))
    return f'<div class="ft-popup">{head}{_row_html(rows)}</div>'


def _leg_tooltip(leg: dict[str, Any], fleet_reg: str | None) -> str:
    who = leg.get("registration") if present(leg.get("registration")) else (fleet_reg or leg.get("icao24"))
    first: Any = leg.get("first_seen")
    if isinstance(first, pd.Timestamp) and first.tzinfo is not None:
        day = time.strftime("%Y-%m-%d", time.gmtime(first.value // _NS_PER_S))
    else:
        day = pd.Timestamp(first).tz_convert("UTC").strftime("%Y-%m-%d") if present(first) else "\u2014"
    return (
        f"{escape_html(who)} {escape_html(leg.get('callsign'), missing='')} &middot; {day} &middot; "
        f"{escape_html(leg.get('origin'), missing='?')} &rarr; {escape_html(leg.get('destination'), missing='?')}"
    )


def _gap_tooltip(gap: dict[str, Any], located_by: str) -> str:
    if located_by == "times":
        text = (
            f"Not seen for {fmt_duration(gap['seconds'])} ({fmt_time_s(pd.Timestamp(gap['t0'], tz='UTC'))} to "
            f"{fmt_time_s(pd.Timestamp(gap['t1'], tz='UTC'))})"
        )
        if gap.get("suspect"):
            text += f"; {gap['suspect']} positions in between flagged as suspect (spoofed or garbled), not drawn"
    else:
        text = "Coverage gap (placed from the track's shape; the times of the positions were not given)"
    return text + ". The dashed line joins the last and next seen positions: the path flown is unknown."
