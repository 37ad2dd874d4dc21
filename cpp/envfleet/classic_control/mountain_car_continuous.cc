#include <cmath>
#include <functional>

#include "envfleet/classic_control/mountain_car.h"
#include "envfleet/classic_control/pictures.h"
#include "envfleet/classic_control/state_check.h"
#include "envfleet/core/array_spec.h"

namespace envfleet::classic_control {
namespace {

constexpr double kMinAction = -1.0;
constexpr double kMaxAction = 1.0;
constexpr double kGoalPosition = 0.45;
constexpr double kPower = 0.0015;
constexpr double kGoalReward = 100.0;
constexpr double kActionCost = 0.1;

// `value <op> bound` as NumPy evaluates it for a value held in float32 (a NumPy float32 scalar,
// which converts a Python float bound to float32) or in float64 (a float64 scalar or Python float).
template <typename Compare>
bool CompareAs(bool in_float32, double value, Compare compare, double bound) {
  if (in_float32) return compare(static_cast<float>(value), static_cast<float>(bound));
  return compare(value, bound);
}

}  // namespace

EnvSpec MountainCarContinuous::Spec(const Config& /*config*/) {
  return SpecWithAction(ArraySpec::Box(DType::kFloat32, {1}, {kMinAction}, {kMaxAction}));
}

void MountainCarContinuous::Reset(const EnvOutput& out) {
  state_is_float32_ = false;
  MountainCarBase::Reset(out);
}

void MountainCarContinuous::Step(const void* action, const EnvOutput& out) {
  const float raw_action = static_cast<const float*>(action)[0];
  const bool float32_state = state_is_float32_;

  // Pull of gravity along the slope: 3 * position in the state's precision, the rest in float64.
  const double three_position =
      float32_state ? static_cast<double>(3.0f * static_cast<float>(position_)) : 3.0 * position_;
  const double slope_pull = kGravity * std::cos(three_position);

  // Python's min/max keep the float32 action when it lies in [-1, 1], so the engine term and the
  // subtraction stay float32; a clipped action is a Python float and everything is float64.
  double acceleration;
  if (raw_action < static_cast<float>(kMinAction) || raw_action > static_cast<float>(kMaxAction)) {
    const double force = raw_action < static_cast<float>(kMinAction) ? kMinAction : kMaxAction;
    acceleration = force * kPower - slope_pull;
  } else {
    const float engine = raw_action * static_cast<float>(kPower);
    acceleration = engine - static_cast<float>(slope_pull);
  }

  // velocity += acceleration: float32 state values convert the other operand to float32.
  double velocity = float32_state ? static_cast<float>(velocity_) + static_cast<float>(acceleration)
                                  : velocity_ + acceleration;
  bool velocity_in_float32 = float32_state;

  // Speed limit; a limit assigned is a Python float.
  if (CompareAs(velocity_in_float32, velocity, std::greater<>(), kMaxSpeed)) {
    velocity = kMaxSpeed;
    velocity_in_float32 = false;
  }
  if (CompareAs(velocity_in_float32, velocity, std::less<>(), -kMaxSpeed)) {
    velocity = -kMaxSpeed;
    velocity_in_float32 = false;
  }

  // position += velocity, in the position's precision; then the track limits.
  double position = float32_state ? static_cast<float>(position_) + static_cast<float>(velocity)
                                  : position_ + velocity;
  bool position_in_float32 = float32_state;
  if (CompareAs(position_in_float32, position, std::greater<>(), kMaxPosition)) {
    position = kMaxPosition;
    position_in_float32 = false;
  }
  if (CompareAs(position_in_float32, position, std::less<>(), kMinPosition)) {
    position = kMinPosition;
    position_in_float32 = false;
  }

  // The left wall is inelastic.
  if (CompareAs(position_in_float32, position, std::equal_to<>(), kMinPosition) && velocity < 0) {
    velocity = 0.0;
    velocity_in_float32 = false;
  }

  // Goal reached at or beyond the flag, fast enough.
  const bool terminated =
      CompareAs(position_in_float32, position, std::greater_equal<>(), kGoalPosition) &&
      CompareAs(velocity_in_float32, velocity, std::greater_equal<>(), goal_velocity_);
  *out.terminated = terminated;

  // Energy penalty on the unclipped action (its square is exact in float64, like math.pow's).
  const double action_value = raw_action;
  *out.reward = (terminated ? kGoalReward : 0.0) - action_value * action_value * kActionCost;

  // Gymnasium stores the new state as a float32 array.
  position_ = static_cast<float>(position);
  velocity_ = static_cast<float>(velocity);
  state_is_float32_ = true;
  WriteObservation(out);
}

void MountainCarContinuous::SetState(const std::vector<double>& state) {
  MountainCarBase::SetState(state);
  state_is_float32_ = IsFloat32Value(position_) && IsFloat32Value(velocity_);
}

void MountainCarContinuous::Render(std::uint8_t* rgb) const {
  if (state_is_float32_) {
    DrawMountainCar(static_cast<float>(position_), kGoalPosition, rgb);
  } else {
    DrawMountainCar(position_, kGoalPosition, rgb);
  }
}

}  // namespace envfleet::classic_control
