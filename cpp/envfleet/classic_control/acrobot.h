// Acrobot: swing the tip of a two-link chain above a line, torquing only the joint between links.
//
// Aligned bit for bit with Gymnasium 1.4's AcrobotEnv (gymnasium/envs/classic_control/
// acrobot.py) with its defaults: the "book" dynamics, no torque noise, one classic Runge-Kutta 4
// step of 0.2 s, angles wrapped to [-pi, pi] and velocities bounded the same way. Gymnasium keeps
// the reset state as float32 (so the reset observation uses NumPy's float32 sin/cos) and every
// later state as float64. Used for Acrobot-v1. Thread-safety: one instance per thread, as every
// Env.
#ifndef ENVFLEET_CLASSIC_CONTROL_ACROBOT_H_
#define ENVFLEET_CLASSIC_CONTROL_ACROBOT_H_

#include <array>
#include <cstdint>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/vector_state_env.h"

namespace envfleet::classic_control {

class Acrobot : public VectorStateEnv {
 public:
  explicit Acrobot(const Config& config);

  // Gymnasium's constructor takes no keyword that affects the dynamics.
  static OptionList Options();
  // Spaces of the env (time limit and reward threshold are set per id).
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [theta1, theta2, dtheta1, dtheta2], as Gymnasium's `state`. SetState() takes a state whose
  // values are all float32 numbers as the float32 state reset() leaves, any other as the float64
  // state step() leaves. The env's whole state, which its snapshots hold (VectorStateEnv).
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;

  // Gymnasium's rgb_array picture of the current state (500 x 500), drawn in float32 after a
  // reset, as Gymnasium holds the state then.
  void Render(std::uint8_t* rgb) const override;

 private:
  // Joint angles and angular velocities.
  using State = std::array<double, 4>;

  State state_{};
  // Whether Gymnasium would hold the state as float32 (after a reset) rather than float64.
  bool state_is_float32_ = false;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_ACROBOT_H_
