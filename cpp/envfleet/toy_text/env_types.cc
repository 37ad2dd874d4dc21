#include "envfleet/toy_text/env_types.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "envfleet/toy_text/blackjack.h"
#include "envfleet/toy_text/cliff_walking.h"
#include "envfleet/toy_text/frozen_lake.h"
#include "envfleet/toy_text/taxi.h"

namespace envfleet::toy_text {
namespace {

// The EnvType of `id`, served by `EnvClass`, with Gymnasium's registered limits and the option
// defaults the id presets (Gymnasium's registered kwargs).
template <typename EnvClass>
EnvType MakeEnvType(std::string id, int max_episode_steps, std::optional<double> reward_threshold,
                    const std::map<std::string, OptionValue>& presets = {}) {
  EnvType type;
  type.id = std::move(id);
  type.options = EnvClass::Options();
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
      MakeEnvType<FrozenLake>("FrozenLake-v1", 100, 0.70),
      MakeEnvType<FrozenLake>("FrozenLake8x8-v1", 200, 0.85, {{"map_name", std::string("8x8")}}),
      MakeEnvType<Taxi>("Taxi-v3", 200, 8.0),
      MakeEnvType<CliffWalking>("CliffWalking-v1", 0, std::nullopt),
      MakeEnvType<CliffWalking>("CliffWalkingSlippery-v1", 0, std::nullopt,
                                {{"is_slippery", true}}),
      MakeEnvType<Blackjack>("Blackjack-v1", 0, std::nullopt),
  };
}

}  // namespace envfleet::toy_text
