"""xla(): a pool's recv / send as functions usable inside `jax.jit`, through JAX's FFI.

`make_xla(native, family)` registers the family's two XLA handlers (C++, xla_ffi.h) with
`jax.ffi` once per process and returns (handle, recv, send): `recv(handle)` waits for the pool's
next batch and returns (handle, (obs, reward, terminated, truncated, info)); `send(handle,
actions, env_id=None)` queues a step and returns the handle. The handle is an opaque uint8 array
(the pool's address, as EnvPool's is) that orders the calls: thread it through, as EnvPool's
users do. Results are copied into XLA's buffers (the one copy XLA needs); without `jax_enable_x64`
64-bit fields arrive as 32-bit ones, as JAX gives every 64-bit array.

The handlers are built only when jaxlib's FFI headers were found when envfleet was built
(docs/development.md); otherwise xla() raises RuntimeError saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from envfleet import registry

_REGISTERED: set[str] = set()
# Batch fields that the engine reports outside `info`, in the batch layout's order.
_STEP_FIELDS = ("obs", "reward", "terminated", "truncated")


def _register(family: str) -> tuple[str, str]:
    """The FFI target names of `family`'s handlers, registered with JAX on first use."""
    import jax

    names = (f"envfleet_{family}_recv", f"envfleet_{family}_send")
    if family not in _REGISTERED:
        # RuntimeError, saying why, in a build without jaxlib's headers.
        handlers = registry.import_family(family).xla_handlers()
        for name, kind in zip(names, ("recv", "send"), strict=True):
            jax.ffi.register_ffi_target(name, handlers[kind], platform="cpu")
        _REGISTERED.add(family)
    return names


def make_xla(native: Any, family: str) -> tuple[np.ndarray, Callable, Callable]:
    """(handle, recv, send) for the extension Pool `native` of `family`."""
    import jax
    import jax.numpy as jnp

    recv_name, send_name = _register(family)
    address = np.uint64(native.xla_address)
    handle = np.frombuffer(int(address).to_bytes(8, "little"), dtype=np.uint8).copy()
    token = jax.ShapeDtypeStruct(handle.shape, handle.dtype)
    rows = native.batch_size
    fields = native.batch_fields
    results = [
        jax.ShapeDtypeStruct((rows, *shape), jax.dtypes.canonicalize_dtype(np.dtype(dtype)))
        for _, dtype, shape in fields
    ]
    recv_call = jax.ffi.ffi_call(
        recv_name, (token, *results), has_side_effect=True, input_output_aliases={0: 0}
    )
    send_call = jax.ffi.ffi_call(
        send_name, token, has_side_effect=True, input_output_aliases={0: 0}
    )
    all_ids = np.arange(native.num_envs, dtype=np.int32)

    def recv(handle: Any) -> tuple[Any, tuple[Any, ...]]:
        new_handle, *values = recv_call(handle, handle=address)
        named = {name: value for (name, _, _), value in zip(fields, values, strict=True)}
        info = {"env_id": named["env_id"], "elapsed_step": named["elapsed_step"]}
        info.update({n.removeprefix("info:"): v for n, v in named.items() if n.startswith("info:")})
        return new_handle, (*(named[name] for name in _STEP_FIELDS), info)

    def send(handle: Any, actions: Any, env_id: Any = None) -> Any:
        ids = all_ids if env_id is None else jnp.asarray(env_id, dtype=jnp.int32)
        return send_call(handle, jnp.asarray(actions), ids, handle=address)

    return handle, recv, send
