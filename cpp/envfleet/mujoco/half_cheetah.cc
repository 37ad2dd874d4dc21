#include "envfleet/mujoco/half_cheetah.h"

#include <algorithm>

#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {

HalfCheetah::HalfCheetah(const Config& config, const Variant& variant)
    : MujocoEnv(config, variant),
      forward_reward_weight_(config.Get<double>("forward_reward_weight")),
      ctrl_cost_weight_(config.Get<double>("ctrl_cost_weight")),
      reset_noise_scale_(config.Get<double>("reset_noise_scale")),
      skipped_qpos_(config.Get<bool>("exclude_current_positions_from_observation") ? 1 : 0),
      info_(AddInfoKeys(kInfoKeys)) {
  SetObservationSize(model().nq + model().nv - skipped_qpos_);
}

OptionList HalfCheetah::Options(const Variant& variant) {
  OptionList list = options::Model(variant);
  list.insert(list.end(), {options::ForwardRewardWeight(1.0), options::CtrlCostWeight(0.1),
                           options::ResetNoiseScale(0.1), options::ExcludeCurrentPositions()});
  return list;
}

void HalfCheetah::ResetModel() { ResetWithNoise(reset_noise_scale_, /*normal_qvel=*/true); }

double* HalfCheetah::FillObservation(double* obs) const {
  obs = std::copy(data().qpos + skipped_qpos_, data().qpos + model().nq, obs);
  return std::copy_n(data().qvel, model().nv, obs);
}

void HalfCheetah::FillResetInfo(const EnvOutput& out) const {
  if (version() == 5) SetInfo(out, info_[kXPosition], data().qpos[0]);
}

void HalfCheetah::Step(const void* action, const EnvOutput& out) {
  const float* ctrl = static_cast<const float*>(action);

  // Simulate; the velocity is the root's x displacement over dt.
  const double x_before = data().qpos[0];
  DoSimulation(ctrl);
  const double x_after = data().qpos[0];
  const double x_velocity = (x_after - x_before) / dt();

  // Reward: forward progress minus the float32 control cost.
  const double forward_reward = forward_reward_weight_ * x_velocity;
  const float ctrl_cost = ControlCost(ctrl_cost_weight_, ctrl);
  *out.reward = forward_reward - ctrl_cost;
  *out.terminated = false;
  WriteObservation(out);

  SetInfo(out, info_[kXPosition], x_after);
  SetInfo(out, info_[kXVelocity], x_velocity);
  SetInfo(out, info_[kRewardRun], forward_reward);
  SetInfo(out, info_[kRewardForward], forward_reward);
  SetInfo(out, info_[kRewardCtrl], -ctrl_cost);
}

}  // namespace envfleet::mujoco
