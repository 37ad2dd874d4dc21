#include "envfleet/toy_text/cliff_walking.h"

#include <algorithm>

namespace envfleet::toy_text {
namespace {

constexpr int kRows = 4;
constexpr int kCols = 12;
constexpr std::int64_t kStart = 3 * kCols;
constexpr std::int64_t kGoal = 3 * kCols + kCols - 1;

// Gymnasium's POSITION_MAPPING: (drow, dcol) of up, right, down, left.
constexpr int kDeltas[4][2] = {{-1, 0}, {0, 1}, {1, 0}, {0, -1}};

}  // namespace

CliffWalking::CliffWalking(const Config& config) : is_slippery_(config.Get<bool>("is_slippery")) {}

OptionList CliffWalking::Options() {
  return {{"is_slippery", false, "moves may slip to either perpendicular direction"}};
}

EnvSpec CliffWalking::Spec(const Config& /*config*/) {
  EnvSpec spec;
  spec.observation = ArraySpec::Discrete(kRows * kCols);
  spec.action = ArraySpec::Discrete(4);
  spec.info = {{"prob", ArraySpec::Box(DType::kFloat64, {}, {0.0}, {1.0})}};
  spec.state_layout = {{"state", 1}};
  return spec;
}

void CliffWalking::Reset(const EnvOutput& out) {
  // Gymnasium's initial distribution is the start cell alone.
  state_ = kStart;
  WriteTabularState(out, state_, 1.0);
}

void CliffWalking::Step(const void* action, const EnvOutput& out) {
  const std::int64_t intended = *static_cast<const std::int64_t*>(action);
  Transitions outcomes;
  if (is_slippery_) {
    // Gymnasium's order: (a - 1) % 4, a, (a + 1) % 4, each with probability 1 / 3.
    constexpr double kThird = 1.0 / 3.0;
    outcomes.Add(Move((intended + 3) % 4, kThird));
    outcomes.Add(Move(intended, kThird));
    outcomes.Add(Move((intended + 1) % 4, kThird));
  } else {
    outcomes.Add(Move(intended, 1.0));
  }
  state_ = TakeTransition(outcomes, rng(), out);
}

Transition CliffWalking::Move(std::int64_t direction, double probability) const {
  const int row =
      std::clamp(static_cast<int>(state_ / kCols) + kDeltas[direction][0], 0, kRows - 1);
  const int col =
      std::clamp(static_cast<int>(state_ % kCols) + kDeltas[direction][1], 0, kCols - 1);
  // The cliff: the bottom row between start and goal.
  if (row == kRows - 1 && col > 0 && col < kCols - 1) return {probability, kStart, -100.0, false};
  const std::int64_t next = static_cast<std::int64_t>(row) * kCols + col;
  return {probability, next, -1.0, next == kGoal};
}

std::vector<double> CliffWalking::GetState() const { return {static_cast<double>(state_)}; }

void CliffWalking::SetState(const std::vector<double>& state) {
  state_ = StateIndex(state, kRows * kCols, "CliffWalking state is one cell index");
}

}  // namespace envfleet::toy_text
