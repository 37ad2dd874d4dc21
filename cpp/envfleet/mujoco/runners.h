// HalfCheetah-v4 / -v5 and Swimmer-v4 / -v5: planar robots rewarded only for moving forward
// (Gymnasium's half_cheetah_v4.py / half_cheetah_v5.py / swimmer_v4.py / swimmer_v5.py).
//
// Both tasks share one class: observation qpos (without the root's x, and for the Swimmer y,
// unless asked) and qvel; reward forward_reward_weight x the root's x velocity minus the float32
// control cost; never terminates. They differ in their reset noise on qvel (HalfCheetah normal,
// Swimmer uniform) and their info keys. Version differences: v5 adds the xml_file and frame_skip
// keywords, names the forward term "reward_forward" (v4: HalfCheetah "reward_run", Swimmer
// "reward_fwd" and "forward_reward") and returns the position keys as reset info.
// Thread-safety, ownership, blocking: as MujocoEnv.
#ifndef ENVFLEET_MUJOCO_RUNNERS_H_
#define ENVFLEET_MUJOCO_RUNNERS_H_

#include <array>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class Runner : public MujocoEnv {
 public:
  // Options that change per env at reset (EnvType::reset_options): the reward weights and the
  // reset noise (bound members; snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() {
    return {"forward_reward_weight", "ctrl_cost_weight", "reset_noise_scale"};
  }

 protected:
  // `root_positions`: the root's position coordinates left out of the observation (HalfCheetah
  // x; Swimmer x and y); `normal_qvel`: qvel reset noise scale x N(0, 1) rather than uniform.
  Runner(const Config& config, const VersionDefaults& defaults, int root_positions,
         bool normal_qvel);

  // Gymnasium's keywords; `ctrl_cost_weight` is the task's default.
  static OptionList RunnerOptions(const VersionDefaults& defaults, double ctrl_cost_weight);

 private:
  void BeginStep(const float* action) override;
  void FinishStep(const float* action, const EnvOutput& out) override;
  void ResetModel() override;
  double* FillObservation(double* obs) const override;
  void FillResetInfo(const EnvOutput& out) const override;

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double reset_noise_scale_;
  bool normal_qvel_;
  int skipped_qpos_;
  // The root's (x, y) when the step began.
  std::array<double, 2> xy_before_{};
};

class HalfCheetah : public Runner {
 public:
  HalfCheetah(const Config& config, const VersionDefaults& defaults);
  static OptionList Options(const VersionDefaults& defaults) {
    return RunnerOptions(defaults, 0.1);
  }
};

class Swimmer : public Runner {
 public:
  Swimmer(const Config& config, const VersionDefaults& defaults);
  static OptionList Options(const VersionDefaults& defaults) {
    return RunnerOptions(defaults, 1e-4);
  }
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_RUNNERS_H_
