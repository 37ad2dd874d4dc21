"""PPO on Atari Pong with envfleet, in one file (CleanRL's layout, PyTorch, CPU or GPU).

The agent trains on envfleet's preprocessed frames (84x84 grey, 4 stacked) with `episodic_life`
(a lost life ends the agent's episode) and `reward_clip` (rewards clipped to their sign). The
returns it reports are the real game's, whatever lives were lost on the way: envfleet's engine
computes them (`episode_stats=True`: `info["episode"]`, unclipped, over the whole game); for
EnvPool, the unclipped `info["reward"]` is summed until `info["terminated"]` says the game is over.

The pool runs in SAME_STEP autoreset mode: a finished env comes back already reset, so the
rollout below is the textbook one (a done flag cuts the bootstrap, no extra reset step).

    python examples/ppo_atari.py --total-timesteps 10000000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from gymnasium.wrappers import vector as vw
from torch import nn

import envfleet


def parse_args() -> argparse.Namespace:
    """The command line: CleanRL's PPO-Atari defaults."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-id", default="Pong-v5")
    parser.add_argument("--total-timesteps", type=int, default=10_000_000)
    parser.add_argument("--num-envs", type=int, default=8)
    parser.add_argument("--num-steps", type=int, default=128, help="steps per env per rollout")
    parser.add_argument("--num-minibatches", type=int, default=4)
    parser.add_argument("--update-epochs", type=int, default=4)
    parser.add_argument("--learning-rate", type=float, default=2.5e-4)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--gae-lambda", type=float, default=0.95)
    parser.add_argument("--clip-coef", type=float, default=0.1)
    parser.add_argument("--ent-coef", type=float, default=0.01)
    parser.add_argument("--vf-coef", type=float, default=0.5)
    parser.add_argument("--max-grad-norm", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--torch-threads", type=int, default=1, help="PyTorch CPU threads")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument(
        "--envs",
        choices=("envfleet", "envpool"),
        default="envfleet",
        help="whose pool steps the games (envpool: for a side-by-side speed comparison)",
    )
    parser.add_argument(
        "--capture-video",
        action="store_true",
        help="record videos of the envs, side by side, to videos/ (episodes 0, 1, 8, 27, ...)",
    )
    return parser.parse_args()


def layer(module: nn.Module, std: float = np.sqrt(2)) -> nn.Module:
    """Orthogonal weights with gain `std`, zero bias (PPO's usual initialisation)."""
    nn.init.orthogonal_(module.weight, std)
    nn.init.constant_(module.bias, 0.0)
    return module


class Agent(nn.Module):
    """The Nature-DQN convolutional torso with a policy head and a value head."""

    def __init__(self, frames: int, num_actions: int) -> None:
        super().__init__()
        self.torso = nn.Sequential(
            layer(nn.Conv2d(frames, 32, 8, stride=4)),
            nn.ReLU(),
            layer(nn.Conv2d(32, 64, 4, stride=2)),
            nn.ReLU(),
            layer(nn.Conv2d(64, 64, 3, stride=1)),
            nn.ReLU(),
            nn.Flatten(),
            layer(nn.Linear(64 * 7 * 7, 512)),
            nn.ReLU(),
        )
        self.policy = layer(nn.Linear(512, num_actions), std=0.01)
        self.value = layer(nn.Linear(512, 1), std=1.0)

    def get_value(self, obs: torch.Tensor) -> torch.Tensor:
        """The state value of each observation."""
        return self.value(self.torso(obs / 255.0)).squeeze(-1)

    def get_action_and_value(
        self, obs: torch.Tensor, action: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(action, its log-probability, the policy's entropy, the state value)."""
        hidden = self.torso(obs / 255.0)
        dist = torch.distributions.Categorical(logits=self.policy(hidden))
        if action is None:
            action = dist.sample()
        return action, dist.log_prob(action), dist.entropy(), self.value(hidden).squeeze(-1)


class GameReturns:
    """EnvPool's real game returns: unclipped rewards summed until the game (not a life) is over."""

    def __init__(self, num_envs: int) -> None:
        self.returns = np.zeros(num_envs)
        self.lengths = np.zeros(num_envs, dtype=np.int64)

    def update(self, info: dict, truncated: np.ndarray) -> list[tuple[float, int]]:
        """Adds one step's `info["reward"]`; returns (return, length) of the games that ended."""
        self.returns += info["reward"]
        self.lengths += 1
        over = info["terminated"].astype(bool) | truncated  # EnvPool gives int32
        ended = [(float(self.returns[i]), int(self.lengths[i])) for i in np.flatnonzero(over)]
        self.returns[over] = 0.0
        self.lengths[over] = 0
        return ended


def finished_games(info: dict, games: GameReturns | None, *update_args) -> list[tuple[float, int]]:
    """(return, length) of the games that ended: envfleet's engine reports them in
    `info["episode"]` (episode_stats=True: unclipped, over every life); EnvPool's are summed by
    GameReturns."""
    if games is not None:
        return games.update(*update_args)
    if "episode" not in info:
        return []
    episode = info["episode"]
    return [
        (float(episode["r"][i]), int(episode["l"][i])) for i in np.flatnonzero(info["_episode"])
    ]


def make_envs(args: argparse.Namespace):
    """envfleet's pool in SAME_STEP mode; with `--envs envpool`, EnvPool's, which resets a
    finished env on its next step: that step is stored as an ordinary transition, as CleanRL's
    EnvPool script does (the same work per step, for comparing speed)."""
    options = {"num_envs": args.num_envs, "seed": args.seed, "episodic_life": True}
    if args.envs == "envpool":
        import envpool

        return envpool.make_gymnasium(args.env_id, reward_clip=True, **options)
    return envfleet.make_gymnasium(
        args.env_id, reward_clip=True, autoreset_mode="same_step", episode_stats=True, **options
    )


def ppo_update(agent, optimizer, batch, args) -> dict[str, float]:
    """`update_epochs` passes of clipped-PPO minibatch updates over one rollout."""
    obs, actions, old_logprobs, advantages, returns, old_values = batch
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
            value_clipped = old_values[idx] + (value - old_values[idx]).clamp(
                -args.clip_coef, args.clip_coef
            )
            value_loss = (
                0.5
                * torch.max((value - returns[idx]) ** 2, (value_clipped - returns[idx]) ** 2).mean()
            )
            loss = policy_loss - args.ent_coef * entropy.mean() + args.vf_coef * value_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
            optimizer.step()
    return {"policy_loss": policy_loss.item(), "value_loss": value_loss.item()}


def main() -> None:
    """Trains, printing each finished game's return and each update's losses."""
    args = parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.torch_threads)
    device = torch.device(args.device)
    envs = make_envs(args)
    if args.capture_video:
        # CleanRL's --capture-video: the full-colour screens (render()), not the observations.
        envs = vw.RecordVideo(envs, f"videos/{args.env_id}__{args.seed}")
    frames, num_actions = envs.single_observation_space.shape[0], envs.single_action_space.n
    agent = Agent(frames, num_actions).to(device)
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)

    steps, n = args.num_steps, args.num_envs
    obs_buf = torch.zeros((steps, n, *envs.single_observation_space.shape), device=device)
    actions_buf = torch.zeros((steps, n), dtype=torch.long, device=device)
    logprobs_buf, rewards_buf, dones_buf, values_buf = (
        torch.zeros((steps, n), device=device) for _ in range(4)
    )
    games = GameReturns(n) if args.envs == "envpool" else None
    obs, _ = envs.reset(seed=args.seed)
    next_obs = torch.as_tensor(obs, dtype=torch.float32, device=device)
    next_done = torch.zeros(n, device=device)
    global_step, start = 0, time.time()
    num_updates = max(1, args.total_timesteps // (steps * n))

    for update in range(1, num_updates + 1):
        for g in optimizer.param_groups:  # linear learning-rate annealing
            g["lr"] = (1.0 - (update - 1.0) / num_updates) * args.learning_rate
        for t in range(steps):
            global_step += n
            obs_buf[t], dones_buf[t] = next_obs, next_done
            with torch.no_grad():
                action, logprob, _, value = agent.get_action_and_value(next_obs)
            actions_buf[t], logprobs_buf[t], values_buf[t] = action, logprob, value
            obs, reward, terminated, truncated, info = envs.step(action.cpu().numpy())
            rewards_buf[t] = torch.as_tensor(reward, dtype=torch.float32, device=device)
            next_obs = torch.as_tensor(obs, dtype=torch.float32, device=device)
            next_done = torch.as_tensor(terminated | truncated, dtype=torch.float32, device=device)
            for game_return, length in finished_games(info, games, info, truncated):
                print(f"global_step={global_step} game_return={game_return:.0f} length={length}")

        # Generalised advantage estimation over the rollout.
        with torch.no_grad():
            next_value = agent.get_value(next_obs)
            advantages = torch.zeros_like(rewards_buf)
            last_gae = torch.zeros(n, device=device)
            for t in reversed(range(steps)):
                not_done = 1.0 - (next_done if t == steps - 1 else dones_buf[t + 1])
                following = next_value if t == steps - 1 else values_buf[t + 1]
                delta = rewards_buf[t] + args.gamma * following * not_done - values_buf[t]
                last_gae = delta + args.gamma * args.gae_lambda * not_done * last_gae
                advantages[t] = last_gae
            returns = advantages + values_buf

        batch = (
            obs_buf.flatten(0, 1),
            actions_buf.flatten(),
            logprobs_buf.flatten(),
            advantages.flatten(),
            returns.flatten(),
            values_buf.flatten(),
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
