"""PPO on Atari with the rollout inside `jax.jit`, through `xla()` (CleanRL's
ppo_atari_envpool_xla_jax.py layout, pure JAX, CPU or GPU).

The script is EnvPool's with one line changed (`import envfleet.envpool as envpool`): the pool's
`xla()` gives `step(handle, action)`, which `jax.lax.scan` calls, so a whole rollout (policy,
sampling, environment steps) is one compiled call. The agent sees 84x84 grey frames, 4 stacked,
with `episodic_life` and `reward_clip`; the game returns it prints are the real game's
(`info["reward"]` summed until `info["terminated"]`). Needs an envfleet built with jaxlib's
headers (docs/development.md); the network and Adam are written out, so only jax is needed.

    python examples/ppo_atari_xla_jax.py --total-timesteps 10000000
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import envfleet.envpool as envpool  # was: import envpool
from cli_options import ppo_parser


def parse_args() -> argparse.Namespace:
    """The command line: CleanRL's PPO-Atari defaults."""
    parser = ppo_parser(__doc__.splitlines()[0])
    parser.add_argument("--num-envs", type=int, default=8)
    return parser.parse_args()


# ---- the network: the Nature-DQN torso with a policy head and a value head --------------------

CONVS = ((32, 8, 4), (64, 4, 2), (64, 3, 1))  # (channels, kernel, stride)


def init_params(key: Any, frames: int, num_actions: int) -> dict[str, Any]:
    """Orthogonal weights (gain sqrt 2; 0.01 for the policy, 1 for the value), zero biases."""
    orthogonal = jax.nn.initializers.orthogonal
    keys = iter(jax.random.split(key, 6))
    params: dict[str, Any] = {}
    channels = frames
    for i, (out, kernel, _) in enumerate(CONVS):
        shape = (kernel, kernel, channels, out)
        params[f"conv{i}"] = (orthogonal(np.sqrt(2))(next(keys), shape), jnp.zeros(out))
        channels = out
    params["dense"] = (orthogonal(np.sqrt(2))(next(keys), (64 * 7 * 7, 512)), jnp.zeros(512))
    params["policy"] = (orthogonal(0.01)(next(keys), (512, num_actions)), jnp.zeros(num_actions))
    params["value"] = (orthogonal(1.0)(next(keys), (512, 1)), jnp.zeros(1))
    return params


def forward(params: dict[str, Any], obs: Any) -> tuple[Any, Any]:
    """(policy logits, state value) of uint8 observations (batch, frames, 84, 84)."""
    x = jnp.transpose(obs, (0, 2, 3, 1)).astype(jnp.float32) / 255.0
    for i, (_, _, stride) in enumerate(CONVS):
        weight, bias = params[f"conv{i}"]
        x = jax.lax.conv_general_dilated(
            x, weight, (stride, stride), "VALID", dimension_numbers=("NHWC", "HWIO", "NHWC")
        )
        x = jax.nn.relu(x + bias)
    x = jax.nn.relu(x.reshape(len(x), -1) @ params["dense"][0] + params["dense"][1])
    logits = x @ params["policy"][0] + params["policy"][1]
    value = (x @ params["value"][0] + params["value"][1])[:, 0]
    return logits, value


# ---- Adam with global-norm gradient clipping ---------------------------------------------------


def adam_update(params, grads, state, learning_rate, max_norm, eps=1e-5, b1=0.9, b2=0.999):
    """One Adam step on gradients clipped to global norm `max_norm`; returns (params, state)."""
    norm = jnp.sqrt(sum(jnp.sum(g**2) for g in jax.tree_util.tree_leaves(grads)))
    grads = jax.tree_util.tree_map(lambda g: g * jnp.minimum(1.0, max_norm / (norm + 1e-6)), grads)
    count, mu, nu = state
    count = count + 1
    mu = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, mu, grads)
    nu = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g**2, nu, grads)
    scale = learning_rate * jnp.sqrt(1 - b2**count) / (1 - b1**count)
    params = jax.tree_util.tree_map(
        lambda p, m, v: p - scale * m / (jnp.sqrt(v) + eps), params, mu, nu
    )
    return params, (count, mu, nu)


def main() -> None:
    """Trains, printing each finished game's return and each update's losses."""
    args = parse_args()
    envs = envpool.make(
        args.env_id,
        env_type="gym",
        num_envs=args.num_envs,
        episodic_life=True,
        reward_clip=True,
        seed=args.seed,
    )
    frames, num_actions = envs.single_observation_space.shape[0], envs.single_action_space.n
    handle, _, _, step_env = envs.xla()  # (handle, recv, send, step), as EnvPool's
    steps, n = args.num_steps, args.num_envs
    num_updates = max(1, args.total_timesteps // (steps * n))
    minibatch = steps * n // args.num_minibatches

    key = jax.random.PRNGKey(args.seed)
    key, init_key = jax.random.split(key)
    params = init_params(init_key, frames, num_actions)
    zeros = jax.tree_util.tree_map(jnp.zeros_like, params)
    opt_state = (jnp.zeros(()), zeros, zeros)

    @jax.jit
    def rollout(params, handle, obs, done, game, key):
        """`steps` steps of every env, the policy sampled and the envs stepped inside jit."""

        def one_step(carry, _):
            params, handle, obs, done, (game_return, game_length), key = carry
            key, sample_key = jax.random.split(key)
            logits, value = forward(params, obs)
            action = jax.random.categorical(sample_key, logits)
            logprob = jax.nn.log_softmax(logits)[jnp.arange(n), action]
            handle, (next_obs, reward, terminated, truncated, info) = step_env(handle, action)
            # Real game returns: unclipped rewards until the game (not a life) is over.
            game_return = game_return + info["reward"]
            game_length = game_length + 1
            over = (info["terminated"] > 0) | truncated
            record = (obs, action, logprob, value, reward, done, over, game_return, game_length)
            game = (jnp.where(over, 0.0, game_return), jnp.where(over, 0, game_length))
            next_done = terminated | truncated
            return (params, handle, next_obs, next_done, game, key), record

        carry = (params, handle, obs, done, game, key)
        carry, records = jax.lax.scan(one_step, carry, None, length=steps)
        return carry, records

    def loss_fn(params, obs, actions, old_logprobs, advantages, returns, old_values):
        logits, value = forward(params, obs)
        log_probs = jax.nn.log_softmax(logits)
        logprob = log_probs[jnp.arange(len(actions)), actions]
        entropy = -jnp.sum(jnp.exp(log_probs) * log_probs, axis=-1).mean()
        ratio = jnp.exp(logprob - old_logprobs)
        adv = (advantages - advantages.mean()) / (advantages.std() + 1e-8)
        clipped = jnp.clip(ratio, 1 - args.clip_coef, 1 + args.clip_coef)
        policy_loss = jnp.maximum(-adv * ratio, -adv * clipped).mean()
        value_clipped = old_values + jnp.clip(value - old_values, -args.clip_coef, args.clip_coef)
        value_loss = (
            0.5 * jnp.maximum((value - returns) ** 2, (value_clipped - returns) ** 2).mean()
        )
        loss = policy_loss - args.ent_coef * entropy + args.vf_coef * value_loss
        return loss, (policy_loss, value_loss)

    @jax.jit
    def update(params, opt_state, records, next_obs, next_done, learning_rate, key):
        """GAE over the rollout, then `update_epochs` passes of clipped-PPO minibatches."""
        obs, actions, logprobs, values, rewards, dones, *_ = records
        _, next_value = forward(params, next_obs)

        def gae(carry, t):
            last_gae, following, following_done = carry
            not_done = 1.0 - following_done
            delta = rewards[t] + args.gamma * following * not_done - values[t]
            last_gae = delta + args.gamma * args.gae_lambda * not_done * last_gae
            return (last_gae, values[t], dones[t].astype(jnp.float32)), last_gae

        start = (jnp.zeros(n), next_value, next_done.astype(jnp.float32))
        _, advantages = jax.lax.scan(gae, start, jnp.arange(steps - 1, -1, -1))
        advantages = advantages[::-1]
        batch = (obs, actions, logprobs, advantages, advantages + values, values)
        batch = jax.tree_util.tree_map(lambda x: x.reshape(steps * n, *x.shape[2:]), batch)

        def minibatch_step(carry, indices):
            params, opt_state = carry
            grads, losses = jax.grad(loss_fn, has_aux=True)(params, *(x[indices] for x in batch))
            params, opt_state = adam_update(
                params, grads, opt_state, learning_rate, args.max_grad_norm
            )
            return (params, opt_state), losses

        losses = (jnp.zeros(()), jnp.zeros(()))
        for _ in range(args.update_epochs):
            key, perm_key = jax.random.split(key)
            order = jax.random.permutation(perm_key, steps * n)[: args.num_minibatches * minibatch]
            (params, opt_state), losses = jax.lax.scan(
                minibatch_step, (params, opt_state), order.reshape(-1, minibatch)
            )
        return params, opt_state, jax.tree_util.tree_map(lambda x: x[-1], losses)

    obs, _ = envs.reset()
    done = jnp.zeros(n, dtype=bool)
    game = (jnp.zeros(n), jnp.zeros(n, dtype=jnp.int32))
    global_step, start_time = 0, time.time()
    for update_index in range(1, num_updates + 1):
        learning_rate = (1.0 - (update_index - 1.0) / num_updates) * args.learning_rate
        key, rollout_key, update_key = jax.random.split(key, 3)
        carry, records = rollout(params, handle, obs, done, game, rollout_key)
        _, handle, obs, done, game, _ = carry
        global_step += steps * n
        over, game_return, game_length = (np.asarray(x) for x in records[6:])
        for t, i in zip(*np.nonzero(over), strict=True):
            print(
                f"global_step={global_step} game_return={game_return[t, i]:.0f} "
                f"length={game_length[t, i]}"
            )
        params, opt_state, (policy_loss, value_loss) = update(
            params, opt_state, records, obs, done, learning_rate, update_key
        )
        fps = int(global_step / (time.time() - start_time))
        print(
            f"update={update_index}/{num_updates} steps/s={fps} "
            f"policy_loss={float(policy_loss):.4f} value_loss={float(value_loss):.4f}"
        )
    envs.close()


if __name__ == "__main__":
    main()
