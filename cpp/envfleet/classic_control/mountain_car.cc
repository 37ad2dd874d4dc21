#include "envfleet/classic_control/mountain_car.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "envfleet/classic_control/pictures.h"
#include "envfleet/core/array_spec.h"

namespace envfleet::classic_control {
namespace {

constexpr double kMinPosition = -1.2;
constexpr double kMaxPosition = 0.6;
constexpr double kMaxSpeed = 0.07;
constexpr double kGoalPosition = 0.5;
constexpr double kForce = 0.001;
constexpr double kGravity = 0.0025;

// Reset draws the position from U(-0.6, -0.4); the car starts at rest.
constexpr double kResetLow = -0.6;
constexpr double kResetHigh = -0.4;

}  // namespace

MountainCar::MountainCar(const Config& config)
    : goal_velocity_(config.Get<double>("goal_velocity")) {}

OptionList MountainCar::Options() {
  return {{"goal_velocity", 0.0, "the episode ends at the goal only at this velocity or above"}};
}

EnvSpec MountainCar::Spec(const Config& /*config*/) {
  EnvSpec spec;
  spec.observation =
      ArraySpec::Box(DType::kFloat32, {2}, {kMinPosition, -kMaxSpeed}, {kMaxPosition, kMaxSpeed});
  spec.action = ArraySpec::Discrete(3);
  spec.state_layout = {{"state", 2}};
  spec.render_shape = RenderShape(kMountainCarWidth, kMountainCarHeight);
  spec.render_fps = kMountainCarFps;
  return spec;
}

void MountainCar::Reset(const EnvOutput& out) {
  position_ = rng().Uniform(kResetLow, kResetHigh);
  velocity_ = 0.0;
  WriteObservation(out);
}

void MountainCar::Step(const void* action, const EnvOutput& out) {
  // Actions 0, 1, 2 push left, not at all, right; gravity pulls along the slope of sin(3x).
  const auto push = static_cast<double>(*static_cast<const std::int64_t*>(action) - 1);
  velocity_ += push * kForce + std::cos(3 * position_) * (-kGravity);
  velocity_ = std::clamp(velocity_, -kMaxSpeed, kMaxSpeed);
  position_ += velocity_;
  position_ = std::clamp(position_, kMinPosition, kMaxPosition);

  // The left wall is inelastic.
  if (position_ == kMinPosition && velocity_ < 0) velocity_ = 0.0;

  *out.terminated = position_ >= kGoalPosition && velocity_ >= goal_velocity_;
  *out.reward = -1.0;
  WriteObservation(out);
}

std::vector<double> MountainCar::GetState() const { return {position_, velocity_}; }

void MountainCar::SetState(const std::vector<double>& state) {
  position_ = state[0];
  velocity_ = state[1];
}

void MountainCar::Render(std::uint8_t* rgb) const {
  DrawMountainCar(position_, kGoalPosition, rgb);
}

void MountainCar::WriteObservation(const EnvOutput& out) const {
  float* observation = out.Observation<float>();
  observation[0] = static_cast<float>(position_);
  observation[1] = static_cast<float>(velocity_);
}

}  // namespace envfleet::classic_control
