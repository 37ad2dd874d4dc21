"""PPO on MuJoCo (HalfCheetah-v5 or Ant-v5) with envfleet (PyTorch).

The envfleet pool is wrapped in Gymnasium's own vector wrappers, as CleanRL's continuous-action
PPO wraps its envs: action clipping, observation and reward normalisation (each clipped to
[-10, 10]); the episode statistics come from envfleet's engine (`episode_stats=True`), not from a
wrapper. Gymnasium's observation wrappers need the NEXT_STEP autoreset mode (envfleet's default):
the step after an episode's last one only resets the env. The rollout keeps that step's
observation (the true last observation of the episode: a time-limit end bootstraps from its value)
and leaves the reset step itself out of the update. The PPO update is torch_parts.py's.

    python examples/ppo_continuous.py --env-id HalfCheetah-v5 --total-timesteps 1000000
"""

from __future__ import annotations

import argparse

import gymnasium
import numpy as np
import torch
from gymnasium.wrappers import vector as vw
from torch import nn

import envfleet
from cli_options import CONTINUOUS_DEFAULTS, add_capture_video, add_torch_options, ppo_parser
from torch_parts import Rollout, UpdateSchedule, layer, ppo_update, start_torch


def parse_args() -> argparse.Namespace:
    """The command line: CleanRL's continuous-action PPO defaults."""
    parser = ppo_parser(__doc__.splitlines()[0], **CONTINUOUS_DEFAULTS)
    parser.add_argument("--num-envs", type=int, default=4)
    add_torch_options(parser, torch.cuda.is_available())
    add_capture_video(parser)
    return parser.parse_args()


def make_envs(args: argparse.Namespace) -> gymnasium.vector.VectorEnv:
    """The envfleet pool inside Gymnasium's vector wrappers."""
    # episode_stats: the engine reports each episode's return (before the reward wrappers below)
    # in info["episode"], Gymnasium's RecordEpisodeStatistics layout.
    envs = envfleet.make_gymnasium(
        args.env_id, num_envs=args.num_envs, seed=args.seed, episode_stats=True
    )
    if args.capture_video:
        # CleanRL's --capture-video: the pool's pictures, before any wrapper changes the episodes.
        envs = vw.RecordVideo(envs, f"videos/{args.env_id}__{args.seed}")
    envs = vw.ClipAction(envs)
    envs = vw.NormalizeObservation(envs)
    envs = vw.TransformObservation(envs, lambda obs: np.clip(obs, -10, 10))
    envs = vw.NormalizeReward(envs, gamma=args.gamma)
    return vw.TransformReward(envs, lambda reward: np.clip(reward, -10, 10))


class Agent(nn.Module):
    """Separate 64-64 tanh networks for the value and the Gaussian policy's mean."""

    def __init__(self, obs_size: int, action_size: int) -> None:
        super().__init__()
        self.critic = nn.Sequential(
            layer(nn.Linear(obs_size, 64)),
            nn.Tanh(),
            layer(nn.Linear(64, 64)),
            nn.Tanh(),
            layer(nn.Linear(64, 1), std=1.0),
        )
        self.actor_mean = nn.Sequential(
            layer(nn.Linear(obs_size, 64)),
            nn.Tanh(),
            layer(nn.Linear(64, 64)),
            nn.Tanh(),
            layer(nn.Linear(64, action_size), std=0.01),
        )
        self.actor_logstd = nn.Parameter(torch.zeros(1, action_size))

    def get_value(self, obs: torch.Tensor) -> torch.Tensor:
        """The state value of each observation."""
        return self.critic(obs).squeeze(-1)

    def get_action_and_value(
        self, obs: torch.Tensor, action: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(action, its log-probability, the policy's entropy, the state value)."""
        mean = self.actor_mean(obs)
        dist = torch.distributions.Normal(mean, self.actor_logstd.expand_as(mean).exp())
        if action is None:
            action = dist.sample()
        value = self.critic(obs).squeeze(-1)
        return action, dist.log_prob(action).sum(-1), dist.entropy().sum(-1), value


def main() -> None:
    """Trains, printing each finished episode's return and each update's losses."""
    args = parse_args()
    device = start_torch(args)
    envs = make_envs(args)
    obs_size = envs.single_observation_space.shape[0]
    action_size = envs.single_action_space.shape[0]
    agent = Agent(obs_size, action_size).to(device)

    steps, n = args.num_steps, args.num_envs
    rollout = Rollout(steps, n, (obs_size,), (action_size,), torch.float32, device)
    # terminated / (terminated or truncated) at each step; reset steps are not transitions.
    terminated_buf, done_buf, reset_step_buf = (
        torch.zeros((steps, n), dtype=torch.bool, device=device) for _ in range(3)
    )
    obs, _ = envs.reset(seed=args.seed)
    next_obs = rollout.tensor(obs)
    next_is_reset_step = torch.zeros(n, dtype=torch.bool, device=device)
    schedule = UpdateSchedule(agent, args, steps * n)

    for _ in schedule:
        for t in schedule.rollout_steps(steps, n):
            reset_step_buf[t] = next_is_reset_step
            obs, terminated, truncated, info = rollout.step(t, envs, agent, next_obs)
            terminated_buf[t] = torch.as_tensor(terminated, device=device)
            done_buf[t] = torch.as_tensor(terminated | truncated, device=device)
            next_obs = rollout.tensor(obs)
            next_is_reset_step = done_buf[t]
            if "episode" in info:  # the engine's episode statistics: the unnormalised returns
                for i in np.flatnonzero(info["_episode"]):
                    episode_return = info["episode"]["r"][i]
                    schedule.print_at_step(f"episodic_return={episode_return:.1f}")

        # GAE: an episode's last step bootstraps from the value of its true last observation
        # (kept by NEXT_STEP) unless it terminated, and no advantage flows across its end.
        values, rewards = rollout.values, rollout.rewards
        with torch.no_grad():
            next_value = agent.get_value(next_obs)
            advantages = torch.zeros_like(rewards)
            last_gae = torch.zeros(n, device=device)
            for t in reversed(range(steps)):
                following = next_value if t == steps - 1 else values[t + 1]
                delta = rewards[t] + args.gamma * following * (~terminated_buf[t]) - values[t]
                last_gae = delta + args.gamma * args.gae_lambda * (~done_buf[t]) * last_gae
                advantages[t] = last_gae
            returns = advantages + values

        transitions = ~reset_step_buf.flatten()
        batch = tuple(
            column[transitions]
            for column in (*rollout.flat(), advantages.flatten(), returns.flatten())
        )
        losses = ppo_update(agent, schedule.optimizer, batch, args)
        schedule.report(losses)
    envs.close()


if __name__ == "__main__":
    main()
