"""Bad make() arguments on every family raise a named error before any thread starts."""

from __future__ import annotations

import os

import pytest

import envfleet


def thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


@pytest.fixture
def corrupt_file(tmp_path):
    path = tmp_path / "corrupt"
    path.write_bytes(b"\x00\x01 not a ROM and not XML <<<")
    return str(path)


CASES = [
    ("CartPole-v2", {}, ValueError, r"unknown task id 'CartPole-v2'\. Did you mean 'CartPole-v1'"),
    ("hopper-v5", {}, ValueError, r"Did you mean 'Hopper-v5'"),
    ("Pong-v6", {}, ValueError, r"Did you mean 'Pong-v5'"),
    ("CartPole-v1", {"length": 1.0}, TypeError, "unexpected keyword argument 'length'"),
    ("Pendulum-v1", {"g": float("nan")}, ValueError, "option 'g' is NaN"),
    ("Pendulum-v1", {"g": "ten"}, TypeError, "option 'g' must be of type float"),
    ("Pong-v5", {"img_height": 0}, ValueError, "img_height must be in"),
    ("Pong-v5", {"frame_skip": -1}, ValueError, "frame_skip must be in"),
    ("Pong-v5", {"img_width": 2**70}, ValueError, "img_width' is out of the int64 range"),
    ("Pong-v5", {"rom_path": "/no/such/pong.bin"}, ValueError, "ROM file not found"),
    ("Pong-v5", {"rom_path": "CORRUPT"}, ValueError, "not a ROM"),
    ("Pong-v5", {"stack_num": "4"}, TypeError, "stack_num"),
    ("Hopper-v5", {"frame_skip": -1}, ValueError, "frame_skip must be >= 1"),
    ("Hopper-v5", {"xml_file": "/no/such/hopper.xml"}, ValueError, "does not exist"),
    ("Hopper-v5", {"xml_file": "CORRUPT"}, ValueError, "MuJoCo cannot load"),
    ("Hopper-v4", {"xml_file": "hopper.xml"}, TypeError, "unexpected keyword argument 'xml_file'"),
    ("Hopper-v5", {"num_envs": 0}, ValueError, "num_envs must be >= 1"),
]


@pytest.mark.parametrize(
    ("task", "kwargs", "error", "pattern"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_construction_error(task, kwargs, error, pattern, corrupt_file):
    kwargs = {k: corrupt_file if v == "CORRUPT" else v for k, v in kwargs.items()}
    before = thread_count()
    with pytest.raises(error, match=pattern):
        envfleet.make_gymnasium(task, num_threads=2, **kwargs)
    assert thread_count() == before
