"""An envfleet env's random stream with the methods of NumPy's Generator that Gymnasium calls.

envfleet seeds env i of a pool made with `seed=s` with StreamSeed(s, i) and draws from
xoshiro256** (cpp/envfleet/core/rng.h). This class reproduces that stream in Python and draws
from it exactly as envfleet's Box2D envs do: `random()` is Rng::Uniform01, `uniform(low, high)`
is Rng::Uniform (low + (high - low) * u, NumPy's formula too), `integers(low, high)` is
low + Rng::UniformInt(high - low) (bounds truncated to ints, as NumPy does; `integers(n)` is
integers(0, n)). Put in place of a Gymnasium env's `np_random`, it makes the Gymnasium env draw
the numbers its envfleet twin draws, so both run the same episodes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_MASK = (1 << 64) - 1


def _mix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def stream_seed(seed: int, index: int) -> int:
    """envfleet's StreamSeed(seed, index): the seed of env `index` of a pool seeded `seed`."""
    return _mix64(_mix64(seed) ^ _mix64(index ^ 0x5851F42D4C957F2D))


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & _MASK


class EnvfleetRandom:
    """xoshiro256** seeded as envfleet's Rng::Seed, with Generator-like draws."""

    def __init__(self, seed: int) -> None:
        self._state = []
        for _ in range(4):
            seed = (seed + 0x9E3779B97F4A7C15) & _MASK
            self._state.append(_mix64((seed - 0x9E3779B97F4A7C15) & _MASK))

    def _next(self) -> int:
        s = self._state
        result = (_rotl((s[1] * 5) & _MASK, 7) * 9) & _MASK
        t = (s[1] << 17) & _MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def random(self) -> float:
        return (self._next() >> 11) * 2.0**-53

    def uniform(self, low: float = 0.0, high: float = 1.0, size: Any = None) -> Any:
        if size is None:
            return low + (high - low) * self.random()
        count = int(np.prod(size))
        return np.array([low + (high - low) * self.random() for _ in range(count)]).reshape(size)

    def integers(self, low: float, high: float | None = None) -> np.int64:
        # Gymnasium passes some bounds as floats (BipedalWalker's TERRAIN_GRASS / 2), and one
        # bound as NumPy's [0, low) (CarRacing's integers(3)).
        if high is None:
            low, high = 0, low
        low, high = int(low), int(high)
        n = high - low
        limit = ((1 << 64) - n) % n
        x = self._next()
        while x < limit:
            x = self._next()
        return np.int64(low + x % n)
