// Observations of the planar arm that Manipulator and Stacker share (dm_control's
// manipulator.Physics and stacker.Physics define them alike: bounded_joint_pos, joint_vel,
// body_2d_pose). Stateless functions over the env's mjData; each writes its values at `obs` and
// returns the position after them.
#ifndef ENVFLEET_DM_CONTROL_PLANAR_ARM_H_
#define ENVFLEET_DM_CONTROL_PLANAR_ARM_H_

#include <mujoco/mujoco.h>

#include <cmath>
#include <span>

namespace envfleet::dm_control {

// The arm's joint angles as (sin, cos) pairs, then its joint velocities.
inline double* ArmJoints(const mjData& d, std::span<const int> qpos, std::span<const int> dofs,
                         double* obs) {
  for (int adr : qpos) {
    *obs++ = std::sin(d.qpos[adr]);
    *obs++ = std::cos(d.qpos[adr]);
  }
  for (int dof : dofs) *obs++ = d.qvel[dof];
  return obs;
}

// Physics.body_2d_pose(body): x, z, qw, qy.
inline double* Body2dPose(const mjData& d, int body, double* obs) {
  *obs++ = d.xpos[3 * body];
  *obs++ = d.xpos[3 * body + 2];
  *obs++ = d.xquat[4 * body];
  *obs++ = d.xquat[4 * body + 2];
  return obs;
}

}  // namespace envfleet::dm_control

#endif  // ENVFLEET_DM_CONTROL_PLANAR_ARM_H_
