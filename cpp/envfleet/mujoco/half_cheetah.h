// HalfCheetah-v4 / -v5: a planar cheetah rewarded for running forward (Gymnasium's
// half_cheetah_v4.py / half_cheetah_v5.py).
//
// Observation: qpos (without the root's x unless asked) and qvel. Reward: forward_reward_weight x
// x velocity minus the float32 control cost; never terminates. The versions differ in keywords
// (v5 adds xml_file and frame_skip), in an info key (v4 "reward_run", v5 "reward_forward") and in
// the reset info (v5 returns x_position). Thread-safety: one thread at a time, as every Env.
#ifndef ENVFLEET_MUJOCO_HALF_CHEETAH_H_
#define ENVFLEET_MUJOCO_HALF_CHEETAH_H_

#include <array>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class HalfCheetah : public MujocoEnv {
 public:
  HalfCheetah(const Config& config, const Variant& variant);

  static OptionList Options(const Variant& variant);

  void Step(const void* action, const EnvOutput& out) override;

 private:
  enum InfoIndex { kXPosition, kXVelocity, kRewardRun, kRewardForward, kRewardCtrl };
  static constexpr InfoKey kInfoKeys[] = {{"x_position", kBothVersions},
                                          {"x_velocity", kBothVersions},
                                          {"reward_run", kV4},
                                          {"reward_forward", kV5},
                                          {"reward_ctrl", kBothVersions}};

  void ResetModel() override;
  double* FillObservation(double* obs) const override;
  void FillResetInfo(const EnvOutput& out) const override;

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double reset_noise_scale_;
  int skipped_qpos_;
  std::array<int, 5> info_;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_HALF_CHEETAH_H_
