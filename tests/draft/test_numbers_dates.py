"""Numbers with their qualifiers, and dates in the article's own forms, resolved against its date."""

from __future__ import annotations

import datetime as dt

import pytest

from flighttrace.draft.dates import DateContext, find_article_date, find_dates
from flighttrace.draft.lang import matching_text
from flighttrace.draft.numbers import find_quantities


def _q(text: str, lang: str) -> list[tuple[float, str]]:
    m = matching_text(text, lang)
    return [(q.value, q.qualifier) for q in find_quantities(m, lang)]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("At least 6 transport flights landed.", "en", [(6, "at_least")]),
        ("at least six transport flights", "en", [(6, "at_least")]),
        ("92 flights in all", "en", [(92, "exact")]),
        ("more than twenty-two landings", "en", [(22, "more_than")]),
        ("nearly 100 flights and about 1,200 passengers", "en", [(100, "nearly"), (1200, "about")]),
        ("至少有6架运输机降落", "zh-Hans", [(6, "at_least")]),
        ("共计九十二架次", "zh-Hans", [(92, "exact")]),
        ("二十多架飞机", "zh-Hans", [(20, "more_than")]),
        ("將近四十個航班", "zh-Hant", [(40, "nearly")]),
    ],
)
def test_numbers_and_qualifiers(text: str, lang: str, expected: list[tuple[float, str]]) -> None:
    assert _q(text, lang) == expected


def test_years_and_days_of_dates_are_not_counts() -> None:
    assert _q("Between 1 and 17 September 2023 the base was busy.", "en") == []
    assert _q("2016年至2020年期间", "zh-Hans") == []


REF = DateContext(dt.date(2023, 10, 5))


def _d(text: str, lang: str, ctx: DateContext | None = REF) -> list[tuple[dt.date, dt.date, str, bool]]:
    m = matching_text(text, lang)
    return [(d.start, d.end, d.year, d.is_range) for d in find_dates(m, lang, ctx)]


@pytest.mark.parametrize(
    ("text", "lang", "start", "end", "year"),
    [
        ("飞机在9月1日至9月17日期间往返。", "zh-Hans", dt.date(2023, 9, 1), dt.date(2023, 9, 17), "article"),
        ("飞机在5月3日至12日期间往返。", "zh-Hans", dt.date(2023, 5, 3), dt.date(2023, 5, 12), "article"),
        ("flights between 1 and 17 September", "en", dt.date(2023, 9, 1), dt.date(2023, 9, 17), "article"),
        ("flights from July 12 to 16, 2020", "en", dt.date(2020, 7, 12), dt.date(2020, 7, 16), "text"),
        ("统计了2016至2020年的航班", "zh-Hans", dt.date(2016, 1, 1), dt.date(2020, 12, 31), "text"),
        ("统计了2016-2020年的航班", "zh-Hans", dt.date(2016, 1, 1), dt.date(2020, 12, 31), "text"),
        ("統計了2016年至2020年的航班", "zh-Hant", dt.date(2016, 1, 1), dt.date(2020, 12, 31), "text"),
        ("in the years 2016–2020", "en", dt.date(2016, 1, 1), dt.date(2020, 12, 31), "text"),
        ("since 2016, to early March 2023", "en", dt.date(2016, 1, 1), dt.date(2023, 3, 10), "text"),
        ("今年1到2月份举行了会谈", "zh-Hans", dt.date(2023, 1, 1), dt.date(2023, 2, 28), "article"),
    ],
)
def test_ranges_in_the_articles_own_forms(text: str, lang: str, start: dt.date, end: dt.date, year: str) -> None:
    assert _d(text, lang) == [(start, end, year, True)]


def test_a_date_with_a_time_of_day_is_the_whole_day_and_keeps_the_time_words() -> None:
    m = matching_text("3月14日深夜,警报响了一整夜。", "zh-Hans")
    (d,) = find_dates(m, "zh-Hans", DateContext(dt.date(2026, 3, 20)))
    assert (d.start, d.end, d.year, d.time_of_day) == (dt.date(2026, 3, 14), dt.date(2026, 3, 14), "article", "late night")


def test_a_yearless_date_after_the_article_date_falls_in_the_year_before() -> None:
    ctx = DateContext(dt.date(2024, 1, 10))
    assert _d("On December 20 the flights resumed.", "en", ctx) == [(dt.date(2023, 12, 20), dt.date(2023, 12, 20), "article", False)]
    assert _d("12月20日恢复了航班。", "zh-Hans", ctx) == [(dt.date(2023, 12, 20), dt.date(2023, 12, 20), "article", False)]


def test_relative_periods_resolve_against_the_article_date() -> None:
    assert _d("上个月有三架货机。", "zh-Hans") == [(dt.date(2023, 9, 1), dt.date(2023, 9, 30), "article", False)]
    assert _d("今年3月的调查", "zh-Hans") == [(dt.date(2023, 3, 1), dt.date(2023, 3, 31), "article", False)]
    assert _d("flights last month", "en") == [(dt.date(2023, 9, 1), dt.date(2023, 9, 30), "article", False)]
    assert _d("9月初", "zh-Hans") == [(dt.date(2023, 9, 1), dt.date(2023, 9, 10), "article", False)]
    assert _d("in mid-September", "en") == [(dt.date(2023, 9, 11), dt.date(2023, 9, 20), "article", False)]


def test_since_runs_to_the_article_date() -> None:
    (d,) = find_dates("flights since 2016 were counted", "en", REF)
    assert (d.start, d.end, d.open_end) == (dt.date(2016, 1, 1), dt.date(2023, 10, 5), True)


def test_guessed_years_are_marked() -> None:
    ctx = DateContext(dt.date(2026, 12, 31), "guessed")
    assert _d("3月14日机场关闭。", "zh-Hans", ctx) == [(dt.date(2026, 3, 14), dt.date(2026, 3, 14), "guessed", False)]


def test_yearless_dates_are_left_out_without_any_reference() -> None:
    assert _d("flights on 3 March", "en", None) == []


def test_the_article_date_comes_from_a_dateline_or_the_page() -> None:
    assert find_article_date("November 25, 2021\n\nTitle\n\nBody text here.", "en") == dt.date(2021, 11, 25)
    assert find_article_date("标题\n发布时间：2024年5月2日 08:00\n正文。", "zh-Hans") == dt.date(2024, 5, 2)
    assert find_article_date("Body only, no date at all.", "en") is None
    assert find_article_date("Body.", "en", meta_date="2022-02-03") == dt.date(2022, 2, 3)
