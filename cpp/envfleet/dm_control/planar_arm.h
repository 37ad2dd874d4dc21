// PlanarArm and the helpers that Manipulator and Stacker share: both tasks drive the same
// eight-joint planar arm (dm_control's manipulator.xml and stacker.xml define it alike, and
// manipulator.Physics and stacker.Physics observe it alike: bounded_joint_pos, joint_vel,
// body_2d_pose, site_distance).
//
// A PlanarArm holds the arm's joint addresses in one model, looked up once by the task's
// constructor; it keeps no state of the episode. The other helpers are stateless functions over
// the env's mjData; the observation ones write their values at `obs` and return the position after
// them. Thread-safety: as the env that owns it (one thread at a time); a PlanarArm is only read
// after construction. Blocking: none.
#ifndef ENVFLEET_DM_CONTROL_PLANAR_ARM_H_
#define ENVFLEET_DM_CONTROL_PLANAR_ARM_H_

#include <mujoco/mujoco.h>

#include <array>
#include <cmath>
#include <numbers>

#include "envfleet/core/rng.h"
#include "envfleet/dm_control/suite_env.h"

namespace envfleet::dm_control {

// Physics.body_2d_pose(body): x, z, qw, qy.
inline double* Body2dPose(const mjData& d, int body, double* obs) {
  *obs++ = d.xpos[3 * body];
  *obs++ = d.xpos[3 * body + 2];
  *obs++ = d.xquat[4 * body];
  *obs++ = d.xquat[4 * body + 2];
  return obs;
}

// Physics.site_distance(site1, site2): np.linalg.norm of the difference of their positions.
inline double SiteDistance(const mjData& d, int site1, int site2) {
  double sum = 0.0;
  for (int i = 0; i < 3; ++i) {
    const double delta = d.site_xpos[3 * site1 + i] - d.site_xpos[3 * site2 + i];
    sum += delta * delta;
  }
  return std::sqrt(sum);
}

// The arm's eight joints (dm_control's _ARM_JOINTS) in one model.
class PlanarArm {
 public:
  static constexpr int kJoints = 8;
  // Indices of the hand's joints in that order.
  static constexpr int kFinger = 4;
  static constexpr int kThumb = 6;

  // Looks the joints up in `model`; std::invalid_argument for a missing one.
  explicit PlanarArm(const mjModel& model) {
    constexpr const char* kNames[kJoints] = {"arm_root", "arm_shoulder", "arm_elbow", "arm_wrist",
                                             "finger",   "fingertip",    "thumb",     "thumbtip"};
    for (int i = 0; i < kJoints; ++i) {
      const int joint = ObjectId(model, mjOBJ_JOINT, kNames[i]);
      qpos_[i] = model.jnt_qposadr[joint];
      dof_[i] = model.jnt_dofadr[joint];
      const bool limited = model.jnt_limited[joint];
      low_[i] = limited ? model.jnt_range[2 * joint] : -std::numbers::pi;
      high_[i] = limited ? model.jnt_range[2 * joint + 1] : std::numbers::pi;
    }
  }

  // The tasks' initialize_episode draw of the arm: each joint angle uniform in its range (the
  // joint's range where limited, else [-pi, pi]), in joint order; then the finger set to the thumb
  // ("symmetrize hand").
  void DrawJoints(mjData& d, Rng& rng) const {
    for (int i = 0; i < kJoints; ++i) d.qpos[qpos_[i]] = rng.Uniform(low_[i], high_[i]);
    d.qpos[qpos_[kFinger]] = d.qpos[qpos_[kThumb]];
  }

  // The arm's observations: bounded_joint_pos as (sin, cos) pairs, then joint_vel.
  double* Observe(const mjData& d, double* obs) const {
    for (int adr : qpos_) {
      *obs++ = std::sin(d.qpos[adr]);
      *obs++ = std::cos(d.qpos[adr]);
    }
    for (int dof : dof_) *obs++ = d.qvel[dof];
    return obs;
  }

 private:
  std::array<int, kJoints> qpos_;
  std::array<int, kJoints> dof_;
  std::array<double, kJoints> low_;
  std::array<double, kJoints> high_;
};

}  // namespace envfleet::dm_control

#endif  // ENVFLEET_DM_CONTROL_PLANAR_ARM_H_
