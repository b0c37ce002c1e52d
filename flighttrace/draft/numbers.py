"""Numbers in an article, with their qualifier: "at least 6", "至少有6架", "92", "nearly 100".

Arabic numerals (``1,024``, ``6``), English number words (``six``,
``twenty-two``, ``a dozen``) and Chinese numerals (``六``, ``九十二``,
``两``, ``二十余``; converted by ``cn2an``) are found in the matching text
(see :func:`flighttrace.draft.lang.matching_text`). Chinese numerals are only
taken before a measure word (``架``, ``次``, ``天`` …) or after a word that
asks for a number (``每``, ``至少`` …), so that ``一些`` or ``统一`` are not
read as numbers.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

__all__ = ["QUALIFIERS", "Quantity", "chinese_number", "find_quantities", "word_number"]

QUALIFIERS: Final = ("exact", "at_least", "more_than", "at_most", "less_than", "about", "nearly")
"""How a number is qualified: ``at_least`` (至少, at least), ``more_than`` (超过, more than),
``at_most`` / ``less_than`` (最多 / 不到), ``about`` (约, about), ``nearly`` (近, nearly), else ``exact``."""

_EN_QUALIFIERS: Final = (
    (r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|not\s+less\s+than|a\s+minimum\s+of|as\s+many\s+as", "at_least"),
    (r"more\s+than|over|upwards\s+of|in\s+excess\s+of|above", "more_than"),
    (r"at\s+most|no\s+more\s+than|not\s+more\s+than|up\s+to|a\s+maximum\s+of", "at_most"),
    (r"fewer\s+than|less\s+than|under", "less_than"),
    (r"about|around|roughly|approximately|some|an\s+estimated|circa|c\.", "about"),
    (r"nearly|almost|close\s+to|just\s+under", "nearly"),
    (r"exactly|precisely|a\s+total\s+of|in\s+total", "exact"),
)
_ZH_QUALIFIERS: Final = (
    (r"至少|最少|不少于|不低于|起码", "at_least"),
    (r"超过|超|逾|多于|高于|不止", "more_than"),
    (r"至多|最多|不超过|不多于", "at_most"),
    (r"不到|不足|少于|低于", "less_than"),
    (r"大约|约|大概|估计|左右", "about"),
    (r"将近|接近|近|几乎", "nearly"),
    (r"一共|总共|共计|共|合计|总计", "exact"),
)
_ZH_SUFFIX_QUALIFIERS: Final = ((r"多|余|以上", "more_than"), (r"左右|上下", "about"), (r"以下|以内", "at_most"))

_EN_UNITS: Final = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
_EN_SCALES: Final = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_EN_WORD: Final = "|".join(sorted([*_EN_UNITS, *_EN_SCALES], key=len, reverse=True))
_EN_NUMBER_RE: Final = re.compile(
    rf"\b(?:a\s+dozen|dozens|a\s+couple\s+of|a\s+few|several|(?:{_EN_WORD})(?:[\s-]+(?:and\s+)?(?:{_EN_WORD}))*)\b", re.IGNORECASE
)
_VAGUE_EN: Final = {"a dozen": (12, "about"), "dozens": (24, "more_than"), "a couple of": (2, "about"), "a few": (3, "about"), "several": (3, "at_least")}

_ZH_DIGITS: Final = "零〇一二两三四五六七八九十百千万亿"
_ZH_MEASURES: Final = r"架次|架|次|趟|班|个|天|日|周|星期|月|年|小时|分钟|名|人|艘|枚|辆|轮|倍|起|批|批次|座|份|种"
_ZH_NUMBER_RE: Final = re.compile(rf"(?:(?<=[每第至少多超近约共达逾有了])|(?=[{_ZH_DIGITS}]+[多余]?(?:{_ZH_MEASURES})))[{_ZH_DIGITS}]+")
_ARABIC_RE: Final = re.compile(r"(?<![A-Za-z0-9_.])\d{1,3}(?:,\d{3})+(?![0-9])|(?<![A-Za-z0-9_.])(?<!\d,)\d+(?:\.\d+)?(?![0-9])")


@dataclasses.dataclass(frozen=True)
class Quantity:
    """A number in the text.

    Attributes
    ----------
    value
        The number (a float when it has decimals).
    qualifier
        One of :data:`QUALIFIERS`.
    start, end
        Span of the number itself.
    qstart
        Start of the qualifier word (``start`` when there is none).
    form
        ``arabic``, ``words`` or ``chinese``.
    vague
        The number stands for a vague word (``several``, ``a dozen``, ``几``).
    """

    value: float
    qualifier: str
    start: int
    end: int
    qstart: int
    form: str
    vague: bool = False

    @property
    def integer(self) -> int:
        """The value as an integer (rounded)."""
        return round(self.value)


def word_number(phrase: str) -> int | None:
    """An English number phrase as an integer (``"twenty-two"`` → 22), or None."""
    total, current = 0, 0
    seen = False
    for w in re.split(r"[\s-]+", phrase.lower()):
        if w in ("and", ""):
            continue
        if w in _EN_UNITS:
            current += _EN_UNITS[w]
        elif w in _EN_SCALES:
            scale = _EN_SCALES[w]
            current = max(current, 1) * scale
            if scale >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def chinese_number(run: str) -> int | None:
    """A Chinese numeral as an integer (``"九十二"`` → 92, ``"两"`` → 2), by ``cn2an``; None when it is not one."""
    import cn2an

    try:
        return int(cn2an.cn2an(run, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def _qualifier_before(text: str, start: int, lang: str) -> tuple[str, int]:
    window = text[max(0, start - 30) : start]
    if lang == "en":
        for pattern, name in _EN_QUALIFIERS:
            m = re.search(rf"\b(?:{pattern})\s+(?:a\s+total\s+of\s+|the\s+)?$", window, re.IGNORECASE)
            if m:
                return name, start - (len(window) - m.start())
        return "exact", start
    for pattern, name in _ZH_QUALIFIERS:
        m = re.search(rf"(?:{pattern})(?:有|达|达到|为|是)?$", window)
        if m:
            return name, start - (len(window) - m.start())
    return "exact", start


def _qualifier_after(text: str, end: int) -> str | None:
    after = text[end : end + 4]
    for pattern, name in _ZH_SUFFIX_QUALIFIERS:
        if re.match(rf"(?:架|次|个|名)?(?:{pattern})", after):
            return name
    return None


def _is_year_or_date(text: str, start: int, end: int) -> bool:
    """A four-digit year, or a day or month number of a date (``9月1日``, ``17 September``)."""
    nxt = text[end : end + 2]
    if nxt[:1] in ("年", "月", "日", "号", "%", "%") or text[end : end + 2] in ("财年",):
        return True
    digits = text[start:end]
    if re.fullmatch(r"(?:1[6-9]|20)\d\d", digits) and not re.match(r"\s*(?:flights|landings|sorties|planes|aircraft|架|次)", text[end : end + 12]):
        return True
    months = r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
    if float(digits.replace(",", "")) <= 31 and re.search(rf"(?:{months})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\s*(?:and|to|-)\s*$", text[max(0, start - 20) : start], re.IGNORECASE):
        return True
    return bool(re.match(rf"(?:st|nd|rd|th)?\s+(?:and\s+\d+\s+)?(?:of\s+)?(?:{months})", text[end : end + 20], re.IGNORECASE)
                or re.search(rf"(?:{months})[a-z]*\.?\s+$", text[max(0, start - 12) : start], re.IGNORECASE)
                or re.search(r"(?:between|from)\s+$", text[max(0, start - 10) : start], re.IGNORECASE)
                and re.match(r"\s*(?:and|to|-)\s*\d+\s+(?:" + months + ")", text[end : end + 20], re.IGNORECASE))


def find_quantities(text: str, lang: str, start: int = 0, end: int | None = None) -> list[Quantity]:
    """Every number in ``text[start:end]`` (years, dates, times and percentages left out).

    ``text`` is the matching text, ``lang`` its language (``en``, ``zh-Hans``
    or ``zh-Hant``), ``start`` and ``end`` the part to look in (a sentence).
    The quantities come in text order.
    """
    end = len(text) if end is None else end
    part = text[start:end]
    found: list[Quantity] = []
    for m in _ARABIC_RE.finditer(part):
        a, b = start + m.start(), start + m.end()
        if _is_year_or_date(text, a, b) or text[b : b + 1] in (":", "%") or text[max(0, a - 1) : a] in (":", "-", "/"):
            continue
        value = float(m.group().replace(",", ""))
        qual, qa = _qualifier_before(text, a, "en" if lang == "en" else "zh")
        if lang != "en":
            qual = _qualifier_after(text, b) or qual
        found.append(Quantity(value, qual, a, b, qa, "arabic"))
    if lang == "en":
        for m in _EN_NUMBER_RE.finditer(part):
            a, b = start + m.start(), start + m.end()
            word = re.sub(r"\s+", " ", m.group().lower())
            if word in _VAGUE_EN:
                value, qual = _VAGUE_EN[word]
                found.append(Quantity(float(value), qual, a, b, a, "words", vague=True))
                continue
            n = word_number(word)
            if n is None or (word == "one" and re.match(r"\s+(?:of|another|side|day)\b", text[b : b + 9])):
                continue
            qual, qa = _qualifier_before(text, a, "en")
            found.append(Quantity(float(n), qual, a, b, qa, "words"))
    else:
        for m in _ZH_NUMBER_RE.finditer(part):
            a, b = start + m.start(), start + m.end()
            if text[b : b + 1] in ("年", "月", "日", "号"):
                continue
            if m.group() == "几" or m.group() == "数":
                continue
            n = chinese_number(m.group())
            if n is None:
                continue
            qual, qa = _qualifier_before(text, a, "zh")
            qual = _qualifier_after(text, b) or qual
            found.append(Quantity(float(n), qual, a, b, qa, "chinese"))
        for m in re.finditer(r"(?<![\d])(?:几|数|两三|三四)(?=个?(?:小时|天|架|次|周))", part):
            a, b = start + m.start(), start + m.end()
            found.append(Quantity(3.0, "at_least", a, b, a, "chinese", vague=True))
    return sorted(found, key=lambda q: q.start)
