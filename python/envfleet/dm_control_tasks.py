"""The DeepMind Control Suite tasks envfleet provides: (domain, task) of `dm_control.suite` and
the id EnvPool gives each (`suite.load("ball_in_cup", "catch")` is `BallInCupCatch-v1`).

Kept in Python as well as in the extension so that `list_all_envs()` works without dm_control
and without loading the extension; tests/control_suite checks the two lists agree.
"""

from __future__ import annotations


def envpool_id(domain: str, task: str) -> str:
    """EnvPool's id of a suite task: each word's first letter capitalised, joined, then -v1."""
    words = [*domain.split("_"), *task.split("_")]
    return "".join(word[:1].upper() + word[1:] for word in words) + "-v1"


# (domain, task) pairs, in dm_control.suite.ALL_TASKS order.
SUITE_TASKS: tuple[tuple[str, str], ...] = (
    ("acrobot", "swingup"),
    ("acrobot", "swingup_sparse"),
    ("ball_in_cup", "catch"),
    ("cartpole", "balance"),
    ("cartpole", "balance_sparse"),
    ("cartpole", "swingup"),
    ("cartpole", "swingup_sparse"),
    ("cartpole", "two_poles"),
    ("cartpole", "three_poles"),
    ("cheetah", "run"),
    ("finger", "spin"),
    ("finger", "turn_easy"),
    ("finger", "turn_hard"),
    ("fish", "upright"),
    ("fish", "swim"),
    ("hopper", "stand"),
    ("hopper", "hop"),
    ("humanoid", "stand"),
    ("humanoid", "walk"),
    ("humanoid", "run"),
    ("humanoid", "run_pure_state"),
    ("humanoid_CMU", "stand"),
    ("humanoid_CMU", "walk"),
    ("humanoid_CMU", "run"),
    ("lqr", "lqr_2_1"),
    ("lqr", "lqr_6_2"),
    ("manipulator", "bring_ball"),
    ("manipulator", "bring_peg"),
    ("manipulator", "insert_ball"),
    ("manipulator", "insert_peg"),
    ("pendulum", "swingup"),
    ("point_mass", "easy"),
    ("point_mass", "hard"),
    ("quadruped", "walk"),
    ("quadruped", "run"),
    ("quadruped", "escape"),
    ("quadruped", "fetch"),
    ("reacher", "easy"),
    ("reacher", "hard"),
    ("stacker", "stack_2"),
    ("stacker", "stack_4"),
    ("swimmer", "swimmer6"),
    ("swimmer", "swimmer15"),
    ("walker", "stand"),
    ("walker", "walk"),
    ("walker", "run"),
)

TASK_IDS: tuple[str, ...] = tuple(envpool_id(domain, task) for domain, task in SUITE_TASKS)
DOMAIN_TASK = dict(zip(TASK_IDS, SUITE_TASKS, strict=True))
