"""PPO on MuJoCo (HalfCheetah-v5 or Ant-v5) with envfleet, in one file (PyTorch).

The envfleet pool is wrapped in Gymnasium's own vector wrappers, as CleanRL's continuous-action
PPO wraps its envs: action clipping, observation and reward normalisation (each clipped to
[-10, 10]); the episode statistics come from envfleet's engine (`episode_stats=True`), not from a
wrapper. Gymnasium's observation wrappers need the NEXT_STEP autoreset mode (envfleet's default):
the step after an episode's last one only resets the env. The rollout keeps that step's
observation (the true last observation of the episode: a time-limit end bootstraps from its value)
and leaves the reset step itself out of the update.

    python examples/ppo_continuous.py --env-id HalfCheetah-v5 --total-timesteps 1000000
"""

from __future__ import annotations

import argparse
import time

import gymnasium
import numpy as np
import torch
from gymnasium.wrappers import vector as vw
from torch import nn

import envfleet


def parse_args() -> argparse.Namespace:
    """The command line: CleanRL's continuous-action PPO defaults."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-id", default="HalfCheetah-v5", help="HalfCheetah-v5 or Ant-v5")
    parser.add_argument("--total-timesteps", type=int, default=1_000_000)
    parser.add_argument("--num-envs", type=int, default=4)
    parser.add_argument("--num-steps", type=int, default=512, help="steps per env per rollout")
    parser.add_argument("--num-minibatches", type=int, default=32)
    parser.add_argument("--update-epochs", type=int, default=10)
    parser.add_argument("--learning-rate", type=float, default=3e-4)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--gae-lambda", type=float, default=0.95)
    parser.add_argument("--clip-coef", type=float, default=0.2)
    parser.add_argument("--ent-coef", type=float, default=0.0)
    parser.add_argument("--vf-coef", type=float, default=0.5)
    parser.add_argument("--max-grad-norm", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--torch-threads", type=int, default=1, help="PyTorch CPU threads")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument(
        "--capture-video",
        action="store_true",
        help="record videos of the envs, side by side, to videos/ (episodes 0, 1, 8, 27, ...)",
    )
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


def layer(module: nn.Module, std: float = np.sqrt(2)) -> nn.Module:
    """Orthogonal weights with gain `std`, zero bias (PPO's usual initialisation)."""
    nn.init.orthogonal_(module.weight, std)
    nn.init.constant_(module.bias, 0.0)
    return module


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


def ppo_update(agent, optimizer, batch, args) -> dict[str, float]:
    """`update_epochs` passes of clipped-PPO minibatch updates over one rollout."""
    obs, actions, old_logprobs, advantages, returns = batch
    size = len(obs)
    minibatch = size // args.num_minibatches
    for _ in range(args.update_epochs):
        order = torch.randperm(size, device=obs.device)
        for start in range(0, size - minibatch + 1, minibatch):  # full minibatches only
            idx = order[start : start + minibatch]
            _, logprob, entropy, value = agent.get_action_and_value(obs[idx], actions[idx])
            ratio = (logprob - old_logprobs[idx]).exp()
            adv = advantages[idx]
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
            policy_loss = torch.max(
                -adv * ratio, -adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)
            ).mean()
            value_loss = 0.5 * ((value - returns[idx]) ** 2).mean()
            loss = policy_loss - args.ent_coef * entropy.mean() + args.vf_coef * value_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
            optimizer.step()
    return {"policy_loss": policy_loss.item(), "value_loss": value_loss.item()}


def main() -> None:
    """Trains, printing each finished episode's return and each update's losses."""
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.torch_threads)
    device = torch.device(args.device)
    envs = make_envs(args)
    obs_size = envs.single_observation_space.shape[0]
    action_size = envs.single_action_space.shape[0]
    agent = Agent(obs_size, action_size).to(device)
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)

    steps, n = args.num_steps, args.num_envs
    obs_buf = torch.zeros((steps, n, obs_size), device=device)
    actions_buf = torch.zeros((steps, n, action_size), device=device)
    logprobs_buf, rewards_buf, values_buf = (
        torch.zeros((steps, n), device=device) for _ in range(3)
    )
    # terminated / (terminated or truncated) at each step; reset steps are not transitions.
    terminated_buf, done_buf, reset_step_buf = (
        torch.zeros((steps, n), dtype=torch.bool, device=device) for _ in range(3)
    )
    obs, _ = envs.reset(seed=args.seed)
    next_obs = torch.as_tensor(obs, dtype=torch.float32, device=device)
    next_is_reset_step = torch.zeros(n, dtype=torch.bool, device=device)
    global_step, start = 0, time.time()
    num_updates = max(1, args.total_timesteps // (steps * n))

    for update in range(1, num_updates + 1):
        for g in optimizer.param_groups:  # linear learning-rate annealing
            g["lr"] = (1.0 - (update - 1.0) / num_updates) * args.learning_rate
        for t in range(steps):
            global_step += n
            obs_buf[t], reset_step_buf[t] = next_obs, next_is_reset_step
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
            actions_buf[t], logprobs_buf[t], values_buf[t] = action, logprob, value
            obs, reward, terminated, truncated, info = envs.step(action.cpu().numpy())
            rewards_buf[t] = torch.as_tensor(reward, dtype=torch.float32, device=device)
            terminated_buf[t] = torch.as_tensor(terminated, device=device)
            done_buf[t] = torch.as_tensor(terminated | truncated, device=device)
            next_obs = torch.as_tensor(obs, dtype=torch.float32, device=device)
            next_is_reset_step = done_buf[t]
            if "episode" in info:  # the engine's episode statistics: the unnormalised returns
                for i in np.flatnonzero(info["_episode"]):
                    episode_return = info["episode"]["r"][i]
                    print(f"global_step={global_step} episodic_return={episode_return:.1f}")

        # GAE: an episode's last step bootstraps from the value of its true last observation
        # (kept by NEXT_STEP) unless it terminated, and no advantage flows across its end.
        with torch.no_grad():
            next_value = agent.get_value(next_obs)
            advantages = torch.zeros_like(rewards_buf)
            last_gae = torch.zeros(n, device=device)
            for t in reversed(range(steps)):
                following = next_value if t == steps - 1 else values_buf[t + 1]
                delta = (
                    rewards_buf[t] + args.gamma * following * (~terminated_buf[t]) - values_buf[t]
                )
                last_gae = delta + args.gamma * args.gae_lambda * (~done_buf[t]) * last_gae
                advantages[t] = last_gae
            returns = advantages + values_buf

        transitions = ~reset_step_buf.flatten()
        batch = (
            obs_buf.flatten(0, 1)[transitions],
            actions_buf.flatten(0, 1)[transitions],
            logprobs_buf.flatten()[transitions],
            advantages.flatten()[transitions],
            returns.flatten()[transitions],
        )
        losses = ppo_update(agent, optimizer, batch, args)
        fps = int(global_step / (time.time() - start))
        print(
            f"update={update}/{num_updates} steps/s={fps} "
            + " ".join(f"{name}={value:.4f}" for name, value in losses.items())
        )
    envs.close()


if __name__ == "__main__":
    main()
