"""The preprocessing's resizers against OpenCV's cv2.resize, on real game frames and on noise.

Documented tolerance: every pixel within 1 of OpenCV's, and at most 0.1% of pixels off by 1 when
shrinking (what the preprocessing does), 0.5% when enlarging with bilinear interpolation.
Measured with opencv-python-headless 5.0: every shrinking case below equal on all pixels;
enlarging 160x210 to 200x250 and 320x420 differs by 1 on 0.16% and 0.13% of pixels.
"""

from __future__ import annotations

import ale_py
import cv2
import numpy as np
import pytest
from ale_py import roms

from envfleet import _atari

SHRINK_MISMATCH_FRACTION = 1e-3
ENLARGE_MISMATCH_FRACTION = 5e-3


def _game_frames() -> list[np.ndarray]:
    """Grayscale and RGB screens from three games after some random play."""
    frames = []
    rng = np.random.default_rng(0)
    for rom in ("pong", "breakout", "ms_pacman"):
        ale = ale_py.ALEInterface()
        ale.setLoggerMode(ale_py.LoggerMode.Error)
        ale.loadROM(roms.get_rom_path(rom))
        actions = ale.getMinimalActionSet()
        for _ in range(3):
            for _ in range(150):
                ale.act(actions[rng.integers(len(actions))])
            frames += [ale.getScreenGrayscale(), ale.getScreenRGB()]
    frames.append(rng.integers(0, 256, (210, 160), dtype=np.uint8))
    frames.append(rng.integers(0, 256, (210, 160, 3), dtype=np.uint8))
    return frames


FRAMES = _game_frames()
INTERPOLATIONS = {"area": cv2.INTER_AREA, "bilinear": cv2.INTER_LINEAR}


def _compare(ours: np.ndarray, theirs: np.ndarray, max_fraction: float) -> None:
    assert ours.shape == theirs.shape and ours.dtype == np.uint8
    difference = np.abs(ours.astype(np.int16) - theirs.astype(np.int16))
    assert difference.max() <= 1
    assert np.count_nonzero(difference) / difference.size <= max_fraction


@pytest.mark.parametrize("interpolation", ["area", "bilinear"])
@pytest.mark.parametrize(
    "size", [(84, 84), (64, 96), (105, 80), (70, 80), (42, 42), (150, 121), (210, 160)]
)
def test_shrinking_matches_opencv(interpolation, size):
    height, width = size
    for frame in FRAMES:
        ours = _atari.resize(frame, height, width, interpolation)
        theirs = cv2.resize(frame, (width, height), interpolation=INTERPOLATIONS[interpolation])
        _compare(ours, theirs, SHRINK_MISMATCH_FRACTION)


@pytest.mark.parametrize("size", [(250, 200), (420, 320)])
def test_bilinear_enlarging_matches_opencv(size):
    height, width = size
    for frame in FRAMES:
        ours = _atari.resize(frame, height, width, "bilinear")
        theirs = cv2.resize(frame, (width, height), interpolation=cv2.INTER_LINEAR)
        _compare(ours, theirs, ENLARGE_MISMATCH_FRACTION)


def test_area_resize_refuses_to_enlarge_and_bad_arguments():
    with pytest.raises(ValueError, match="only shrinks"):
        _atari.resize(FRAMES[0], 300, 160, "area")
    with pytest.raises(ValueError, match="interpolation"):
        _atari.resize(FRAMES[0], 84, 84, "cubic")
    with pytest.raises(ValueError, match="shape"):
        _atari.resize(np.zeros(5, dtype=np.uint8), 2, 2)
