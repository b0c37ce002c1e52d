"""Aircraft types, operators, outlets and attribution ("who says it") in a sentence.

- Aircraft types: ``Il-76``, ``Ilyushin Il-76``, ``伊尔-76``, ``An-124``,
  ``安-12``, ``Tu-154``, ``图-154``, ``Boeing 747``, ``波音747``, ``C-130``,
  ``运-20`` …, given with their ICAO type designator where the family has
  one (:data:`TYPE_FAMILIES`).
- Operators: a scenario's fleet names and aliases first (``Silk Way`` /
  ``丝绸之路航空``), then any name ending in Airlines / Airways / Air Force /
  Cargo, or in 航空(公司) / 空军.
- Attribution: the cue and who it names: "according to X", "X told AP",
  "X said", "said X", "based on X data", "citing X", "X found / counted /
  reported", and 根据X(的数据|的说法), 据X, X说 / 表示 / 称 / 指出 / 告诉美联社.
  Well-known outlets and data sources get their English name
  (:data:`OUTLETS`), so that 美联社 reads as Associated Press.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["OUTLETS", "TYPE_FAMILIES", "AircraftType", "Attribution", "Operator", "find_attribution", "find_operators", "find_types"]

TYPE_FAMILIES: Final[dict[str, tuple[str, str]]] = {
    "il": ("Ilyushin Il-{n}", "IL{n}"), "伊尔": ("Ilyushin Il-{n}", "IL{n}"),
    "an": ("Antonov An-{n}", "AN{n}"), "安": ("Antonov An-{n}", "AN{n}"),
    "tu": ("Tupolev Tu-{n}", "T{n}"), "图": ("Tupolev Tu-{n}", "T{n}"),
    "c": ("C-{n}", "C{n}"), "运": ("Y-{n}", "Y{n}"),
    "boeing": ("Boeing {n}", ""), "波音": ("Boeing {n}", ""),
    "airbus": ("Airbus {n}", ""), "空客": ("Airbus {n}", ""),
}
"""Type families: the name written, and the ICAO designator pattern (``IL76``); '' where it depends on the variant."""

_ICAO_EXCEPTIONS: Final = {"AN124": "A124", "AN225": "A225", "AN22": "AN22", "C17": "C17", "C130": "C130", "T214": "T204"}

OUTLETS: Final[dict[str, tuple[str, ...]]] = {
    "Associated Press": ("Associated Press", "AP", "美联社", "美聯社"),
    "Reuters": ("Reuters", "路透社", "路透"),
    "AFP": ("AFP", "Agence France-Presse", "法新社"),
    "TASS": ("TASS", "塔斯社"),
    "RIA Novosti": ("RIA Novosti", "RIA", "俄新社"),
    "Interfax": ("Interfax", "国际文传电讯社"),
    "Sputnik": ("Sputnik", "Russian Satellite News Agency", "卫星通讯社", "俄罗斯卫星通讯社"),
    "Xinhua": ("Xinhua", "新华社"),
    "BBC": ("BBC", "英国广播公司"),
    "CNN": ("CNN",),
    "Haaretz": ("Haaretz", "哈阿雷兹报", "国土报", "哈雷兹报"),
    "The Times of Israel": ("Times of Israel", "以色列时报"),
    "Al Jazeera": ("Al Jazeera", "半岛电视台"),
    "The New York Times": ("New York Times", "纽约时报"),
    "The Wall Street Journal": ("Wall Street Journal", "华尔街日报"),
    "Flightradar24": ("Flightradar24", "FlightRadar24.com", "FR24"),
    "ADS-B Exchange": ("ADS-B Exchange", "ADSBexchange"),
    "OpenSky Network": ("OpenSky",),
    "SIPRI": ("SIPRI", "Stockholm International Peace Research Institute", "斯德哥尔摩国际和平研究所"),
}
"""Outlets and data sources by their English name, with the names articles use (any language)."""

_EN_OPERATOR: Final = re.compile(
    r"\b(?P<n>(?:[A-Z][A-Za-z'&.-]*\s+){0,3}(?:Airlines|Airways|Air\s+Lines|Air\s+Force|Aviation|Cargo|Air\s+Cargo))\b"
)
_ZH_OPERATOR: Final = re.compile(r"(?P<n>[\u4e00-\u9fffA-Za-z]{2,12}?(?:航空公司|货运航空|航空|空军))(?!跟踪|航天|工业|管理|安全|器|母舰|港|运输|网站)")
_ZH_OPERATOR_CUT: Final = "的了架有在从是和与及由被将对向为其这那些个据"


@dataclasses.dataclass(frozen=True)
class AircraftType:
    """An aircraft type named in the text: ``name`` (normalised), ``icao`` designator or '', and the span."""

    name: str
    icao: str
    span: tuple[int, int]


@dataclasses.dataclass(frozen=True)
class Operator:
    """An operator named in the text; ``selector`` is the scenario fleet selector it matched, if any."""

    name: str
    span: tuple[int, int]
    selector: str = ""


@dataclasses.dataclass(frozen=True)
class Attribution:
    """Who says it: the ``cue`` word(s), ``who`` as written (short), ``outlet`` when a known one is named."""

    cue: str
    who: str
    span: tuple[int, int]
    outlet: str = ""
    data: str = ""


_TYPE_RE: Final = re.compile(
    r"(?:Ilyushin\s+|Antonov\s+|Tupolev\s+)?(?P<f>Il|IL|An|AN|Tu|TU|C|伊尔|安|图|运)(?:\s?-\s?|(?<=[伊尔安图])(?=\d))(?P<n>\d{1,3})(?P<v>[A-Z]{0,3}(?:-\d+[A-Z]*)?)"
    r"|(?P<f2>Boeing|波音|Airbus|空客)\s?(?P<n2>A?\d{3})(?:-?\d{1,3}[A-Z]{0,2}|\s?MAX(?:\s?\d{1,2})?|[A-Z]{1,2}\b)?"
    r"|(?<![\w.,-])(?P<n3>7[0-8]7|A3[0-8]0)(?=(?:-\d{1,3}[A-Z]{0,2}|\s?MAX|F|s)?\s*(?:MAX|freighters?|jets?|jetliners?|airliners?|aircraft|planes?|"
    r"cargo|货机|客机|飞机|\b-|s\b))"
)
"""Type names: a family and its model number (``Il-76``, ``伊尔76``, ``Boeing 747-400``, ``737 MAX``), or a bare
Boeing / Airbus model number followed by an aircraft word (``747 freighters``). The model number is never a count."""


def find_types(text: str, start: int, end: int) -> list[AircraftType]:
    """Aircraft types in ``text[start:end]`` (the matching text)."""
    out: list[AircraftType] = []
    for m in _TYPE_RE.finditer(text, start, end):
        fam = (m.group("f") or m.group("f2") or "").lower()
        num = m.group("n") or m.group("n2") or m.group("n3") or ""
        if m.group("n3"):
            fam = "boeing" if num.startswith("7") else "airbus"
            num = num if num.startswith("7") else "A" + num.lstrip("Aa")
        if fam == "c" and len(num) < 2:
            continue
        if fam == "an" and text[max(0, m.start() - 1) : m.start()].isalpha():
            continue
        name_pat, icao_pat = TYPE_FAMILIES[fam]
        icao = icao_pat.format(n=num) if icao_pat else ""
        icao = _ICAO_EXCEPTIONS.get(icao, icao)
        out.append(AircraftType(name_pat.format(n=num), icao, (m.start(), m.end())))
    return out


def _selector_names(scenario: Any | None) -> dict[str, str]:
    """Name or alias (lower-case) → selector id, from a scenario's fleet."""
    if scenario is None:
        return {}
    names: dict[str, str] = {}
    for sel in scenario.fleet.selectors:
        for n in (*getattr(sel, "aliases", ()), sel.name):
            if n:
                names.setdefault(n.lower(), sel.id)
    for ac in scenario.fleet.aircraft:
        if ac.operator:
            for sel in scenario.fleet.selectors:
                if sel.role == "subject" and (ac.hex in sel.hexes or ac.registration.upper() in sel.registrations):
                    names.setdefault(ac.operator.lower(), sel.id)
                    break
    return names


def find_operators(text: str, start: int, end: int, scenario: Any | None = None) -> list[Operator]:
    """Operators in ``text[start:end]``: the scenario's fleet names first, then name patterns."""
    out: list[Operator] = []
    low = text.lower()
    names = _selector_names(scenario)
    for name in sorted(names, key=len, reverse=True):
        i = low.find(name, start, end)
        while i >= 0:
            span = (i, i + len(name))
            if not any(a < span[1] and span[0] < b for a, b in (o.span for o in out)):
                out.append(Operator(text[span[0] : span[1]], span, names[name]))
            i = low.find(name, span[1], end)
    for m in _EN_OPERATOR.finditer(text, start, end):
        span = (m.start("n"), m.end("n"))
        if not any(a < span[1] and span[0] < b for a, b in (o.span for o in out)):
            out.append(Operator(m.group("n"), span))
    for m in _ZH_OPERATOR.finditer(text, start, end):
        name = m.group("n")
        cut = max((name.rfind(ch) for ch in _ZH_OPERATOR_CUT), default=-1)
        name = name[cut + 1 :]
        span = (m.end("n") - len(name), m.end("n"))
        if len(name) >= 4 and not any(a < span[1] and span[0] < b for a, b in (o.span for o in out)):
            out.append(Operator(name, span))
    return sorted(out, key=lambda o: o.span)


def outlet_of(who: str) -> str:
    """The English name of a known outlet or data source named in ``who``, or ''."""
    low = who.lower()
    for outlet, names in OUTLETS.items():
        for n in names:
            if n.isascii() and len(n) <= 4:
                if re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", who):
                    return outlet
            elif n.lower() in low:
                return outlet
    return ""


_EN_ROLE: Final = (r"(?:[Tt]he|[Aa]n?|[Oo]ne|[Tt]wo|[Ss]everal)\s+(?:[A-Za-z-]+\s+){0,3}?(?:spokes(?:man|woman|person|people)|officials?|officers?|sources?|analysts?|"
                   r"experts?|diplomats?|commanders?|pilots?|controllers?|employees?|workers?|witness(?:es)?|residents?|representatives?|"
                   r"engineers?|reporters?|journalists?|observers?|investigators?|researchers?|ministers?|spotters?)")
"""A speaker named by role, not by name: "a base spokesman", "two airport officials"."""
_EN_WHO: Final = r"(?P<who>\b(?:the\s+)?(?:" + _EN_ROLE + r"|[A-Z][\w'’.-]*|an?\s+[a-z]+|officials?|experts?|diplomats?|analysts?|sources?)(?:[\s,]+(?:[A-Z][\w'’.-]*|of|the|for|to|in|[a-z]+(?=\s+[A-Z]))){0,8})"
_EN_PATTERNS: Final = (
    ("according to", re.compile(r"\baccording\s+to\s+(?P<who>[^,;.]{3,80})", re.IGNORECASE)),
    ("based on", re.compile(r"\b(?:based\s+on|citing|per)\s+(?P<who>[^,;.]{3,80}?)(?:\s+data|\s+figures|[,;.]|$)", re.IGNORECASE)),
    ("told", re.compile(r"(?P<who>\b(?:(?:the|an?|one)\s+)?(?:[A-Za-z][\w'’.-]*\s+){0,3}?[A-Za-z][\w'’.-]*)\s+told\s+"
                        r"(?P<to>[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}|(?:the\s+|this\s+|local\s+)?(?:reporters|journalists|press|media|newspaper|news\s+agency))")),
    ("said", re.compile(r"[,”\"]\s*(?:said|says|told\s+\w+)\s+" + _EN_WHO)),
    ("said", re.compile(_EN_WHO + r"\s+(?:said|says|reported|found|counted|determined|estimated|stated|claimed|announced|noted|wrote)\b")),
    ("data show", re.compile(r"(?:(?P<who>\b(?:[A-Z][\w'’.-]*\s+){0,3}?[A-Za-z][\w'’.-]*)\s+(?:data|records|figures|logs)"
                             r"|(?:data|records|figures|logs)\s+(?:from|of|by)\s+(?P<who2>(?:[A-Z][\w'’.-]*\s*){1,4}?))\s+"
                             r"(?:show|shows|showed|suggest|suggested|indicate|indicated)\b")),
)
_ZH_PATTERNS: Final = (
    ("根据", re.compile(r"(?:根据|依据|按照)(?P<who>[^,，。;；]{2,40}?)(?:的)?(?:数据|资料|统计|说法|报道|报导|消息|分析|记录)")),
    ("据", re.compile(r"(?<![根依证数])据(?P<who>[^,，。;；据]{2,30}?)(?:的)?(?:报道|报导|称|说|透露|统计|消息|显示|数据|资料|记录)")),
    ("告诉", re.compile(r"(?P<who>[^,，。“”;；]{2,30}?)告诉(?P<to>[^,，。“”;；]{2,8}?)(?:[,，。]|$)")),
    ("说", re.compile(r"(?P<who>[^,，。“”;；]{1,45}?)(?:补充|接着|还|又|也|则|曾|对此)?(?<![来所听再么])"
                     r"(?:说|表示|称|指出|透露|报道|宣布|估计|确定|发现|统计)(?:[,，。:：]|$)")),
)


def find_attribution(text: str, start: int, end: int) -> list[Attribution]:
    """Who a sentence credits, in text order (none when it credits no one).

    Parameters
    ----------
    text
        The matching text.
    start, end
        The sentence.
    """
    out: list[Attribution] = []
    zh = bool(re.search(r"[\u4e00-\u9fff]", text[start:end]))
    for cue, rx in _ZH_PATTERNS if zh else _EN_PATTERNS:
        for m in rx.finditer(text, start, end):
            who = (m.group("who") or m.groupdict().get("who2") or "").strip(" ,“”\"'")
            if zh:
                who = re.sub(r"^(?:而|但|并|和|且|其中|此外|同时)", "", who)
                head = re.split(r"根据|依据|(?<![证数])据", who)[0]
                who = head if len(head) >= 2 else who
            if (len(who) < 2 or who.lower() in ("it", "he", "she", "they", "this", "which")) and not (zh and who in ("他", "她", "它")):
                continue
            to = m.groupdict().get("to") or ""
            data = "flight-tracking data" if re.search(r"flight[- ]?track|飞行跟踪|航空跟踪|航班跟踪|跟踪网站|ADS-B|Flightradar", who + text[m.end() : m.end() + 20], re.IGNORECASE) else ""
            span = (m.start(), m.end())
            if any(a <= span[0] < b for a, b in (x.span for x in out)):
                continue
            outlet = outlet_of(who) or outlet_of(to)
            out.append(Attribution(cue if cue != "告诉" else f"告诉{to}", who[:60], span, outlet, data))
    return sorted(out, key=lambda a: a.span)


def selector_for(operators: list[Operator], types: list[AircraftType], scenario: Any | None) -> str:
    """The scenario selector a sentence's operator (or, failing that, its type) points at, or ''."""
    for op in operators:
        if op.selector:
            return op.selector
    if scenario is None or not types:
        return ""
    icaos = {t.icao for t in types if t.icao}
    subject = [s for s in scenario.fleet.selectors if s.role == "subject" and icaos & set(s.typecodes)]
    return subject[0].id if len(subject) == 1 else ""


def fleet_hint(operators: list[Operator], types: list[AircraftType]) -> dict[str, Any]:
    """What the sentence says of the aircraft: operator names and types (ICAO designators where known)."""
    hint: dict[str, Any] = {}
    if operators:
        hint["operators"] = sorted({o.name for o in operators})
    if types:
        hint["types"] = sorted({t.name for t in types})
        codes = sorted({t.icao for t in types if t.icao})
        if codes:
            hint["typecodes"] = codes
    return hint


def outlets_in(mapping: Mapping[str, tuple[str, ...]] = OUTLETS) -> list[str]:
    """The outlet names (for documentation and tests)."""
    return sorted(mapping)
