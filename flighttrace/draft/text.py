"""Reading an article: plain text or saved HTML, its boilerplate, its sentences.

Offsets everywhere in :mod:`flighttrace.draft` count Unicode characters (code
points) of :attr:`Article.text`: for a plain-text file the file's own text as
decoded (newlines kept as they are in the file), for HTML the text that
``trafilatura`` extracts (recorded with its version, so that the extraction
can be repeated). Boilerplate (platform notices, copyright lines, image
placeholders) stays in the text so that offsets stay true, but its spans are
listed in :attr:`Article.excluded` and no claim is looked for there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
from pathlib import Path
from typing import Final

__all__ = ["BOILERPLATE_PATTERNS", "Article", "Sentence", "article_from_text", "clause", "read_article", "split_sentences"]

BOILERPLATE_PATTERNS: Final[tuple[str, ...]] = (
    # platform notices of self-publishing platforms (NetEase Hao, Sohu, Toutiao, WeChat …)
    r"^\s*(?:特别声明|特別聲明|免责声明|免責聲明|声明|聲明)\s*[:：]",
    r"本平台仅提供信息存储服务|本平台僅提供信息存儲服務",
    r"^\s*Notice\s*:\s*The content above",
    r"only provides information storage services",
    r"^\s*(?:责任编辑|責任編輯|编辑|編輯|来源|來源|原标题|原標題)\s*[:：]",
    r"^\s*(?:点击|點擊)(?:关注|關注|阅读|閱讀)",
    r"(?:版权所有|版權所有|All rights reserved|Copyright\s*(?:©|\(c\))?\s*\d{4})",
    r"^\s*(?:Subscribe|Sign up|Follow us|Share this|Read more|Related:|Advertisement)\b",
    r"^\s*!\[[^\]]*\]\([^)]*\)\s*$",  # a Markdown image placeholder line such as ![]()
    r"^\s*\[(?:image|photo|图片|圖片)[^\]]*\]\s*$",
)
"""Patterns (regular expressions, per line) of lines left out as boilerplate."""

_BOILERPLATE_RE: Final = re.compile("|".join(f"(?:{p})" for p in BOILERPLATE_PATTERNS), re.IGNORECASE | re.MULTILINE)

_CJK_END: Final = "。！？!?；;"
_CLOSERS: Final = "”’\"')）」』】》"
_ABBREVIATIONS: Final = frozenset(
    ["mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "gov", "sen", "rep", "no", "vs", "etc", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "inc", "ltd", "co", "corp", "dept", "est", "approx"]
)


@dataclasses.dataclass(frozen=True)
class Sentence:
    """A sentence of the article: ``text[start:end]``, in paragraph ``paragraph``."""

    start: int
    end: int
    paragraph: int
    index: int


@dataclasses.dataclass(frozen=True)
class Article:
    """An article's text and what is known about it.

    Attributes
    ----------
    text
        The text that offsets point into.
    path
        The file it was read from ('' for text given directly).
    kind
        ``text`` or ``html``.
    file_sha256
        SHA-256 of the file's bytes ('' for text given directly).
    text_sha256
        SHA-256 of :attr:`text` encoded as UTF-8.
    extractor
        How the text was obtained (``decoded`` or ``trafilatura X.Y``).
    meta_date
        The publication date found in the HTML metadata (ISO), or ''.
    title
        The title from the HTML metadata, or ''.
    html_lang
        The ``lang`` attribute of the HTML, or ''.
    excluded
        ``(start, end)`` spans left out as boilerplate.
    """

    text: str
    path: str = ""
    kind: str = "text"
    file_sha256: str = ""
    text_sha256: str = ""
    extractor: str = "decoded"
    meta_date: str = ""
    title: str = ""
    html_lang: str = ""
    excluded: tuple[tuple[int, int], ...] = ()

    def is_excluded(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside a boilerplate span."""
        return any(a <= start and end <= b for a, b in self.excluded)


class ArticleError(ValueError):
    """The article cannot be read (one line, for the user)."""


def _decode(data: bytes) -> str:
    """Decode bytes as UTF-8 (BOM allowed), else by ``charset_normalizer``'s best guess."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ArticleError("the file is not text in any encoding that could be recognised")
    return str(best)


def _looks_like_html(path: Path, text: str) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".xhtml", ".mhtml"):
        return True
    head = text[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def _boilerplate_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the lines that match :data:`BOILERPLATE_PATTERNS` (whole lines)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        end = pos + len(line)
        if _BOILERPLATE_RE.search(line):
            spans.append((pos, end))
        pos = end
    return tuple(spans)


def _html_lang(html: str) -> str:
    m = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z-]+)", html[:5000], re.IGNORECASE)
    return m.group(1) if m else ""


def _extract_html(html: str) -> tuple[str, str, str, str]:
    """(text, extractor, date, title) of a saved HTML page, by ``trafilatura``."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True)
    if not text:
        raise ArticleError("no article text found in the HTML (the page may hold only navigation or scripts)")
    meta = trafilatura.extract_metadata(html)
    date = (meta.date or "") if meta is not None else ""
    title = (meta.title or "") if meta is not None else ""
    return text, f"trafilatura {trafilatura.__version__}", date, title


def article_from_text(text: str, *, path: str = "", kind: str = "text", file_sha256: str = "", **meta: str) -> Article:
    """An :class:`Article` over ``text`` (boilerplate lines found, hash taken)."""
    return Article(
        text=text,
        path=path,
        kind=kind,
        file_sha256=file_sha256,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        excluded=_boilerplate_spans(text),
        **meta,
    )


def read_article(path: str | Path) -> Article:
    """Read an article file: plain text, or a saved HTML page.

    Parameters
    ----------
    path
        The file. HTML is recognised by its suffix or its first tags.

    Returns
    -------
    Article

    Raises
    ------
    ArticleError
        When the file cannot be read or holds no text.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read {p}: {exc.strerror or exc}") from None
    if not data.strip():
        raise ArticleError(f"{p} is empty")
    digest = hashlib.sha256(data).hexdigest()
    decoded = _decode(data)
    if _looks_like_html(p, decoded):
        text, extractor, date, title = _extract_html(decoded)
        return article_from_text(text, path=str(p), kind="html", file_sha256=digest, extractor=extractor, meta_date=date, title=title,
                                 html_lang=_html_lang(decoded))
    return article_from_text(decoded, path=str(p), kind="text", file_sha256=digest)


def _english_break(text: str, i: int) -> bool:
    """Whether the '.', '!' or '?' at ``i`` ends an English sentence."""
    if text[i] in "!?":
        return True
    m = re.search(r"([A-Za-z][A-Za-z.]*)$", text[max(0, i - 12) : i])
    if m:
        word = m.group(1).lower()
        if word in _ABBREVIATIONS or len(word) == 1 or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word):
            return False
    return not (i > 0 and text[i - 1].isdigit() and i + 1 < len(text) and text[i + 1].isdigit())  # not a decimal point


def split_sentences(text: str, excluded: tuple[tuple[int, int], ...] = ()) -> list[Sentence]:
    """Split a text into sentences, by line and by sentence-ending punctuation.

    Each non-empty line is a paragraph. A Chinese sentence ends at 。！？；
    (with any closing quote after it); an English one at '.', '!' or '?'
    followed by a space, unless the word before is an abbreviation or an
    initial. Lines inside ``excluded`` spans give no sentence.

    Returns
    -------
    list of Sentence
        In text order; leading and trailing blanks are not part of a span.
    """
    out: list[Sentence] = []
    pos, para = 0, -1
    for line in text.splitlines(keepends=True):
        line_start, line_end = pos, pos + len(line)
        pos = line_end
        if not line.strip() or any(a <= line_start and line_end <= b for a, b in excluded):
            continue
        para += 1
        cuts = [line_start]
        i = line_start
        while i < line_end:
            ch = text[i]
            ends = ch in _CJK_END or (ch in ".!?" and (i + 1 >= line_end or text[i + 1] in " \t\r\n" + _CLOSERS) and _english_break(text, i))
            if ends:
                j = i + 1
                while j < line_end and text[j] in _CLOSERS:
                    j += 1
                cuts.append(j)
                i = j
            else:
                i += 1
        cuts.append(line_end)
        for a, b in itertools.pairwise(cuts):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                out.append(Sentence(a, b, para, len(out)))
    return out


def clause(text: str, at: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause (between commas or semicolons, Chinese ones included) of the sentence ``text[lo:hi]`` around ``at``."""
    stops = ",;，；"
    a = max((text.rfind(ch, lo, at) for ch in stops), default=-1)
    ends = [i for i in (text.find(ch, at, hi) for ch in stops) if i >= 0]
    return (a + 1 if a >= lo else lo), (min(ends) if ends else hi)
