#include "envfleet/mujoco/swimmer.h"

#include <algorithm>

#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {

Swimmer::Swimmer(const Config& config, const Variant& variant)
    : MujocoEnv(config, variant),
      forward_reward_weight_(config.Get<double>("forward_reward_weight")),
      ctrl_cost_weight_(config.Get<double>("ctrl_cost_weight")),
      reset_noise_scale_(config.Get<double>("reset_noise_scale")),
      skipped_qpos_(config.Get<bool>("exclude_current_positions_from_observation") ? 2 : 0),
      info_(AddInfoKeys(kInfoKeys)) {
  SetObservationSize(model().nq + model().nv - skipped_qpos_);
}

OptionList Swimmer::Options(const Variant& variant) {
  OptionList list = options::Model(variant);
  list.insert(list.end(), {options::ForwardRewardWeight(1.0), options::CtrlCostWeight(1e-4),
                           options::ResetNoiseScale(0.1), options::ExcludeCurrentPositions()});
  return list;
}

void Swimmer::ResetModel() { ResetWithNoise(reset_noise_scale_, /*normal_qvel=*/false); }

double* Swimmer::FillObservation(double* obs) const {
  obs = std::copy(data().qpos + skipped_qpos_, data().qpos + model().nq, obs);
  return std::copy_n(data().qvel, model().nv, obs);
}

void Swimmer::FillResetInfo(const EnvOutput& out) const {
  if (version() == 4) return;
  SetInfo(out, info_[kXPosition], data().qpos[0]);
  SetInfo(out, info_[kYPosition], data().qpos[1]);
  SetInfo(out, info_[kDistanceFromOrigin], Norm(data().qpos, 2));
}

void Swimmer::Step(const void* action, const EnvOutput& out) {
  const float* ctrl = static_cast<const float*>(action);

  // Simulate; the velocity is the root's (x, y) displacement over dt.
  const double before[2] = {data().qpos[0], data().qpos[1]};
  DoSimulation(ctrl);
  const double after[2] = {data().qpos[0], data().qpos[1]};
  const double x_velocity = (after[0] - before[0]) / dt();
  const double y_velocity = (after[1] - before[1]) / dt();

  // Reward: forward progress minus the float32 control cost.
  const double forward_reward = forward_reward_weight_ * x_velocity;
  const float ctrl_cost = ControlCost(ctrl_cost_weight_, ctrl);
  *out.reward = forward_reward - ctrl_cost;
  *out.terminated = false;
  WriteObservation(out);

  SetInfo(out, info_[kXPosition], after[0]);
  SetInfo(out, info_[kYPosition], after[1]);
  SetInfo(out, info_[kDistanceFromOrigin], Norm(after, 2));
  SetInfo(out, info_[kXVelocity], x_velocity);
  SetInfo(out, info_[kYVelocity], y_velocity);
  SetInfo(out, info_[kRewardFwd], forward_reward);
  SetInfo(out, info_[kForwardReward], forward_reward);
  SetInfo(out, info_[kRewardForward], forward_reward);
  SetInfo(out, info_[kRewardCtrl], -ctrl_cost);
}

}  // namespace envfleet::mujoco
