"""Raw limits: the emulator or the physics alone, on one core, no preprocessing.

A raw limit is what a perfect pool could reach on a workload: its simulators with nothing around
them, stepped one after another on one core (the caller multiplies the rate by the thread count).
It runs as many simulators as the workload has envs and gives each the actions the pool's env of
the same index gets, so the physics visits the same states as the pool's: a Humanoid step costs
from 130 to 290 us with its contacts, and one simulator driven by the benchmark's one cycle of 64
random actions is not a fair sample of them (docs/mujoco.md). Each call steps the next `batch`
simulators in turn, as an async pool steps `batch` envs per call.
Atari: ale-py's `act` x frame_skip, resetting the game at game over. MuJoCo: Gymnasium's model
of the task, `ctrl = action` then `mj_step` x frame_skip, resetting when the task's episode ends,
without the timer callback the `mujoco` bindings install (see mujoco_without_timer_callback); for
a task whose episodes never end early (HalfCheetah), also `mujoco.rollout` of whole episodes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from envfleet.benchmark.harness import Harness
from envfleet.benchmark.measure import ACTION_POOL, ACTION_SEED, random_actions
from envfleet.benchmark.tasks import Task

# EnvPool's and envfleet's Atari default: each env-step is four emulator frames.
ATARI_FRAME_SKIP = 4
# Env-steps of one episode of a rollout: HalfCheetah's time limit, so a rollout is an episode.
ROLLOUT_STEPS = 1000


def open_raw_limit(task: Task, num_envs: int) -> Harness:
    """The raw-limit harness of `task` with `num_envs` simulators (batched actions, one core)."""
    if task.raw_limit == "ale":
        return ale_harness(task.ale_game or "", num_envs)
    if task.raw_limit == "mujoco":
        return mj_step_harness(task.gymnasium_id, num_envs)
    raise ValueError(f"{task.task_id} has no raw limit")


def _in_turns(
    simulators: Sequence[Any], step_one: Callable[[Any, Any], None]
) -> Callable[[Any], None]:
    """A batched step giving each action of a batch to the next simulator, round and round."""
    turns = itertools.cycle(simulators)

    def step(actions: Any) -> None:
        for action, simulator in zip(actions, turns, strict=False):  # turns never ends
            step_one(simulator, action)

    return step


def ale_harness(game: str, num_envs: int) -> Harness:
    """ale-py's emulator: `act` x ATARI_FRAME_SKIP per env-step, minimal action set."""
    import ale_py
    import gymnasium
    from ale_py import roms

    emulators = []
    for _ in range(num_envs):
        ale = ale_py.ALEInterface()
        ale.setLoggerMode(ale_py.LoggerMode.Error)
        ale.setFloat("repeat_action_probability", 0.0)
        rom = roms.get_rom_path(game)
        if rom is None:
            raise ValueError(f"ale-py has no ROM of {game!r}")
        ale.loadROM(rom)
        emulators.append(ale)
    actions = emulators[0].getMinimalActionSet()

    def step_one(ale: Any, action: int) -> None:
        chosen = actions[action]
        for _ in range(ATARI_FRAME_SKIP):
            ale.act(chosen)
        if ale.game_over():
            ale.reset_game()

    def reset() -> None:
        for ale in emulators:
            ale.reset_game()

    space: gymnasium.spaces.Discrete = gymnasium.spaces.Discrete(len(actions))
    step = _in_turns(emulators, step_one)
    return Harness(reset, step, lambda: None, space, True, "ALEInterface.act")


def mujoco_without_timer_callback() -> Any:
    """The `mujoco` module, with the timer callback its import installed removed again.

    Importing the MuJoCo Python bindings sets MuJoCo's process-wide `mjcb_time`, which mj_step
    then calls around each of its stages to fill `data.timer`: 6-10% of a Humanoid, Ant or
    HalfCheetah step on the benchmark machine. The raw limit is the physics alone, so the measuring
    process clears it (and only that process: nothing else there reads data.timer). It slows every
    MuJoCo simulation of a process that imports `mujoco`, envfleet's too; docs/mujoco.md says so.
    """
    import ctypes
    from pathlib import Path

    import mujoco

    libraries = sorted(Path(mujoco.__file__).parent.glob("libmujoco*"))
    if not libraries:
        raise RuntimeError(f"no libmujoco next to {mujoco.__file__}: cannot clear mjcb_time")
    for library in libraries:
        ctypes.c_void_p.in_dll(ctypes.CDLL(str(library)), "mjcb_time").value = None
    return mujoco


def gymnasium_model(task_id: str) -> tuple[Any, int, Callable[[Any], bool]]:
    """(MjModel, frame_skip, ends(data)) of a Gymnasium MuJoCo task: its model, and when the task
    ends an episode (torso height outside the healthy range; never for HalfCheetah)."""
    import gymnasium

    # Gymnasium's MujocoEnv of the task: its model, frame_skip and (Ant, Humanoid) healthy range.
    env: Any = gymnasium.make(task_id).unwrapped
    if task_id.startswith("Ant"):
        low, high = env._healthy_z_range
        return env.model, env.frame_skip, lambda d: not (low <= d.qpos[2] <= high)
    if task_id.startswith("Humanoid"):
        low, high = env._healthy_z_range
        return env.model, env.frame_skip, lambda d: not (low < d.qpos[2] < high)
    return env.model, env.frame_skip, lambda d: False


def mj_step_harness(task_id: str, num_envs: int) -> Harness:
    """The physics only, `num_envs` datas of one model: ctrl = action, mj_step x frame_skip,
    reset when the episode ends."""
    mujoco = mujoco_without_timer_callback()

    model, frame_skip, ends = gymnasium_model(task_id)
    datas = [mujoco.MjData(model) for _ in range(num_envs)]

    def reset_one(data: Any) -> None:
        mujoco.mj_resetData(model, data)
        mujoco.mj_forward(model, data)

    def step_one(data: Any, action: np.ndarray) -> None:
        data.ctrl[:] = action
        mujoco.mj_step(model, data, frame_skip)
        if ends(data):
            reset_one(data)

    def reset() -> None:
        for data in datas:
            reset_one(data)

    space = control_space(model)
    return Harness(reset, _in_turns(datas, step_one), lambda: None, space, True, "mj_step")


def control_space(model: Any) -> Any:
    """The task's action space as Gymnasium builds it: the actuators' ctrlrange, in float32."""
    import gymnasium

    low, high = model.actuator_ctrlrange.T.astype(np.float32)
    return gymnasium.spaces.Box(low, high, dtype=np.float32)


def rollout_harness(task_id: str, num_envs: int, threads: int) -> Harness:
    """`mujoco.rollout` of `num_envs` whole episodes of ROLLOUT_STEPS env-steps per step call, on
    `threads` threads (one MjData each), episode i driven by the actions the pool's env i gets,
    each held for frame_skip physics steps; nothing resets an episode, so it suits a task whose
    episodes never end early. The actions `step` is given are not used."""
    mujoco = mujoco_without_timer_callback()
    from mujoco import rollout

    model, frame_skip, _ = gymnasium_model(task_id)
    datas = [mujoco.MjData(model) for _ in range(threads)]
    mujoco.mj_forward(model, datas[0])
    spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    initial = np.empty(mujoco.mj_stateSize(model, spec))
    mujoco.mj_getState(model, datas[0], initial, spec)
    space = control_space(model)
    # The benchmark's cycle of action batches, (steps, envs, nu), as (envs, steps, nu) controls.
    cycle = np.stack(random_actions(space, num_envs, ACTION_POOL, ACTION_SEED))
    steps = cycle[np.arange(ROLLOUT_STEPS) % len(cycle)].transpose(1, 0, 2)
    controls = np.repeat(steps.astype(np.float64), frame_skip, axis=1)
    initial_states = np.tile(initial, (num_envs, 1))

    def step(actions: Any) -> None:
        rollout.rollout(model, datas, initial_states, controls)

    return Harness(
        lambda: None,
        step,
        lambda: None,
        space,
        True,
        "mujoco.rollout",
        env_steps_per_call=num_envs * ROLLOUT_STEPS,
    )
