// The Atari family's EnvTypes: one per game, `<Game>-v5`, each reading its ROM from a given path.
#ifndef ENVFLEET_ATARI_ENV_TYPES_H_
#define ENVFLEET_ATARI_ENV_TYPES_H_

#include <string>
#include <utility>
#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::atari {

// One EnvType per (task id, ROM file) pair, with EnvPool's Atari defaults
// (max_episode_steps 27000, i.e. 108k frames at frame_skip 4).
std::vector<EnvType> EnvTypes(const std::vector<std::pair<std::string, std::string>>& games);

}  // namespace envfleet::atari

#endif  // ENVFLEET_ATARI_ENV_TYPES_H_
