"""Tests of flighttrace.reference.fleet: address blocks, registrations, callsigns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from flighttrace.reference.fleet import (
    ICAO_BLOCKS,
    blocks_frame,
    country_of,
    hex_to_int,
    in_blocks,
    military_hint,
    normalise_callsign,
    normalise_callsigns,
    normalise_registration,
    normalise_registrations,
    parse_block,
)


def test_country_of_600864_is_azerbaijan_and_738a00_is_israel() -> None:
    assert list(country_of(["600864", "738A00"])) == ["Azerbaijan", "Israel"]
    assert list(country_of(["600864", "738a00"], iso=True)) == ["AZ", "IL"]


def test_country_of_uses_the_amendment_92_blocks() -> None:
    # 600C00-600FFF is Azerbaijani only in the newer (amdt 92) table; 600400 is Armenian only there.
    got = country_of(["600c00", "600fff", "600400", "601000", "4b8000", "508000", "100000", "840000"])
    assert list(got) == ["Azerbaijan", "Azerbaijan", "Armenia", "Kyrgyzstan", "Türkiye", "Ukraine", "Russia", "Japan"]


def test_country_of_is_empty_for_unknown_or_invalid_addresses() -> None:
    got = country_of(["a00001", "~600864", "6008", None, "xyz123"])
    assert list(got) == ["", "", "", "", ""]


def test_country_of_works_on_a_categorical_column() -> None:
    s = pd.Series(["600881", "600039", "600881"] * 1000, dtype="category")
    got = country_of(s)
    assert got.shape == (3000,)
    assert list(got[:3]) == ["Azerbaijan", "Armenia", "Azerbaijan"]


def test_blocks_are_sorted_without_overlap_and_each_has_a_source() -> None:
    starts = [b.start for b in ICAO_BLOCKS]
    assert starts == sorted(starts)
    assert all(a.end < b.start for a, b in zip(ICAO_BLOCKS, ICAO_BLOCKS[1:], strict=False))
    assert all(b.source for b in ICAO_BLOCKS)
    frame = blocks_frame()
    assert frame.loc[frame["country"] == "Azerbaijan", ["start", "end"]].values.tolist() == [["600800", "600FFF"]]


def test_hex_to_int_parses_hex_and_rejects_the_rest() -> None:
    assert list(hex_to_int(["600864", "0x600864", 0x600864, "60086G", ""])) == [0x600864] * 3 + [-1, -1]


def test_parse_block_and_in_blocks() -> None:
    assert parse_block("600800-600FFF") == (0x600800, 0x600FFF)
    assert parse_block("600800–600bff") == (0x600800, 0x600BFF)
    with pytest.raises(ValueError, match="ends before it starts"):
        parse_block("600FFF-600800")
    with pytest.raises(ValueError, match="not an ICAO address range"):
        parse_block("600800")
    mask = in_blocks(["600864", "600c00", "738a00"], ["600800-600BFF", (0x738000, 0x73FFFF)])
    assert list(mask) == [True, False, True]


def test_military_hint_flags_the_israeli_military_subblock() -> None:
    assert list(military_hint(["738a00", "738c00", "600801", "600864"])) == [True, False, True, False]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4KAZ60", "4K-AZ60"),
        ("4k-az100", "4K-AZ100"),
        ("K-781314", "K-781314"),
        ("4K 78131", "4K-78131"),
        (" EK76345 ", "EK-76345"),
        ("ra78830", "RA-78830"),
        ("UR-82060", "UR-82060"),
        ("TCJAA", "TC-JAA"),
        ("4XEKA", "4X-EKA"),
        ("4L-GEO", "4L-GEO"),
        ("UP-I7601", "UP-I7601"),
        ("EX76001", "EX-76001"),
        ("EZF428", "EZ-F428"),
        ("EPIGA", "EP-IGA"),
        ("N123AB", "N123AB"),
        ("", None),
        (None, None),
    ],
)
def test_normalise_registration(raw: str | None, expected: str | None) -> None:
    assert normalise_registration(raw) == expected


def test_normalise_registrations_over_a_column_keeps_missing_values_missing() -> None:
    got = normalise_registrations(pd.Series(["4KAZ60", None, "4k-az60", np.nan]))
    assert list(got) == ["4K-AZ60", None, "4K-AZ60", None]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" azq6224 ", "AZQ6224"), ("AZAF8", "AZAF8"), ("00000000", None), ("", None), ("????????", None), ("@@@@@@@@", None), (None, None)],
)
def test_normalise_callsign(raw: str | None, expected: str | None) -> None:
    assert normalise_callsign(raw) == expected


def test_normalise_callsigns_over_a_column() -> None:
    assert list(normalise_callsigns(["AHY8001 ", "00000000", None])) == ["AHY8001", None, None]
