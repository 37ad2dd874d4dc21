"""The command-line options the examples share: CleanRL's PPO hyperparameters (each script with its
own defaults), the PyTorch options, the choice of pool, video capture.

Imported by the scripts beside it (`python examples/<script>.py` puts this folder on the path).
"""

from __future__ import annotations

import argparse

# CleanRL's PPO-Atari defaults; the continuous-action script overrides some of them.
ATARI_DEFAULTS = {
    "env_id": "Pong-v5",
    "total_timesteps": 10_000_000,
    "num_steps": 128,
    "num_minibatches": 4,
    "update_epochs": 4,
    "learning_rate": 2.5e-4,
    "clip_coef": 0.1,
    "ent_coef": 0.01,
}

# CleanRL's continuous-action PPO defaults (MuJoCo).
CONTINUOUS_DEFAULTS = {
    "env_id": "HalfCheetah-v5",
    "total_timesteps": 1_000_000,
    "num_steps": 512,
    "num_minibatches": 32,
    "update_epochs": 10,
    "learning_rate": 3e-4,
    "clip_coef": 0.2,
    "ent_coef": 0.0,
}


def ppo_parser(
    description: str, num_steps_help: str = "steps per env per rollout", **defaults
) -> argparse.ArgumentParser:
    """A parser of the PPO hyperparameters, with `defaults` (ATARI_DEFAULTS's keys) replaced.

    The caller adds its own options (how many envs, the device, ...)."""
    values = ATARI_DEFAULTS | defaults
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--env-id", default=values["env_id"])
    parser.add_argument("--total-timesteps", type=int, default=values["total_timesteps"])
    parser.add_argument("--num-steps", type=int, default=values["num_steps"], help=num_steps_help)
    parser.add_argument("--num-minibatches", type=int, default=values["num_minibatches"])
    parser.add_argument("--update-epochs", type=int, default=values["update_epochs"])
    parser.add_argument("--learning-rate", type=float, default=values["learning_rate"])
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--gae-lambda", type=float, default=0.95)
    parser.add_argument("--clip-coef", type=float, default=values["clip_coef"])
    parser.add_argument("--ent-coef", type=float, default=values["ent_coef"])
    parser.add_argument("--vf-coef", type=float, default=0.5)
    parser.add_argument("--max-grad-norm", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    return parser


def add_torch_options(parser: argparse.ArgumentParser, cuda_available: bool) -> None:
    """--torch-threads and --device, for the PyTorch scripts."""
    parser.add_argument("--torch-threads", type=int, default=1, help="PyTorch CPU threads")
    parser.add_argument("--device", default="cuda" if cuda_available else "cpu")


def add_pool_choice(parser: argparse.ArgumentParser) -> None:
    """--envs: envfleet's pool, or EnvPool's for a side-by-side speed comparison."""
    parser.add_argument(
        "--envs",
        choices=("envfleet", "envpool"),
        default="envfleet",
        help="whose pool steps the games (envpool: for a side-by-side speed comparison)",
    )


def add_capture_video(parser: argparse.ArgumentParser) -> None:
    """CleanRL's --capture-video."""
    parser.add_argument(
        "--capture-video",
        action="store_true",
        help="record videos of the envs, side by side, to videos/ (episodes 0, 1, 8, 27, ...)",
    )
