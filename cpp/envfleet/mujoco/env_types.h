// EnvTypes: the MuJoCo env ids envfleet provides, with their Gymnasium registrations.
//
// Eleven tasks, each as -v4 and -v5: Ant, HalfCheetah, Hopper, Humanoid, HumanoidStandup,
// InvertedDoublePendulum, InvertedPendulum, Pusher, Reacher, Swimmer, Walker2d. Time limits,
// reward thresholds, model files and frame skips are Gymnasium 1.4's (gymnasium/envs/__init__.py
// and the task classes). `asset_dir` is Gymnasium's assets folder, where default model files are.
// Thread-safety: the returned values are immutable and safe to share.
#ifndef ENVFLEET_MUJOCO_ENV_TYPES_H_
#define ENVFLEET_MUJOCO_ENV_TYPES_H_

#include <string>
#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::mujoco {

std::vector<EnvType> EnvTypes(const std::string& asset_dir);

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_ENV_TYPES_H_
