// Pendulum: swing a frictionless pendulum up and hold it upright with a bounded torque.
//
// Aligned bit for bit with Gymnasium 1.4's PendulumEnv (gymnasium/envs/classic_control/
// pendulum.py) under NumPy 2's promotion rules: float64 state, the torque clipped and kept in
// float32 where NumPy keeps it, `** 2` through libm's pow as NumPy scalars do, angles normalised
// with Python's floored modulo, observations [cos, sin, angular velocity] in float32. Used for
// Pendulum-v1. Thread-safety: one instance per thread, as every Env.
#ifndef ENVFLEET_CLASSIC_CONTROL_PENDULUM_H_
#define ENVFLEET_CLASSIC_CONTROL_PENDULUM_H_

#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::classic_control {

class Pendulum : public Env {
 public:
  explicit Pendulum(const Config& config);

  // Gymnasium's constructor keywords that affect the dynamics.
  static OptionList Options();
  // Spaces of the env (time limit and reward threshold are set per id).
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [theta, theta_dot], as Gymnasium's `state`.
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;

 private:
  void WriteObservation(const EnvOutput& out) const;

  double gravity_;
  double theta_ = 0.0;
  double theta_dot_ = 0.0;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_PENDULUM_H_
