// The keyword options MuJoCo tasks share, each with its Gymnasium name and documentation.
//
// A task's Options() lists Gymnasium's constructor keywords for its version, built from these so
// each option is spelled once. Defaults differ per task and are passed in. The rendering keywords
// (width, height, camera_id, camera_name, default_camera_config) every task shares are in
// render_options.h. Thread-safety: pure functions.
#ifndef ENVFLEET_MUJOCO_TASK_OPTIONS_H_
#define ENVFLEET_MUJOCO_TASK_OPTIONS_H_

#include <cstdint>
#include <limits>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/mujoco/mujoco_env.h"

namespace envfleet::mujoco::options {

inline constexpr double kInf = std::numeric_limits<double>::infinity();

inline Option XmlFile(const VersionDefaults& defaults) {
  return {"xml_file", defaults.xml_file,
          "MuJoCo model file: a name in gymnasium's assets folder, or a path starting with '.', "
          "'/' or '~'"};
}
inline Option FrameSkip(const VersionDefaults& defaults) {
  return {"frame_skip", static_cast<std::int64_t>(defaults.frame_skip),
          "MuJoCo steps per env step"};
}

// v5's first two keywords, xml_file and frame_skip; v4 tasks have neither (Ant-v4: xml_file).
inline OptionList Model(const VersionDefaults& defaults) {
  if (defaults.version == 4) return {};
  return {XmlFile(defaults), FrameSkip(defaults)};
}

inline Option ForwardRewardWeight(double value) {
  return {"forward_reward_weight", value, "weight of the forward reward (x velocity)"};
}
inline Option CtrlCostWeight(double value) {
  return {"ctrl_cost_weight", value, "weight of the control cost (squared actions)"};
}
inline Option ContactCostWeight(double value) {
  return {"contact_cost_weight", value, "weight of the contact cost (squared cfrc_ext)"};
}
inline Option HealthyReward(double value) {
  return {"healthy_reward", value, "reward per step while healthy"};
}
inline Option TerminateWhenUnhealthy() {
  return {"terminate_when_unhealthy", true, "end the episode when the robot is unhealthy"};
}
inline Option HealthyZRange(double low, double high) {
  return {"healthy_z_range", std::vector<double>{low, high},
          "(min, max) torso height of a healthy robot"};
}
inline Option HealthyAngleRange(double low, double high) {
  return {"healthy_angle_range", std::vector<double>{low, high},
          "(min, max) torso angle of a healthy robot"};
}
inline Option ResetNoiseScale(double value) {
  return {"reset_noise_scale", value, "scale of the initial state's random perturbation"};
}
inline Option ExcludeCurrentPositions() {
  return {"exclude_current_positions_from_observation", true,
          "leave the root's x (and y) position out of the observation"};
}
inline Option IncludeInObservation(const char* name, const char* what) {
  return {name, true, what};
}

}  // namespace envfleet::mujoco::options

#endif  // ENVFLEET_MUJOCO_TASK_OPTIONS_H_
