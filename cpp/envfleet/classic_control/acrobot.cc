#include "envfleet/classic_control/acrobot.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "envfleet/classic_control/numpy_math.h"
#include "envfleet/classic_control/pictures.h"
#include "envfleet/classic_control/state_check.h"
#include "envfleet/core/array_spec.h"

namespace envfleet::classic_control {
namespace {

constexpr double kPi = std::numbers::pi;

// Links: lengths, masses, centres of mass, moments of inertia; gravity.
constexpr double kLinkLength1 = 1.0;
constexpr double kLinkMass1 = 1.0;
constexpr double kLinkMass2 = 1.0;
constexpr double kLinkCom1 = 0.5;
constexpr double kLinkCom2 = 0.5;
constexpr double kLinkMoi = 1.0;
constexpr double kGravity = 9.8;
// Squares of the constants above (exact, like the `** 2` Gymnasium writes).
constexpr double kLinkLength1Sq = kLinkLength1 * kLinkLength1;
constexpr double kLinkCom1Sq = kLinkCom1 * kLinkCom1;
constexpr double kLinkCom2Sq = kLinkCom2 * kLinkCom2;

constexpr double kMaxVelocity1 = 4 * kPi;
constexpr double kMaxVelocity2 = 9 * kPi;
constexpr double kTorques[3] = {-1.0, 0.0, 1.0};
constexpr double kDt = 0.2;  // one Runge-Kutta step per env step

// Reset draws every state variable from U(-0.1, 0.1), then rounds it to float32.
constexpr double kResetBound = 0.1;

// The state with the torque appended, as Gymnasium's integrator carries it.
struct Augmented {
  double theta1, theta2, dtheta1, dtheta2, torque;
};

// Time derivative of the augmented state ("book" dynamics); the torque is constant.
Augmented Derivative(const Augmented& s) {
  const double cos_theta2 = std::cos(s.theta2);
  const double sin_theta2 = std::sin(s.theta2);

  // Inertia terms.
  const double d1 =
      kLinkMass1 * kLinkCom1Sq +
      kLinkMass2 * (kLinkLength1Sq + kLinkCom2Sq + 2 * kLinkLength1 * kLinkCom2 * cos_theta2) +
      kLinkMoi + kLinkMoi;
  const double d2 = kLinkMass2 * (kLinkCom2Sq + kLinkLength1 * kLinkCom2 * cos_theta2) + kLinkMoi;

  // Gravity and Coriolis terms.
  const double phi2 = kLinkMass2 * kLinkCom2 * kGravity * std::cos(s.theta1 + s.theta2 - kPi / 2.0);
  const double phi1 =
      -kLinkMass2 * kLinkLength1 * kLinkCom2 * LibmPow(s.dtheta2, 2) * sin_theta2 -
      2 * kLinkMass2 * kLinkLength1 * kLinkCom2 * s.dtheta2 * s.dtheta1 * sin_theta2 +
      (kLinkMass1 * kLinkCom1 + kLinkMass2 * kLinkLength1) * kGravity *
          std::cos(s.theta1 - kPi / 2) +
      phi2;

  // Angular accelerations.
  const double ddtheta2 =
      (s.torque + d2 / d1 * phi1 -
       kLinkMass2 * kLinkLength1 * kLinkCom2 * LibmPow(s.dtheta1, 2) * sin_theta2 - phi2) /
      (kLinkMass2 * kLinkCom2Sq + kLinkMoi - LibmPow(d2, 2) / d1);
  const double ddtheta1 = -(d2 * ddtheta2 + phi1) / d1;
  return {s.dtheta1, s.dtheta2, ddtheta1, ddtheta2, 0.0};
}

// `base + scale * slope`, component by component.
Augmented Advance(const Augmented& base, double scale, const Augmented& slope) {
  return {base.theta1 + scale * slope.theta1, base.theta2 + scale * slope.theta2,
          base.dtheta1 + scale * slope.dtheta1, base.dtheta2 + scale * slope.dtheta2,
          base.torque + scale * slope.torque};
}

// One component of the Runge-Kutta 4 combination, in Gymnasium's order of operations.
double Combine(double y0, double k1, double k2, double k3, double k4) {
  return y0 + kDt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4);
}

// The angle moved by whole turns into [-pi, pi].
double Wrap(double angle) {
  while (angle > kPi) angle = angle - 2 * kPi;
  while (angle < -kPi) angle = angle + 2 * kPi;
  return angle;
}

}  // namespace

Acrobot::Acrobot(const Config& /*config*/) {}

OptionList Acrobot::Options() { return {}; }

EnvSpec Acrobot::Spec(const Config& /*config*/) {
  EnvSpec spec;
  spec.observation =
      ArraySpec::Box(DType::kFloat32, {6}, {-1.0, -1.0, -1.0, -1.0, -kMaxVelocity1, -kMaxVelocity2},
                     {1.0, 1.0, 1.0, 1.0, kMaxVelocity1, kMaxVelocity2});
  spec.action = ArraySpec::Discrete(3);
  spec.state_layout = {{"state", 4}};
  spec.render_shape = RenderShape(kAcrobotSize, kAcrobotSize);
  spec.render_fps = kAcrobotFps;
  return spec;
}

void Acrobot::Reset(const EnvOutput& out) {
  // Gymnasium rounds the drawn state to float32. The rounded value goes through a volatile
  // because GCC 12, vectorising this loop at -O3 for AVX2, drops the rounding (a miscompile).
  for (double& value : state_) {
    const volatile float drawn = static_cast<float>(rng().Uniform(-kResetBound, kResetBound));
    value = drawn;
  }
  state_is_float32_ = true;

  // The reset state is float32, so NumPy takes sin and cos in float32.
  const float theta1 = static_cast<float>(state_[0]);
  const float theta2 = static_cast<float>(state_[1]);
  float* observation = out.Observation<float>();
  observation[0] = NumpyCosf(theta1);
  observation[1] = NumpySinf(theta1);
  observation[2] = NumpyCosf(theta2);
  observation[3] = NumpySinf(theta2);
  observation[4] = static_cast<float>(state_[2]);
  observation[5] = static_cast<float>(state_[3]);
}

void Acrobot::Step(const void* action, const EnvOutput& out) {
  const double torque = kTorques[*static_cast<const std::int64_t*>(action)];

  state_is_float32_ = false;

  // One Runge-Kutta 4 step over dt.
  const Augmented y0{state_[0], state_[1], state_[2], state_[3], torque};
  const double half_dt = kDt / 2.0;
  const Augmented k1 = Derivative(y0);
  const Augmented k2 = Derivative(Advance(y0, half_dt, k1));
  const Augmented k3 = Derivative(Advance(y0, half_dt, k2));
  const Augmented k4 = Derivative(Advance(y0, kDt, k3));

  // Angles wrapped, velocities bounded.
  state_[0] = Wrap(Combine(y0.theta1, k1.theta1, k2.theta1, k3.theta1, k4.theta1));
  state_[1] = Wrap(Combine(y0.theta2, k1.theta2, k2.theta2, k3.theta2, k4.theta2));
  state_[2] = std::clamp(Combine(y0.dtheta1, k1.dtheta1, k2.dtheta1, k3.dtheta1, k4.dtheta1),
                         -kMaxVelocity1, kMaxVelocity1);
  state_[3] = std::clamp(Combine(y0.dtheta2, k1.dtheta2, k2.dtheta2, k3.dtheta2, k4.dtheta2),
                         -kMaxVelocity2, kMaxVelocity2);

  // Done when the tip rises more than one link length above the pivot.
  const double cos_theta1 = std::cos(state_[0]);
  const bool terminated = -cos_theta1 - std::cos(state_[1] + state_[0]) > 1.0;
  *out.terminated = terminated;
  *out.reward = terminated ? 0.0 : -1.0;

  float* observation = out.Observation<float>();
  observation[0] = static_cast<float>(cos_theta1);
  observation[1] = static_cast<float>(std::sin(state_[0]));
  observation[2] = static_cast<float>(std::cos(state_[1]));
  observation[3] = static_cast<float>(std::sin(state_[1]));
  observation[4] = static_cast<float>(state_[2]);
  observation[5] = static_cast<float>(state_[3]);
}

std::vector<double> Acrobot::GetState() const { return {state_.begin(), state_.end()}; }

void Acrobot::SetState(const std::vector<double>& state) {
  std::copy(state.begin(), state.end(), state_.begin());
  state_is_float32_ = std::all_of(state_.begin(), state_.end(), IsFloat32Value);
}

void Acrobot::Render(std::uint8_t* rgb) const {
  if (state_is_float32_) {
    DrawAcrobot(static_cast<float>(state_[0]), static_cast<float>(state_[1]), rgb);
  } else {
    DrawAcrobot(state_[0], state_[1], rgb);
  }
}

}  // namespace envfleet::classic_control
