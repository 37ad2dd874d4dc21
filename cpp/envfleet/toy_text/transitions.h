// Transition and Transitions: the outcomes of one (state, action) of a tabular env, and the draw
// that picks one of them as Gymnasium's `categorical_sample` does.
//
// Gymnasium's toy-text envs keep a table P[state][action] of (probability, next state, reward,
// terminated) and sample it with `argmax(cumsum(probabilities) > uniform)`. envfleet's envs build
// the same list for the current state and action on the fly (no table per env) and pick from it
// with ChooseTransition(), which reproduces that rule, rounding of the running sum included.
// WriteTabularState(), TakeTransition() and StateIndex() are the parts of Gymnasium's
// DiscreteEnv-style reset, step and state checks that FrozenLake and CliffWalking share.
// Thread-safety: plain values and pure functions (the Rng passed in belongs to the caller).
#ifndef ENVFLEET_TOY_TEXT_TRANSITIONS_H_
#define ENVFLEET_TOY_TEXT_TRANSITIONS_H_

#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "envfleet/core/env.h"
#include "envfleet/core/rng.h"

namespace envfleet::toy_text {

// One possible outcome of a step.
struct Transition {
  double probability = 1.0;
  std::int64_t next_state = 0;
  double reward = 0.0;
  bool terminated = false;
};

// The outcomes of one (state, action), in Gymnasium's order (at most three: intended, and the
// two perpendicular slips).
struct Transitions {
  std::array<Transition, 3> items;
  int count = 0;

  void Add(const Transition& transition) { items[count++] = transition; }
};

// The outcome `argmax(cumsum(p) > u)` picks for a uniform draw `u` in [0, 1); index 0 when no
// running sum exceeds `u` (numpy's argmax of all-false), as in Gymnasium.
inline Transition ChooseTransition(const Transitions& transitions, Rng& rng) {
  const double u = rng.Uniform01();
  double running_sum = 0.0;
  for (int i = 0; i < transitions.count; ++i) {
    running_sum += transitions.items[i].probability;
    if (running_sum > u) return transitions.items[i];
  }
  return transitions.items[0];
}

// Writes a tabular env's observation, the state index, and info["prob"] (info 0), the
// probability of the outcome that led there (1 on reset).
inline void WriteTabularState(const EnvOutput& out, std::int64_t state, double probability) {
  *out.Observation<std::int64_t>() = state;
  *out.Info<double>(0) = probability;
}

// A tabular env's step: draws one of `outcomes` (ChooseTransition) and writes its next state,
// reward, termination and probability; returns the next state.
inline std::int64_t TakeTransition(const Transitions& outcomes, Rng& rng, const EnvOutput& out) {
  const Transition outcome = ChooseTransition(outcomes, rng);
  *out.reward = outcome.reward;
  *out.terminated = outcome.terminated;
  WriteTabularState(out, outcome.next_state, outcome.probability);
  return outcome.next_state;
}

// The state index a SetState() call passes: its one value, a whole number in [0, count);
// std::invalid_argument("<what> in [0, <count>)") for anything else (the text built only then).
inline std::int64_t StateIndex(const std::vector<double>& state, std::int64_t count,
                               const char* what) {
  if (state.size() != 1 || !(state[0] >= 0 && state[0] < static_cast<double>(count)) ||
      state[0] != std::floor(state[0])) {
    throw std::invalid_argument(std::string(what) + " in [0, " + std::to_string(count) + ")");
  }
  return static_cast<std::int64_t>(state[0]);
}

}  // namespace envfleet::toy_text

#endif  // ENVFLEET_TOY_TEXT_TRANSITIONS_H_
