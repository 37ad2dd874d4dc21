"""Comparisons of envfleet.envpool's specs with EnvPool's, shared by the tests of this folder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def assert_array_specs_match(ours: Any, theirs: Any, has_bounds: Callable[[str], bool]) -> None:
    """The action and state array specs list the same names in the same order, with the same
    dtypes and shapes, and the same bounds for the names `has_bounds` picks."""
    for spec, other in (
        (ours.action_array_spec, theirs.action_array_spec),
        (ours.state_array_spec, theirs.state_array_spec),
    ):
        assert list(spec) == list(other)
        for name, array in spec.items():
            assert (array.dtype, array.shape) == (other[name].dtype, other[name].shape), name
            if has_bounds(name):
                np.testing.assert_array_equal(array.minimum, other[name].minimum)
                np.testing.assert_array_equal(array.maximum, other[name].maximum)
