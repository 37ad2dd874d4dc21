// EnvType: how a family declares one env id: its options, its spec and a factory. MakeEnvType:
// the one way families build them, with the limits Gymnasium registers for the id.
//
// A family module hands the engine a list of EnvTypes; the engine and the Python bindings need
// nothing else from a family. Thread-safety: immutable; `make_spec` and `make_env` must be safe to
// call from any thread, and `make_env` from several threads at once (a pool makes its envs on its
// threads in parallel).
#ifndef ENVFLEET_CORE_ENV_TYPE_H_
#define ENVFLEET_CORE_ENV_TYPE_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
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

// The EnvType of `id`: `options` (each default replaced by its entry in `presets`, Gymnasium's
// registered kwargs of the id), `reset_options`, specs from `make_spec` with the id's registered
// max_episode_steps and reward_threshold, envs from `make_env`.
inline EnvType MakeEnvType(std::string id, int max_episode_steps,
                           std::optional<double> reward_threshold, OptionList options,
                           const std::map<std::string, OptionValue>& presets,
                           std::vector<std::string> reset_options,
                           std::function<EnvSpec(const Config&)> make_spec,
                           std::function<std::unique_ptr<Env>(const Config&)> make_env) {
  EnvType type;
  type.id = std::move(id);
  type.options = std::move(options);
  for (Option& option : type.options) {
    if (auto preset = presets.find(option.name); preset != presets.end()) {
      option.default_value = preset->second;
    }
  }
  type.reset_options = std::move(reset_options);
  type.make_spec = [max_episode_steps, reward_threshold,
                    make_spec = std::move(make_spec)](const Config& config) {
    EnvSpec spec = make_spec(config);
    spec.max_episode_steps = max_episode_steps;
    spec.reward_threshold = reward_threshold;
    return spec;
  };
  type.make_env = std::move(make_env);
  return type;
}

// The same for an env class with static Options(), Spec(config), optionally ResetOptions(), and
// (unless `make_env` is given) a constructor from the config.
template <typename EnvClass>
EnvType MakeEnvType(std::string id, int max_episode_steps, std::optional<double> reward_threshold,
                    const std::map<std::string, OptionValue>& presets = {},
                    std::function<std::unique_ptr<Env>(const Config&)> make_env = nullptr) {
  std::vector<std::string> reset_options;
  if constexpr (requires { EnvClass::ResetOptions(); }) reset_options = EnvClass::ResetOptions();
  if constexpr (std::is_constructible_v<EnvClass, const Config&>) {
    if (!make_env) {
      make_env = [](const Config& config) -> std::unique_ptr<Env> {
        return std::make_unique<EnvClass>(config);
      };
    }
  }
  return MakeEnvType(
      std::move(id), max_episode_steps, reward_threshold, EnvClass::Options(), presets,
      std::move(reset_options), [](const Config& config) { return EnvClass::Spec(config); },
      std::move(make_env));
}

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ENV_TYPE_H_
