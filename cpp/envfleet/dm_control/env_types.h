// EnvTypes: the DeepMind Control Suite ids envfleet provides (EnvPool's names, DomainTask-v1).
//
// `suite_dir` is the installed dm_control package's suite folder, where the domains' XML files
// are read from at run time. docs/dm_control.md lists the ids and the tasks left out.
// Thread-safety: the returned values are immutable and safe to share.
#ifndef ENVFLEET_DM_CONTROL_ENV_TYPES_H_
#define ENVFLEET_DM_CONTROL_ENV_TYPES_H_

#include <string>
#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::dm_control {

std::vector<EnvType> EnvTypes(const std::string& suite_dir);

}  // namespace envfleet::dm_control

#endif  // ENVFLEET_DM_CONTROL_ENV_TYPES_H_
