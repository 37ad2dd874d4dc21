// Reading MuJoCo's rotation matrices by dm_control's names, for the tasks' observations.
//
// xmat rows are stored row-major (xx, xy, xz, yx, yy, yz, zx, zy, zz), as dm_control's named
// index `xmat['body', 'zz']` reads them. Thread-safety: pure functions.
#ifndef ENVFLEET_DM_CONTROL_XMAT_H_
#define ENVFLEET_DM_CONTROL_XMAT_H_

#include <mujoco/mujoco.h>

namespace envfleet::dm_control {

enum XmatEntry { kXX = 0, kXY, kXZ, kYX, kYY, kYZ, kZX, kZY, kZZ };

inline double BodyXmat(const mjData& data, int body, XmatEntry entry) {
  return data.xmat[9 * body + entry];
}

}  // namespace envfleet::dm_control

#endif  // ENVFLEET_DM_CONTROL_XMAT_H_
