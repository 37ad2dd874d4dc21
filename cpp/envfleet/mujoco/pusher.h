// Pusher-v4 / -v5: a seven-joint arm pushes a cylinder to a goal (Gymnasium's pusher_v4.py /
// pusher_v5.py).
//
// The cylinder's and the goal's (x, y) are the last four qpos values; at reset the goal is at the
// origin and the cylinder is drawn at least 0.17 from it. Observation: the arm's 7 joint positions
// and velocities and the positions (xpos) of the fingertip, the cylinder and the goal. Reward:
// -|cylinder - goal| x reward_dist_weight - float32 sum of squared actions x
// reward_control_weight - |cylinder - fingertip| x reward_near_weight; never terminates.
// Version differences: v4 uses pusher.xml and computes the reward from the state before the step
// (Gymnasium's order) with fixed weights (1, 0.1, 0.5), reporting the unweighted terms; v5 uses
// pusher_v5.xml, computes it after the step and takes the weights as keywords.
// Gymnasium 1.4 refuses Pusher-v4 with mujoco >= 3 (its results differ from mujoco 2's);
// envfleet runs v4's semantics on the MuJoCo it links.
// Thread-safety, ownership, blocking: as MujocoEnv.
#ifndef ENVFLEET_MUJOCO_PUSHER_H_
#define ENVFLEET_MUJOCO_PUSHER_H_

#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class Pusher : public MujocoEnv {
 public:
  Pusher(const Config& config, const VersionDefaults& defaults);

  static OptionList Options(const VersionDefaults& defaults);
  // Options that change per env at reset (EnvType::reset_options; those its version has):
  // the reward weights (bound members; snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() {
    return {"reward_near_weight", "reward_dist_weight", "reward_control_weight"};
  }

 private:
  void BeginStep(const float* action) override;
  void FinishStep(const float* action, const EnvOutput& out) override;
  // The reward terms of the current state and `action`.
  struct Rewards {
    double dist;
    float ctrl;
    double near;
  };

  void ResetModel() override;
  double* FillObservation(double* obs) const override;
  Rewards ComputeRewards(const float* action) const;

  double reward_near_weight_;
  double reward_dist_weight_;
  double reward_control_weight_;
  int tips_arm_;
  int object_;
  int goal_;
  // The reward terms of the step (v4: of the state it began in).
  Rewards terms_{};
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_PUSHER_H_
