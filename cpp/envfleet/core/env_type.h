// EnvType: how a family declares one env id: its options, its spec and a factory.
//
// A family module hands the engine a list of EnvTypes; the engine and the Python bindings need
// nothing else from a family. Thread-safety: immutable; `make_spec` and `make_env` must be safe to
// call from any thread, and `make_env` from several threads at once (a pool makes its envs on its
// threads in parallel).
#ifndef ENVFLEET_CORE_ENV_TYPE_H_
#define ENVFLEET_CORE_ENV_TYPE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet {

struct EnvType {
  std::string id;
  // The env's own keyword options (not the pool's: num_envs, seed, ... are the engine's).
  OptionList options;
  // The options (names from `options`) whose value may change per env between episodes:
  // reset(env_id, options={...}) gives an env new values, which its next reset takes up
  // (Env::Reconfigure). Empty: none.
  std::vector<std::string> reset_options;
  // The spec for a config; options may change shapes or bounds.
  std::function<EnvSpec(const Config&)> make_spec;
  // A new env for a config. Throws std::invalid_argument for a config it cannot honour.
  std::function<std::unique_ptr<Env>(const Config&)> make_env;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ENV_TYPE_H_
