"""Aircraft identity: ICAO 24-bit address blocks, registrations, callsigns.

Three kinds of identifier name an aircraft in tracking data, and each can
mislead:

- the **ICAO 24-bit address** (``icao24``, "hex") is allocated to states in
  blocks (ICAO Annex 10, Vol. III). :func:`country_of` gives the state of
  *registration* of an address. That is not the operator's nationality: an
  aircraft registered in one state may be operated, leased or chartered by a
  company or an air force of another, and state aircraft may use addresses in
  the national block or in the ICAO special ranges;
- the **registration** is spelt differently from one database to the next
  (``4KAZ60`` in tar1090-db, ``4K-AZ60`` elsewhere).
  :func:`normalise_registration` gives the one spelling flighttrace compares
  on; the raw value is kept by callers, never overwritten;
- the **callsign** is broadcast by the crew and may be padding or junk
  (``00000000``, ``????????``); :func:`normalise_callsign` turns those into
  None.

Address blocks follow tar1090 ``html/flags.js`` (commit ``d59593d8``,
2025-11-02, ICAO Annex 10 Amendment 92 of 28 Nov 2024), which enlarged many
small-state blocks from 1 K to 2 K addresses. The older table (dump1090-fa
``flags.js``, jet1090 ``patterns.json``; Annex 10 up to amendment 88-A) gives
Azerbaijan ``600800–600BFF`` and Armenia ``600000–6003FF``; the addresses of
the aircraft in flighttrace's seeds (``6008xx``) fall in both versions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = [
    "IcaoBlock",
    "ICAO_BLOCKS",
    "MILITARY_SUBBLOCKS",
    "REGISTRATION_PREFIXES",
    "blocks_frame",
    "hex_to_int",
    "country_of",
    "parse_block",
    "in_blocks",
    "military_hint",
    "normalise_registration",
    "normalise_registrations",
    "normalise_callsign",
    "normalise_callsigns",
]

_TAR1090: Final = "tar1090 html/flags.js @ d59593d8 (2025-11-02, ICAO Annex 10 amdt 92)"
_ANNEX10_SPECIAL: Final = "ICAO Annex 10 Vol. III special ranges (formats.md §6; flightaware/dump1090#280)"
_VRS: Final = "vradarserver/standing-data code-blocks/schema-01/code-blocks.csv @ 1233707"


@dataclass(frozen=True)
class IcaoBlock:
    """One block of ICAO 24-bit addresses.

    Attributes
    ----------
    start, end
        First and last address of the block, inclusive.
    country
        State (or ICAO use) the block is allocated to.
    iso
        ISO 3166-1 alpha-2 code, ``""`` for ICAO special ranges.
    source
        Where the block comes from.
    note
        Anything worth knowing (older extent, special use).
    """

    start: int
    end: int
    country: str
    iso: str
    source: str
    note: str = ""


ICAO_BLOCKS: Final[tuple[IcaoBlock, ...]] = (
    IcaoBlock(0x100000, 0x1FFFFF, "Russia", "RU", _TAR1090),
    IcaoBlock(0x4B8000, 0x4BFFFF, "Türkiye", "TR", _TAR1090),
    IcaoBlock(0x508000, 0x50FFFF, "Ukraine", "UA", _TAR1090),
    IcaoBlock(0x514000, 0x5147FF, "Georgia", "GE", _TAR1090, "vradarserver: 514000-5143FF"),
    IcaoBlock(0x600000, 0x6007FF, "Armenia", "AM", _TAR1090, "older table: 600000-6003FF"),
    IcaoBlock(0x600800, 0x600FFF, "Azerbaijan", "AZ", _TAR1090, "older table: 600800-600BFF"),
    IcaoBlock(0x601000, 0x6017FF, "Kyrgyzstan", "KG", _TAR1090),
    IcaoBlock(0x601800, 0x601FFF, "Turkmenistan", "TM", _TAR1090),
    IcaoBlock(0x683000, 0x6837FF, "Kazakhstan", "KZ", _TAR1090),
    IcaoBlock(0x730000, 0x737FFF, "Iran", "IR", _TAR1090),
    IcaoBlock(0x738000, 0x73FFFF, "Israel", "IL", _TAR1090, "military sub-block 738A00-738BFF (vradarserver)"),
    IcaoBlock(0x840000, 0x87FFFF, "Japan", "JP", _TAR1090),
    IcaoBlock(0xF00000, 0xF07FFF, "ICAO temporary", "", _ANNEX10_SPECIAL, "temporary addresses"),
    IcaoBlock(0xF09000, 0xF097FF, "ICAO special use", "", _ANNEX10_SPECIAL, "special use; Taiwan effectively uses it"),
)
"""Address blocks known to flighttrace, sorted by start; they do not overlap."""

MILITARY_SUBBLOCKS: Final[tuple[IcaoBlock, ...]] = (
    IcaoBlock(0x600801, 0x600801, "Azerbaijan", "AZ", _VRS, "single address flagged military"),
    IcaoBlock(0x738A00, 0x738BFF, "Israel", "IL", _VRS, "military sub-block"),
)
"""Parts of national blocks that a database flags as military (a hint, not proof)."""

REGISTRATION_PREFIXES: Final[tuple[str, ...]] = ("4K", "EK", "4X", "RA", "UR", "TC", "4L", "UP", "EX", "EZ", "EP")
"""Nationality marks :func:`normalise_registration` knows how to hyphenate.

Azerbaijan, Armenia, Israel, Russia, Ukraine, Türkiye, Georgia, Kazakhstan,
Kyrgyzstan, Turkmenistan, Iran.
"""

_HEX_RE: Final = re.compile(r"[0-9a-f]{6}")
_BLOCK_RE: Final = re.compile(r"\s*(?:0x)?([0-9a-fA-F]{6})\s*[-–]\s*(?:0x)?([0-9a-fA-F]{6})\s*")
_REG_RE: Final = re.compile(r"(" + "|".join(REGISTRATION_PREFIXES) + r")[-\s]?([A-Z0-9]{2,6})")
_CALLSIGN_JUNK_RE: Final = re.compile(r"[0?@_.*\-\s]*")


def blocks_frame() -> pd.DataFrame:
    """The address blocks as a table.

    Returns
    -------
    pandas.DataFrame
        Columns ``start`` and ``end`` (6 uppercase hex digits), ``country``,
        ``iso``, ``source``, ``note``; one row per block of
        :data:`ICAO_BLOCKS`.
    """
    return pd.DataFrame(
        {
            "start": [f"{b.start:06X}" for b in ICAO_BLOCKS],
            "end": [f"{b.end:06X}" for b in ICAO_BLOCKS],
            "country": [b.country for b in ICAO_BLOCKS],
            "iso": [b.iso for b in ICAO_BLOCKS],
            "source": [b.source for b in ICAO_BLOCKS],
            "note": [b.note for b in ICAO_BLOCKS],
        }
    )


@functools.lru_cache(maxsize=1)
def _block_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    starts = np.array([b.start for b in ICAO_BLOCKS], dtype=np.int64)
    ends = np.array([b.end for b in ICAO_BLOCKS], dtype=np.int64)
    if np.any(np.diff(starts) <= 0) or np.any(starts[1:] <= ends[:-1]):
        raise RuntimeError("ICAO_BLOCKS must be sorted and must not overlap")
    names = np.array([b.country for b in ICAO_BLOCKS], dtype=object)
    isos = np.array([b.iso for b in ICAO_BLOCKS], dtype=object)
    return starts, ends, names, isos


def _hex_scalar(value: Any) -> int:
    if value is None or (isinstance(value, float) and value != value):
        return -1
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value) if 0 <= int(value) <= 0xFFFFFF else -1
    s = str(value).strip().lower()
    if s.startswith("0x"):
        s = s[2:]
    return int(s, 16) if _HEX_RE.fullmatch(s) else -1


def hex_to_int(hexes: Any) -> np.ndarray:
    """ICAO addresses as integers.

    Parameters
    ----------
    hexes
        A scalar or array-like of 6-digit hex strings (any case; ``0x``
        allowed) or integers. A categorical column is handled through its
        categories, so a column of millions of rows costs one parse per
        aircraft.

    Returns
    -------
    numpy.ndarray
        int64, same length; -1 for anything that is not a 24-bit address
        (including TIS-B / non-ICAO addresses written with ``~``).
    """
    if np.ndim(hexes) == 0:
        return np.array([_hex_scalar(hexes)], dtype=np.int64)
    if isinstance(hexes, np.ndarray) and hexes.dtype.kind in "iu":
        values = hexes.astype(np.int64, copy=False)
        return np.where((values >= 0) & (values <= 0xFFFFFF), values, -1)
    codes, uniques = pd.factorize(pd.Series(hexes, copy=False) if not isinstance(hexes, pd.Series) else hexes)
    parsed = np.array([_hex_scalar(u) for u in uniques], dtype=np.int64)
    out = np.full(len(codes), -1, dtype=np.int64)
    ok = codes >= 0
    out[ok] = parsed[codes[ok]]
    return out


def _lookup(values: np.ndarray, blocks: Sequence[IcaoBlock] | None = None) -> np.ndarray:
    """Block position of each address, -1 outside every block."""
    if blocks is None:
        starts, ends, _, _ = _block_arrays()
    else:
        starts = np.array([b.start for b in blocks], dtype=np.int64)
        ends = np.array([b.end for b in blocks], dtype=np.int64)
    pos = np.searchsorted(starts, values, side="right") - 1
    ok = (pos >= 0) & (values >= 0)
    ok[ok] &= values[ok] <= ends[pos[ok]]
    return np.where(ok, pos, -1)


def country_of(hexes: Any, *, iso: bool = False) -> np.ndarray:
    """State of registration of ICAO addresses.

    Parameters
    ----------
    hexes
        Addresses (see :func:`hex_to_int`).
    iso
        Return ISO 3166-1 alpha-2 codes instead of names.

    Returns
    -------
    numpy.ndarray
        Object array of country names (``"Azerbaijan"``, ``"Israel"`` …) or
        ISO codes; ``""`` when the address is invalid or in no block of
        :data:`ICAO_BLOCKS`.

    Notes
    -----
    The blocks are those of tar1090 (ICAO Annex 10 Amendment 92). The older
    table gives Azerbaijan only ``600800–600BFF``. A country of registration
    is not the operator's nationality: leases, charters and state aircraft
    break that link.
    """
    values = hex_to_int(hexes)
    pos = _lookup(values)
    _, _, names, isos = _block_arrays()
    labels = isos if iso else names
    out = np.full(len(values), "", dtype=object)
    ok = pos >= 0
    out[ok] = labels[pos[ok]]
    return out


def military_hint(hexes: Any) -> np.ndarray:
    """Whether addresses fall in a sub-block a database flags as military.

    Parameters
    ----------
    hexes
        Addresses (see :func:`hex_to_int`).

    Returns
    -------
    numpy.ndarray
        bool; true inside :data:`MILITARY_SUBBLOCKS`. A hint only: most state
        aircraft are outside these sub-blocks.
    """
    values = hex_to_int(hexes)
    return _lookup(values, sorted(MILITARY_SUBBLOCKS, key=lambda b: b.start)) >= 0


def parse_block(text: str) -> tuple[int, int]:
    """Parse an address range such as ``"600800-600FFF"``.

    Parameters
    ----------
    text
        Two 6-digit hex addresses joined by a hyphen (or en dash), first ≤ last.

    Returns
    -------
    tuple of int
        (first, last), inclusive.

    Raises
    ------
    ValueError
        When the text is not such a range or the range is reversed.
    """
    m = _BLOCK_RE.fullmatch(str(text))
    if not m:
        raise ValueError(f"not an ICAO address range like '600800-600FFF': {text!r}")
    lo, hi = int(m.group(1), 16), int(m.group(2), 16)
    if lo > hi:
        raise ValueError(f"address range {text!r} ends before it starts")
    return lo, hi


def in_blocks(hexes: Any, blocks: Iterable[str | tuple[int, int]]) -> np.ndarray:
    """Whether each address lies in any of ``blocks``.

    Parameters
    ----------
    hexes
        Addresses (see :func:`hex_to_int`).
    blocks
        Ranges as ``"600800-600FFF"`` strings or (first, last) pairs.

    Returns
    -------
    numpy.ndarray
        bool, one per address.
    """
    values = hex_to_int(hexes)
    mask = np.zeros(len(values), dtype=bool)
    for b in blocks:
        lo, hi = parse_block(b) if isinstance(b, str) else (int(b[0]), int(b[1]))
        mask |= (values >= lo) & (values <= hi)
    return mask


def normalise_registration(value: Any) -> str | None:
    """One spelling for a registration.

    Parameters
    ----------
    value
        A registration as a database or a feed spells it.

    Returns
    -------
    str or None
        Stripped and upper-cased; for the nationality marks of
        :data:`REGISTRATION_PREFIXES`, written with a hyphen after the mark
        (``"4KAZ60"`` → ``"4K-AZ60"``, ``"4k-az100"`` → ``"4K-AZ100"``,
        ``"RA 78830"`` → ``"RA-78830"``). Other values are only stripped and
        upper-cased (``"K-781314"`` stays as it is). None for a missing or
        empty value.

    Notes
    -----
    This is the value flighttrace compares on; callers keep the raw value in
    its own column.
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    s = str(value).strip().upper()
    if not s:
        return None
    m = _REG_RE.fullmatch(s)
    if m:
        return f"{m.group(1)}-{m.group(2)}"
    return s


def _map_uniques(values: Any, fn: Any) -> np.ndarray:
    series = values if isinstance(values, pd.Series) else pd.Series(list(values) if not np.ndim(values) == 0 else [values], dtype=object)
    codes, uniques = pd.factorize(series)
    mapped = np.array([fn(u) for u in uniques] + [None], dtype=object)
    return mapped[np.where(codes >= 0, codes, len(uniques))]


def normalise_registrations(values: Any) -> np.ndarray:
    """:func:`normalise_registration` over a column (one call per distinct value).

    Returns
    -------
    numpy.ndarray
        Object array; None where the value is missing.
    """
    return _map_uniques(values, normalise_registration)


def normalise_callsign(value: Any) -> str | None:
    """Clean a callsign.

    Parameters
    ----------
    value
        A callsign as broadcast or exported.

    Returns
    -------
    str or None
        Stripped and upper-cased; None when missing, empty, or padding/junk
        only (``"00000000"``, ``"????????"``, ``"@@@@@@@@"``, ``"--"``).
    """
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    s = str(value).strip().upper()
    if _CALLSIGN_JUNK_RE.fullmatch(s):
        return None
    return s


def normalise_callsigns(values: Any) -> np.ndarray:
    """:func:`normalise_callsign` over a column (one call per distinct value)."""
    return _map_uniques(values, normalise_callsign)
