// Reacher-v4 / -v5: move a two-joint arm's fingertip to a random target (Gymnasium's
// reacher_v4.py / reacher_v5.py).
//
// The target's (x, y) are the last two qpos values, drawn at reset inside a disc of radius 0.2.
// Observation: cos and sin of the two joint angles, the target position, the joint velocities and
// the fingertip-to-target vector (v4: x, y, z; v5: x, y). Reward: -|fingertip - target| x
// reward_dist_weight - float32 sum of squared actions x reward_control_weight; never terminates.
// v4 computes the reward from the state before the step (Gymnasium's order), v5 after it; v5
// adds xml_file, frame_skip and the two weights.
// Thread-safety, ownership, blocking: as MujocoEnv.
#ifndef ENVFLEET_MUJOCO_REACHER_H_
#define ENVFLEET_MUJOCO_REACHER_H_

#include <array>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class Reacher : public MujocoEnv {
 public:
  Reacher(const Config& config, const VersionDefaults& defaults);

  static OptionList Options(const VersionDefaults& defaults);
  // Options that change per env at reset (EnvType::reset_options; those its version has):
  // the reward weights (bound members; snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() {
    return {"reward_dist_weight", "reward_control_weight"};
  }

 private:
  void BeginStep(const float* action) override;
  void FinishStep(const float* action, const EnvOutput& out) override;
  void ResetModel() override;
  double* FillObservation(double* obs) const override;
  // fingertip - target (xpos), all three coordinates.
  std::array<double, 3> FingertipToTarget() const;
  // The reward terms of the current state and `action`, into reward_dist_ and reward_ctrl_.
  void ComputeRewards(const float* action);

  double reward_dist_weight_;
  double reward_control_weight_;
  int fingertip_;
  int target_;
  // Coordinates of the fingertip-to-target vector observed: 3 (v4) or 2 (v5).
  int observed_vector_size_;
  // The reward terms of the step (v4: of the state it began in).
  double reward_dist_ = 0.0;
  float reward_ctrl_ = 0.0F;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_REACHER_H_
