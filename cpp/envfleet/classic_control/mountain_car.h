// MountainCar: drive an underpowered car up a hill by rocking it (three discrete pushes).
//
// Aligned bit for bit with Gymnasium 1.4's MountainCarEnv (gymnasium/envs/classic_control/
// mountain_car.py): float64 state, velocity and position clipped the same way, the velocity
// zeroed at the left wall, reward -1 per step, float32 observations. The state, options, reset and
// snapshots are MountainCarBase's. Used for MountainCar-v0. Thread-safety: one instance per
// thread, as every Env.
#ifndef ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_
#define ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_

#include <cstdint>

#include "envfleet/classic_control/mountain_car_base.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::classic_control {

class MountainCar : public MountainCarBase {
 public:
  explicit MountainCar(const Config& config) : MountainCarBase(config) {}

  // Spaces of the env (time limit and reward threshold are set per id).
  static EnvSpec Spec(const Config& config);

  void Step(const void* action, const EnvOutput& out) override;

  // Gymnasium's rgb_array picture of the current state (600 x 400).
  void Render(std::uint8_t* rgb) const override;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_
