"""The PyTorch pieces the examples share: the run's set-up and update schedule, PPO's layer
initialisation, the Nature-DQN torso, the Atari actor-critic, a synchronous pool's rollout storage
and the clipped-PPO update.

Imported by the scripts beside it (`python examples/<script>.py` puts this folder on the path).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn


def start_torch(args) -> torch.device:
    """Seeds PyTorch, sets its CPU threads (`--torch-threads`); returns the `--device`."""
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.torch_threads)
    return torch.device(args.device)


class UpdateSchedule:
    """A run's updates: how many (the total agent steps over the steps of one update), Adam's
    learning rate annealed linearly over them, the agent steps so far, one line per update."""

    def __init__(self, agent: nn.Module, args, steps_per_update: int) -> None:
        # CleanRL's optimiser: Adam with eps 1e-5.
        self.optimizer = torch.optim.Adam(agent.parameters(), lr=args.learning_rate, eps=1e-5)
        self.learning_rate = args.learning_rate
        self.num_updates = max(1, args.total_timesteps // steps_per_update)
        self.update = 0
        self.global_step = 0
        self.start = time.time()

    def __iter__(self):
        """The update numbers, 1 to num_updates, with the learning rate set before each."""
        for update in range(1, self.num_updates + 1):
            fraction_left = 1.0 - (update - 1.0) / self.num_updates
            for group in self.optimizer.param_groups:
                group["lr"] = fraction_left * self.learning_rate
            self.update = update
            yield update

    def rollout_steps(self, steps: int, num_envs: int):
        """The step indices of one rollout, 0 to steps - 1, counting `num_envs` agent steps each."""
        for t in range(steps):
            self.global_step += num_envs
            yield t

    def print_at_step(self, text: str) -> None:
        """Prints `text` after the number of agent steps so far."""
        print(f"global_step={self.global_step} {text}")

    def report(self, losses: dict[str, float]) -> None:
        """Prints the update's number, the agent steps per second so far and the losses."""
        steps_per_second = int(self.global_step / (time.time() - self.start))
        print(
            f"update={self.update}/{self.num_updates} steps/s={steps_per_second} "
            + " ".join(f"{name}={value:.4f}" for name, value in losses.items())
        )


def layer(module: nn.Module, std: float = np.sqrt(2)) -> nn.Module:
    """Orthogonal weights with gain `std`, zero bias (PPO's usual initialisation)."""
    nn.init.orthogonal_(module.weight, std)
    nn.init.constant_(module.bias, 0.0)
    return module


def nature_cnn(frames: int, init: Callable[[nn.Module], nn.Module] = lambda m: m) -> nn.Sequential:
    """The Nature-DQN torso: three convolutions and a 512-unit layer over 84x84 frames, each
    weighted layer passed through `init`."""
    return nn.Sequential(
        init(nn.Conv2d(frames, 32, 8, stride=4)),
        nn.ReLU(),
        init(nn.Conv2d(32, 64, 4, stride=2)),
        nn.ReLU(),
        init(nn.Conv2d(64, 64, 3, stride=1)),
        nn.ReLU(),
        nn.Flatten(),
        init(nn.Linear(64 * 7 * 7, 512)),
        nn.ReLU(),
    )


class AtariAgent(nn.Module):
    """The Nature-DQN torso with a policy head and a value head, over uint8 frames."""

    def __init__(self, frames: int, num_actions: int) -> None:
        super().__init__()
        self.torso = nature_cnn(frames, layer)
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


class Rollout:
    """One rollout of a synchronous pool, as (steps, envs, ...) tensors on one device: the
    observations acted on, the actions, their log-probabilities, the values and the rewards."""

    def __init__(self, steps, num_envs, obs_shape, action_shape, action_dtype, device) -> None:
        self.device = device
        self.obs = torch.zeros((steps, num_envs, *obs_shape), device=device)
        self.actions = torch.zeros(
            (steps, num_envs, *action_shape), dtype=action_dtype, device=device
        )
        self.logprobs, self.values, self.rewards = (
            torch.zeros((steps, num_envs), device=device) for _ in range(3)
        )

    def tensor(self, array: np.ndarray) -> torch.Tensor:
        """`array` as a float32 tensor on the rollout's device."""
        return torch.as_tensor(array, dtype=torch.float32, device=self.device)

    def step(self, t: int, envs, agent: nn.Module, obs: torch.Tensor):
        """Step `t`: samples the agent's actions for `obs`, steps the pool with them and stores
        the observations, actions, log-probabilities, values and rewards; returns the rest of
        the pool's answer, (observations, terminated, truncated, info)."""
        self.obs[t] = obs
        with torch.no_grad():
            action, logprob, _, value = agent.get_action_and_value(obs)
        self.actions[t], self.logprobs[t], self.values[t] = action, logprob, value
        next_obs, reward, terminated, truncated, info = envs.step(action.cpu().numpy())
        self.rewards[t] = self.tensor(reward)
        return next_obs, terminated, truncated, info

    def flat(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(observations, actions, log-probabilities), steps and envs flattened into one axis."""
        return self.obs.flatten(0, 1), self.actions.flatten(0, 1), self.logprobs.flatten()


def ppo_update(agent, optimizer, batch, args, old_values=None) -> dict[str, float]:
    """`update_epochs` passes of clipped-PPO minibatch updates over one rollout.

    `batch`: (observations, actions, log-probabilities, advantages, returns). With `old_values`
    (the rollout's value estimates) the value loss is clipped as the policy's is (CleanRL's
    `clip_vloss`); without, it is the plain squared error."""
    obs, actions, old_logprobs, advantages, returns = batch
    size = len(obs)
    minibatch = size // args.num_minibatches
    for _ in range(args.update_epochs):
        order = torch.randperm(size, device=obs.device)
        for start in range(0, size - minibatch + 1, minibatch):  # full minibatches only
            idx = order[start : start + minibatch]
            _, logprob, entropy, value = agent.get_action_and_value(obs[idx], actions[idx])
            # The clipped surrogate objective over normalised advantages.
            ratio = (logprob - old_logprobs[idx]).exp()
            adv = advantages[idx]
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
            policy_loss = torch.max(
                -adv * ratio, -adv * ratio.clamp(1 - args.clip_coef, 1 + args.clip_coef)
            ).mean()
            # The value loss, clipped around the rollout's estimates when they are given.
            squared_error = (value - returns[idx]) ** 2
            if old_values is not None:
                clipped = old_values[idx] + (value - old_values[idx]).clamp(
                    -args.clip_coef, args.clip_coef
                )
                squared_error = torch.max(squared_error, (clipped - returns[idx]) ** 2)
            value_loss = 0.5 * squared_error.mean()
            # One gradient step with the gradient's norm clipped.
            loss = policy_loss - args.ent_coef * entropy.mean() + args.vf_coef * value_loss
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(agent.parameters(), args.max_grad_norm)
            optimizer.step()
    return {"policy_loss": policy_loss.item(), "value_loss": value_loss.item()}
