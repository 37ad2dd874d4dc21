// Humanoid-v4 / -v5 (walk forward) and HumanoidStandup-v4 / -v5 (stand up from lying down): the
// 3D humanoid tasks of Gymnasium's humanoid_v4.py / humanoid_v5.py / humanoidstandup_v4.py /
// humanoidstandup_v5.py.
//
// HumanoidBase holds what the two tasks share: the observation (qpos without the root's x, y
// unless asked, qvel, then the bodies' cinert and cvel, the actuator forces qfrc_actuator and the
// external forces cfrc_ext; v4 observes all of these whole, v5 leaves out the world body and the
// root's six dofs and can drop each part), the uniform reset noise, and v5's tendon info arrays.
//   - Humanoid: reward forward_reward_weight x the mass centre's x velocity + healthy reward
//     - control cost (float64, from data.ctrl) - v5's contact cost (clipped to
//     contact_cost_range); terminated when the torso height leaves the open healthy_z_range.
//     v4 pays the healthy reward whenever terminate_when_unhealthy is set and reports the mass
//     centre as the position; v5 pays it only while healthy and reports qpos.
//   - HumanoidStandup: reward the torso height over the timestep - control cost - impact cost
//     (clipped to impact_cost_range) + 1; never terminates. v5's uph_cost_weight is accepted and,
//     as in Gymnasium 1.4, not used.
// Thread-safety, ownership, blocking: as MujocoEnv.
#ifndef ENVFLEET_MUJOCO_HUMANOID_H_
#define ENVFLEET_MUJOCO_HUMANOID_H_

#include <array>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class HumanoidBase : public MujocoEnv {
 protected:
  HumanoidBase(const Config& config, const VersionDefaults& defaults);

  // v5's observation keywords: exclude_current_positions_from_observation and the include_*.
  static OptionList ObservationOptions();

  // sum(data.ctrl ** 2) x weight, in float64.
  double ControlCostOfCtrl(double weight) const;
  // sum(cfrc_ext ** 2) x weight over every body, in float64.
  double ExternalForceCost(double weight) const;
  // v5's tendon_length and tendon_velocity info arrays (no-op for v4).
  void SetTendonInfo(const EnvOutput& out) const;

 private:
  void ResetModel() override;
  double* FillObservation(double* obs) const override;

  double reset_noise_scale_;
  int skipped_qpos_;
  // The first body and dof observed (v4: 0 and 0; v5: 1 and 6), and the parts observed.
  int first_body_;
  int first_dof_;
  bool observe_cinert_;
  bool observe_cvel_;
  bool observe_qfrc_actuator_;
  bool observe_cfrc_ext_;
  int tendon_length_slot_ = -1;
  int tendon_velocity_slot_ = -1;
};

class Humanoid : public HumanoidBase {
 public:
  Humanoid(const Config& config, const VersionDefaults& defaults);

  static OptionList Options(const VersionDefaults& defaults);
  // Options that change per env at reset (EnvType::reset_options; those its version has):
  // the reward weights, the contact cost range, the healthy reward, range and
  // termination rule and the reset noise (bound members; snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() {
    return {"forward_reward_weight", "ctrl_cost_weight", "contact_cost_weight",
            "contact_cost_range",    "healthy_reward",   "terminate_when_unhealthy",
            "healthy_z_range",       "reset_noise_scale"};
  }

 private:
  void BeginStep(const float* action) override;
  void FinishStep(const float* action, const EnvOutput& out) override;
  void FillResetInfo(const EnvOutput& out) const override;
  // The (x, y) of the bodies' mass centre, as Gymnasium's mass_center().
  std::array<double, 2> MassCenter() const;

  double forward_reward_weight_;
  double ctrl_cost_weight_;
  double contact_cost_weight_ = 0.0;
  std::array<double, 2> contact_cost_range_ = {0.0, 0.0};
  double healthy_reward_;
  bool terminate_when_unhealthy_;
  std::array<double, 2> healthy_z_range_;
  double total_mass_;
  // The mass centre's (x, y) when the step began.
  std::array<double, 2> mass_center_before_{};
};

class HumanoidStandup : public HumanoidBase {
 public:
  HumanoidStandup(const Config& config, const VersionDefaults& defaults);

  static OptionList Options(const VersionDefaults& defaults);
  // Options that change per env at reset (EnvType::reset_options; those its version has):
  // the cost weights, the impact cost range and the reset noise (bound members; snapshots keep them
  // with the physics).
  static std::vector<std::string> ResetOptions() {
    return {"ctrl_cost_weight", "impact_cost_weight", "impact_cost_range", "reset_noise_scale"};
  }

 private:
  void FinishStep(const float* action, const EnvOutput& out) override;
  void FillResetInfo(const EnvOutput& out) const override;

  double ctrl_cost_weight_;
  double impact_cost_weight_;
  std::array<double, 2> impact_cost_range_;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_HUMANOID_H_
