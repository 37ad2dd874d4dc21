#include "envfleet/atari/env_types.h"

#include <memory>

#include "envfleet/atari/atari_env.h"

namespace envfleet::atari {

std::vector<EnvType> EnvTypes(const std::vector<std::pair<std::string, std::string>>& games) {
  constexpr int kMaxEpisodeSteps = 27000;
  std::vector<EnvType> types;
  for (const auto& [task_id, rom_path] : games) {
    EnvType type;
    type.id = task_id;
    type.options = AtariEnv::Options();
    type.reset_options = AtariEnv::ResetOptions();
    type.make_spec = [rom_path](const Config& config) {
      EnvSpec spec = AtariEnv::Spec(AtariSettings::FromConfig(config, rom_path));
      spec.max_episode_steps = kMaxEpisodeSteps;
      return spec;
    };
    type.make_env = [rom_path](const Config& config) -> std::unique_ptr<Env> {
      return std::make_unique<AtariEnv>(AtariSettings::FromConfig(config, rom_path));
    };
    types.push_back(std::move(type));
  }
  return types;
}

}  // namespace envfleet::atari
