"""envfleet's classic-control pictures against Gymnasium's pygame ones, pixel for pixel.

envfleet draws the classic-control pictures in C++ with its own rasteriser
(cpp/envfleet/raster/canvas.h), following the integer rules of the pygame primitives
Gymnasium uses (SDL_gfx's scanline polygons, midpoint circles and Wu lines, pygame.draw's float
anti-aliased lines, smoothscale's SSE shrink for Pendulum's torque arrow, pygame's alpha blit). The
tolerance is zero: every picture must equal Gymnasium's `render()` byte for byte. Each test keeps a
Gymnasium twin per env in the same state (its state copied in at every episode start, then stepped
with the same actions, so it holds the state in the dtype Gymnasium would: float32 for Acrobot after
a reset and MountainCarContinuous after a step), and compares after every reset and step.
"""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

import envfleet

pytestmark = pytest.mark.slow  # draws Gymnasium's pictures beside envfleet's, step by step

TASK_IDS = list(envfleet.registry.families()["classic_control"])
NUM_ENVS = 3
NUM_STEPS = 100


def _twin(task_id: str) -> gymnasium.Env:
    return gymnasium.make(task_id, render_mode="rgb_array", disable_env_checker=True).unwrapped


def _load_state(twin: gymnasium.Env, task_id: str, state: np.ndarray) -> None:
    """Puts the twin at the start of an episode in `state`, with Gymnasium's reset dtype."""
    twin.reset()
    twin.state = np.array(state, dtype=np.float32 if task_id == "Acrobot-v1" else np.float64)


def _assert_pictures_equal(pictures: np.ndarray, twins: list[gymnasium.Env], where: str) -> None:
    for env_id, twin in enumerate(twins):
        expected = twin.render()
        differing = int(np.any(pictures[env_id] != expected, axis=-1).sum())
        assert differing == 0, f"{where} env {env_id}: {differing} pixels differ"


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_pictures_match_gymnasium_step_by_step(make_pool, task_id):
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=0, render_mode="rgb_array")
    twins = [_twin(task_id) for _ in range(NUM_ENVS)]
    pool.action_space.seed(0)
    pool.reset()
    for env_id, twin in enumerate(twins):
        _load_state(twin, task_id, pool.get_state(env_id=[env_id])["state"][0])
    _assert_pictures_equal(pool.render(), twins, f"{task_id} reset")

    episode_over = np.zeros(NUM_ENVS, dtype=bool)
    for step in range(NUM_STEPS):
        actions = pool.action_space.sample()
        _, _, terminated, truncated, _ = pool.step(actions)
        for env_id, twin in enumerate(twins):
            if episode_over[env_id]:
                # NEXT_STEP autoreset: the twin takes over the new episode's state.
                _load_state(twin, task_id, pool.get_state(env_id=[env_id])["state"][0])
            else:
                action = actions[env_id]
                twin.step(int(action) if action.ndim == 0 else action.copy())
        _assert_pictures_equal(pool.render(), twins, f"{task_id} step {step}")
        episode_over = terminated | truncated


# States at the edges of each picture: shapes partly outside it (clipped lines and polygons),
# angles at exact multiples of 90 degrees (pygame's exact rotations), the extreme torques.
EDGE_STATES = {
    "CartPole-v1": [[2.4, 0, 0.2, 0], [-2.45, 0, -0.2, 0], [2.6, 0, 0, 0], [0, 0, np.pi / 2, 0]],
    "MountainCar-v0": [[-1.2, 0], [0.6, 0], [0.5, 0]],
    "MountainCarContinuous-v0": [[-1.2, 0], [0.6, 0], [0.45, 0]],
    "Pendulum-v1": [[0.0, 0], [np.pi / 2, 0], [np.pi, 0], [-np.pi / 2, 0]],
    "Acrobot-v1": [[0.0, 0, 0, 0], [np.pi, 0, 0, 0], [np.pi / 2, -np.pi / 2, 0, 0]],
}


@pytest.mark.parametrize("task_id", list(EDGE_STATES))
def test_edge_states_match_gymnasium(make_pool, task_id):
    states = np.array(EDGE_STATES[task_id], dtype=np.float64)
    pool = make_pool(task_id, num_envs=len(states), seed=0)
    pool.reset()
    pool.set_state(states)
    twins = [_twin(task_id) for _ in states]
    for twin, state in zip(twins, states, strict=True):
        twin.reset()
        # set_state() takes a state of float32 numbers as float32 (Acrobot after a reset,
        # MountainCarContinuous after a step), any other as float64.
        in_float32 = task_id in ("Acrobot-v1", "MountainCarContinuous-v0") and np.array_equal(
            state.astype(np.float32), state
        )
        twin.state = state.astype(np.float32) if in_float32 else state
    _assert_pictures_equal(pool.render(), twins, task_id)


@pytest.mark.parametrize("torque", [2.0, -2.0, 0.5, -0.01, 0.0])
def test_pendulum_torque_arrow_matches_gymnasium(make_pool, torque):
    """The arrow is Gymnasium's clockwise.png, shrunk to the torque and mirrored by its sign;
    torques under about 0.018 shrink it to nothing."""
    pool = make_pool("Pendulum-v1", num_envs=1, seed=0)
    pool.reset()
    twin = _twin("Pendulum-v1")
    _load_state(twin, "Pendulum-v1", pool.get_state()["state"][0])
    action = np.array([[torque]], dtype=np.float32)
    pool.step(action)
    twin.step(action[0].copy())
    _assert_pictures_equal(pool.render(), [twin], f"torque {torque}")


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_sizes_and_frame_rates_are_gymnasiums(make_pool, task_id):
    pool = make_pool(task_id, num_envs=2, seed=0, render_mode="rgb_array")
    pool.reset()
    twin = _twin(task_id)
    twin.reset(seed=0)
    expected = twin.render()
    assert pool.envfleet_spec.render_shape == expected.shape
    assert pool.metadata["render_fps"] == twin.metadata["render_fps"]
    assert pool.metadata["render_modes"] == ["rgb_array"]
    pictures = pool.render()
    assert pictures.shape == (2, *expected.shape) and pictures.dtype == np.uint8
