// MountainCarContinuous: MountainCar with a continuous engine force and an energy penalty.
//
// Aligned bit for bit with Gymnasium 1.4's Continuous_MountainCarEnv (gymnasium/envs/
// classic_control/continuous_mountain_car.py) under NumPy 2's promotion rules. Gymnasium's state
// is a float64 array after reset() and a float32 array after every step(), and the float32 action
// keeps parts of the update in float32, so this class tracks which precision the state is in and
// does each operation in the precision NumPy would. The state, options, reset and snapshots are
// MountainCarBase's. Used for MountainCarContinuous-v0.
// Thread-safety: one instance per thread, as every Env.
#ifndef ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_CONTINUOUS_H_
#define ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_CONTINUOUS_H_

#include <cstdint>
#include <vector>

#include "envfleet/classic_control/mountain_car_base.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::classic_control {

class MountainCarContinuous : public MountainCarBase {
 public:
  explicit MountainCarContinuous(const Config& config) : MountainCarBase(config) {}

  // Spaces of the env (time limit and reward threshold are set per id).
  static EnvSpec Spec(const Config& config);

  // MountainCarBase's reset, which leaves a float64 state.
  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // SetState() takes a state whose two values are both float32 numbers as the float32 state
  // step() leaves, any other as the float64 state reset() leaves, so GetState() / SetState()
  // round-trip exactly (and so do snapshots, which go through SetState()).
  void SetState(const std::vector<double>& state) override;

  // Gymnasium's rgb_array picture of the current state (600 x 400), drawn in float32 after a
  // step, as Gymnasium holds the state then.
  void Render(std::uint8_t* rgb) const override;

 private:
  // Whether Gymnasium would hold the state as float32 (after a step) rather than float64.
  bool state_is_float32_ = false;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_CONTINUOUS_H_
