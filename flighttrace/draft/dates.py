"""Dates and periods in the article's own forms, resolved to calendar days.

Forms read (matching text, so full-width digits are ASCII):

- Chinese: ``2023年9月1日``, ``9月1日``, ``9月``, ``2016年``, ``9月1日至9月17日``,
  ``9月1日至17日``, ``9月1-17日``, ``2016至2020年``, ``2016-2020年``,
  ``1到2月份``, ``9月初`` / ``上旬`` / ``中旬`` / ``下旬`` / ``底``, ``3月中下旬``,
  ``今年3月``, ``去年``, ``上个月``, and a time of day after a date
  (``3月14日深夜``);
- English: ``September 27, 2020``, ``27 September 2020``, ``Sept. 27``,
  ``September 2023``, ``in September``, ``in 2016``, ``between 1 and 17
  September``, ``from July 12 to 16, 2020``, ``1–17 September``,
  ``2016–2020``, ``since 2016`` (open: to the article's date), ``early March
  2023``, ``mid-September``, ``the end of 1991``, ``this year``, ``last month``.

A date written without its year takes the year of the article's date, one
year earlier when that would put it after the article (news tells the past);
such a date is marked ``year: article``. Without an article date the year is
guessed from the latest year the text names and marked ``year: guessed``. In a
range, a year or month written on one end is carried to the other (``9月1日至
17日``, ``between 1 and 17 September 2023``), marked ``year: text``.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from typing import Final

from flighttrace.draft.numbers import chinese_number

__all__ = ["DateContext", "DateMention", "find_article_date", "find_dates", "guess_year"]

MONTH_PARTS: Final[dict[str, tuple[int, int | None]]] = {
    "early": (1, 10), "beginning": (1, 10), "start": (1, 10), "mid": (11, 20), "middle": (11, 20),
    "late": (21, None), "end": (21, None), "mid-late": (11, None), "early-mid": (1, 20),
}
"""Days of the month a part stands for: early (1–10), mid (11–20), late (21–end)."""

YEAR_PARTS: Final[dict[str, tuple[int, int]]] = {"early": (1, 4), "beginning": (1, 3), "start": (1, 3), "mid": (5, 8), "middle": (5, 8),
                                                 "late": (9, 12), "end": (10, 12)}
"""Months of a year a part stands for (``the end of 1991`` → October–December)."""

_ZH_PARTS: Final = {"初": "early", "上旬": "early", "中旬": "mid", "下旬": "late", "底": "end", "末": "end", "中下旬": "mid-late",
                    "上中旬": "early-mid", "中": "mid"}
_ZH_TIMES: Final = {"深夜": "late night", "凌晨": "small hours", "清晨": "early morning", "早上": "morning", "上午": "morning", "中午": "noon",
                    "下午": "afternoon", "傍晚": "evening", "晚上": "evening", "晚间": "evening", "夜间": "night", "夜里": "night", "晚": "evening"}
_MONTHS: Final = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE: Final = r"(?:" + "|".join(sorted((m.capitalize() for m in _MONTHS), key=len, reverse=True)) + r")\.?"
_DAY_RE: Final = r"\d{1,2}(?:st|nd|rd|th)?(?!\d)"
_YEAR_RE: Final = r"(?:1[89]|20)\d\d"
_ZH_NUM: Final = r"\d{1,2}|[一二三四五六七八九十]{1,3}"

_EN_ATOM: Final = re.compile(
    rf"(?P<part>(?:the\s+)?(?:early|mid|late|end\s+of|beginning\s+of|start\s+of|middle\s+of)[\s-]+)?"
    rf"(?:(?P<m1>{_MONTH_RE})\s+(?P<d1>{_DAY_RE})(?:,?\s+(?P<y1>{_YEAR_RE}))?"
    rf"|(?P<d2>{_DAY_RE})\s+(?:of\s+)?(?P<m2>{_MONTH_RE})(?:,?\s+(?P<y2>{_YEAR_RE}))?"
    rf"|(?P<m3>{_MONTH_RE})(?:,?\s+(?P<y3>{_YEAR_RE}))?"
    rf"|(?P<y4>(?<![\d,.])(?:{_YEAR_RE})(?!\d|,\d|\s*(?:flights|landings|people|km|kilometres|metres|tons)))"
    rf")(?![A-Za-z])",
)
_EN_CUE_BEFORE: Final = re.compile(
    r"(?:\b(?:in|on|since|from|until|till|through|to|between|and|of|by|during|before|after|early|late|mid|this|last|next|"
    r"end|beginning|start|middle)|[-–,(])\s*$", re.IGNORECASE)
_EN_BARE_DAY: Final = re.compile(rf"(?P<d>{_DAY_RE})")
_ZH_ATOM: Final = re.compile(
    rf"(?P<rel>今年|去年|前年|明年)?"
    rf"(?:(?P<y>\d{{4}})\s*年(?:度)?)?"
    rf"(?:(?P<m>{_ZH_NUM})\s*月份?)?"
    rf"(?:(?P<d>{_ZH_NUM})\s*[日号])?"
    rf"(?P<part>中下旬|上中旬|初|上旬|中旬|下旬|底|末)?"
    rf"(?P<tod>深夜|凌晨|清晨|早上|上午|中午|下午|傍晚|晚上|晚间|夜间|夜里)?"
)
_ZH_BARE_YEAR: Final = re.compile(r"(?<!\d)(?P<y>(?:1[89]|20)\d\d)(?=\s*(?:-|至|到|~|—|－)\s*(?:1[89]|20)\d\d\s*年)")
_ZH_BARE_NUM: Final = re.compile(rf"(?<![\d月])(?P<n>{_ZH_NUM})(?=\s*(?:-|至|到|~)\s*(?:{_ZH_NUM})\s*(?P<unit>月|日|号))")
_ZH_RANGE_SEP: Final = re.compile(r"^\s*(?:-|至|到|~|—|－|和|与|及)\s*$")
_EN_RANGE_SEP: Final = re.compile(r"^\s*(?:-|–|—|to|until|till|through|and|thru)\s*$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class DateContext:
    """What year-less dates are resolved against.

    Attributes
    ----------
    ref
        The article's date (or the end of the guessed year).
    source
        ``article`` (from the text, the HTML metadata or ``--date``) or ``guessed``.
    """

    ref: dt.date
    source: str = "article"


@dataclasses.dataclass(frozen=True)
class DateMention:
    """A date or a period named in the text, resolved.

    Attributes
    ----------
    start, end
        First and last day (both included).
    span
        ``(start, end)`` offsets of the words in the text.
    granularity
        ``day``, ``part`` (part of a month or year), ``month`` or ``year``.
    year
        Where the year came from: ``text``, ``article`` or ``guessed``.
    is_range
        Two ends were written (``1 and 17 September``), or ``since``.
    open_end
        ``since X``: the end is the article's date.
    time_of_day
        ``late night``, ``afternoon`` … when the text says (Chinese forms).
    """

    start: dt.date
    end: dt.date
    span: tuple[int, int]
    granularity: str
    year: str
    is_range: bool = False
    open_end: bool = False
    time_of_day: str = ""


@dataclasses.dataclass
class _Atom:
    a: int
    b: int
    y: int | None = None
    m: int | None = None
    d: int | None = None
    part: str = ""
    year_src: str = "text"
    tod: str = ""
    rel_year: int | None = None  # 0 this year, -1 last year …
    rel_month: int | None = None

    def empty(self) -> bool:
        return self.y is None and self.m is None and self.d is None and self.rel_year is None and self.rel_month is None


def _zh_int(s: str | None) -> int | None:
    if s is None:
        return None
    return int(s) if s.isdigit() else chinese_number(s)


def _en_atoms(text: str, lo: int, hi: int) -> list[_Atom]:
    out: list[_Atom] = []
    for m in _EN_ATOM.finditer(text, lo, hi):
        g = m.groupdict()
        month = g["m1"] or g["m2"] or g["m3"]
        day = g["d1"] or g["d2"]
        year = g["y1"] or g["y2"] or g["y3"] or g["y4"]
        before = text[max(lo, m.start() - 14) : m.start()]
        if g["y4"] and not g["part"] and not _EN_CUE_BEFORE.search(before) and not re.match(r"\s*(?:-|–|to)\s*\d{4}", text[m.end() : m.end() + 8]):
            continue
        if g["m3"] and not g["y3"] and not g["part"]:
            word = g["m3"].rstrip(".")
            if word.lower() in ("may", "march") and not _EN_CUE_BEFORE.search(before):
                continue
            if len(word) <= 3 and word.lower() != "may" and not _EN_CUE_BEFORE.search(before):
                continue
        part = ""
        if g["part"]:
            p = re.sub(r"^the\s+|\s+of$|[\s-]+$", "", g["part"].lower()).strip()
            part = p.replace(" of", "")
        out.append(_Atom(m.start(), m.end(), int(year) if year else None, _MONTHS[month.rstrip(".").lower()] if month else None,
                         int(re.match(r"\d+", day).group()) if day else None, part))  # type: ignore[union-attr]
    for m in re.finditer(r"\b(this|last|next)\s+(year|month)\b", text[lo:hi], re.IGNORECASE):
        step = {"this": 0, "last": -1, "next": 1}[m.group(1).lower()]
        at = _Atom(lo + m.start(), lo + m.end(), year_src="article")
        if m.group(2).lower() == "year":
            at.rel_year = step
        else:
            at.rel_month = step
        out.append(at)
    return sorted(out, key=lambda a: a.a)


def _zh_atoms(text: str, lo: int, hi: int) -> list[_Atom]:
    out: list[_Atom] = []
    for m in _ZH_ATOM.finditer(text, lo, hi):
        if m.end() == m.start():
            continue
        g = m.groupdict()
        if not (g["y"] or g["m"] or g["d"] or g["rel"]):
            continue
        if g["d"] and not g["m"] and not g["y"] and text[m.start() - 1 : m.start()] not in ("至", "到", "-", "~", "—", "和", "与"):
            continue  # a bare "17日" only as the end of a range
        at = _Atom(m.start(), m.end(), int(g["y"]) if g["y"] else None, _zh_int(g["m"]), _zh_int(g["d"]),
                   _ZH_PARTS.get(g["part"] or "", ""), tod=_ZH_TIMES.get(g["tod"] or "", ""))
        if g["rel"] and at.y is None:
            at.rel_year = {"今年": 0, "去年": -1, "前年": -2, "明年": 1}[g["rel"]]
            at.year_src = "article"
        if at.m is not None and not 1 <= at.m <= 12:
            continue
        out.append(at)
    for m in re.finditer(r"上个?月|本月|这个月|当月", text[lo:hi]):
        out.append(_Atom(lo + m.start(), lo + m.end(), rel_month=-1 if m.group().startswith("上") else 0, year_src="article"))
    for m in _ZH_BARE_YEAR.finditer(text, lo, hi):
        out.append(_Atom(m.start(), m.end(), y=int(m.group("y"))))
    for m in _ZH_BARE_NUM.finditer(text, lo, hi):
        n = _zh_int(m.group("n"))
        if n is None:
            continue
        out.append(_Atom(m.start(), m.end(), m=n) if m.group("unit") == "月" else _Atom(m.start(), m.end(), d=n))
    out.sort(key=lambda a: (a.a, -a.b))
    kept: list[_Atom] = []
    for at in out:  # drop atoms inside others
        if kept and at.a < kept[-1].b:
            continue
        kept.append(at)
    return kept


def _resolve_year(at: _Atom, ctx: DateContext | None) -> tuple[int, str] | None:
    if at.y is not None:
        return at.y, at.year_src
    if ctx is None:
        return None
    if at.rel_year is not None:
        return ctx.ref.year + at.rel_year, ctx.source
    year = ctx.ref.year
    if at.m is not None and ctx.source == "article":
        first = dt.date(year, at.m, min(at.d or 1, calendar.monthrange(year, at.m)[1]))
        if first > ctx.ref:
            year -= 1
    return year, ctx.source


def _bounds(at: _Atom, ctx: DateContext | None) -> tuple[dt.date, dt.date, str, str] | None:
    """(first day, last day, granularity, year source) of one atom."""
    if at.rel_month is not None:
        if ctx is None:
            return None
        y, mo = ctx.ref.year, ctx.ref.month + at.rel_month
        while mo < 1:
            y, mo = y - 1, mo + 12
        return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), "month", ctx.source
    ys = _resolve_year(at, ctx)
    if ys is None:
        return None
    year, src = ys
    try:
        if at.m is None:
            if at.part in YEAR_PARTS:
                m0, m1 = YEAR_PARTS[at.part]
                return dt.date(year, m0, 1), dt.date(year, m1, calendar.monthrange(year, m1)[1]), "part", src
            return dt.date(year, 1, 1), dt.date(year, 12, 31), "year", src
        last = calendar.monthrange(year, at.m)[1]
        if at.d is not None:
            day = dt.date(year, at.m, at.d)
            return day, day, "day", src
        if at.part in MONTH_PARTS:
            d0, d1 = MONTH_PARTS[at.part]
            return dt.date(year, at.m, d0), dt.date(year, at.m, d1 or last), "part", src
        return dt.date(year, at.m, 1), dt.date(year, at.m, last), "month", src
    except ValueError:
        return None


def _joined(text: str, left: _Atom, right: _Atom, lang: str) -> bool:
    between = text[left.b : right.a]
    return bool((_ZH_RANGE_SEP if lang != "en" else _EN_RANGE_SEP).match(between))


def _fill(left: _Atom, right: _Atom) -> None:
    """Carry month and year across the two ends of a range."""
    if left.m is None and right.m is not None and left.d is not None:
        left.m = right.m
    if right.m is None and left.m is not None and right.d is not None:
        right.m = left.m
    if left.y is None and right.y is not None and left.rel_year is None:
        left.y = right.y
    if right.y is None and left.y is not None and right.rel_year is None:
        right.y = left.y
    if left.rel_year is not None and right.y is None and right.rel_year is None:
        right.rel_year, right.year_src = left.rel_year, left.year_src


def _add_bare_days(text: str, atoms: list[_Atom], lo: int, hi: int) -> list[_Atom]:
    """English: the bare day of ``between 1 and 17 September`` / ``July 12 and 13``."""
    extra: list[_Atom] = []
    for at in atoms:
        if at.m is None:
            continue
        if at.d is not None or at.y is None:
            m = re.search(r"(?:between|from)?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?\s*(?:-|–|—|and|to|until|through)\s*$", text[max(lo, at.a - 24) : at.a])
            if m and at.d is not None and m.group("d"):
                a = max(lo, at.a - 24) + m.start("d")
                extra.append(_Atom(a, a + len(m.group("d")), d=int(m.group("d"))))
        if at.d is not None and at.y is None:
            m = re.match(r"\s*(?:-|–|—|and|to|until|through)\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d|\s*(?:" + _MONTH_RE + "))"
                         rf"(?:,?\s+(?P<y>{_YEAR_RE})(?!\d))?", text[at.b : min(hi, at.b + 24)])
            if m:
                b0 = at.b + m.start("d")
                extra.append(_Atom(b0, at.b + m.end(), d=int(m.group("d")), y=int(m.group("y")) if m.group("y") else None))
    taken = [(a.a, a.b) for a in atoms]
    extra = [e for e in extra if not any(x <= e.a < y for x, y in taken)]
    covered = [(e.a, e.b) for e in extra]
    atoms = [a for a in atoms if not any(x <= a.a and a.b <= y for x, y in covered)]
    return sorted([*atoms, *extra], key=lambda a: a.a)


def _merge_years(text: str, atoms: list[_Atom]) -> list[_Atom]:
    """A year alone right before a month (``今年1到2月``, ``2023年 9月``) gives that month its year."""
    out: list[_Atom] = []
    for at in atoms:
        prev = out[-1] if out else None
        if (prev is not None and prev.m is None and prev.d is None and (prev.y is not None or prev.rel_year is not None)
                and not text[prev.b : at.a].strip() and at.y is None and at.rel_year is None and at.m is not None):
            at.a, at.y, at.rel_year, at.year_src = prev.a, prev.y, prev.rel_year, prev.year_src
            out[-1] = at
            continue
        out.append(at)
    return out


def find_dates(text: str, lang: str, ctx: DateContext | None, start: int = 0, end: int | None = None) -> list[DateMention]:
    """The dates and periods named in ``text[start:end]``, resolved.

    Parameters
    ----------
    text
        The matching text (see :func:`flighttrace.draft.lang.matching_text`).
    lang
        ``en``, ``zh-Hans`` or ``zh-Hant``.
    ctx
        What year-less dates resolve against; None leaves them out.
    start, end
        The part to look in (a sentence).

    Returns
    -------
    list of DateMention
        In text order.
    """
    end = len(text) if end is None else end
    atoms = _en_atoms(text, start, end) if lang == "en" else _zh_atoms(text, start, end)
    if lang == "en":
        atoms = _add_bare_days(text, atoms, start, end)
    atoms = _merge_years(text, atoms)
    out: list[DateMention] = []
    i = 0
    while i < len(atoms):
        left = atoms[i]
        right = atoms[i + 1] if i + 1 < len(atoms) and _joined(text, left, atoms[i + 1], lang) else None
        if right is not None and lang == "en" and text[left.b : right.a].strip().lower() == "and":
            # "and" joins a range only after "between", or two days of one month ("July 12 and 13")
            before = text[max(start, left.a - 10) : left.a].lower()
            two_days = left.d is not None and right.d is not None and right.m in (None, left.m)
            two_months = left.d is None and right.d is None and left.m is not None and right.m is not None and left.y is None and right.y is not None
            if "between" not in before and not two_days and not two_months:
                right = None
        if right is not None:
            _fill(left, right)
            lb, rb = _bounds(left, ctx), _bounds(right, ctx)
            if lb is not None and rb is not None and lb[0] <= rb[1]:
                src = lb[3] if lb[3] != "text" else rb[3]
                gran = lb[2] if lb[2] == rb[2] else "part"
                out.append(DateMention(lb[0], rb[1], (left.a, right.b), gran, src, is_range=True, time_of_day=right.tod or left.tod))
                i += 2
                continue
        if left.d is not None and left.m is None:
            i += 1
            continue
        if left.y is None and out and re.match(r"\s*of\s+the\s+same\s+year", text[left.b : left.b + 20], re.IGNORECASE) or left.y is None and out and text[max(start, left.a - 2) : left.a] == "同年":
            left.y = out[-1].end.year
        b = _bounds(left, ctx)
        if b is not None:
            out.append(DateMention(b[0], b[1], (left.a, left.b), b[2], b[3], time_of_day=left.tod))
        i += 1
    return _open_ranges(text, out, lang, ctx)


def _open_ranges(text: str, found: list[DateMention], lang: str, ctx: DateContext | None) -> list[DateMention]:
    """``since 2016`` / ``自2016年以来``: to the article's date, or to a ``to …`` date that follows."""
    out: list[DateMention] = []
    skip = set()
    for k, dm in enumerate(found):
        if k in skip:
            continue
        a, b = dm.span
        since = (re.search(r"\b(?:since|starting\s+in|from)\s+$", text[max(0, a - 14) : a], re.IGNORECASE) if lang == "en"
                 else re.search(r"(?:自从|自|从)\s*$", text[max(0, a - 3) : a]) and re.match(r"\s*(?:以来|起|开始)", text[b : b + 4]))
        if since and not dm.is_range:
            nxt = found[k + 1] if k + 1 < len(found) else None
            to_next = nxt is not None and re.fullmatch(r"\s*,?\s*(?:to|until|till|through|up\s+to|至|到)\s*", text[b : nxt.span[0]], re.IGNORECASE)
            if to_next and nxt is not None:
                out.append(DateMention(dm.start, nxt.end, (a, nxt.span[1]), "part", dm.year if dm.year != "text" else nxt.year, is_range=True))
                skip.add(k + 1)
                continue
            if ctx is not None and ctx.ref >= dm.start:
                out.append(dataclasses.replace(dm, end=ctx.ref, is_range=True, open_end=True, year=dm.year if dm.year != "text" else "text"))
                continue
        out.append(dm)
    return out


def guess_year(text: str, lang: str = "en") -> int | None:
    """The latest year the text names in a date (else any four-digit year 1900–2099 in it), or None."""
    written = [d.end.year for d in find_dates(text, lang, None) if d.year == "text"]
    if written:
        return max(written)
    years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", text)]
    return max(years) if years else None


def find_article_date(text: str, lang: str, *, meta_date: str = "") -> dt.date | None:
    """The article's own date: from the HTML metadata, else a dateline near the top.

    A dateline is a line of at most 60 characters among the first three
    non-empty lines that holds a full date (``November 25, 2020``,
    ``2023年10月5日``, ``2023-10-05``), or a date after a cue such as
    ``Published`` / ``发布时间`` in the first or last 400 characters. Parsed by
    ``dateparser``.

    Returns
    -------
    datetime.date or None
    """
    import dateparser

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
    langs = ["en", "zh"]
    if meta_date:
        got = dateparser.parse(meta_date, languages=langs, settings=settings)
        if got is not None:
            return got.date()
    candidates: list[str] = []
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:3]
    candidates += [ln for ln in lines if len(ln) <= 60]
    for chunk in (text[:400], text[-400:]):
        for m in re.finditer(r"(?:Published|Updated|Posted|Date|发布时间|发布于|发表于|日期|时间)\s*[:：]?\s*([^\n]{6,40})", chunk, re.IGNORECASE):
            candidates.append(m.group(1))
    for cand in candidates:
        found = re.search(rf"{_MONTH_RE}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH_RE}\s+\d{{4}}|\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|\d{{4}}-\d{{2}}-\d{{2}}",
                          cand, re.IGNORECASE)
        if found:
            got = dateparser.parse(found.group(), languages=langs, settings=settings)
            if got is not None:
                return got.date()
    return None
