// FrozenLake: walk from the start tile to the goal across a frozen lake without falling through
// a hole; on slippery ice a move may go sideways.
//
// Aligned with Gymnasium 1.2's FrozenLakeEnv: the observation is the tile index row * ncol + col;
// actions 0..3 are left, down, right, up; with `is_slippery` the intended move happens with
// probability `success_rate` and each perpendicular one with (1 - success_rate) / 2; stepping on
// the goal or a hole terminates, with `reward_schedule` = (goal, hole, frozen) rewards; a step from
// a goal or hole tile (possible after set_state()) stays there with reward 0. info["prob"] is the
// probability of the outcome drawn (1 on reset). The map is `desc` (rows separated by newlines)
// or else the named map `map_name` ("4x4" or "8x8"); Gymnasium's random map (both None) is not
// offered, as its map would not follow the pool's seed. Thread-safety: one instance per thread, as
// every Env; the map is the instance's own.
#ifndef ENVFLEET_TOY_TEXT_FROZEN_LAKE_H_
#define ENVFLEET_TOY_TEXT_FROZEN_LAKE_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/vector_state_env.h"
#include "envfleet/toy_text/transitions.h"

namespace envfleet::toy_text {

class FrozenLake : public VectorStateEnv {
 public:
  explicit FrozenLake(const Config& config);

  static OptionList Options();
  // Throws std::invalid_argument for a bad map, success_rate or reward_schedule.
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [tile index], as Gymnasium's `s`: the env's whole state, which its snapshots hold
  // (VectorStateEnv).
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;

 private:
  // The outcomes of `action` from the current tile, as Gymnasium's P[s][action].
  Transitions Outcomes(std::int64_t action) const;
  // The outcome of moving one tile in `direction` from (row, col), slips aside.
  Transition Move(int row, int col, std::int64_t direction, double probability) const;

  // The map's rows, each of `cols_` letters among S, F, H, G.
  std::vector<std::string> rows_;
  int cols_;
  bool is_slippery_;
  double success_rate_;
  // Rewards for reaching a goal, a hole and any other tile.
  std::array<double, 3> reward_schedule_;
  // The start tiles, drawn uniformly at reset.
  std::vector<std::int64_t> starts_;
  std::int64_t state_ = 0;
};

}  // namespace envfleet::toy_text

#endif  // ENVFLEET_TOY_TEXT_FROZEN_LAKE_H_
