"""Whether a sentence asserts the claim the draft found in it.

A number with a flight word is not yet a claim of the article: "officials
denied that four flights landed", "if fighting resumes, ten flights could
land", "it is not true that six flights landed" name a count the article does
not say happened. Testing such a count would report a verdict on something
the article never claimed (a "contradicted" that accuses the newsroom of an
error it did not make), so the draft leaves these sentences out and says why
(``draft.skipped`` in the draft scenario); the reporter can still add the
claim by hand.

The words are in :data:`flighttrace.draft.cues.CUES` (roles ``negation``,
``denial``, ``hypothetical``, ``condition``, ``contrast``, ``concession``).
Their reach:

- a negation or a modal ("not", "never", "could", "may have", 没有, 可能)
  counts in the claim's own clause (between commas or semicolons), up to its
  verb of landing or leaving ("six flights never landed", "did not land"; in
  "six flights landed at Ovda and none at Ramon" the "none" is about Ramon);
- a denial or a condition ("denied that", "if", "whether", 否认, 如果) counts
  from the start of the sentence to the end of the claim's clause, except
  after a contrast ("…, but six flights landed", 但) and inside a concessive
  clause ("although officials denied it, …", 虽然…);
- words that belong to a number ("no fewer than six", 不少于), to the claim's
  own cue ("no flights" for a closure), to a date ("in May") or to a place
  name are never read as any of these.

Events of the timeline are read the same way, except that a negation must
stand within :data:`EVENT_NEGATION_REACH` before the event word ("did not
attack"): a false event would open a period of fighting the article never
reported.
"""

from __future__ import annotations

import re
from typing import Any, Final

from flighttrace.draft import cues
from flighttrace.draft.text import clause as _clause

__all__ = ["not_asserted"]

_REASONS: Final = {
    "denial": "the sentence reports a denial ('{w}'), not something the article says happened",
    "condition": "the sentence is conditional or open ('{w}'): it does not say this happened",
    "hypothetical": "hypothetical, expected or hedged ('{w}'): not something the article says happened",
    "negation": "negated ('{w}'): the article says this did not happen",
}
"""Why a candidate was left out, per role (``{w}``: the words found)."""


def _first(role: str, lang: str, text: str, lo: int, hi: int, skip: list[tuple[int, int]], shown: str) -> str:
    """The first words of ``role`` in ``text[lo:hi]`` outside the ``skip`` spans, as ``shown`` writes them; or ''."""
    for m in cues.cue(role, lang).finditer(text, lo, hi):
        if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b in skip):
            return shown[m.start() : m.end()]
    return ""


def _prefix_start(text: str, lang: str, lo: int, at: int) -> tuple[int, list[tuple[int, int]]]:
    """Where denials and conditions start to count for a claim at ``at`` (after the last contrast before it), and the
    concessive clauses before it (which are left out of that reach)."""
    start = lo
    for m in cues.cue("contrast", lang).finditer(text, lo, at):
        start = m.end()
    conceded = []
    for m in cues.cue("concession", lang).finditer(text, start, at):
        end = _clause(text, m.start(), start, at)[1]
        conceded.append((m.start(), end))
    return start, conceded


EVENT_NEGATION_REACH: Final = (3, 4)
"""How close before an event's word a negation must stand to negate it: English words, Chinese characters ("did not
attack", 没有发生冲突); a negation further away in the clause ("no one was hurt in the attack") is about something else."""


def _reach_start(text: str, lang: str, lo: int, at: int, words: int) -> int:
    """Where the ``words`` words (English) or characters (Chinese) before ``at`` begin, not before ``lo``."""
    if lang != "en":
        return max(lo, at - EVENT_NEGATION_REACH[1])
    starts = [m.start() for m in re.finditer(r"\S+", text[lo:at])]
    return lo + starts[-words] if len(starts) >= words else lo


def not_asserted(text: str, lang: str, sentence: Any, cue_span: tuple[int, int], facts: Any, *, event: bool = False,
                 shown: str | None = None) -> str:
    """Why ``sentence`` does not assert what its cue at ``cue_span`` says (negated, denied, conditional or hypothetical), or ''.

    Parameters
    ----------
    text
        The article's matching text.
    lang
        ``en`` or a Chinese language code.
    sentence
        The :class:`flighttrace.draft.text.Sentence`.
    cue_span
        The claim's cue (a count's number with its qualifier, a closure word) or the event's word.
    facts
        The sentence's :class:`flighttrace.draft.claims.Facts` (numbers, dates and places, whose words are not read).
    event
        The cue names an event of the timeline: a negation counts only within :data:`EVENT_NEGATION_REACH` before it.
    shown
        The article's own text (the same length as ``text``): the words quoted in the reason are taken from it, so a
        traditional Chinese article is quoted as written (否認), not as matched (否认). Default: ``text``.

    Returns
    -------
    str
        The reason, in plain words, or '' when the sentence asserts it.
    """
    at = cue_span[0]
    skip = [tuple(cue_span), *[(q.qstart, q.end) for q in facts.quantities], *[d.span for d in facts.dates],
            *[p.span for p in facts.places]]
    lo, hi = _clause(text, at, sentence.start, sentence.end)
    start, conceded = _prefix_start(text, lang, sentence.start, at)
    verb = None if event else next((m for role in ("landing", "departure") if (m := cues.search(role, lang, text, cue_span[1], hi))), None)
    until = verb.end() if verb is not None else hi  # "six flights landed at Ovda and none at Ramon": the "none" is about Ramon
    negation = (_reach_start(text, lang, lo, at, EVENT_NEGATION_REACH[0]), at) if event else (lo, until)
    for role, a, b in (("denial", start, hi), ("condition", start, hi), ("negation", *negation), ("hypothetical", lo, until)):
        found = _first(role, lang, text, a, b, skip + conceded, text if shown is None or len(shown) != len(text) else shown)
        if found:
            return _REASONS[role].format(w=found)
    return ""
