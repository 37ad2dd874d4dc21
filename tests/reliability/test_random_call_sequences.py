"""Random sequences of valid and invalid calls on every family, checked against a model.

Hypothesis draws a pool (size, sync or async, autoreset mode, a short time limit) and a sequence
of calls: resets, steps, partial ones, sends, receives, calls in the wrong order and calls with
one bad argument (shape, dtype, NaN / inf, out-of-range or repeated env ids, wrong keyword types,
huge sizes), then close. A model of each env (reset yet? step count, episode over, in flight)
says what every call must do:

- an invalid call raises the documented exception type (docs/reliability.md) with a message
  naming the problem, and changes nothing: later valid calls still match the model;
- a valid call returns arrays of the promised shapes and dtypes, the env ids that were sent
  (async: distinct ids among those in flight), and elapsed_step / truncated following the
  autoreset rules.

Examples are derandomized (the same in every run) and few, to keep the test's time small.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import envfleet

# (task, options, examples): every family, made small; examples bounded by the cost of making.
TASKS = [
    ("Counting-v0", {"episode_length": 3}, 25),
    ("CartPole-v1", {}, 15),
    ("Pendulum-v1", {}, 10),
    ("Pong-v5", {"img_height": 21, "img_width": 21, "stack_num": 1}, 4),
    ("Hopper-v5", {}, 6),
]
CALLS_PER_EXAMPLE = 25
# The kinds of call, valid ones more often, so that episodes end within an example.
CALLS = ["reset", *["step"] * 4, *["recv"] * 3, "bad_actions", "bad_ids", "bad_keywords", "order"]


@dataclass
class EnvModel:
    """What the model knows of one env."""

    was_reset: bool = False
    elapsed: int = 0
    episode_over: bool = False
    in_flight: str | None = None  # async: "reset" or "step" while sent and not received


@dataclass
class PoolModel:
    num_envs: int
    batch_size: int
    mode: str
    max_steps: int
    envs: list[EnvModel] = field(default_factory=list)
    pending: list[int] | None = None  # sync: ids of a sent request not yet received
    closed: bool = False

    @property
    def is_async(self) -> bool:
        return self.batch_size < self.num_envs

    def steppable(self, env_id: int) -> bool:
        env = self.envs[env_id]
        ended = env.episode_over and self.mode == "disabled"
        return env.was_reset and not ended and env.in_flight is None

    def idle(self) -> list[int]:
        return [i for i, env in enumerate(self.envs) if env.in_flight is None]


def check_result(pool, model: PoolModel, result, sent: list[int] | None, kinds: dict[int, str]):
    """Checks one step/recv result against the model and advances the model."""
    obs, reward, terminated, truncated, info = result
    ids = info["env_id"].tolist()
    rows = len(ids)
    if sent is not None:
        assert ids == sent
    else:
        assert rows == model.batch_size and len(set(ids)) == rows
    space = pool.single_observation_space
    assert obs.shape == (rows, *space.shape) and obs.dtype == space.dtype
    assert reward.shape == (rows,) and reward.dtype == np.float64
    assert terminated.dtype == np.bool_ and truncated.dtype == np.bool_
    assert info["elapsed_step"].dtype == np.int32
    for row, env_id in enumerate(ids):
        env = model.envs[env_id]
        kind = kinds[env_id]
        elapsed = int(info["elapsed_step"][row])
        if kind == "reset" or (kind == "step" and env.episode_over):  # reset or NEXT_STEP reset
            assert model.mode != "disabled" or kind == "reset"
            assert elapsed == 0 and not terminated[row] and not truncated[row]
            assert reward[row] == 0.0
            env.was_reset, env.elapsed, env.episode_over = True, 0, False
        else:
            # The time limit truncates exactly at max_steps.
            assert bool(truncated[row]) == (env.elapsed + 1 >= model.max_steps)
            done = bool(terminated[row] or truncated[row])
            if model.mode == "same_step" and done:
                assert elapsed == 0 and info["final_info"]["elapsed_step"][row] == env.elapsed + 1
                env.elapsed, env.episode_over = 0, False
            else:
                assert elapsed == env.elapsed + 1
                env.elapsed, env.episode_over = elapsed, done
        env.in_flight = None


def valid_actions(pool, rows: int, rng: np.random.Generator) -> np.ndarray:
    space = pool.single_action_space
    if hasattr(space, "n"):
        return rng.integers(0, space.n, size=rows, dtype=np.int64)
    return rng.uniform(space.low, space.high, size=(rows, *space.shape)).astype(space.dtype)


def bad_actions(pool, rows: int, how: str) -> tuple[object, type[Exception], str]:
    """Actions with one problem, and the error (type, message pattern) they must raise."""
    space = pool.single_action_space
    discrete = hasattr(space, "n")
    good = np.zeros((rows, *space.shape), dtype=space.dtype)
    if how == "rows":
        return np.zeros((rows + 1, *space.shape), dtype=space.dtype), ValueError, "shape"
    if how == "axis":
        return good[..., None], ValueError, "shape"
    if how == "dtype":
        if discrete:
            return good.astype(np.float32), TypeError, "integers"
        return good.astype(bool), TypeError, "real numbers"
    if how == "strings":
        return np.full(good.shape, "a"), TypeError, "actions must be"
    if discrete:  # how == "value"
        bad = good.copy()
        bad[-1] = space.n if rows % 2 else -1
        return bad, ValueError, "out of range"
    bad = good.copy()
    bad.flat[-1] = np.nan if rows % 2 else -np.inf
    return bad, ValueError, "NaN" if rows % 2 else "infinite"


BAD_IDS = {
    "out_of_range": (IndexError, "out of range"),
    "negative": (IndexError, "out of range"),
    "huge": (IndexError, "out of range"),
    "repeated": (ValueError, "repeated"),
    "float": (TypeError, "integers"),
    "two_d": (ValueError, "1-D"),
    "string": (TypeError, "env_id"),
}


def bad_ids(model: PoolModel, valid: list[int], how: str) -> list | np.ndarray | str:
    if how == "out_of_range":
        return [*valid[:-1], model.num_envs]
    if how == "negative":
        return [-1, *valid[1:]]
    if how == "huge":
        return [2**40]
    if how == "repeated":
        return [valid[0], *valid]
    if how == "float":
        return np.array(valid, dtype=np.float64) + 0.5
    if how == "two_d":
        return np.array([valid])
    return "zero"


def raises(error: type[Exception], pattern: str, function, *args, **kwargs) -> None:
    """Checks that function(*args, **kwargs) raises `error` with a message matching `pattern`."""
    with pytest.raises(error, match=pattern):
        function(*args, **kwargs)


def play(pool, model: PoolModel, data, rng: np.random.Generator) -> None:
    """Runs CALLS_PER_EXAMPLE drawn calls against the pool and the model."""
    n = model.num_envs
    for _ in range(CALLS_PER_EXAMPLE):
        idle = model.idle()
        steppable = [i for i in idle if model.steppable(i)]
        in_flight = n - len(idle)
        call = data.draw(st.sampled_from(CALLS), label="call")
        if call == "reset" and model.pending is None and idle:
            ids = data.draw(st.permutations(idle), label="reset ids")[
                : data.draw(st.integers(1, len(idle)))
            ]
            seed = data.draw(st.one_of(st.none(), st.integers(0, 2**64 - 1)), label="seed")
            if model.is_async:
                pool.async_reset(seed=seed, env_id=ids)
                for i in ids:
                    model.envs[i].in_flight = "reset"
            else:
                obs, info = pool.reset(seed=seed, env_id=ids)
                kinds = dict.fromkeys(ids, "reset")
                zeros = np.zeros(len(ids))
                result = (obs, zeros, zeros.astype(bool), zeros.astype(bool), info)
                check_result(pool, model, result, ids, kinds)
        elif call == "step" and model.pending is None and steppable:
            ids = data.draw(st.permutations(steppable), label="step ids")[
                : data.draw(st.integers(1, len(steppable)))
            ]
            actions = valid_actions(pool, len(ids), rng)
            if model.is_async:
                pool.send(actions, env_id=ids)
                for i in ids:
                    model.envs[i].in_flight = "step"
            elif data.draw(st.booleans(), label="send instead"):
                pool.send(actions, env_id=ids)
                model.pending = ids
            else:
                kinds = dict.fromkeys(ids, "step")
                check_result(pool, model, pool.step(actions, env_id=ids), ids, kinds)
        elif call == "recv" and model.is_async and in_flight >= model.batch_size:
            kinds = {i: env.in_flight for i, env in enumerate(model.envs) if env.in_flight}
            check_result(pool, model, pool.recv(timeout=60), None, kinds)
        elif call == "recv" and model.pending is not None:
            ids, model.pending = model.pending, None
            check_result(pool, model, pool.recv(), ids, dict.fromkeys(ids, "step"))
        elif call == "bad_actions" and steppable and model.pending is None:
            ids = steppable[: data.draw(st.integers(1, len(steppable)))]
            how = data.draw(st.sampled_from(["rows", "axis", "dtype", "strings", "value"]))
            actions, error, pattern = bad_actions(pool, len(ids), how)
            raises(error, pattern, pool.send, actions, env_id=ids)
        elif call == "bad_ids" and steppable and model.pending is None:
            ids = steppable[: data.draw(st.integers(1, len(steppable)))]
            how = data.draw(st.sampled_from(sorted(BAD_IDS)), label="bad ids")
            error, pattern = BAD_IDS[how]
            wrong = bad_ids(model, ids, how)
            rows = len(np.atleast_1d(np.asarray(wrong)).reshape(-1))
            raises(error, pattern, pool.send, valid_actions(pool, rows, rng), env_id=wrong)
        elif call == "bad_keywords":
            how = data.draw(
                st.sampled_from(["seed_type", "seed_negative", "seed_count", "timeout"])
            )
            if how == "seed_type":
                raises(TypeError, "seed", pool.async_reset, seed="x", env_id=idle[:1])
            elif how == "seed_negative":
                raises(ValueError, "seed", pool.async_reset, seed=[-1], env_id=idle[:1])
            elif how == "seed_count":
                raises(ValueError, "seeds", pool.async_reset, seed=[1, 2], env_id=idle[:1])
            else:
                raises(TypeError, "timeout", pool.recv, timeout="soon")
        elif call == "order":
            wrong_order_call(pool, model, rng, idle)
    # The pool is usable after everything: receive what is in flight, then reset and step all.
    if model.pending is not None:
        pool.recv()
    while model.is_async and n - len(model.idle()) >= model.batch_size:
        kinds = {i: env.in_flight for i, env in enumerate(model.envs) if env.in_flight}
        check_result(pool, model, pool.recv(timeout=60), None, kinds)


def wrong_order_call(pool, model: PoolModel, rng, idle: list[int]) -> None:
    """One call the model says is out of order, and its RuntimeError."""
    never_reset = [i for i in idle if not model.envs[i].was_reset]
    ended = [i for i in idle if model.envs[i].episode_over and model.mode == "disabled"]
    busy = [i for i, env in enumerate(model.envs) if env.in_flight]
    one_action = valid_actions(pool, 1, rng)
    if model.pending is not None:
        raises(RuntimeError, r"recv\(\) it first", pool.step, one_action, model.pending[:1])
    elif never_reset or ended:
        raises(RuntimeError, "reset", pool.send, one_action, env_id=(never_reset or ended)[:1])
    elif busy:
        raises(RuntimeError, "in flight", pool.send, one_action, env_id=busy[:1])
    else:
        raises(RuntimeError, "in flight", pool.recv, timeout=0)


@pytest.mark.parametrize(("task", "options", "examples"), TASKS, ids=[t[0] for t in TASKS])
def test_random_call_sequences(task, options, examples):
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def run(data):
        n = data.draw(st.integers(1, 3), label="num_envs")
        batch = data.draw(st.integers(1, n - 1), label="batch_size") if n > 1 else 1
        batch = batch if data.draw(st.booleans(), label="async") else n
        mode = data.draw(st.sampled_from(["next_step", "same_step", "disabled"]), label="mode")
        max_steps = data.draw(st.integers(1, 6), label="max_episode_steps")
        pool = envfleet.make_gymnasium(
            task,
            num_envs=n,
            batch_size=batch,
            num_threads=data.draw(st.integers(0, 3), label="num_threads"),
            autoreset_mode=mode,
            max_episode_steps=max_steps,
            **options,
        )
        model = PoolModel(n, batch, mode, max_steps, [EnvModel() for _ in range(n)])
        try:
            play(pool, model, data, np.random.default_rng(data.draw(st.integers(0, 2**32))))
        finally:
            pool.close()
        # Closed: every call raises, naming it.
        raises(RuntimeError, "closed", pool.recv)
        raises(RuntimeError, "closed", pool.async_reset)

    run()


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"num_envs": -3}, ValueError, "num_envs must be >= 1"),
        ({"num_envs": 10**12}, ValueError, "num_envs must be <= "),
        ({"num_envs": 2, "batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"num_threads": 2**40}, ValueError, "num_threads must be <= "),
        ({"max_episode_steps": -1}, ValueError, "max_episode_steps"),
        ({"max_episode_steps": 1.5}, TypeError, "max_episode_steps must be an int"),
        ({"seed": 2**64}, ValueError, "seed"),
        ({"seed": "7"}, TypeError, "seed"),
        ({"autoreset_mode": 3}, ValueError, "autoreset_mode"),
    ],
)
def test_bad_pool_keywords_raise_named_errors(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        envfleet.make_gymnasium("CartPole-v1", **kwargs)
