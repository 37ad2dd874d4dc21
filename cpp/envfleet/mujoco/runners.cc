#include "envfleet/mujoco/runners.h"

#include <algorithm>

#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {

Runner::Runner(const Config& config, const VersionDefaults& defaults, int root_positions,
               bool normal_qvel)
    : MujocoEnv(config, defaults),
      forward_reward_weight_(config.Get<double>("forward_reward_weight")),
      ctrl_cost_weight_(config.Get<double>("ctrl_cost_weight")),
      reset_noise_scale_(config.Get<double>("reset_noise_scale")),
      normal_qvel_(normal_qvel),
      skipped_qpos_(config.Get<bool>("exclude_current_positions_from_observation") ? root_positions
                                                                                   : 0) {
  SetObservationSize(model().nq + model().nv - skipped_qpos_);
  BindResetOption(config, "forward_reward_weight", &forward_reward_weight_);
  BindResetOption(config, "ctrl_cost_weight", &ctrl_cost_weight_);
  BindResetOption(config, "reset_noise_scale", &reset_noise_scale_);
}

HalfCheetah::HalfCheetah(const Config& config, const VersionDefaults& defaults)
    : Runner(config, defaults, /*root_positions=*/1, /*normal_qvel=*/true) {
  if (version() == 4) {
    DeclareInfo({Info::kXPosition, Info::kXVelocity, Info::kRewardRun, Info::kRewardCtrl});
  } else {
    DeclareInfo({Info::kXPosition, Info::kXVelocity, Info::kRewardForward, Info::kRewardCtrl});
  }
}

Swimmer::Swimmer(const Config& config, const VersionDefaults& defaults)
    : Runner(config, defaults, /*root_positions=*/2, /*normal_qvel=*/false) {
  if (version() == 4) {
    DeclareInfo({Info::kRewardFwd, Info::kRewardCtrl, Info::kXPosition, Info::kYPosition,
                 Info::kDistanceFromOrigin, Info::kXVelocity, Info::kYVelocity,
                 Info::kForwardReward});
  } else {
    DeclareInfo({Info::kXPosition, Info::kYPosition, Info::kDistanceFromOrigin, Info::kXVelocity,
                 Info::kYVelocity, Info::kRewardForward, Info::kRewardCtrl});
  }
}

OptionList Runner::RunnerOptions(const VersionDefaults& defaults, double ctrl_cost_weight) {
  OptionList list = options::Model(defaults);
  list.insert(list.end(),
              {options::ForwardRewardWeight(1.0), options::CtrlCostWeight(ctrl_cost_weight),
               options::ResetNoiseScale(0.1), options::ExcludeCurrentPositions()});
  return list;
}

void Runner::ResetModel() { ResetWithNoise(reset_noise_scale_, normal_qvel_); }

double* Runner::FillObservation(double* obs) const {
  obs = std::copy(data().qpos + skipped_qpos_, data().qpos + model().nq, obs);
  return std::copy_n(data().qvel, model().nv, obs);
}

void Runner::FillResetInfo(const EnvOutput& out) const {
  // v5's reset info: the position keys the task reports.
  if (version() == 4) return;
  SetPositionInfo(out, data().qpos);
}

void Runner::BeginStep(const float* /*action*/) { xy_before_ = {data().qpos[0], data().qpos[1]}; }

void Runner::FinishStep(const float* action, const EnvOutput& out) {
  // The velocities are the root's (x, y) displacement over dt.
  const double after[2] = {data().qpos[0], data().qpos[1]};
  const double x_velocity = (after[0] - xy_before_[0]) / dt();
  const double y_velocity = (after[1] - xy_before_[1]) / dt();

  // Reward: forward progress minus the float32 control cost.
  const double forward_reward = forward_reward_weight_ * x_velocity;
  const float ctrl_cost = ControlCost(ctrl_cost_weight_, action);
  *out.reward = forward_reward - ctrl_cost;
  *out.terminated = false;
  WriteObservation(out);

  // Keys the task does not report are skipped.
  SetPositionInfo(out, after);
  SetVelocityInfo(out, x_velocity, y_velocity);
  for (Info key :
       {Info::kRewardRun, Info::kRewardFwd, Info::kForwardReward, Info::kRewardForward}) {
    SetInfo(out, key, forward_reward);
  }
  SetInfo(out, Info::kRewardCtrl, -ctrl_cost);
}

}  // namespace envfleet::mujoco
