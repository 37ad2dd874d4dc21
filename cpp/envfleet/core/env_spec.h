// EnvSpec: everything the engine and Python need to know about one env type, declared once.
//
// From this one value Python builds the Gymnasium spaces, the dm_env specs and the info layout;
// the engine sizes its output batches from it. Thread-safety: an immutable value; safe to share.
#ifndef ENVFLEET_CORE_ENV_SPEC_H_
#define ENVFLEET_CORE_ENV_SPEC_H_

#include <cstdint>
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

// One named slice of the flat state vector Env::GetState() returns (e.g. MuJoCo's "qpos").
struct StatePart {
  std::string name;
  int size = 0;
};

struct EnvSpec {
  ArraySpec observation;
  ArraySpec action;
  // Extra per-env arrays an env writes on every reset and step, in this order.
  std::vector<InfoSpec> info;
  // A dict observation: when observation_key is not empty, the facades return the observation
  // as a dict holding `observation` under observation_key and each info array named in
  // observation_info under its own name (taken out of info; final_info's into final_obs), e.g.
  // MuJoCo's {"pixels": picture, "state": vector}. The engine itself treats them as info arrays.
  std::string observation_key;
  std::vector<std::string> observation_info;
  // Episodes are truncated after this many steps; 0 means no limit.
  int max_episode_steps = 0;
  // The return at which the task counts as solved, where the reference env defines one.
  std::optional<double> reward_threshold;
  // How Env::GetState()'s flat vector splits into named parts, in order; empty when the env has no
  // state access. Python's get_state() returns one array per part.
  std::vector<StatePart> state_layout;
  // The shape (height, width, 3) of Env::Render()'s picture; empty when the env cannot render.
  std::vector<std::int64_t> render_shape;
  // Pictures per second of env time (one step covers 1 / render_fps s), for video recorders.
  int render_fps = 0;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ENV_SPEC_H_
