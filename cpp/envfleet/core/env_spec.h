// EnvSpec: everything the engine and Python need to know about one env type, declared once.
//
// From this one value Python builds the Gymnasium spaces, the dm_env specs and the info layout;
// the engine sizes its output batches from it. Thread-safety: an immutable value; safe to share.
#ifndef ENVFLEET_CORE_ENV_SPEC_H_
#define ENVFLEET_CORE_ENV_SPEC_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "envfleet/core/array_spec.h"

namespace envfleet {

// A named per-env info array (e.g. "lives").
struct InfoSpec {
  std::string name;
  ArraySpec array;
};

struct EnvSpec {
  ArraySpec observation;
  ArraySpec action;
  // Extra per-env arrays an env writes on every reset and step, in this order.
  std::vector<InfoSpec> info;
  // Episodes are truncated after this many steps; 0 means no limit.
  int max_episode_steps = 0;
  // The return at which the task counts as solved, where the reference env defines one.
  std::optional<double> reward_threshold;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ENV_SPEC_H_
