"""Alignment of envfleet's toy-text envs with Gymnasium, step by step and exactly.

envfleet draws its random numbers from its own generator (xoshiro256**, one stream per env), not
from NumPy's PCG64, so the same seed cannot give Gymnasium's trajectories. The tests therefore
sync and replay instead: beside every env of an envfleet pool runs a Gymnasium env made with
`gymnasium.make` (TimeLimit included). Whenever an envfleet env starts an episode, its state
(`get_state()`) is copied into the Gymnasium env. At every step, the outcome of envfleet's random
draw (which listed transition of Gymnasium's table P[s][a] it took, which destination a fickle
passenger chose, which cards were dealt) is read from envfleet's result and state and handed to
the Gymnasium env through a scripted stand-in for its `np_random`; then both envs step with the
same action and must return identical observations, rewards, terminated / truncated flags and
info values (`==` and np.testing.assert_array_equal, no tolerance). What this leaves to chance,
the probabilities of the draws, tests/toy_text/test_distributions.py checks.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import pytest

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

# Every task with its default options, plus each option at a non-default value.
ALIGNMENT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("FrozenLake-v1", {}),
    ("FrozenLake-v1", {"is_slippery": False}),
    ("FrozenLake-v1", {"success_rate": 0.6, "reward_schedule": [2.0, -1.0, 0.5]}),
    ("FrozenLake-v1", {"desc": ["SFFH", "FSFF", "HFFG"]}),
    ("FrozenLake8x8-v1", {}),
    ("Taxi-v3", {}),
    ("Taxi-v3", {"is_rainy": True}),
    ("Taxi-v3", {"fickle_passenger": True}),
    ("Taxi-v3", {"is_rainy": True, "fickle_passenger": True}),
    ("CliffWalking-v1", {}),
    ("CliffWalkingSlippery-v1", {}),
    ("Blackjack-v1", {}),
    ("Blackjack-v1", {"sab": False}),
    ("Blackjack-v1", {"sab": False, "natural": True}),
]

NUM_ENVS = 4
NUM_STEPS = 1000


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    task_id, options = case
    return task_id + "".join(f"-{name}={value}" for name, value in options.items())


class ScriptedRandom:
    """Stands in for a Gymnasium env's `np_random` during a step: returns envfleet's draws."""

    def __init__(self) -> None:
        self.uniforms: list[float] = []
        self.choices: list[int] = []

    def random(self) -> float:
        return self.uniforms.pop(0)

    def choice(self, options: Any) -> int:
        value = self.choices.pop(0)
        assert value in list(options), (value, options)
        return value

    def exhausted(self) -> bool:
        return not self.uniforms and not self.choices


def _hand(cards: np.ndarray) -> list[int]:
    """A Blackjack hand from envfleet's zero-padded state part."""
    return [int(card) for card in cards if card != 0]


def _load_state(ref: gymnasium.Env, task_id: str, state: dict[str, np.ndarray], i: int) -> Any:
    """Starts a Gymnasium episode from env i's state; returns Gymnasium's (obs, info) for it."""
    ref.reset()
    env = ref.unwrapped
    if task_id == "Blackjack-v1":
        env.player = _hand(state["player"][i])
        env.dealer = _hand(state["dealer"][i])
        return env._get_obs(), {}
    env.s = int(state["state"][i, 0])
    if task_id == "Taxi-v3":
        env.fickle_step = bool(state["fickle_step"][i, 0])
        return env.s, {"prob": 1.0, "action_mask": env.action_mask(env.s)}
    return env.s, {"prob": 1}


def _script_categorical(
    task_id: str,
    env: Any,
    action: int,
    outcome: tuple[int, float, bool, float],
    script: ScriptedRandom,
) -> None:
    """Scripts the uniform that makes Gymnasium pick the transition envfleet took, and a fickle
    passenger's new destination where envfleet's differs from that transition's.

    `outcome` is envfleet's (observation, reward, terminated, info["prob"]); it must be one of
    Gymnasium's listed transitions (p, s, r, t), up to a fickle passenger's destination."""
    obs, reward, terminated, prob = outcome
    transitions = env.P[env.s][action]
    # Taxi: the transition's destination may have been changed by a fickle passenger afterwards.
    key = (lambda s: s // 4) if task_id == "Taxi-v3" else (lambda s: s)
    taken = [
        i
        for i, (p, s, r, t) in enumerate(transitions)
        if (p, key(s), r, t) == (prob, key(obs), reward, terminated)
    ]
    assert taken, f"envfleet's outcome {outcome} is not in P[{env.s}][{action}]"
    i = taken[0]
    cumulative = np.cumsum([t[0] for t in transitions])
    low = cumulative[i - 1] if i > 0 else 0.0
    script.uniforms.append((low + cumulative[i]) / 2)
    if task_id == "Taxi-v3" and transitions[i][1] != obs:
        script.choices.append(obs % 4)


def _script_cards(
    before: tuple[list[int], list[int]],
    after: dict[str, np.ndarray],
    i: int,
    script: ScriptedRandom,
) -> None:
    """Scripts the cards envfleet dealt this step: the player's new card, then the dealer's."""
    player, dealer = _hand(after["player"][i]), _hand(after["dealer"][i])
    assert player[: len(before[0])] == before[0] and dealer[: len(before[1])] == before[1]
    script.choices.extend(player[len(before[0]) :] + dealer[len(before[1]) :])


def _assert_obs_equal(task_id: str, obs: Any, i: int, expected: Any) -> None:
    if task_id == "Blackjack-v1":
        assert tuple(int(part[i]) for part in obs) == tuple(expected)
    else:
        assert int(obs[i]) == expected


def _assert_info_equal(info: dict[str, np.ndarray], i: int, expected: dict[str, Any]) -> None:
    assert set(info) - {"env_id", "elapsed_step"} == set(expected)
    for key, value in expected.items():
        np.testing.assert_array_equal(info[key][i], value, err_msg=key)


@pytest.mark.parametrize("case", ALIGNMENT_CASES, ids=_case_id)
def test_steps_match_gymnasium(make_pool, case):
    task_id, options = case
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=7, **options)
    refs = [gymnasium.make(task_id, disable_env_checker=True, **options) for _ in range(NUM_ENVS)]
    blackjack = task_id == "Blackjack-v1"
    rng = np.random.default_rng(0)

    obs, info = pool.reset()
    state = pool.get_state()
    for i, ref in enumerate(refs):
        ref_obs, ref_info = _load_state(ref, task_id, state, i)
        _assert_obs_equal(task_id, obs, i, ref_obs)
        _assert_info_equal(info, i, ref_info)
    starting = np.zeros(NUM_ENVS, dtype=bool)
    ended_by = {"terminated": 0, "truncated": 0}

    for _ in range(NUM_STEPS):
        actions = rng.integers(0, pool.single_action_space.n, size=NUM_ENVS)
        if task_id.startswith("CliffWalking"):
            # Mostly up and right, so walks reach the goal as well as the cliff.
            actions = rng.choice(4, size=NUM_ENVS, p=[0.35, 0.45, 0.1, 0.1])
        if task_id == "Taxi-v3":
            # Half the time an action the mask allows, so pickups and deliveries happen.
            for i in range(NUM_ENVS):
                if rng.random() < 0.5:
                    actions[i] = rng.choice(np.flatnonzero(info["action_mask"][i]))
        obs, reward, terminated, truncated, info = pool.step(actions)
        state = pool.get_state()

        for i, ref in enumerate(refs):
            # NEXT_STEP autoreset: this row is a new episode's first observation.
            if starting[i]:
                ref_obs, ref_info = _load_state(ref, task_id, state, i)
                _assert_obs_equal(task_id, obs, i, ref_obs)
                _assert_info_equal(info, i, ref_info)
                assert (reward[i], terminated[i], truncated[i]) == (0.0, False, False)
                continue
            env = ref.unwrapped
            script = ScriptedRandom()
            if blackjack:
                _script_cards((list(env.player), list(env.dealer)), state, i, script)
            else:
                outcome = (int(obs[i]), reward[i], terminated[i], info["prob"][i])
                _script_categorical(task_id, env, int(actions[i]), outcome, script)
            real_random, env._np_random = env._np_random, script
            ref_obs, ref_reward, ref_terminated, ref_truncated, ref_info = ref.step(int(actions[i]))
            env._np_random = real_random
            assert script.exhausted(), "envfleet drew more than Gymnasium did"

            _assert_obs_equal(task_id, obs, i, ref_obs)
            assert reward[i] == ref_reward
            assert (terminated[i], truncated[i]) == (ref_terminated, ref_truncated)
            _assert_info_equal(info, i, ref_info)
            if not blackjack:
                assert int(state["state"][i, 0]) == env.s
        starting = terminated | truncated
        ended_by["terminated"] += int(terminated.sum())
        ended_by["truncated"] += int(truncated.sum())

    # The run covered episode ends, and Taxi's time limit (random walks on the lakes end sooner).
    assert ended_by["terminated"] > 0
    if task_id == "Taxi-v3":
        assert ended_by["truncated"] > 0
