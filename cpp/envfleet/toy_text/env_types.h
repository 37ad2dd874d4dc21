// EnvTypes: the toy-text env ids envfleet provides, with their Gymnasium registrations.
//
// One EnvType per Gymnasium 1.2 id: FrozenLake-v1, FrozenLake8x8-v1, Taxi-v3, CliffWalking-v1,
// CliffWalkingSlippery-v1, Blackjack-v1. Time limits, reward thresholds and the options an id
// presets are Gymnasium's (gymnasium/envs/__init__.py). Thread-safety: the returned values are
// immutable and safe to share.
#ifndef ENVFLEET_TOY_TEXT_ENV_TYPES_H_
#define ENVFLEET_TOY_TEXT_ENV_TYPES_H_

#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::toy_text {

std::vector<EnvType> EnvTypes();

}  // namespace envfleet::toy_text

#endif  // ENVFLEET_TOY_TEXT_ENV_TYPES_H_
