#include "envfleet/classic_control/mountain_car.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "envfleet/classic_control/pictures.h"
#include "envfleet/core/array_spec.h"

namespace envfleet::classic_control {
namespace {

constexpr double kGoalPosition = 0.5;
constexpr double kForce = 0.001;

}  // namespace

EnvSpec MountainCar::Spec(const Config& /*config*/) {
  return SpecWithAction(ArraySpec::Discrete(3));
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

void MountainCar::Render(std::uint8_t* rgb) const {
  DrawMountainCar(position_, kGoalPosition, rgb);
}

}  // namespace envfleet::classic_control
