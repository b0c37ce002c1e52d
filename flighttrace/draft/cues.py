"""The words that make a sentence a testable claim, per language (regular expressions on the matching text).

Each table maps a role to an English and a Chinese pattern. They are kept
here, apart from the logic in :mod:`flighttrace.draft.claims`, so that a
newsroom can read and extend them.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["CUES", "EVENT_KINDS", "PLACE_ROLES", "cue", "search"]

CUES: Final[dict[str, tuple[str, str]]] = {
    # what a count counts
    "flight_noun": (
        (r"flights?|landings?|sorties|round[- ]trips?|trips|take-?offs?|departures?|arrivals?|rotations?|airlifts?|"
         r"(?:cargo\s+|transport\s+|military\s+)?(?:planes?|aircraft|airlifters?|freighters?|jets?)"),
        r"航班|架次|班次|班机|航次|货机|运输机|飞机|客机|包机|专机|军机",
    ),
    "not_flight_noun": (
        (r"drones?|missiles?|rockets?|people|persons|tanks?|dollars|euros|km|kilomet(?:er|re)s?|met(?:er|re)s?|miles?|tonnes?|tons?|"
         r"years?|months?|weeks?|days?|hours?|minutes?|percent|%|soldiers|civilians|passengers|troops|vehicles|shells|helicopters|square"),
        r"无人机|导弹|火箭|人|名|坦克|美元|日元|欧元|公里|千米|米|吨|%|枚|辆|艘|岁|年|个月|周|天|小时|分钟|倍|轮|炮弹|直升机|旅客|乘客|士兵|平方",
    ),
    "zh_flight_measure": ("", r"架次|班次|航次|趟|班"),
    # direction of a count
    "landing": (
        r"land(?:ed|ing|ings|s)?|arriv(?:ed|al|als|ing)|touched\s+down|flew\s+(?:in)?to|flights?\s+(?:in)?to|bound\s+for|headed\s+(?:to|for)",
        r"降落|着陆|落地|抵达|飞抵|到达|飞往|前往|飞到",
    ),
    "departure": (r"depart(?:ed|ing|ures?)|took\s+off|take-?offs?|left|leaving|flew\s+out", r"起飞|离开|飞离|出发"),
    # interval: "every two days", "每两天一次"
    "interval": (
        (r"(?:once\s+)?every\s+(?P<n>other|\d+|[a-z]+(?:[\s-][a-z]+)?)?\s*(?P<u>day|days|week|weeks|hour|hours|month|months)\b"
         r"|(?P<k>\d+|[a-z]+)\s+(?:(?:cargo\s+|military\s+)?(?:flights?|landings?|sorties|rotations|missions?|times))\s+(?:a|per|each)\s+(?P<u2>day|week|month)\b"
         r"|(?P<k2>once|twice|thrice)\s+(?:a|per|each)\s+(?P<u3>day|week|month)\b"),
        (r"每(?:隔)?(?P<n>\d+|[一二两三四五六七八九十几]+)?个?(?P<u>天|日|周|星期|小时|个月)[^,。;\d一二两三四五六七八九十百千几]{0,12}?(?:[一1]个?)?"
         r"(?:航班|班机|架次|班次|航次|次|班|趟|架)"
         r"|(?P<alt>隔天|隔日)"
         r"|每(?P<u2>天|日|周|星期|个月|月)(?:有|飞|约|大约)?(?P<k>\d+|[一二两三四五六七八九十]+)(?:个航班|次|班|趟|架次|架)"),
    ),
    # ground time: "stayed several hours on the runway", "逗留了几个小时"
    "ground_time": (
        (r"(?:stay(?:ed|s)?|spen[dt]|remain(?:ed|s)?|wait(?:ed|s)?|park(?:ed)?|s[ai]t|linger(?:ed)?)\b[^.;]{0,40}?"
         r"(?P<q>several|a\s+few|a\s+couple\s+of|\d+(?:\s*(?:-|to|–)\s*\d+)?|[a-z]+(?:\s+to\s+[a-z]+)?)?\s*hours?"
         r"|(?P<q2>several|a\s+few|\d+|[a-z]+)?\s*hours?\s+on\s+the\s+(?:ground|runway|tarmac|apron)"),
        r"(?:逗留|停留|待|停|滞留)了?(?:大约|大概|约|近|将近|超过|不到|少于|不足|逾)?(?P<q>几|数|两三|一两|\d+(?:-\d+)?|[一二两三四五六七八九十]+(?:到[一二两三四五六七八九十]+)?)?个?(?:多)?小时",
    ),
    # destinations: "then left for Baku or Ganja", "然后离开前往巴库或加尼贾"
    "destinations": (
        (r"(?:left|leaving|leave|departed|departing|flew(?:\s+(?:on|back|off))?|flying(?:\s+(?:on|back))?|headed|heading|returned|returning|took\s+off|taking\s+off)"
         r"(?:\s+back)?\s+(?:again\s+)?(?:for|to|towards?)\s+"),
        r"(?:离开|飞离|起飞|返航|飞回|返回)(?:后)?[^,。;]{0,6}?(?:前往|飞往|返回|飞回|回到|去往|飞向)?|(?:然后|随后|之后|接着|再|又|后)(?:再)?(?:前往|飞往|飞回|去往|飞向|返回)",
    ),
    "alternatives": (r"\s*(?:,|or|and|,\s*or)\s*", r"\s*(?:或者|或是|或|和|与|、|及)\s*"),
    # disruption
    "closure": (
        (r"(?:clos(?:ed|ing|ure|ures)|shut(?:\s+down)?|suspend(?:ed|ing)|halt(?:ed|ing)|restrict(?:ed|ions?)|"
         r"stopp?(?:ed)?\s+(?:flights|operations|accepting)|ground\s+stop|grounded|no\s+(?:flights|arrivals|departures))"),
        r"关闭|关了|封闭|暂停(?:起降|航班|运营|运行|接收)?|停止(?:起降|运营|运行|接收)|限制(?:起降|航班)?|临时限制|停飞|空域(?:关闭|封闭)",
    ),
    "reopened": (r"reopen(?:ed|ing)?|resum(?:ed|ing)|restrictions?\s+(?:were\s+)?lifted", r"恢复|重新开放|解除"),
    "all_of": (r"\ball\b|\bevery\b|\bboth\b|\beach\b|\b(?:two|three|four|five|\d)\s+(?:\w+\s+)?airports", r"全|所有|[两二三四五六\d]大|各|均|都"),
    "diversion": (r"divert(?:ed|ing|s)?|diversions?|re-?rout(?:ed|ing)|redirect(?:ed)?|alternate\s+(?:airports?|airfields?)",
                  r"备降|改降|转降|返航|被迫降落|转场|改飞"),
    "delay": (r"delay(?:ed|s)?|circl(?:ed|ing)|holding(?:\s+patterns?)?|held\s+in\s+the\s+air|stacked", r"延误|晚点|盘旋|空中等待|等待降落"),
    "airport_word": (r"airports?|airfields?|air\s*bases?|airspace|flights", r"机场|空域|基地|航班"),
    # events of the timeline
    "event": (
        (r"\bwar\b|fighting|fought|clash(?:es|ed)?|conflict|attack(?:s|ed)?|offensive|assault|shell(?:ing|ed)|strikes?|invasion|incursion|"
         r"battle|hostilities|opened\s+fire|exchanged\s+fire|sabotag\w*|provocat\w*|incident|blockade"),
        r"战争|冲突|袭击|进攻|攻击|交火|开火|战斗|空袭|轰炸|打击|入侵|开战|挑衅|封锁|爆发",
    ),
    "event_period": (r"\bduring\s+the\b|\bin\s+the\s+(?:\d{4}\s+)?war\b", r"期间|战争中|冲突中"),
    # stance: whether the sentence asserts what it says (flighttrace.draft.stance); a claim's own cue or number is never read here.
    # "would" with "often", "usually" … tells what used to happen (habit), not what might
    # "not only", "no doubt", 不是…就是 (either … or) negate nothing
    "negation": (r"\bnot\b(?!\s+(?:only|just|merely|least)\b)|n['’]t\b|\bnever\b|\bno\b(?!\s+(?:doubt|wonder)\b)|\bnone\b|\bneither\b|\bnor\b",
                 r"没有|没|(?<!尚)未(?!来|经证)|并未|从未|不曾|并非|不是(?![^,，。;；]{0,12}?(?:就是|便是))"),
    "denial": (
        (r"\bden(?:y|ies|ied|ying|ials?)\b|\brefut\w*|\bdebunk\w*|\bbaseless\b|\buntrue\b|\bfalse(?:ly)?\b|"
         r"\b(?:reject|dismiss)(?:ed|es|s|ing)?\s+(?:the\s+|as\s+)?(?:\w+\s+)?(?:reports?|claims?|allegations?|accounts?)\b"),
        r"否认|驳斥|辟谣|不实|予以否定|纯属捏造",
    ),
    # modals and plans; the words of a condition ("if", 如果) are the role "condition", whose reach is wider
    "hypothetical": (
        (r"\bwere\s+(?:it|they)\s+to\b|\b(?:could|might|may|will|shall|should)\b|\bwould\b(?!\s+(?:often|usually|typically|normally|regularly|routinely|generally|sometimes|always)\b)|\bexpected\s+to\b|\bplan(?:s|ned)?\s+to\b|\bscheduled\s+to\b|"
         r"\bset\s+to\b|\bintend(?:s|ed)?\s+to\b|\blikely\s+to\b"),
        r"可能|或将|或许|也许|将会|计划|预计|打算|拟将",
    ),
    "condition": (r"\bif\b|\bunless\b|\bwhether\b|\bin\s+case\b|\bsuppos(?:e|ing)\b", r"如果|假如|假若|倘若|若是|要是|一旦|是否"),
    "contrast": (r"\bbut\b|\bhowever\b|\bnevertheless\b|\bnonetheless\b", r"但是|但|不过|然而|可是|却"),
    "concession": (r"\balthough\b|\bthough\b|\bwhile\b|\bdespite\b|\beven\s+as\b", r"虽然|尽管|虽"),
}
"""Role → (English pattern, Chinese pattern)."""

EVENT_KINDS: Final[tuple[tuple[str, str, str], ...]] = (
    ("war", r"\bwar\b", r"战争|开战"),
    ("offensive", r"offensive|assault|invasion", r"进攻|入侵"),
    ("attack", r"attack|strike|drone|shell", r"袭击|空袭|轰炸|打击|无人机"),
    ("blockade", r"blockade", r"封锁"),
    ("clash", r"clash|fighting|fought|conflict|fire|battle|hostilities", r"冲突|交火|开火|战斗"),
)
"""The event kind a cue word suggests, first match wins (else ``other``)."""

PLACE_ROLES: Final[dict[str, tuple[str, str]]] = {
    "from": (r"\b(?:from|out\s+of|leaving)\s+(?:the\s+)?(?:airport\s+of\s+)?$", r"(?:从|自|由)$"),
    "to": (
        r"\b(?:to|into|for|towards?|land(?:ed|ing|s)?\s+(?:at|in)|arriv(?:ed|al|als|ing)\s+(?:at|in)|bound\s+for|reach(?:ed)?)\s+(?:the\s+)?$",
        r"(?:降落在|降落于|降落|着陆于|抵达|飞抵|到达|飞往|前往|飞到|返回|飞回|回到|到|至|去往|飞向)$",
    ),
    "at": (r"\b(?:at|in|on)\s+(?:the\s+)?$", r"(?:在|于)$"),
}
"""The role of a place from the words right before it: origin, destination or location."""

_COMPILED: dict[tuple[str, bool], re.Pattern[str]] = {}


def cue(role: str, lang: str) -> re.Pattern[str]:
    """The compiled pattern of a role in a language (``en`` or Chinese)."""
    zh = lang != "en"
    key = (role, zh)
    if key not in _COMPILED:
        pattern = CUES[role][1 if zh else 0]
        _COMPILED[key] = re.compile(pattern or r"(?!x)x", 0 if zh else re.IGNORECASE)
    return _COMPILED[key]


def search(role: str, lang: str, text: str, start: int, end: int) -> re.Match[str] | None:
    """The first match of a role's pattern in ``text[start:end]``."""
    return cue(role, lang).search(text, start, end)


def event_kind(words: str, lang: str) -> str:
    """The event kind for the cue words found (see :data:`EVENT_KINDS`)."""
    for kind, en, zh in EVENT_KINDS:
        if re.search(zh if lang != "en" else en, words, 0 if lang != "en" else re.IGNORECASE):
            return kind
    return "other"


def place_role(text: str, start: int, lang: str) -> str:
    """``from``, ``to``, ``at`` or ``mention``: the role of the place that starts at ``start``."""
    zh = lang != "en"
    before = text[max(0, start - (8 if zh else 40)) : start]
    for role, (en, zh_p) in PLACE_ROLES.items():
        if re.search(zh_p if zh else en, before, 0 if zh else re.IGNORECASE):
            return role
    if zh and re.search(r"从[^,。]{0,4}$", before) is None and re.search(r"(?:降落在|前往|飞往|抵达)[^,。]{0,3}$", before):
        return "to"
    return "mention"
