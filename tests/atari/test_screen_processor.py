"""The screen pipeline's row cache changes nothing: every frame equals the whole screen processed
from scratch (palette lookup, max-pool, resize), byte for byte.

The processor converts and shrinks only the rows whose palette indices changed since the previous
frame. These sequences change a few rows at a time, in the second-to-last screen only, in the last
only, back and forth, and switch between pooled and single screens, on screens of 210 and 250
rows, grayscale and RGB, area and bilinear.
"""

from __future__ import annotations

import numpy as np
import pytest

from envfleet import _atari

RNG = np.random.default_rng(7)
# A palette in ALE's layout: even entries 0xRRGGBB, odd entries a grayscale in the low byte.
PALETTE = RNG.integers(0, 1 << 24, 256, dtype=np.uint32)
GRAY = np.append(PALETTE[1:] & 0xFF, 0).astype(np.uint8)
RGB = np.stack([(PALETTE >> shift) & 0xFF for shift in (16, 8, 0)], axis=-1).astype(np.uint8)


def _from_scratch(
    second_last: np.ndarray, last: np.ndarray, pooled: bool, size, channels: int, interpolation
) -> np.ndarray:
    """One frame computed from the whole screen, as (channels, height, width)."""
    table = GRAY if channels == 1 else RGB
    converted = np.maximum(table[last], table[second_last]) if pooled else table[last]
    resized = _atari.resize(converted, *size, interpolation)
    return resized[None] if channels == 1 else resized.transpose(2, 0, 1)


def _screen_sequence(steps: int, height: int, width: int = 160):
    """(second_last, last, pooled) per step: mostly repeating screens with a few rows changed."""
    second_last = np.empty((steps, height, width), np.uint8)
    last = np.empty_like(second_last)
    pooled = np.empty(steps, bool)
    current = RNG.integers(0, 128, (height, width), dtype=np.uint8) * 2
    for k in range(steps):
        kind = k % 5
        frames = []
        for _ in range(2):
            frame = current.copy()
            if kind != 0:  # kind 0: nothing changes
                rows = RNG.choice(height, size=RNG.integers(1, 12), replace=False)
                columns = RNG.integers(0, width, size=rows.size)
                frame[rows, columns] = RNG.integers(0, 128, size=rows.size) * 2
            frames.append(frame)
        if kind == 1:  # only the second-to-last screen differs
            frames[1] = current.copy()
        if kind == 2:  # only the last screen differs
            frames[0] = current.copy()
        if kind == 3 and k >= 5:  # back to the screens of five steps ago
            frames = [second_last[k - 5].copy(), last[k - 5].copy()]
        second_last[k], last[k] = frames
        current = frames[1]
        pooled[k] = RNG.random() > 0.2
    return second_last, last, pooled


@pytest.mark.parametrize("interpolation", ["area", "bilinear"])
@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize(
    "screen_height, size", [(210, (84, 84)), (250, (84, 84)), (210, (105, 80))]
)
def test_every_frame_equals_the_screen_processed_from_scratch(
    interpolation, channels, screen_height, size
):
    second_last, last, pooled = _screen_sequence(60, screen_height)
    frames = _atari.process_screens(
        PALETTE, second_last, last, pooled, *size, channels, interpolation
    )
    assert frames.shape == (60, channels, *size)
    for k in range(60):
        expected = _from_scratch(second_last[k], last[k], pooled[k], size, channels, interpolation)
        np.testing.assert_array_equal(frames[k], expected, err_msg=f"step {k}")


def test_a_change_in_one_row_reaches_the_frame():
    # One pixel of one row changes per step, each row of a 4-row shrinking group in turn: every
    # change must show, and a row changed back must show its old value again.
    screen = np.zeros((210, 160), np.uint8)
    steps = []
    for row in (100, 101, 102, 103, 100):
        changed = screen.copy()
        changed[row, 80] = 254
        steps += [changed, screen]
    last = np.stack(steps)
    pooled = np.zeros(len(steps), bool)
    frames = _atari.process_screens(PALETTE, last, last, pooled, 84, 84, 1)
    for k, screen_k in enumerate(steps):
        expected = _from_scratch(screen_k, screen_k, False, (84, 84), 1, "area")
        np.testing.assert_array_equal(frames[k], expected, err_msg=f"step {k}")
    assert not np.array_equal(frames[0], frames[1])


def test_bad_arguments_are_rejected():
    screens = np.zeros((2, 210, 160), np.uint8)
    with pytest.raises(ValueError, match="palette"):
        _atari.process_screens(PALETTE[:10], screens, screens, [True, True], 84, 84, 1)
    with pytest.raises(ValueError, match="pooled"):
        _atari.process_screens(PALETTE, screens, screens, [True], 84, 84, 1)
    with pytest.raises(ValueError, match="interpolation"):
        _atari.process_screens(PALETTE, screens, screens, [True, True], 84, 84, 1, "cubic")
