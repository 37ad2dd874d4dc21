#include "envfleet/classic_control/pendulum.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "envfleet/classic_control/numpy_math.h"
#include "envfleet/classic_control/pictures.h"
#include "envfleet/core/array_spec.h"

namespace envfleet::classic_control {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kMaxSpeed = 8;
constexpr double kMaxTorque = 2.0;
constexpr double kDt = 0.05;
constexpr double kMass = 1.0;
constexpr double kLength = 1.0;

// Reset draws theta from U(-pi, pi) and theta_dot from U(-1, 1).
constexpr double kResetThetaBound = kPi;
constexpr double kResetThetaDotBound = 1.0;

// The angle mapped into [-pi, pi).
double NormalizeAngle(double angle) { return FloorMod(angle + kPi, 2 * kPi) - kPi; }

}  // namespace

Pendulum::Pendulum(const Config& config, std::shared_ptr<const TorqueArrow> arrow)
    : gravity_(config.Get<double>("g")), arrow_(std::move(arrow)) {}

OptionList Pendulum::Options() { return {{"g", 10.0, "acceleration of gravity"}}; }

EnvSpec Pendulum::Spec(const Config& /*config*/) {
  EnvSpec spec;
  spec.observation =
      ArraySpec::Box(DType::kFloat32, {3}, {-1.0, -1.0, -kMaxSpeed}, {1.0, 1.0, kMaxSpeed});
  spec.action = ArraySpec::Box(DType::kFloat32, {1}, {-kMaxTorque}, {kMaxTorque});
  spec.state_layout = {{"state", 2}};
  spec.render_shape = RenderShape(kPendulumSize, kPendulumSize);
  spec.render_fps = kPendulumFps;
  return spec;
}

void Pendulum::Reset(const EnvOutput& out) {
  theta_ = rng().Uniform(-kResetThetaBound, kResetThetaBound);
  theta_dot_ = rng().Uniform(-kResetThetaDotBound, kResetThetaDotBound);
  last_torque_.reset();
  WriteObservation(out);
}

void Pendulum::Step(const void* action, const EnvOutput& out) {
  // The torque is clipped in float32 and stays a float32 scalar.
  const float torque = std::clamp(static_cast<const float*>(action)[0],
                                  static_cast<float>(-kMaxTorque), static_cast<float>(kMaxTorque));

  // Cost of the state before the step; the torque term is computed in float32.
  const float torque_cost = static_cast<float>(0.001) * LibmPowf(torque, 2.0f);
  const double cost = LibmPow(NormalizeAngle(theta_), 2.0) + 0.1 * LibmPow(theta_dot_, 2.0) +
                      static_cast<double>(torque_cost);

  // Angular acceleration: gravity's term in float64, the torque's a float32 product.
  const float torque_term = static_cast<float>(3.0 / (kMass * LibmPow(kLength, 2.0))) * torque;
  const double angular_acceleration =
      3 * gravity_ / (2 * kLength) * std::sin(theta_) + static_cast<double>(torque_term);

  // Semi-implicit Euler: the angle moves with the new, speed-limited velocity.
  double new_theta_dot = theta_dot_ + angular_acceleration * kDt;
  new_theta_dot = std::clamp(new_theta_dot, -kMaxSpeed, kMaxSpeed);
  theta_ = theta_ + new_theta_dot * kDt;
  theta_dot_ = new_theta_dot;
  last_torque_ = torque;

  *out.reward = -cost;
  *out.terminated = false;
  WriteObservation(out);
}

std::vector<double> Pendulum::GetState() const { return {theta_, theta_dot_}; }

void Pendulum::SetState(const std::vector<double>& state) {
  theta_ = state[0];
  theta_dot_ = state[1];
}

void Pendulum::Render(std::uint8_t* rgb) const { DrawPendulum(theta_, last_torque_, *arrow_, rgb); }

void Pendulum::WriteObservation(const EnvOutput& out) const {
  float* observation = out.Observation<float>();
  observation[0] = static_cast<float>(std::cos(theta_));
  observation[1] = static_cast<float>(std::sin(theta_));
  observation[2] = static_cast<float>(theta_dot_);
}

void Pendulum::SaveState(StateWriter& out) const {
  VectorStateEnv::SaveState(out);
  out.Put(gravity_);
  out.Put(last_torque_.has_value());
  out.Put(last_torque_.value_or(0.0f));
}

void Pendulum::LoadState(StateReader& in) {
  VectorStateEnv::LoadState(in);
  gravity_ = in.Get<double>();
  const bool has_torque = in.Get<bool>();
  const float torque = in.Get<float>();
  last_torque_ = has_torque ? std::optional<float>(torque) : std::nullopt;
}

}  // namespace envfleet::classic_control
