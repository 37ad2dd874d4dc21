// EnvTypes: the Box2D env ids envfleet provides, with their Gymnasium registrations.
//
// One EnvType per Gymnasium 1.2 id: LunarLander-v3 and LunarLanderContinuous-v3 (the same env
// with `continuous` preset), BipedalWalker-v3 and BipedalWalkerHardcore-v3 (`hardcore` preset).
// Time limits, reward thresholds and presets are Gymnasium's
// (gymnasium/envs/__init__.py). Thread-safety: the returned values are immutable and safe to
// share.
#ifndef ENVFLEET_BOX2D_ENV_TYPES_H_
#define ENVFLEET_BOX2D_ENV_TYPES_H_

#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::box2d {

std::vector<EnvType> EnvTypes();

}  // namespace envfleet::box2d

#endif  // ENVFLEET_BOX2D_ENV_TYPES_H_
