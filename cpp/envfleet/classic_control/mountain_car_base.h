// MountainCarBase: what MountainCar and MountainCarContinuous share: the car's position and
// velocity on Gymnasium's track, the `goal_velocity` option (which may change at reset), the reset
// draw, the float32 observation, the spec but for the action, and snapshots.
//
// The two envs differ in their action (three pushes, or a continuous force with an energy
// penalty), their goal position and their precision (MountainCarContinuous holds a float32 state
// after a step, as Gymnasium does). Thread-safety, ownership, blocking: as every Env (one thread
// at a time; the env owns its state; nothing blocks).
#ifndef ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_BASE_H_
#define ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_BASE_H_

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

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_BASE_H_
