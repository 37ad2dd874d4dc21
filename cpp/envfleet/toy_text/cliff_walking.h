// CliffWalking: walk from the bottom-left corner of a 4x12 grid to the bottom-right one without
// stepping off the cliff between them.
//
// Aligned with Gymnasium 1.2's CliffWalkingEnv: the observation is the cell index row * 12 + col;
// actions 0..3 are up, right, down, left; each step costs -1; the cliff costs -100 and sends the
// agent back to the start (the episode goes on); reaching the goal terminates. With
// `is_slippery` the intended move and both perpendicular ones happen with probability 1/3 each.
// info["prob"] is the probability of the outcome drawn (1 on reset). Thread-safety: one instance
// per thread, as every Env.
#ifndef ENVFLEET_TOY_TEXT_CLIFF_WALKING_H_
#define ENVFLEET_TOY_TEXT_CLIFF_WALKING_H_

#include <cstdint>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/vector_state_env.h"
#include "envfleet/toy_text/transitions.h"

namespace envfleet::toy_text {

class CliffWalking : public VectorStateEnv {
 public:
  explicit CliffWalking(const Config& config);

  static OptionList Options();
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [cell index], as Gymnasium's `s`: the env's whole state, which its snapshots hold
  // (VectorStateEnv).
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;

 private:
  // The outcome of moving one cell in `direction` from the current cell.
  Transition Move(std::int64_t direction, double probability) const;

  bool is_slippery_;
  std::int64_t state_ = 0;
};

}  // namespace envfleet::toy_text

#endif  // ENVFLEET_TOY_TEXT_CLIFF_WALKING_H_
