#include "envfleet/mujoco/planar_walker.h"

#include <algorithm>

#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {
namespace {

// Velocities in the observation are clipped to this magnitude.
constexpr double kVelocityClip = 10.0;

// Gymnasium's keywords of a planar walker, in its order; `state_range` only for the Hopper.
OptionList WalkerOptions(const VersionDefaults& defaults, const OptionList& ranges) {
  OptionList list = options::Model(defaults);
  list.insert(list.end(), {options::ForwardRewardWeight(1.0), options::CtrlCostWeight(1e-3),
                           options::HealthyReward(1.0), options::TerminateWhenUnhealthy()});
  list.insert(list.end(), ranges.begin(), ranges.end());
  list.insert(list.end(), {options::ResetNoiseScale(5e-3), options::ExcludeCurrentPositions()});
  return list;
}

// Whether low < value < high.
bool Inside(double value, const std::array<double, 2>& range) {
  return range[0] < value && value < range[1];
}

}  // namespace

PlanarWalker::PlanarWalker(const Config& config, const VersionDefaults& defaults,
                           bool check_state_range)
    : MujocoEnv(config, defaults),
      forward_reward_weight_(config.Get<double>("forward_reward_weight")),
      ctrl_cost_weight_(config.Get<double>("ctrl_cost_weight")),
      healthy_reward_(config.Get<double>("healthy_reward")),
      terminate_when_unhealthy_(config.Get<bool>("terminate_when_unhealthy")),
      check_state_range_(check_state_range),
      healthy_z_range_(Range(config, "healthy_z_range")),
      healthy_angle_range_(Range(config, "healthy_angle_range")),
      reset_noise_scale_(config.Get<double>("reset_noise_scale")),
      skipped_qpos_(config.Get<bool>("exclude_current_positions_from_observation") ? 1 : 0) {
  if (version() == 4) {
    DeclareInfo({Info::kXPosition, Info::kXVelocity});
  } else {
    DeclareInfo({Info::kXPosition, Info::kZDistanceFromOrigin, Info::kXVelocity,
                 Info::kRewardForward, Info::kRewardCtrl, Info::kRewardSurvive});
  }
  if (check_state_range_) healthy_state_range_ = Range(config, "healthy_state_range");
  SetObservationSize(model().nq + model().nv - skipped_qpos_);
  BindResetOption(config, "forward_reward_weight", &forward_reward_weight_);
  BindResetOption(config, "ctrl_cost_weight", &ctrl_cost_weight_);
  BindResetOption(config, "healthy_reward", &healthy_reward_);
  BindResetOption(config, "terminate_when_unhealthy", &terminate_when_unhealthy_);
  if (check_state_range_) {
    BindResetOption(config, "healthy_state_range", &healthy_state_range_);
  }
  BindResetOption(config, "healthy_z_range", &healthy_z_range_);
  BindResetOption(config, "healthy_angle_range", &healthy_angle_range_);
  BindResetOption(config, "reset_noise_scale", &reset_noise_scale_);
}

OptionList Hopper::Options(const VersionDefaults& defaults) {
  return WalkerOptions(defaults, {{"healthy_state_range", std::vector<double>{-100.0, 100.0},
                                   "(min, max) of every other state value of a healthy hopper"},
                                  options::HealthyZRange(0.7, options::kInf),
                                  options::HealthyAngleRange(-0.2, 0.2)});
}

OptionList Walker2d::Options(const VersionDefaults& defaults) {
  return WalkerOptions(defaults,
                       {options::HealthyZRange(0.8, 2.0), options::HealthyAngleRange(-1.0, 1.0)});
}

void PlanarWalker::ResetModel() { ResetWithNoise(reset_noise_scale_, /*normal_qvel=*/false); }

double* PlanarWalker::FillObservation(double* obs) const {
  obs = std::copy(data().qpos + skipped_qpos_, data().qpos + model().nq, obs);
  for (int i = 0; i < model().nv; ++i) *obs++ = Clip(data().qvel[i], -kVelocityClip, kVelocityClip);
  return obs;
}

void PlanarWalker::FillResetInfo(const EnvOutput& out) const {
  if (version() == 4) return;
  SetInfo(out, Info::kXPosition, data().qpos[0]);
  SetInfo(out, Info::kZDistanceFromOrigin, data().qpos[1] - init_qpos()[1]);
}

bool PlanarWalker::IsHealthy() const {
  // The Hopper: every value of [qpos[2:], qvel] inside the state range.
  if (check_state_range_) {
    for (int i = 2; i < model().nq; ++i) {
      if (!Inside(data().qpos[i], healthy_state_range_)) return false;
    }
    for (int i = 0; i < model().nv; ++i) {
      if (!Inside(data().qvel[i], healthy_state_range_)) return false;
    }
  }
  return Inside(data().qpos[1], healthy_z_range_) && Inside(data().qpos[2], healthy_angle_range_);
}

void PlanarWalker::BeginStep(const float* /*action*/) { x_before_ = data().qpos[0]; }

void PlanarWalker::FinishStep(const float* action, const EnvOutput& out) {
  // The velocity is the root's x displacement over dt.
  const double x_after = data().qpos[0];
  const double x_velocity = (x_after - x_before_) / dt();

  // Reward: forward progress plus the healthy reward (v4: whenever terminating on unhealth)
  // minus the float32 control cost.
  const bool healthy = IsHealthy();
  const double healthy_reward = HealthyReward(healthy, terminate_when_unhealthy_, healthy_reward_);
  const double forward_reward = forward_reward_weight_ * x_velocity;
  const float ctrl_cost = ControlCost(ctrl_cost_weight_, action);
  *out.reward = (forward_reward + healthy_reward) - ctrl_cost;
  *out.terminated = !healthy && terminate_when_unhealthy_;
  WriteObservation(out);

  SetInfo(out, Info::kXPosition, x_after);
  SetInfo(out, Info::kZDistanceFromOrigin, data().qpos[1] - init_qpos()[1]);
  SetInfo(out, Info::kXVelocity, x_velocity);
  SetInfo(out, Info::kRewardForward, forward_reward);
  SetInfo(out, Info::kRewardCtrl, -ctrl_cost);
  SetInfo(out, Info::kRewardSurvive, healthy_reward);
}

}  // namespace envfleet::mujoco
