"""The look for JSON ``true`` / ``false`` before a document's numbers are converted (``flighttrace.io.detect.has_true_or_false``)."""

from __future__ import annotations

import random

import pytest

import flighttrace
from flighttrace.io import detect
from flighttrace.io.detect import has_true_or_false
from tests.builders import trace_doc, write_json


@pytest.mark.parametrize(
    ("data", "want"),
    [
        (b"", False),
        (b"true", True),  # at the very start: no byte before the word
        (b"false", True),
        (b"e", False),
        (b"ue", False),
        (b"rue", False),
        (b"alse", False),
        (b'[1,2,"tree"]', False),
        (b'{"timestamp":1.0,"trace":[[0,1e-05,2E+3,"ground"]]}', False),
        (b'{"timestamp":1.0,"trace":[[0,1,2,"ground",true]]}', True),
        (b'{"a":"untrue"}', True),  # the words themselves, wherever they stand: the same answer as a plain search
        (b"xfalsex", True),
        (b"TRUE FALSE", False),
    ],
)
def test_answers_as_a_plain_search_does(data: bytes, want: bool) -> None:
    assert has_true_or_false(data) is want
    assert (b"true" in data or b"false" in data) is want


def test_many_letters_e_before_the_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the letters looked at one by one, the words are still found (and still not found when absent)."""
    monkeypatch.setattr(detect, "E_LOOKS", 3)
    assert has_true_or_false(b"eeeeeeee,true")
    assert has_true_or_false(b"e" * 10 + b"false")
    assert not has_true_or_false(b"e" * 10 + b"tru fals")


def test_random_documents_agree_with_a_plain_search() -> None:
    rng = random.Random(11)
    alphabet = b"truefalsx e,[]{}\"0123456789."
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        assert has_true_or_false(data) is (b"true" in data or b"false" in data), data


def test_a_boolean_position_in_a_trace_is_still_quarantined(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``lat: true`` would be latitude 1 if the document's booleans were not looked for."""
    pts = [[0.0, 40.0, 50.0, 3000, 200.0, 90.0, 0, 0, None, "adsb_icao", None, None, None, None],
           [10.0, True, 50.01, 3000, 200.0, 90.0, 0, 0, None, "adsb_icao", None, None, None, None]]
    ds = flighttrace.read(write_json(tmp_path / "trace_full_600864.json", trace_doc(pts, timestamp=1693526400.0)))
    assert ds.points["lat"].tolist() == [40.0]
    assert ds.quarantine["reason"].str.contains("lat is true or false").any()
