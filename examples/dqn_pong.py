"""DQN on Atari Pong with envfleet (PyTorch): one env, several envs, and acting in a separate
process, with the frames per second of each (the speed-up experiment of chapter 9 of
"Deep Reinforcement Learning Hands-On").

Every variant does one gradient step (batch 32, Adam, target network) per iteration; what
changes is how many env steps an iteration brings and whether acting waits for training:

- `--num-envs 1`: the baseline, one env step per gradient step;
- `--num-envs 3` (or N): one batched `step()` of N envs per gradient step: N times the frames
  for one network call and one pool call;
- `--separate-process`: a child process owns the pool and a copy of the network (its weights
  shared with the trainer, which updates them in place) and keeps playing while the trainer
  trains; transitions come through a queue, still one gradient step per batch of N.

    python examples/dqn_pong.py --num-envs 3 --total-timesteps 2000000
    python examples/dqn_pong.py --speed-table --seconds 60     # the table of docs/dqn_speedup.md

The pool runs in SAME_STEP autoreset mode: an episode's last transition takes its next
observation from `info["final_obs"]`. Frames per second count agent steps (each is 4 emulator
frames: envfleet's `frame_skip`).
"""

from __future__ import annotations

import argparse
import collections
import time

import numpy as np
import torch
import torch.multiprocessing as mp
from torch import nn

import envfleet
from cli_options import add_pool_choice
from torch_parts import nature_cnn

ENV_ID = "Pong-v5"


def parse_args() -> argparse.Namespace:
    """The command line: the book's Pong DQN settings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total-timesteps", type=int, default=2_000_000, help="agent steps")
    parser.add_argument("--num-envs", type=int, default=1)
    parser.add_argument("--separate-process", action="store_true", help="act in a child process")
    parser.add_argument("--buffer-size", type=int, default=10_000)
    parser.add_argument("--learning-starts", type=int, default=10_000, help="steps before training")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--gamma", type=float, default=0.99)
    parser.add_argument("--target-sync", type=int, default=1000, help="gradient steps per sync")
    parser.add_argument("--epsilon-decay", type=int, default=150_000, help="steps from 1 to 0.02")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--torch-threads", type=int, default=1, help="PyTorch CPU threads")
    parser.add_argument(
        "--seconds", type=float, default=0.0, help="stop after this long (0: never)"
    )
    add_pool_choice(parser)
    parser.add_argument(
        "--speed-table",
        action="store_true",
        help="run 1 env, 3 envs, 8 envs and 3 / 8 envs with a separate acting process, each for "
        "--seconds of training, and print the frames/s table",
    )
    return parser.parse_args()


class DQN(nn.Module):
    """The Nature-DQN network: Q-values of each action from 4 stacked 84x84 frames."""

    def __init__(self, frames: int, num_actions: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nature_cnn(frames), nn.Linear(512, num_actions))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        """Q-values, (batch, actions), from uint8 frames."""
        return self.net(obs.float() / 255.0)


class ReplayBuffer:
    """A circular buffer of (obs, action, reward, terminated, next obs) with uint8 frames."""

    def __init__(self, capacity: int, obs_shape: tuple[int, ...], seed: int) -> None:
        self.obs = np.zeros((capacity, *obs_shape), dtype=np.uint8)
        self.next_obs = np.zeros((capacity, *obs_shape), dtype=np.uint8)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.capacity, self.size, self.position = capacity, 0, 0
        self.rng = np.random.default_rng(seed)

    def add(self, obs, actions, rewards, terminated, next_obs) -> None:
        """Adds a batch of transitions."""
        for i in range(len(actions)):
            p = self.position
            self.obs[p], self.next_obs[p] = obs[i], next_obs[i]
            self.actions[p], self.rewards[p], self.terminated[p] = (
                actions[i],
                rewards[i],
                terminated[i],
            )
            self.position = (p + 1) % self.capacity
            self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int) -> tuple[torch.Tensor, ...]:
        """A uniform random batch: (obs, actions, rewards, terminated, next obs) tensors."""
        idx = self.rng.integers(0, self.size, batch_size)
        return tuple(
            torch.as_tensor(array[idx])
            for array in (self.obs, self.actions, self.rewards, self.terminated, self.next_obs)
        )


class Actor:
    """Plays epsilon-greedy with `net` in a pool of `num_envs` Pong envs."""

    def __init__(
        self, net: DQN, num_envs: int, epsilon_decay: int, seed: int, envs_from: str
    ) -> None:
        if envs_from == "envpool":
            import envpool

            # EnvPool resets a finished env on its next step: that step's transition is dropped.
            self.envs = envpool.make_gymnasium(
                ENV_ID, num_envs=num_envs, seed=seed, episodic_life=False, reward_clip=False
            )
        else:
            self.envs = envfleet.make_gymnasium(
                ENV_ID, num_envs=num_envs, seed=seed, autoreset_mode="same_step", episode_stats=True
            )
        self.next_step_autoreset = envs_from == "envpool"
        self.resetting = np.zeros(num_envs, dtype=bool)
        self.net, self.epsilon_decay = net, epsilon_decay
        self.obs, _ = self.envs.reset()
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.episode_returns = np.zeros(num_envs)
        self.finished_returns: list[float] = []

    def play(self) -> tuple[np.ndarray, ...]:
        """One step of every env: (obs, actions, rewards, terminated, next obs)."""
        n = self.envs.num_envs
        epsilon = max(0.02, 1.0 - self.steps / self.epsilon_decay)
        with torch.no_grad():
            greedy = self.net(torch.as_tensor(self.obs)).argmax(1).numpy()
        explore = self.rng.random(n) < epsilon
        actions = np.where(
            explore, self.rng.integers(0, self.envs.single_action_space.n, n), greedy
        )
        obs = self.obs
        self.obs, rewards, terminated, truncated, info = self.envs.step(actions)
        next_obs = self.obs.copy()
        done = terminated | truncated
        if done.any() and not self.next_step_autoreset:
            next_obs[done] = info["final_obs"][done]
        if self.next_step_autoreset:  # EnvPool's returns are summed here
            self.episode_returns += rewards
            self.finished_returns.extend(self.episode_returns[done].tolist())
            self.episode_returns[done] = 0.0
        elif "episode" in info:  # envfleet's engine reports them (episode_stats=True)
            self.finished_returns.extend(info["episode"]["r"][info["_episode"]].tolist())
        self.steps += n
        if self.next_step_autoreset:
            # Keep the transitions of the envs that stepped, not those that were being reset.
            kept, self.resetting = ~self.resetting, done
            return obs[kept], actions[kept], rewards[kept], terminated[kept], next_obs[kept]
        return obs, actions, rewards, terminated, next_obs


def play_in_child(net: DQN, args: argparse.Namespace, queue: mp.Queue, stop: mp.Event) -> None:
    """The child process of --separate-process: plays and sends transitions until stopped."""
    torch.set_num_threads(1)
    actor = Actor(net, args.num_envs, args.epsilon_decay, args.seed, args.envs)
    sent_returns = 0
    while not stop.is_set():
        transitions = actor.play()
        new_returns = actor.finished_returns[sent_returns:]
        sent_returns = len(actor.finished_returns)
        queue.put((transitions, new_returns))
    actor.envs.close()


def train(args: argparse.Namespace) -> float:
    """Trains with the chosen variant; returns the agent steps per second once training began."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.torch_threads)
    probe = envfleet.make_spec(ENV_ID)
    obs_shape, num_actions = probe.observation_space.shape, probe.action_space.n
    net, target = DQN(obs_shape[0], num_actions), DQN(obs_shape[0], num_actions)
    target.load_state_dict(net.state_dict())
    optimizer = torch.optim.Adam(net.parameters(), lr=args.learning_rate)
    buffer = ReplayBuffer(args.buffer_size, obs_shape, args.seed)
    returns: collections.deque[float] = collections.deque(maxlen=20)

    if args.separate_process:
        net.share_memory()  # the child acts with the weights this process trains
        context = mp.get_context("spawn")
        queue, stop = context.Queue(maxsize=4), context.Event()
        child = context.Process(target=play_in_child, args=(net, args, queue, stop))
        child.start()

        def next_transitions() -> tuple[np.ndarray, ...]:
            """The child's next batch of transitions (and the returns of episodes it ended)."""
            transitions, finished = queue.get()
            returns.extend(finished)
            return transitions
    else:
        actor = Actor(net, args.num_envs, args.epsilon_decay, args.seed, args.envs)

        def next_transitions() -> tuple[np.ndarray, ...]:
            """One step of every env, played here."""
            transitions = actor.play()
            returns.extend(actor.finished_returns)
            actor.finished_returns.clear()
            return transitions

    steps, gradient_steps = 0, 0
    train_start = train_steps = None
    last_report = time.time()
    while steps < args.total_timesteps:
        transitions = next_transitions()
        buffer.add(*transitions)
        steps += len(transitions[1])
        if steps < args.learning_starts:
            continue
        if train_start is None:
            train_start, train_steps = time.time(), steps
        obs, actions, rewards, terminated, next_obs = buffer.sample(args.batch_size)
        with torch.no_grad():
            best_next = target(next_obs).max(1).values
            targets = rewards + args.gamma * best_next * (1.0 - terminated)
        q = net(obs).gather(1, actions[:, None]).squeeze(1)
        loss = nn.functional.mse_loss(q, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        gradient_steps += 1
        if gradient_steps % args.target_sync == 0:
            target.load_state_dict(net.state_dict())
        elapsed = time.time() - train_start
        if time.time() - last_report > 10 or steps >= args.total_timesteps:
            last_report = time.time()
            mean_return = np.mean(returns) if returns else float("nan")
            print(
                f"steps={steps} frames/s={(steps - train_steps) / max(elapsed, 1e-9):.1f} "
                f"episodes={len(returns)} mean_return(last 20)={mean_return:.1f}",
                flush=True,
            )
        if args.seconds and elapsed >= args.seconds:
            break

    if args.separate_process:
        stop.set()
        while child.is_alive():  # drain, so that the child is not blocked on a full queue
            while not queue.empty():
                queue.get()
            child.join(timeout=0.1)
    else:
        actor.envs.close()
    if train_start is None:
        return float("nan")
    return (steps - train_steps) / max(time.time() - train_start, 1e-9)


def speed_table(args: argparse.Namespace) -> None:
    """Each variant in turn; prints a markdown table of agent steps per second."""
    variants = [
        ("baseline: 1 env", 1, False),
        ("3 envs", 3, False),
        ("8 envs", 8, False),
        ("3 envs, acting in a separate process", 3, True),
        ("8 envs, acting in a separate process", 8, True),
    ]
    rows = []
    for name, num_envs, separate in variants:
        run_args = argparse.Namespace(**vars(args))
        run_args.num_envs, run_args.separate_process = num_envs, separate
        fps = train(run_args)
        rows.append((name, fps))
    baseline = rows[0][1]
    print("| variant | agent steps/s | emulator frames/s | speed-up |")
    print("| --- | ---: | ---: | ---: |")
    for name, fps in rows:
        print(f"| {name} | {fps:.1f} | {4 * fps:.0f} | {fps / baseline:.2f}x |")


def main() -> None:
    """One training run, or the speed table."""
    args = parse_args()
    if args.speed_table:
        speed_table(args)
    else:
        train(args)


if __name__ == "__main__":
    main()
