#include "envfleet/classic_control/mountain_car.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "envfleet/classic_control/pictures.h"
#include "envfleet/core/array_spec.h"

namespace envfleet::classic_control {
namespace {

// Reset draws the position from U(-0.6, -0.4); the car starts at rest.
constexpr double kResetLow = -0.6;
constexpr double kResetHigh = -0.4;

// MountainCar's goal and push.
constexpr double kGoalPosition = 0.5;
constexpr double kForce = 0.001;

}  // namespace

// ---- MountainCarBase ----

MountainCarBase::MountainCarBase(const Config& config)
    : goal_velocity_(config.Get<double>("goal_velocity")) {}

OptionList MountainCarBase::Options() {
  return {{"goal_velocity", 0.0, "the episode ends at the goal only at this velocity or above"}};
}

void MountainCarBase::Reconfigure(const Config& config) {
  goal_velocity_ = config.Get<double>("goal_velocity");
}

EnvSpec MountainCarBase::SpecWithAction(ArraySpec action) {
  EnvSpec spec;
  spec.observation =
      ArraySpec::Box(DType::kFloat32, {2}, {kMinPosition, -kMaxSpeed}, {kMaxPosition, kMaxSpeed});
  spec.action = std::move(action);
  spec.state_layout = {{"state", 2}};
  spec.render_shape = RenderShape(kMountainCarWidth, kMountainCarHeight);
  spec.render_fps = kMountainCarFps;
  return spec;
}

void MountainCarBase::Reset(const EnvOutput& out) {
  position_ = rng().Uniform(kResetLow, kResetHigh);
  velocity_ = 0.0;
  WriteObservation(out);
}

std::vector<double> MountainCarBase::GetState() const { return {position_, velocity_}; }

void MountainCarBase::SetState(const std::vector<double>& state) {
  position_ = state[0];
  velocity_ = state[1];
}

void MountainCarBase::SaveState(StateWriter& out) const {
  VectorStateEnv::SaveState(out);
  out.Put(goal_velocity_);
}

void MountainCarBase::LoadState(StateReader& in) {
  VectorStateEnv::LoadState(in);
  goal_velocity_ = in.Get<double>();
}

void MountainCarBase::WriteObservation(const EnvOutput& out) const {
  float* observation = out.Observation<float>();
  observation[0] = static_cast<float>(position_);
  observation[1] = static_cast<float>(velocity_);
}

// ---- MountainCar ----

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
