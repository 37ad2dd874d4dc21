// InvertedPendulum-v4 / -v5 and InvertedDoublePendulum-v4 / -v5: balance a pole (or two) on a
// cart (Gymnasium's inverted_pendulum_v4.py / _v5.py, inverted_double_pendulum_v4.py / _v5.py).
//
//   - InvertedPendulum: observation qpos, qvel; terminated when the observation is not finite or
//     the pole angle leaves [-0.2, 0.2]; reward 1 per step (v5: 0 on the terminating step, with
//     info "reward_survive"). v5 adds xml_file, frame_skip and reset_noise_scale.
//   - InvertedDoublePendulum: observation cart position, sin and cos of the hinge angles, qvel
//     and the constraint forces, both clipped to [-10, 10] (v5: the cart's constraint force
//     only); terminated when the pole tip's height is <= 1; reward alive bonus - distance penalty
//     (tip away from upright) - velocity penalty (v5: no bonus on the terminating step, and the
//     terms in the info). v5 adds xml_file, frame_skip, healthy_reward and reset_noise_scale.
// Thread-safety, ownership, blocking: as MujocoEnv.
#ifndef ENVFLEET_MUJOCO_INVERTED_PENDULUM_H_
#define ENVFLEET_MUJOCO_INVERTED_PENDULUM_H_

#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco {

class InvertedPendulum : public MujocoEnv {
 public:
  InvertedPendulum(const Config& config, const VersionDefaults& defaults);

  static OptionList Options(const VersionDefaults& defaults);
  // Options that change per env at reset (EnvType::reset_options; those its version has):
  // the reset noise (bound members; snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() { return {"reset_noise_scale"}; }

 private:
  void FinishStep(const float* action, const EnvOutput& out) override;
  void ResetModel() override;
  double* FillObservation(double* obs) const override;

  double reset_noise_scale_;
};

class InvertedDoublePendulum : public MujocoEnv {
 public:
  InvertedDoublePendulum(const Config& config, const VersionDefaults& defaults);

  static OptionList Options(const VersionDefaults& defaults);
  // Options that change per env at reset (EnvType::reset_options; those its version has):
  // the healthy reward and the reset noise (bound members; snapshots keep them with the physics).
  static std::vector<std::string> ResetOptions() { return {"healthy_reward", "reset_noise_scale"}; }

 private:
  void FinishStep(const float* action, const EnvOutput& out) override;
  void ResetModel() override;
  double* FillObservation(double* obs) const override;

  double healthy_reward_;
  double reset_noise_scale_;
  // Constraint forces observed: all of them (v4) or the cart's (v5).
  int observed_constraint_forces_;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_INVERTED_PENDULUM_H_
