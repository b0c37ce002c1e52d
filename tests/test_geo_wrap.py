"""``flighttrace.geo.wrap_360``: angles into [0, 360), with the bits ``np.mod(deg, 360.0)`` gives."""

from __future__ import annotations

import numpy as np

from flighttrace.geo import wrap_360


def test_values_out_of_range_are_reduced() -> None:
    deg = np.array([-90.0, 725.5, 360.0, -360.0, -0.0, 720.0, -1e-20])
    out = wrap_360(deg)
    # -90 + 360 = 270; 725.5 - 2·360 = 5.5; 360 and -360 and 720 → 0; -1e-20 + 360 rounds to 360.0 in float64
    assert out[:6].tolist() == [270.0, 5.5, 0.0, 0.0, 0.0, 0.0]
    assert out[6] == 360.0
    assert not np.signbit(out[4])  # -0.0 becomes +0.0, as np.mod makes it
    assert deg[0] == -90.0  # the input is left as it was


def test_in_range_values_and_nan_are_kept_without_a_copy() -> None:
    deg = np.array([0.0, 12.5, 359.999, np.nan])
    out = wrap_360(deg)
    assert out is deg


def test_same_bits_as_np_mod() -> None:
    rng = np.random.default_rng(7)
    deg = np.concatenate([rng.uniform(-1000.0, 1000.0, 2000), [np.nan, np.inf, -np.inf, -0.0, 0.0, 360.0, 359.99999999999994]])
    with np.errstate(invalid="ignore"):
        want = np.mod(deg, 360.0)
        got = wrap_360(deg)
    assert np.array_equal(want.view(np.int64), got.view(np.int64))
