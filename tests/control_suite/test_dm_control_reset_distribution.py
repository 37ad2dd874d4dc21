"""Initial-state distributions of the Control Suite tasks against dm_control's.

envfleet draws each episode's initial state from its own generator (normals by Box-Muller), so its
values differ from dm_control's NumPy RandomState draws, but they must come from the same
distribution. For every id, n envfleet resets (one per env of a pool) are checked against n resets
of dm_control's environment (for LQR's stiffnesses, which are drawn per environment: n models of
dm_control's generator), value by value of the state (qpos, qvel, act, the warm-start
accelerations, the task's per-episode values):
- a value dm_control never varies equals dm_control's;
- every other value passes a two-sample Kolmogorov-Smirnov test against dm_control's draws:
  distance below the 1e-4 critical value, 2.23 * sqrt(2 / n).
n is 1500, except for QuadrupedEscape (300): its resets search for a height where the body touches
its terrain, about 0.1 s each in dm_control.
Seeds are fixed, so the checks are deterministic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import suite_reference as ref
from scipy import stats

import envfleet
from envfleet.dm_control_tasks import DOMAIN_TASK, TASK_IDS

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

NUM_SAMPLES = 1500
FEWER_SAMPLES = {"QuadrupedEscape-v1": 300}


def _ks_critical(num_samples: int) -> float:
    # The two-sample KS distance that equal distributions exceed with probability 1e-4.
    return math.sqrt(-0.5 * math.log(1e-4 / 2)) * math.sqrt(2 / num_samples)


def _dm_control_states(task_id: str, num_samples: int) -> np.ndarray:
    env = ref.load(task_id, seed=11)
    rows = []
    for _ in range(num_samples):
        env.reset()
        rows.append(np.concatenate(list(ref.state(task_id, env).values()), axis=1)[0])
    states = np.array(rows)
    if DOMAIN_TASK[task_id][0] == "lqr":
        # LQR's model (its joints' stiffnesses, the task's state) is drawn once per environment,
        # as envfleet draws one per env: the stiffnesses of num_samples models that dm_control's
        # own generator writes (compiling each would take minutes; the resets' values do not
        # depend on them).
        njnt = env.physics.model.njnt
        states[:, -njnt:] = [_lqr_stiffnesses(env, 11 + k) for k in range(num_samples)]
    return states


def _lqr_stiffnesses(env, seed: int) -> list[float]:
    from dm_control.suite import lqr
    from lxml import etree

    model = env.physics.model
    xml = lqr._make_model(model.njnt, model.nu, np.random.RandomState(seed))
    return [
        float(joint.get("stiffness"))
        for joint in etree.fromstring(xml).find("worldbody").iter("joint")
    ]


def _envfleet_states(task_id: str, num_samples: int) -> np.ndarray:
    pool = envfleet.make_gymnasium(task_id, num_envs=num_samples, num_threads=1, seed=5)
    pool.reset()
    states = np.concatenate(list(pool.get_state().values()), axis=1)
    pool.close()
    return states


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_reset_states_follow_dm_controls_distribution(task_id):
    num_samples = FEWER_SAMPLES.get(task_id, NUM_SAMPLES)
    expected = _dm_control_states(task_id, num_samples)
    got = _envfleet_states(task_id, num_samples)
    names = [
        f"{name}[{k}]"
        for name, size in envfleet.make_spec(task_id).state_layout
        for k in range(size)
    ]
    assert got.shape == expected.shape
    for column, name in enumerate(names):
        reference = expected[:, column]
        if np.ptp(reference) == 0:
            np.testing.assert_allclose(got[:, column], reference[0], atol=1e-12, err_msg=name)
            continue
        distance = stats.ks_2samp(got[:, column], reference).statistic
        assert distance < _ks_critical(num_samples), f"{task_id} {name}: KS distance {distance:.3f}"
