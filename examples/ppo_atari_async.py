"""PPO on Atari Pong with envfleet's async mode (send/recv), in one file (PyTorch).

The pool holds `num_envs = 2 * batch_size` envs. `recv()` hands back the first `batch_size` envs
to finish their step (their ids in `info["env_id"]`); the agent picks their next actions and
`send(actions, env_id)` queues them, so the other half of the envs keeps stepping while the
network runs. Envs therefore advance at different rates: each transition is stored with its env
id, and advantages are computed along each env's own sequence of transitions.

As in `ppo_atari.py`: `episodic_life` and `reward_clip` for training, real game returns from the
engine (`episode_stats=True`; for EnvPool, from `info["reward"]` / `info["terminated"]`), and
SAME_STEP autoreset.

    python examples/ppo_atari_async.py --total-timesteps 10000000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from torch import nn

import envfleet


def parse_args() -> argparse.Namespace:
    """The command line: CleanRL's PPO-Atari defaults, by batch size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env-id", default="Pong-v5")
    parser.add_argument("--total-timesteps", type=int, default=10_000_000)
    parser.add_argument("--batch-size", type=int, default=8, help="envs per recv(); 2x are made")
    parser.add_argument("--num-steps", type=int, default=128, help="recv() batches per rollout")
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

    def update(self, env_id, info: dict, truncated: np.ndarray) -> list[tuple[float, int]]:
        """Adds the step of envs `env_id`; returns (return, length) of the games that ended."""
        self.returns[env_id] += info["reward"]
        self.lengths[env_id] += 1
        over = env_id[info["terminated"].astype(bool) | truncated]  # EnvPool: int32
        ended = [(float(self.returns[i]), int(self.lengths[i])) for i in over]
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


def advantages_per_env(env_ids, rewards, dones, values, bootstrap, gamma, gae_lambda):
    """GAE along each env's own transitions (stored in time order, envs interleaved).

    `dones[k]`: transition k ended an episode; `bootstrap[e]`: the value of the observation
    that follows env e's last stored transition.
    """
    advantages = np.zeros_like(rewards)
    for env in np.unique(env_ids):
        rows = np.flatnonzero(env_ids == env)
        following, last_gae = bootstrap[env], 0.0
        for k in rows[::-1]:
            not_done = 1.0 - dones[k]
            delta = rewards[k] + gamma * following * not_done - values[k]
            last_gae = delta + gamma * gae_lambda * not_done * last_gae
            advantages[k] = last_gae
            following = values[k]
    return advantages


def make_envs(args: argparse.Namespace, num_envs: int):
    """envfleet's pool in SAME_STEP mode; with `--envs envpool`, EnvPool's, which resets a
    finished env on its next step: that step is stored as an ordinary transition, as CleanRL's
    EnvPool scripts do (the same work per step, for comparing speed)."""
    options = {"num_envs": num_envs, "batch_size": args.batch_size, "seed": args.seed}
    if args.envs == "envpool":
        import envpool

        return envpool.make_gymnasium(args.env_id, episodic_life=True, reward_clip=True, **options)
    return envfleet.make_gymnasium(
        args.env_id,
        episodic_life=True,
        reward_clip=True,
        autoreset_mode="same_step",
        episode_stats=True,
        **options,
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
    num_envs = 2 * args.batch_size
    envs = make_envs(args, num_envs)
    frames, num_actions = envs.single_observation_space.shape[0], envs.single_action_space.n
    agent = Agent(frames, num_actions).to(device)
    optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)

    # Each env's step in flight: the observation it was taken from, the action, its
    # log-probability and the observation's value (the transition completes at its recv()).
    obs_shape = envs.single_observation_space.shape
    pending_obs = np.zeros((num_envs, *obs_shape), dtype=np.uint8)
    pending_action = np.zeros(num_envs, dtype=np.int64)
    pending_logprob, pending_value = np.zeros(num_envs), np.zeros(num_envs)
    in_flight = np.zeros(num_envs, dtype=bool)

    games = GameReturns(num_envs) if args.envs == "envpool" else None
    envs.async_reset()
    rollout = args.num_steps * args.batch_size
    num_updates = max(1, args.total_timesteps // rollout)
    global_step, start = 0, time.time()

    for update in range(1, num_updates + 1):
        for g in optimizer.param_groups:  # linear learning-rate annealing
            g["lr"] = (1.0 - (update - 1.0) / num_updates) * args.learning_rate
        stored = {"env_id": [], "obs": [], "action": [], "logprob": [], "value": []}
        stored |= {"reward": [], "done": []}
        while len(stored["env_id"]) < args.num_steps:
            obs, reward, terminated, truncated, info = envs.recv()
            env_id = info["env_id"]
            done = terminated | truncated
            # Complete the transitions of the envs that had a step in flight.
            finished = in_flight[env_id]
            if finished.any():
                ids = env_id[finished]
                stored["env_id"].append(ids)
                stored["obs"].append(pending_obs[ids].copy())
                stored["action"].append(pending_action[ids].copy())
                stored["logprob"].append(pending_logprob[ids].copy())
                stored["value"].append(pending_value[ids].copy())
                stored["reward"].append(reward[finished])
                stored["done"].append(done[finished])
                global_step += len(ids)
                for game_return, length in finished_games(
                    info, games, ids, info_rows(info, finished), truncated[finished]
                ):
                    print(
                        f"global_step={global_step} game_return={game_return:.0f} length={length}"
                    )
            with torch.no_grad():
                obs_tensor = torch.as_tensor(obs, dtype=torch.float32, device=device)
                action, logprob, _, value = agent.get_action_and_value(obs_tensor)
            action = action.cpu().numpy()
            pending_obs[env_id], pending_action[env_id] = obs, action
            pending_logprob[env_id] = logprob.cpu().numpy()
            pending_value[env_id] = value.cpu().numpy()
            in_flight[env_id] = True
            envs.send(action, env_id)

        batch = {key: np.concatenate(rows) for key, rows in stored.items()}
        advantages = advantages_per_env(
            batch["env_id"],
            batch["reward"],
            batch["done"].astype(np.float64),
            batch["value"],
            pending_value,
            args.gamma,
            args.gae_lambda,
        )
        returns = advantages + batch["value"]
        tensors = [
            torch.as_tensor(array, dtype=dtype, device=device)
            for array, dtype in [
                (batch["obs"], torch.float32),
                (batch["action"], torch.long),
                (batch["logprob"], torch.float32),
                (advantages, torch.float32),
                (returns, torch.float32),
                (batch["value"], torch.float32),
            ]
        ]
        losses = ppo_update(agent, optimizer, tensors, args)
        fps = int(global_step / (time.time() - start))
        print(
            f"update={update}/{num_updates} steps/s={fps} "
            + " ".join(f"{name}={value:.4f}" for name, value in losses.items())
        )
    envs.close()


def info_rows(info: dict, rows: np.ndarray) -> dict:
    """The `rows` of a batched info dict."""
    return {key: value[rows] for key, value in info.items() if isinstance(value, np.ndarray)}


if __name__ == "__main__":
    main()
