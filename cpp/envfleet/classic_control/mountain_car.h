// MountainCar-v0 and MountainCarContinuous-v0: drive an underpowered car up a hill by rocking it,
// with three discrete pushes or a continuous engine force (Gymnasium 1.4's MountainCarEnv and
// Continuous_MountainCarEnv, gymnasium/envs/classic_control/mountain_car.py and
// continuous_mountain_car.py).
//
// MountainCarBase holds what both share: the car's position and velocity on Gymnasium's track,
// the `goal_velocity` option (which may change at reset), the reset draw, the float32
// observation, the spec but for the action, and snapshots. The two envs differ in their action,
// their goal position and their precision, each described at its class. Thread-safety: one
// instance per thread, as every Env. Ownership: each env owns its state. Blocking: none.
#ifndef ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_
#define ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "envfleet/core/array_spec.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/snapshot.h"
#include "envfleet/core/vector_state_env.h"

namespace envfleet::classic_control {

class MountainCarBase : public VectorStateEnv {
 public:
  // Gymnasium's constructor keyword that affects the dynamics: goal_velocity.
  static OptionList Options();
  // Options that change per env at reset (EnvType::reset_options): goal_velocity.
  static std::vector<std::string> ResetOptions() { return {"goal_velocity"}; }
  void Reconfigure(const Config& config) override;

  // Gymnasium's reset: the position drawn from U(-0.6, -0.4), the car at rest.
  void Reset(const EnvOutput& out) override;

  // [position, velocity], as Gymnasium's `state`.
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;
  // Snapshots: the state above (VectorStateEnv) and the goal_velocity.
  void SaveState(StateWriter& out) const override;
  void LoadState(StateReader& in) override;

 protected:
  // Gymnasium's track (min_position, max_position), speed limit and gravity.
  static constexpr double kMinPosition = -1.2;
  static constexpr double kMaxPosition = 0.6;
  static constexpr double kMaxSpeed = 0.07;
  static constexpr double kGravity = 0.0025;

  explicit MountainCarBase(const Config& config);

  // The spec of an env with this action: float32 observations [position, velocity] bounded by the
  // track and the speed limit, the state layout and the picture's size (time limit and reward
  // threshold are set per id).
  static EnvSpec SpecWithAction(ArraySpec action);

  // Writes [position, velocity] as float32.
  void WriteObservation(const EnvOutput& out) const;

  double goal_velocity_;
  double position_ = 0.0;
  double velocity_ = 0.0;
};

// MountainCar-v0, aligned bit for bit with Gymnasium: float64 state, velocity and position clipped
// the same way, the velocity zeroed at the left wall, reward -1 per step; the goal at 0.5.
class MountainCar : public MountainCarBase {
 public:
  explicit MountainCar(const Config& config) : MountainCarBase(config) {}

  // Spaces of the env: Discrete(3), push left, not at all, right.
  static EnvSpec Spec(const Config& config);
  void Step(const void* action, const EnvOutput& out) override;
  // Gymnasium's rgb_array picture of the current state (600 x 400).
  void Render(std::uint8_t* rgb) const override;
};

// MountainCarContinuous-v0: a continuous engine force in [-1, 1], an energy penalty and +100 at
// the goal (0.45). Aligned bit for bit with Gymnasium under NumPy 2's promotion rules: Gymnasium's
// state is a float64 array after reset() and a float32 array after every step(), and the float32
// action keeps parts of the update in float32, so this class tracks which precision the state is
// in and does each operation in the precision NumPy would.
class MountainCarContinuous : public MountainCarBase {
 public:
  explicit MountainCarContinuous(const Config& config) : MountainCarBase(config) {}

  // Spaces of the env: Box(-1, 1, (1,), float32).
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

#endif  // ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_
