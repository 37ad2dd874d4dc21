// Hopper-v4 / -v5 and Walker2d-v4 / -v5: planar legged robots rewarded for moving forward while
// healthy (Gymnasium's hopper_v4.py / hopper_v5.py / walker2d_v4.py / walker2d_v5.py).
//
// Both tasks share one class: observation qpos (without the root's x unless asked) and qvel
// clipped to [-10, 10]; reward forward_reward_weight x x velocity + healthy reward - float32
// control cost; terminated when unhealthy (if terminate_when_unhealthy). Health looks at the
// torso height qpos[1] and angle qpos[2] (open ranges); the Hopper also needs every value of
// state_vector()[2:] inside healthy_state_range. Version differences: v4's healthy reward is paid
// whenever terminate_when_unhealthy is set, v5's only while healthy; v5 adds xml_file and
// frame_skip, reward terms and z_distance_from_origin to the info, and returns reset info; Walker2d
// v5 uses walker2d_v5.xml. Thread-safety, ownership, blocking: as MujocoEnv.
#ifndef ENVFLEET_MUJOCO_PLANAR_WALKER_H_
#define ENVFLEET_MUJOCO_PLANAR_WALKER_H_

#include <array>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class PlanarWalker : public MujocoEnv {
 public:
  // Options that change per env at reset (EnvType::reset_options): the reward weights, the
  // healthy reward and ranges, the termination rule and the reset noise (bound members;
  // snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() {
    return {"forward_reward_weight",    "ctrl_cost_weight",    "healthy_reward",
            "terminate_when_unhealthy", "healthy_state_range", "healthy_z_range",
            "healthy_angle_range",      "reset_noise_scale"};
  }

 protected:
  // `check_state_range`: the Hopper's extra healthy_state_range condition.
  PlanarWalker(const Config& config, const VersionDefaults& defaults, bool check_state_range);

 private:
  void BeginStep(const float* action) override;
  void FinishStep(const float* action, const EnvOutput& out) override;
  void ResetModel() override;
  double* FillObservation(double* obs) const override;
  void FillResetInfo(const EnvOutput& out) const override;
  bool IsHealthy() const;

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double healthy_reward_;
  bool terminate_when_unhealthy_;
  bool check_state_range_;
  std::array<double, 2> healthy_state_range_ = {0.0, 0.0};
  std::array<double, 2> healthy_z_range_;
  std::array<double, 2> healthy_angle_range_;
  double reset_noise_scale_;
  int skipped_qpos_;
  // The root's x when the step began.
  double x_before_ = 0.0;
};

class Hopper : public PlanarWalker {
 public:
  Hopper(const Config& config, const VersionDefaults& defaults)
      : PlanarWalker(config, defaults, true) {}
  static OptionList Options(const VersionDefaults& defaults);
};

class Walker2d : public PlanarWalker {
 public:
  Walker2d(const Config& config, const VersionDefaults& defaults)
      : PlanarWalker(config, defaults, false) {}
  static OptionList Options(const VersionDefaults& defaults);
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_PLANAR_WALKER_H_
