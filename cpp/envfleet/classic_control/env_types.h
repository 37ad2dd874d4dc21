// EnvTypes: the classic-control env ids envfleet provides, with their Gymnasium registrations.
//
// One EnvType per Gymnasium id: CartPole-v0/-v1, MountainCar-v0, MountainCarContinuous-v0,
// Pendulum-v1, Acrobot-v1. Time limits and reward thresholds are Gymnasium 1.4's
// (gymnasium/envs/__init__.py); options are the keywords of Gymnasium's constructors that
// affect the dynamics. Thread-safety: the returned values are immutable and safe to share.
#ifndef ENVFLEET_CLASSIC_CONTROL_ENV_TYPES_H_
#define ENVFLEET_CLASSIC_CONTROL_ENV_TYPES_H_

#include <string>
#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::classic_control {

// `assets_dir`: Gymnasium's classic-control assets folder (gymnasium/envs/classic_control/assets),
// where Pendulum's torque arrow is.
std::vector<EnvType> EnvTypes(const std::string& assets_dir);

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_ENV_TYPES_H_
