"""Language of an article, and a matching copy of its text of the same length.

Detection is by script, offline and without a model: a text whose letters are
mostly CJK ideographs is Chinese, then simplified (``zh-Hans``) or traditional
(``zh-Hant``) by which conversion of OpenCC changes more characters; a text of
Latin letters is English when enough of its words are common English words.
Anything else is named by its script and refused by ``flighttrace draft``
(only English and Chinese are understood).

The matching copy (:func:`matching_text`) has exactly the length of the
original, so that an offset found in it is an offset into the article: each
traditional character becomes its simplified form (OpenCC ``t2s``, character
by character), full-width forms become ASCII (``，`` → ``,``, ``６`` → ``6``)
and typographic dashes a hyphen.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Final

__all__ = ["SUPPORTED", "LanguageError", "detect_language", "matching_text", "to_simplified"]

SUPPORTED: Final = ("en", "zh-Hans", "zh-Hant")
"""The languages ``flighttrace draft`` understands."""

MIN_CJK_SHARE: Final = 0.3
"""Share of CJK ideographs among letters above which a text is Chinese."""

MIN_ENGLISH_SHARE: Final = 0.06
"""Share of common English words among Latin-script words above which a text is English."""

_ENGLISH_WORDS: Final = frozenset(
    ["the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "was", "with", "as", "by", "at", "from", "it", "his", "her", "their", "said", "are", "were", "be", "has", "have", "had", "this", "which", "an", "not", "or", "but", "been", "after", "its", "they", "he", "she", "we", "more", "than", "about"]
)
_SCRIPTS: Final = (
    ("ru/uk (Cyrillic)", re.compile(r"[\u0400-\u04FF]")),
    ("ar/fa (Arabic)", re.compile(r"[\u0600-\u06FF]")),
    ("he (Hebrew)", re.compile(r"[\u0590-\u05FF]")),
    ("hy (Armenian)", re.compile(r"[\u0530-\u058F]")),
    ("ja (kana)", re.compile(r"[\u3040-\u30FF]")),
    ("ko (Hangul)", re.compile(r"[\uAC00-\uD7AF]")),
)
_CJK: Final = re.compile(r"[\u3400-\u9FFF\uF900-\uFAFF]")
_LATIN: Final = re.compile(r"[A-Za-z\u00C0-\u024F]")
_DASHES: Final = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE63\uFF0D～〜~"), "-")


class LanguageError(ValueError):
    """The language is not one ``flighttrace draft`` understands (one line, for the user)."""


@functools.lru_cache(maxsize=2)
def _converter(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC ``t2s``), keeping the length.

    The whole text is converted at once (phrases help OpenCC choose); when
    that changes the length, every character is converted on its own.
    """
    conv = _converter("t2s")
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    parts = [conv.convert(ch) for ch in text]
    return "".join(p if len(p) == 1 else ch for p, ch in zip(parts, text, strict=True))


def _changed(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False))


def detect_language(text: str, *, hint: str = "") -> str:
    """The language of ``text``: one of :data:`SUPPORTED`.

    Parameters
    ----------
    text
        The article (boilerplate may be left in; it is a small share).
    hint
        A language declared by the page (``<html lang>``), used only to break
        a tie between simplified and traditional Chinese.

    Raises
    ------
    LanguageError
        For a text in another script, or Latin text that does not read as
        English.
    """
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    for name, rx in _SCRIPTS:
        n = len(rx.findall(text))
        if n > max(cjk, latin) * 0.5 and n > 20:
            raise LanguageError(f"the article seems to be in {name}; flighttrace draft reads English and Chinese (give --lang to override)")
    if cjk + latin == 0:
        raise LanguageError("the article has no letters to read")
    if cjk / (cjk + latin) >= MIN_CJK_SHARE:
        sample = "".join(_CJK.findall(text))
        t2s = _changed(sample, _converter("t2s").convert(sample))
        s2t = _changed(sample, _converter("s2t").convert(sample))
        if t2s == s2t:
            return "zh-Hant" if hint.lower() in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "zh-Hans"
        return "zh-Hant" if t2s > s2t else "zh-Hans"
    words = re.findall(r"[A-Za-z]+", text)
    share = sum(w.lower() in _ENGLISH_WORDS for w in words) / max(len(words), 1)
    if share < MIN_ENGLISH_SHARE:
        raise LanguageError("the article is in Latin script but does not read as English; flighttrace draft reads English and Chinese")
    return "en"


def normalise_lang(value: str) -> str:
    """A ``--lang`` value as one of :data:`SUPPORTED` (``zh`` → ``zh-Hans``, ``zh-tw`` → ``zh-Hant``)."""
    v = value.strip().lower().replace("_", "-")
    if v in ("en", "eng", "english") or v.startswith("en-"):
        return "en"
    if v in ("zh-hant", "zh-tw", "zh-hk", "zh-mo", "traditional"):
        return "zh-Hant"
    if v in ("zh", "zh-hans", "zh-cn", "zh-sg", "chinese", "simplified"):
        return "zh-Hans"
    raise LanguageError(f"unknown language {value!r}; give auto, en, zh (simplified) or zh-Hant (traditional)")


def matching_text(text: str, lang: str) -> str:
    """A copy of ``text`` of the same length, for matching (see the module docs)."""
    out = to_simplified(text) if lang == "zh-Hant" else text
    chars = []
    for ch in out.translate(_DASHES):
        if ord(ch) > 0x7F:
            n = unicodedata.normalize("NFKC", ch)
            chars.append(n if len(n) == 1 else ch)
        else:
            chars.append(ch)
    res = "".join(chars)
    assert len(res) == len(text)
    return res
