// MountainCar: drive an underpowered car up a hill by rocking it (three discrete pushes).
//
// Aligned bit for bit with Gymnasium 1.4's MountainCarEnv (gymnasium/envs/classic_control/
// mountain_car.py): float64 state, velocity and position clipped the same way, the velocity
// zeroed at the left wall, reward -1 per step, float32 observations. Used for MountainCar-v0.
// Thread-safety: one instance per thread, as every Env.
#ifndef ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_
#define ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_

#include <cstdint>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::classic_control {

class MountainCar : public Env {
 public:
  explicit MountainCar(const Config& config);

  // Gymnasium's constructor keywords that affect the dynamics.
  static OptionList Options();
  // Spaces of the env (time limit and reward threshold are set per id).
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [position, velocity], as Gymnasium's `state`.
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;
  // Options that change per env at reset (EnvType::reset_options): goal_velocity.
  static std::vector<std::string> ResetOptions() { return {"goal_velocity"}; }
  void Reconfigure(const Config& config) override {
    goal_velocity_ = config.Get<double>("goal_velocity");
  }

  // Snapshots: the state above and the goal_velocity.
  void SaveState(StateWriter& out) const override {
    out.PutVector(GetState());
    out.Put(goal_velocity_);
  }
  void LoadState(StateReader& in) override {
    SetState(in.GetVector<double>());
    goal_velocity_ = in.Get<double>();
  }

  // Gymnasium's rgb_array picture of the current state (600 x 400).
  void Render(std::uint8_t* rgb) const override;

 private:
  void WriteObservation(const EnvOutput& out) const;

  double goal_velocity_;
  double position_ = 0.0;
  double velocity_ = 0.0;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_MOUNTAIN_CAR_H_
