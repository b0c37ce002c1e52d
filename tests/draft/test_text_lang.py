"""Reading articles (text, HTML, boilerplate, sentences) and telling their language."""

from __future__ import annotations

import pytest

from flighttrace.draft.lang import (
    LanguageError,
    detect_language,
    matching_text,
    normalise_lang,
)
from flighttrace.draft.text import article_from_text, read_article, split_sentences

EN = "Three cargo flights landed at the base on Monday. Officials said more were expected.\nA second paragraph follows.\n"
ZH_HANS = "三架货机周一降落在该基地。官员说还会有更多航班。\n"
ZH_HANT = "三架貨機週一降落在該基地。官員說還會有更多航班。\n"


def test_sentences_are_split_by_line_and_punctuation_with_exact_offsets() -> None:
    sents = split_sentences(EN)
    assert [EN[s.start : s.end] for s in sents] == [
        "Three cargo flights landed at the base on Monday.",
        "Officials said more were expected.",
        "A second paragraph follows.",
    ]
    assert [s.paragraph for s in sents] == [0, 0, 1]


def test_abbreviations_and_decimals_do_not_end_a_sentence() -> None:
    text = "Mr. Smith met U.S. officials at 3.5 km from the field. Then he left."
    assert [text[s.start : s.end] for s in split_sentences(text)] == [
        "Mr. Smith met U.S. officials at 3.5 km from the field.", "Then he left."]


def test_chinese_sentences_end_at_chinese_stops_with_closing_quotes() -> None:
    text = "“我们看到了航班，”他说。第二句在这里！"
    assert [text[s.start : s.end] for s in split_sentences(text)] == ["“我们看到了航班，”他说。", "第二句在这里！"]


def test_platform_notices_are_left_out_but_offsets_stay_true() -> None:
    text = "Two flights landed.\n![]()\nNotice: The content above is uploaded by a user of Example Hao.\n特别声明：以上内容为自媒体平台用户上传。\nLast line.\n"
    art = article_from_text(text)
    kept = [text[s.start : s.end] for s in split_sentences(text, art.excluded)]
    assert kept == ["Two flights landed.", "Last line."]
    assert len(art.excluded) == 3
    assert art.is_excluded(text.index("Notice"), text.index("Notice") + 6)


def test_saved_html_is_reduced_to_its_article_text(tmp_path) -> None:  # type: ignore[no-untyped-def]
    html = """<!doctype html><html lang="en"><head><title>Flights</title>
    <meta property="article:published_time" content="2024-05-02T08:00:00Z"></head><body>
    <nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
    <article><h1>Freighters at the air base</h1>
    <p>At least four freighters landed at the air base in the first week of April, according to tracking data.</p>
    <p>Each one left again within three hours, a spokesman told the paper.</p></article>
    <footer><p>Copyright 2024 Example Media. All rights reserved.</p><p>Subscribe to our newsletter</p></footer>
    </body></html>"""
    p = tmp_path / "page.html"
    p.write_text(html, encoding="utf-8")
    art = read_article(p)
    assert art.kind == "html" and art.extractor.startswith("trafilatura")
    assert "At least four freighters landed" in art.text
    assert "Home" not in art.text and "Subscribe" not in art.text and "Copyright" not in art.text
    assert art.meta_date.startswith("2024-05-02")
    assert art.html_lang == "en"
    i = art.text.index("At least four")
    assert art.text[i : i + 13] == "At least four"  # offsets point into the extracted text


def test_languages_are_told_apart_by_script() -> None:
    assert detect_language(EN * 3) == "en"
    assert detect_language(ZH_HANS * 3) == "zh-Hans"
    assert detect_language(ZH_HANT * 3) == "zh-Hant"


def test_other_scripts_and_non_english_latin_text_are_refused() -> None:
    with pytest.raises(LanguageError, match="Cyrillic"):
        detect_language("Самолёты приземлились на базе в понедельник. " * 5)
    with pytest.raises(LanguageError, match="English and Chinese"):
        detect_language("Drei Frachtflugzeuge landeten am Montag auf dem Stützpunkt. " * 5)


def test_lang_option_values() -> None:
    assert normalise_lang("zh") == "zh-Hans" and normalise_lang("zh-TW") == "zh-Hant" and normalise_lang("EN") == "en"
    with pytest.raises(LanguageError):
        normalise_lang("fr")


def test_matching_text_is_simplified_ascii_and_of_the_same_length() -> None:
    text = "三架貨機，６次航班—２０２４年"
    m = matching_text(text, "zh-Hant")
    assert len(m) == len(text)
    assert m == "三架货机,6次航班-2024年"
