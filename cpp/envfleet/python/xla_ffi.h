// XLA foreign-function handlers that run a Pool inside jax.jit (EnvPool's `xla()`), through
// JAX's FFI (`jax.ffi`), whose C API is stable across JAX releases.
//
// - recv(token) -> (token, obs, reward, terminated, truncated, env_id, elapsed_step, info...):
//   waits for the pool's next batch and copies its fields, in the pool's batch-layout order, into
//   XLA's result buffers. 64-bit values are narrowed where the result buffer is 32-bit (JAX
//   without x64).
// - send(token, actions, env_id) -> token: queues a step of the envs `env_id` (int32) with
//   `actions`, widened or narrowed to the action spec's dtype where they differ.
// The pool is named by the `handle` attribute: its address (Pool*), given by PyPool.xla_address.
// The token is an opaque array passed through, which orders the calls.
//
// Thread-safety: the handlers run on XLA's threads and call the Pool as its one caller (the
// Pool's contract): the pool must not be used from Python while a computation using it runs.
// Ownership: the handlers borrow the Pool; the Python pool object must outlive every call.
// Blocking: recv blocks until the batch is complete. Errors (bad shapes, invalid actions) are
// returned to XLA as errors, which JAX raises.
#ifndef ENVFLEET_PYTHON_XLA_FFI_H_
#define ENVFLEET_PYTHON_XLA_FFI_H_

#include <pybind11/pybind11.h>

namespace envfleet::python {

// {"recv": capsule, "send": capsule}: the handlers, for jax.ffi.register_ffi_target.
pybind11::dict XlaHandlers();

}  // namespace envfleet::python

#endif  // ENVFLEET_PYTHON_XLA_FFI_H_
