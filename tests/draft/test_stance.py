"""Sentences that name a count of flights without saying it happened (denied, conditional, hedged, negated) give no
claim; the draft says why. Articles written for these tests; every expectation below is read off the sentence."""

from __future__ import annotations

from typing import Any

import pytest

from flighttrace.draft import draft_article

HEAD = "September 30, 2023\n\nCargo flights to Israel\n\n"
HEAD_ZH = "2023年9月30日\n\n"


def _draft(write_article: Any, body: str, head: str = HEAD) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    res = draft_article(write_article(head + body + "\n"))
    skipped = [s for s in res.mapping["draft"].get("skipped", []) if s["kind"] != "none"]
    return res.mapping["claims"], skipped


@pytest.mark.parametrize(("body", "word", "why"), [
    ("Officials denied that at least four Silk Way flights landed at Ovda in September 2023.", "denied", "denial"),
    ("The ministry dismissed the reports that six Silk Way flights landed at Ovda in September 2023.", "dismissed the reports", "denial"),
    ("If fighting resumes, at least ten Silk Way flights could land at Ovda in October 2023.", "If", "conditional"),
    ("It is unclear whether six Silk Way flights landed at Ovda in September 2023.", "whether", "conditional"),
    ("At least six Silk Way flights may have landed at Ovda in September 2023.", "may", "hypothetical"),
    ("Six more Silk Way flights are expected to land at Ovda in October 2023.", "expected to", "hypothetical"),
    ("It is not true that six Silk Way flights landed at Ovda in September 2023.", "not", "negated"),
    ("Six Silk Way flights never landed at Ovda in September 2023.", "never", "negated"),
    ("At least six Silk Way flights did not land at Ovda in September 2023.", "not", "negated"),
    ("Reports that six Silk Way flights landed at Ovda in September 2023 are false.", "false", "denial"),
])
def test_a_count_the_sentence_does_not_assert_is_left_out_with_the_words_that_say_so(write_article: Any, body: str, word: str,
                                                                                      why: str) -> None:
    claims, skipped = _draft(write_article, body)
    assert [c for c in claims if c["test"]["kind"].startswith("count")] == []
    assert [s["kind"] for s in skipped] == ["count_at_least"]
    assert f"('{word}')" in skipped[0]["reason"] and why in skipped[0]["reason"]


@pytest.mark.parametrize(("body", "value"), [
    ("At least six Silk Way flights landed at Ovda in September 2023.", 6),
    ("No fewer than six Silk Way flights landed at Ovda in September 2023.", 6),  # the number's own words negate nothing
    ("Officials denied the report, but at least six Silk Way flights landed at Ovda in September 2023.", 6),  # after a contrast
    ("Although officials denied it, at least six Silk Way flights landed at Ovda in September 2023.", 6),  # a concession
    ("In May 2023, at least six Silk Way flights landed at Ovda.", 6),  # a month, not a modal
    ("At least six Silk Way flights landed at Ovda in September 2023, not at Ramon.", 6),  # the negation is in another clause
    ("There is no doubt that at least six Silk Way flights landed at Ovda in September 2023.", 6),
    ("Not only did at least six Silk Way flights land at Ovda in September 2023, they also left at night.", 6),
    ("In September 2023 at least six Silk Way flights would usually land at Ovda.", 6),  # a habit, not a hypothesis
    ("Israel has not commented, but at least six Silk Way flights landed at Ovda in September 2023.", 6),
    ("At least six Silk Way flights, which were not on any schedule, landed at Ovda in September 2023.", 6),
    ("At least six Silk Way flights landed at Ovda in September 2023 and none at Ramon.", 6),  # the negation follows the verb
    ("At least six Silk Way flights landed at Ovda in September 2023 and more could follow.", 6),  # so does the modal
])
def test_a_count_the_sentence_asserts_is_still_drafted(write_article: Any, body: str, value: int) -> None:
    claims, skipped = _draft(write_article, body)
    assert [c["test"] for c in claims if c["test"]["kind"].startswith("count")] == [{"kind": "count_at_least", "value": value}]
    assert skipped == []


@pytest.mark.parametrize(("body", "word"), [
    ("官员否认2023年9月至少有4架伊尔-76货机飞抵特拉维夫本古里安机场。", "否认"),
    ("如果战事重启,2023年10月至少有10架伊尔-76货机飞抵特拉维夫本古里安机场。", "如果"),
    ("2023年9月至少有6架伊尔-76货机可能飞抵特拉维夫本古里安机场。", "可能"),
    ("2023年9月并没有6架伊尔-76货机飞抵特拉维夫本古里安机场。", "没有"),
])
def test_a_chinese_count_that_is_denied_conditional_or_negated_is_left_out(write_article: Any, body: str, word: str) -> None:
    claims, skipped = _draft(write_article, body, HEAD_ZH)
    assert [c for c in claims if c["test"]["kind"].startswith("count")] == []
    assert [s["kind"] for s in skipped] == ["count_at_least"] and f"('{word}')" in skipped[0]["reason"]


@pytest.mark.parametrize("body", [
    "2023年9月至少有6架伊尔-76货机飞抵特拉维夫本古里安机场。",
    "2023年9月不少于6架伊尔-76货机飞抵特拉维夫本古里安机场。",  # 不少于 is the number's qualifier
    "航班不是延误就是备降,2023年9月至少有6架伊尔-76货机飞抵特拉维夫本古里安机场。",  # 不是…就是: either … or
])
def test_a_chinese_count_that_is_asserted_is_still_drafted(write_article: Any, body: str) -> None:
    claims, skipped = _draft(write_article, body, HEAD_ZH)
    assert [c["test"] for c in claims if c["test"]["kind"].startswith("count")] == [{"kind": "count_at_least", "value": 6}]
    assert skipped == []


def test_a_closure_that_did_not_happen_is_left_out_but_no_flights_is_a_closure(write_article: Any) -> None:
    head = "March 14, 2026\n\n"
    claims, skipped = _draft(write_article, "Sheremetyevo airport was not closed on 14 March 2026.", head)
    assert claims == [] and [s["kind"] for s in skipped] == ["closure"] and "('not')" in skipped[0]["reason"]
    claims, skipped = _draft(write_article, "There were no flights at Sheremetyevo airport on 14 March 2026.", head)
    assert [c["test"]["kind"] for c in claims] == ["closure"] and skipped == []


def _events(write_article: Any, body: str, head: str = HEAD) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    res = draft_article(write_article(head + body + "\n"))
    events = [(e["kind"], str(e["start"])) for e in res.mapping.get("events", [])]
    return events, [s for s in res.mapping["draft"].get("skipped", []) if s["kind"] == "event"]


@pytest.mark.parametrize(("body", "head", "word"), [
    ("Azerbaijan denied that it launched an offensive in Karabakh on 19 September 2023.", HEAD, "denied"),
    ("There was no fighting in Karabakh on 19 September 2023.", HEAD, "no"),
    ("If fighting breaks out on 19 September 2023, the flights may stop.", HEAD, "If"),
    ("阿塞拜疆否认在2023年9月19日发动进攻。", HEAD_ZH, "否认"),
    ("2023年9月19日没有发生冲突。", HEAD_ZH, "没有"),
])
def test_an_event_the_sentence_denies_negates_or_only_supposes_is_not_put_on_the_timeline(write_article: Any, body: str, head: str,
                                                                                         word: str) -> None:
    # a false event would open a "period of fighting" the article never reported
    events, skipped = _events(write_article, body, head)
    assert events == [] and len(skipped) == 1 and f"('{word}')" in skipped[0]["reason"]


@pytest.mark.parametrize(("body", "head", "kind"), [
    ("Azerbaijan launched an offensive in Karabakh on 19 September 2023.", HEAD, "offensive"),
    ("No one was hurt in the attack on 19 September 2023.", HEAD, "attack"),  # the negation is about the people, not the attack
    ("Azerbaijan denied the attack, but its offensive began on 19 September 2023.", HEAD, "offensive"),  # one event word asserted
    ("阿塞拜疆在2023年9月19日发动进攻。", HEAD_ZH, "offensive"),
])
def test_an_event_the_sentence_asserts_is_still_drafted(write_article: Any, body: str, head: str, kind: str) -> None:
    events, skipped = _events(write_article, body, head)
    assert events == [(kind, "2023-09-19")] and skipped == []


def test_a_traditional_chinese_article_is_quoted_as_written(write_article: Any) -> None:
    # the draft matches traditional Chinese as simplified; the reason quotes the article's own characters
    claims, skipped = _draft(write_article, "官員否認2023年9月至少有4架伊爾-76貨機飛抵特拉維夫本古里安機場。", HEAD_ZH)
    assert claims == [] and len(skipped) == 1 and "('否認')" in skipped[0]["reason"]
