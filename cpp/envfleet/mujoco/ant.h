// Ant-v4 / -v5: a four-legged robot rewarded for walking forward while healthy (Gymnasium's
// ant_v4.py / ant_v5.py).
//
// Observation: qpos (without the root's x, y unless asked), qvel and, optionally, the external
// contact forces cfrc_ext clipped to contact_force_range. Reward: x velocity of the main body
// (from its xpos) + healthy reward - float32 control cost - contact cost; terminated when
// unhealthy (non-finite state, or torso height outside the closed healthy_z_range).
// Version differences:
//   - v4: contact forces (all bodies, world included) are observed and cost only with
//     use_contact_forces, and then info["reward_ctrl"] holds the contact cost (Gymnasium's v4
//     bug, kept); the healthy reward is paid whenever terminate_when_unhealthy is set; the main
//     body is "torso"; the position info comes from the torso's xpos; no forward weight.
//   - v5: contact forces of every body but the world are observed (include_cfrc_ext_in_observation)
//     and always cost (contact_cost_weight); the healthy reward is paid only while healthy; the
//     main body is `main_body` (a body id); the position info comes from qpos; reset info.
// Thread-safety, ownership, blocking: as MujocoEnv.
#ifndef ENVFLEET_MUJOCO_ANT_H_
#define ENVFLEET_MUJOCO_ANT_H_

#include <array>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class Ant : public MujocoEnv {
 public:
  Ant(const Config& config, const VersionDefaults& defaults);

  static OptionList Options(const VersionDefaults& defaults);
  // Options that change per env at reset (EnvType::reset_options; those its version has):
  // the reward weights, the healthy reward, range and termination rule, the contact
  // force range and the reset noise (bound members; snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() {
    return {"forward_reward_weight", "ctrl_cost_weight",         "contact_cost_weight",
            "healthy_reward",        "terminate_when_unhealthy", "healthy_z_range",
            "contact_force_range",   "reset_noise_scale"};
  }

 private:
  void BeginStep(const float* action) override;
  void FinishStep(const float* action, const EnvOutput& out) override;
  void ResetModel() override;
  double* FillObservation(double* obs) const override;
  void FillResetInfo(const EnvOutput& out) const override;
  bool IsHealthy() const;
  // contact_cost_weight x the sum of the squared clipped contact forces of every body.
  double ContactCost() const;

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double contact_cost_weight_;
  double healthy_reward_;
  bool terminate_when_unhealthy_;
  std::array<double, 2> healthy_z_range_;
  std::array<double, 2> contact_force_range_;
  double reset_noise_scale_;
  int skipped_qpos_;
  int main_body_;
  // Contact forces: whether they are observed and cost, and the first body observed.
  bool observe_contact_forces_;
  bool contact_cost_in_reward_;
  int first_observed_body_;
  // The main body's (x, y) when the step began.
  std::array<double, 2> xy_before_{};
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_ANT_H_
