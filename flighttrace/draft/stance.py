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
  counts in the claim's own clause (between commas or semicolons);
- a denial or a condition ("denied that", "if", "whether", 否认, 如果) counts
  from the start of the sentence to the end of the claim's clause, except
  after a contrast ("…, but six flights landed", 但) and inside a concessive
  clause ("although officials denied it, …", 虽然…);
- words that belong to a number ("no fewer than six", 不少于), to the claim's
  own cue ("no flights" for a closure), to a date ("in May") or to a place
  name are never read as any of these.
"""

from __future__ import annotations

from typing import Any, Final

from flighttrace.draft import cues
from flighttrace.draft.text import clause as _clause

__all__ = ["not_asserted"]

_REASONS: Final = {
    "denial": "the sentence reports a denial ('{w}'), not something the article says happened",
    "condition": "the sentence is conditional or open ('{w}'): it does not say the flights happened",
    "hypothetical": "the claim is hypothetical, expected or hedged ('{w}'), not something the article says happened",
    "negation": "the claim is negated ('{w}'): the article says it did not happen",
}
"""Why a candidate was left out, per role (``{w}``: the words found)."""


def _first(role: str, lang: str, text: str, lo: int, hi: int, skip: list[tuple[int, int]]) -> str:
    """The first words of ``role`` in ``text[lo:hi]`` outside the ``skip`` spans, or ''."""
    for m in cues.cue(role, lang).finditer(text, lo, hi):
        if not any(a <= m.start() < b or m.start() <= a < m.end() for a, b in skip):
            return m.group()
    return ""


def _prefix_start(text: str, lang: str, lo: int, at: int) -> tuple[int, list[tuple[int, int]]]:
    """Where denials and conditions start to count for a claim at ``at`` (after the last contrast before it), and the
    concessive clauses before it (which are left out of that reach)."""
    start = lo
    for m in cues.cue("contrast", lang).finditer(text, lo, at):
        start = m.end()
    conceded = []
    for m in cues.cue("concession", lang).finditer(text, start, at):
        a, b = _clause(text, m.start(), start, at)
        conceded.append((m.start(), b))
    return start, conceded


def not_asserted(text: str, lang: str, candidate: Any, facts: Any) -> str:
    """Why the sentence does not assert ``candidate`` (negated, denied, conditional or hypothetical), or ''.

    Parameters
    ----------
    text
        The article's matching text.
    lang
        ``en`` or a Chinese language code.
    candidate
        A :class:`flighttrace.draft.claims.Candidate` (its sentence and cue span).
    facts
        The sentence's :class:`flighttrace.draft.claims.Facts` (numbers, dates and places, whose words are not read).

    Returns
    -------
    str
        The reason, in plain words, or '' when the sentence asserts the claim.
    """
    s = candidate.sentence
    at = candidate.cue_span[0]
    skip = [tuple(candidate.cue_span), *[(q.qstart, q.end) for q in facts.quantities], *[d.span for d in facts.dates],
            *[p.span for p in facts.places]]
    lo, hi = _clause(text, at, s.start, s.end)
    start, conceded = _prefix_start(text, lang, s.start, at)
    for role, a in (("denial", start), ("condition", start), ("negation", lo), ("hypothetical", lo)):
        found = _first(role, lang, text, a, hi, skip + conceded)
        if found:
            return _REASONS[role].format(w=found)
    return ""
