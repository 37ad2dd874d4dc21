#include "envfleet/box2d/env_types.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "envfleet/box2d/bipedal_walker.h"
#include "envfleet/box2d/car_racing.h"
#include "envfleet/box2d/lunar_lander.h"

namespace envfleet::box2d {
namespace {

// The EnvType of `id`, served by `EnvClass`, with Gymnasium's registered limits and the option
// defaults the id presets (Gymnasium's registered kwargs).
template <typename EnvClass>
EnvType MakeEnvType(std::string id, int max_episode_steps, double reward_threshold,
                    const std::map<std::string, OptionValue>& presets = {}) {
  EnvType type;
  type.id = std::move(id);
  type.options = EnvClass::Options();
  if constexpr (requires { EnvClass::ResetOptions(); }) {
    type.reset_options = EnvClass::ResetOptions();
  }
  for (Option& option : type.options) {
    if (auto preset = presets.find(option.name); preset != presets.end()) {
      option.default_value = preset->second;
    }
  }
  type.make_spec = [max_episode_steps, reward_threshold](const Config& config) {
    EnvSpec spec = EnvClass::Spec(config);
    spec.max_episode_steps = max_episode_steps;
    spec.reward_threshold = reward_threshold;
    return spec;
  };
  type.make_env = [](const Config& config) -> std::unique_ptr<Env> {
    return std::make_unique<EnvClass>(config);
  };
  return type;
}

}  // namespace

std::vector<EnvType> EnvTypes() {
  return {
      MakeEnvType<LunarLander>("LunarLander-v3", 1000, 200),
      MakeEnvType<LunarLander>("LunarLanderContinuous-v3", 1000, 200, {{"continuous", true}}),
      MakeEnvType<BipedalWalker>("BipedalWalker-v3", 1600, 300),
      MakeEnvType<BipedalWalker>("BipedalWalkerHardcore-v3", 2000, 300, {{"hardcore", true}}),
      MakeEnvType<CarRacing>("CarRacing-v3", 1000, 900),
  };
}

}  // namespace envfleet::box2d
