// Pendulum: swing a frictionless pendulum up and hold it upright with a bounded torque.
//
// Aligned bit for bit with Gymnasium 1.4's PendulumEnv (gymnasium/envs/classic_control/
// pendulum.py) under NumPy 2's promotion rules: float64 state, the torque clipped and kept in
// float32 where NumPy keeps it, `** 2` through libm's pow as NumPy scalars do, angles normalised
// with Python's floored modulo, observations [cos, sin, angular velocity] in float32. Used for
// Pendulum-v1. Thread-safety: one instance per thread, as every Env.
#ifndef ENVFLEET_CLASSIC_CONTROL_PENDULUM_H_
#define ENVFLEET_CLASSIC_CONTROL_PENDULUM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "envfleet/classic_control/torque_arrow.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/vector_state_env.h"

namespace envfleet::classic_control {

class Pendulum : public VectorStateEnv {
 public:
  // `arrow`: the torque arrow its pictures show (shared by the envs of a type).
  Pendulum(const Config& config, std::shared_ptr<const TorqueArrow> arrow);

  // Gymnasium's constructor keywords that affect the dynamics.
  static OptionList Options();
  // Spaces of the env (time limit and reward threshold are set per id).
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [theta, theta_dot], as Gymnasium's `state`.
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;
  // Options that change per env at reset (EnvType::reset_options): g.
  static std::vector<std::string> ResetOptions() { return {"g"}; }
  void Reconfigure(const Config& config) override { gravity_ = config.Get<double>("g"); }

  // Snapshots: the state above (VectorStateEnv), g and the torque of the last step (for the
  // picture).
  void SaveState(StateWriter& out) const override;
  void LoadState(StateReader& in) override;

  // Gymnasium's rgb_array picture of the current state (500 x 500), with the torque arrow of the
  // last step (none after a reset).
  void Render(std::uint8_t* rgb) const override;

 private:
  void WriteObservation(const EnvOutput& out) const;

  double gravity_;
  double theta_ = 0.0;
  double theta_dot_ = 0.0;
  // The clipped torque of the last step, for the picture; none since the last reset.
  std::optional<float> last_torque_;
  std::shared_ptr<const TorqueArrow> arrow_;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_PENDULUM_H_
