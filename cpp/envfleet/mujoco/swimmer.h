// Swimmer-v4 / -v5: a three-link swimmer in a viscous fluid, rewarded for swimming forward
// (Gymnasium's swimmer_v4.py / swimmer_v5.py).
//
// Observation: qpos (without the root's x, y unless asked) and qvel. Reward: forward_reward_weight
// x x velocity minus the float32 control cost; never terminates. The versions differ in keywords
// (v5 adds xml_file and frame_skip), in info keys (v4 "reward_fwd" and "forward_reward", v5
// "reward_forward") and in the reset info (v5 returns the position keys). Thread-safety: one
// thread at a time, as every Env.
#ifndef ENVFLEET_MUJOCO_SWIMMER_H_
#define ENVFLEET_MUJOCO_SWIMMER_H_

#include <array>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class Swimmer : public MujocoEnv {
 public:
  Swimmer(const Config& config, const Variant& variant);

  static OptionList Options(const Variant& variant);

  void Step(const void* action, const EnvOutput& out) override;

 private:
  enum InfoIndex {
    kXPosition,
    kYPosition,
    kDistanceFromOrigin,
    kXVelocity,
    kYVelocity,
    kRewardFwd,
    kForwardReward,
    kRewardForward,
    kRewardCtrl
  };
  static constexpr InfoKey kInfoKeys[] = {{"x_position", kBothVersions},
                                          {"y_position", kBothVersions},
                                          {"distance_from_origin", kBothVersions},
                                          {"x_velocity", kBothVersions},
                                          {"y_velocity", kBothVersions},
                                          {"reward_fwd", kV4},
                                          {"forward_reward", kV4},
                                          {"reward_forward", kV5},
                                          {"reward_ctrl", kBothVersions}};

  void ResetModel() override;
  double* FillObservation(double* obs) const override;
  void FillResetInfo(const EnvOutput& out) const override;

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double reset_noise_scale_;
  int skipped_qpos_;
  std::array<int, 9> info_;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_SWIMMER_H_
