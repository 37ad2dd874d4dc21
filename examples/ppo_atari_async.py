"""PPO on Atari Pong with envfleet's async mode (send/recv), (PyTorch).

The pool holds `num_envs = 2 * batch_size` envs. `recv()` hands back the first `batch_size` envs
to finish their step (their ids in `info["env_id"]`); the agent picks their next actions and
`send(actions, env_id)` queues them, so the other half of the envs keeps stepping while the
network runs. Envs therefore advance at different rates: each transition is stored with its env
id, and advantages are computed along each env's own sequence of transitions.

As in `ppo_atari.py`: `episodic_life` and `reward_clip` for training, real game returns from the
engine (`episode_stats=True`; for EnvPool, from `info["reward"]` / `info["terminated"]`), and
SAME_STEP autoreset; the network and the PPO update from torch_parts.py.

    python examples/ppo_atari_async.py --total-timesteps 10000000
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

import envfleet
from cli_options import add_pool_choice, add_torch_options, ppo_parser
from game_returns import GameReturns, finished_games
from torch_parts import AtariAgent, UpdateSchedule, ppo_update, start_torch


def parse_args() -> argparse.Namespace:
    """The command line: CleanRL's PPO-Atari defaults, by batch size."""
    parser = ppo_parser(__doc__.splitlines()[0], num_steps_help="recv() batches per rollout")
    parser.add_argument("--batch-size", type=int, default=8, help="envs per recv(); 2x are made")
    add_torch_options(parser, torch.cuda.is_available())
    add_pool_choice(parser)
    return parser.parse_args()


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


def main() -> None:
    """Trains, printing each finished game's return and each update's losses."""
    args = parse_args()
    device = start_torch(args)
    num_envs = 2 * args.batch_size
    envs = make_envs(args, num_envs)
    frames, num_actions = envs.single_observation_space.shape[0], envs.single_action_space.n
    agent = AtariAgent(frames, num_actions).to(device)

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
    schedule = UpdateSchedule(agent, args, rollout)

    for _ in schedule:
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
                schedule.global_step += len(ids)
                for game_return, length in finished_games(
                    info_rows(info, finished), truncated[finished], games, ids
                ):
                    schedule.print_at_step(f"game_return={game_return:.0f} length={length}")
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
            ]
        ]
        old_values = torch.as_tensor(batch["value"], dtype=torch.float32, device=device)
        losses = ppo_update(agent, schedule.optimizer, tensors, args, old_values=old_values)
        schedule.report(losses)
    envs.close()


def info_rows(info: dict, rows: np.ndarray) -> dict:
    """The `rows` of a batched info dict."""
    return {key: value[rows] for key, value in info.items() if isinstance(value, np.ndarray)}


if __name__ == "__main__":
    main()
