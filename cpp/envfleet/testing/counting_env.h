// CountingEnv: a tiny deterministic env that turns the engine's semantics into exact numbers.
//
// Observation (float64, 3 values): [steps taken this episode, the last action, a number drawn
// from the env's Rng at reset]. Reward: the step count after the step. The episode terminates
// when the count reaches `episode_length`. Options make it misbehave on purpose for tests:
// `fail_at_step` throws from Step() at that count, `fail_on_reset` throws from Reset(), and
// `step_sleep_us` sleeps in Step() (scaled by the env's own counter parity) to shuffle async
// completion order. `step_parts` splits each step into that many parts (Env::StepParts): every
// part sleeps, the first misbehaves as told, the last counts, and a part out of order throws
// std::logic_error. Info "reset_count" counts Reset() calls. For episode statistics, `lives`
// makes a game of that many episodes (Env::EpisodeEndsGame is false but on the last; a reset the
// caller asks for starts a new game), and `reward_clip` writes reward 1 while
// Env::UnclippedReward reports the step count. It is internal: registered in the
// `_testing` module only, never listed by envfleet.list_all_envs().
// Thread-safety: as every Env, used by one thread at a time.
#ifndef ENVFLEET_TESTING_COUNTING_ENV_H_
#define ENVFLEET_TESTING_COUNTING_ENV_H_

#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::testing {

// The "Counting-v0" type (Discrete(4) actions, max_episode_steps 100).
EnvType CountingEnvType();

}  // namespace envfleet::testing

#endif  // ENVFLEET_TESTING_COUNTING_ENV_H_
