// CartPole: balance a pole hinged on a cart by pushing the cart left or right.
//
// Aligned bit for bit with Gymnasium 1.4's CartPoleEnv (gymnasium/envs/classic_control/
// cartpole.py): float64 state, explicit Euler integration, float32 observations, the same
// termination test and rewards (including `sutton_barto_reward`). Used for CartPole-v0 and -v1,
// which differ only in their time limit. Thread-safety: one instance per thread, as every Env.
#ifndef ENVFLEET_CLASSIC_CONTROL_CART_POLE_H_
#define ENVFLEET_CLASSIC_CONTROL_CART_POLE_H_

#include <cstdint>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/vector_state_env.h"

namespace envfleet::classic_control {

class CartPole : public VectorStateEnv {
 public:
  explicit CartPole(const Config& config);

  // Gymnasium's constructor keywords that affect the dynamics.
  static OptionList Options();
  // Spaces of the env (time limit and reward threshold are set per id).
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [x, x_dot, theta, theta_dot], as Gymnasium's `state`: the env's whole state, which its
  // snapshots hold (VectorStateEnv).
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;

  // Gymnasium's rgb_array picture of the current state (600 x 400).
  void Render(std::uint8_t* rgb) const override;

 private:
  void WriteObservation(const EnvOutput& out) const;

  bool sutton_barto_reward_;
  double x_ = 0.0;
  double x_dot_ = 0.0;
  double theta_ = 0.0;
  double theta_dot_ = 0.0;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_CART_POLE_H_
