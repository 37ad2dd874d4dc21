"""PPO on Atari Pong with envfleet (CleanRL's layout, PyTorch, CPU or GPU).

The agent trains on envfleet's preprocessed frames (84x84 grey, 4 stacked) with `episodic_life`
(a lost life ends the agent's episode) and `reward_clip` (rewards clipped to their sign). The
returns it reports are the real game's, whatever lives were lost on the way: envfleet's engine
computes them (`episode_stats=True`: `info["episode"]`, unclipped, over the whole game); for
EnvPool, the unclipped `info["reward"]` is summed until `info["terminated"]` says the game is over.

The pool runs in SAME_STEP autoreset mode: a finished env comes back already reset, so the
rollout below is the textbook one (a done flag cuts the bootstrap, no extra reset step). The
network and the PPO update are in torch_parts.py, the returns in game_returns.py, the command
line in cli_options.py: what this file holds is the rollout.

    python examples/ppo_atari.py --total-timesteps 10000000
"""

from __future__ import annotations

import argparse

import torch
from gymnasium.wrappers import vector as vw

import envfleet
from cli_options import add_capture_video, add_pool_choice, add_torch_options, ppo_parser
from game_returns import GameReturns, finished_games
from torch_parts import AtariAgent, Rollout, UpdateSchedule, ppo_update, start_torch


def parse_args() -> argparse.Namespace:
    """The command line: CleanRL's PPO-Atari defaults."""
    parser = ppo_parser(__doc__.splitlines()[0])
    parser.add_argument("--num-envs", type=int, default=8)
    add_torch_options(parser, torch.cuda.is_available())
    add_pool_choice(parser)
    add_capture_video(parser)
    return parser.parse_args()


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


def main() -> None:
    """Trains, printing each finished game's return and each update's losses."""
    args = parse_args()
    device = start_torch(args)
    envs = make_envs(args)
    if args.capture_video:
        # CleanRL's --capture-video: the full-colour screens (render()), not the observations.
        envs = vw.RecordVideo(envs, f"videos/{args.env_id}__{args.seed}")
    frames, num_actions = envs.single_observation_space.shape[0], envs.single_action_space.n
    agent = AtariAgent(frames, num_actions).to(device)

    steps, n = args.num_steps, args.num_envs
    obs_shape = envs.single_observation_space.shape
    rollout = Rollout(steps, n, obs_shape, (), torch.long, device)
    dones = torch.zeros((steps, n), device=device)  # the observation acted on began an episode
    games = GameReturns(n) if args.envs == "envpool" else None
    obs, _ = envs.reset(seed=args.seed)
    next_obs, next_done = rollout.tensor(obs), torch.zeros(n, device=device)
    schedule = UpdateSchedule(agent, args, steps * n)

    for _ in schedule:
        for t in schedule.rollout_steps(steps, n):
            dones[t] = next_done
            obs, terminated, truncated, info = rollout.step(t, envs, agent, next_obs)
            next_obs, next_done = rollout.tensor(obs), rollout.tensor(terminated | truncated)
            for game_return, length in finished_games(info, truncated, games):
                schedule.print_at_step(f"game_return={game_return:.0f} length={length}")

        # Generalised advantage estimation over the rollout.
        values = rollout.values
        with torch.no_grad():
            next_value = agent.get_value(next_obs)
            advantages = torch.zeros_like(rollout.rewards)
            last_gae = torch.zeros(n, device=device)
            for t in reversed(range(steps)):
                not_done = 1.0 - (next_done if t == steps - 1 else dones[t + 1])
                following = next_value if t == steps - 1 else values[t + 1]
                delta = rollout.rewards[t] + args.gamma * following * not_done - values[t]
                last_gae = delta + args.gamma * args.gae_lambda * not_done * last_gae
                advantages[t] = last_gae
            returns = advantages + values

        batch = (*rollout.flat(), advantages.flatten(), returns.flatten())
        losses = ppo_update(agent, schedule.optimizer, batch, args, old_values=values.flatten())
        schedule.report(losses)
    envs.close()


if __name__ == "__main__":
    main()
