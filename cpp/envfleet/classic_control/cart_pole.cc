#include "envfleet/classic_control/cart_pole.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include "envfleet/classic_control/pictures.h"
#include "envfleet/core/array_spec.h"

namespace envfleet::classic_control {
namespace {

// Physical constants, derived in the same order as Gymnasium so each rounds the same way.
constexpr double kGravity = 9.8;
constexpr double kMassCart = 1.0;
constexpr double kMassPole = 0.1;
constexpr double kTotalMass = kMassPole + kMassCart;
constexpr double kHalfPoleLength = 0.5;
constexpr double kPoleMassLength = kMassPole * kHalfPoleLength;
constexpr double kForceMagnitude = 10.0;
constexpr double kTau = 0.02;  // seconds per step

// Termination bounds.
constexpr double kThetaThreshold = 12 * 2 * std::numbers::pi / 360;
constexpr double kXThreshold = 2.4;

// Reset draws every state variable from U(-0.05, 0.05).
constexpr double kResetBound = 0.05;

}  // namespace

CartPole::CartPole(const Config& config)
    : sutton_barto_reward_(config.Get<bool>("sutton_barto_reward")) {}

OptionList CartPole::Options() {
  return {{"sutton_barto_reward", false,
           "reward 0 on every step and -1 on the terminating one, instead of 1 on every step"}};
}

EnvSpec CartPole::Spec(const Config& /*config*/) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EnvSpec spec;
  spec.observation =
      ArraySpec::Box(DType::kFloat32, {4}, {-kXThreshold * 2, -kInf, -kThetaThreshold * 2, -kInf},
                     {kXThreshold * 2, kInf, kThetaThreshold * 2, kInf});
  spec.action = ArraySpec::Discrete(2);
  spec.state_layout = {{"state", 4}};
  spec.render_shape = RenderShape(kCartPoleWidth, kCartPoleHeight);
  spec.render_fps = kCartPoleFps;
  return spec;
}

void CartPole::Reset(const EnvOutput& out) {
  x_ = rng().Uniform(-kResetBound, kResetBound);
  x_dot_ = rng().Uniform(-kResetBound, kResetBound);
  theta_ = rng().Uniform(-kResetBound, kResetBound);
  theta_dot_ = rng().Uniform(-kResetBound, kResetBound);
  WriteObservation(out);
}

void CartPole::Step(const void* action, const EnvOutput& out) {
  // Action 1 pushes right, 0 pushes left.
  const double force =
      *static_cast<const std::int64_t*>(action) == 1 ? kForceMagnitude : -kForceMagnitude;
  const double cos_theta = std::cos(theta_);
  const double sin_theta = std::sin(theta_);

  // Accelerations of the pole and the cart.
  const double temp =
      (force + kPoleMassLength * (theta_dot_ * theta_dot_) * sin_theta) / kTotalMass;
  const double theta_acc =
      (kGravity * sin_theta - cos_theta * temp) /
      (kHalfPoleLength * (4.0 / 3.0 - kMassPole * (cos_theta * cos_theta) / kTotalMass));
  const double x_acc = temp - kPoleMassLength * theta_acc * cos_theta / kTotalMass;

  // Explicit Euler: every position moves with the velocity from before the step.
  x_ = x_ + kTau * x_dot_;
  x_dot_ = x_dot_ + kTau * x_acc;
  theta_ = theta_ + kTau * theta_dot_;
  theta_dot_ = theta_dot_ + kTau * theta_acc;

  // Episode ends when the cart leaves the track or the pole falls past 12 degrees.
  const bool terminated = x_ < -kXThreshold || x_ > kXThreshold || theta_ < -kThetaThreshold ||
                          theta_ > kThetaThreshold;
  *out.terminated = terminated;
  if (sutton_barto_reward_) {
    *out.reward = terminated ? -1.0 : 0.0;
  } else {
    *out.reward = 1.0;
  }
  WriteObservation(out);
}

std::vector<double> CartPole::GetState() const { return {x_, x_dot_, theta_, theta_dot_}; }

void CartPole::SetState(const std::vector<double>& state) {
  x_ = state[0];
  x_dot_ = state[1];
  theta_ = state[2];
  theta_dot_ = state[3];
}

void CartPole::Render(std::uint8_t* rgb) const { DrawCartPole(x_, theta_, rgb); }

void CartPole::WriteObservation(const EnvOutput& out) const {
  float* observation = out.Observation<float>();
  observation[0] = static_cast<float>(x_);
  observation[1] = static_cast<float>(x_dot_);
  observation[2] = static_cast<float>(theta_);
  observation[3] = static_cast<float>(theta_dot_);
}

}  // namespace envfleet::classic_control
