#include "envfleet/toy_text/taxi.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

namespace envfleet::toy_text {
namespace {

// Gymnasium's MAP: ':' between two cells is open, '|' a wall.
constexpr std::array<const char*, 7> kMap = {
    "+---------+", "|R: | : :G|", "| : | : : |", "| : : : : |",
    "| | : | : |", "|Y| : |B: |", "+---------+",
};
constexpr int kMaxRow = 4;
constexpr int kMaxCol = 4;
constexpr int kStates = 500;
// The passenger index meaning "in the taxi".
constexpr int kInTaxi = 4;

// The four stands R, G, Y, B as (row, col).
constexpr std::array<std::array<int, 2>, 4> kLocations = {{{0, 0}, {0, 4}, {4, 0}, {4, 3}}};

// The stand at (row, col), or -1.
int LocationAt(int row, int col) {
  for (int i = 0; i < 4; ++i) {
    if (kLocations[i][0] == row && kLocations[i][1] == col) return i;
  }
  return -1;
}

bool Open(int map_row, int map_col) { return kMap[map_row][map_col] == ':'; }

std::int64_t Encode(int row, int col, int passenger, int destination) {
  return ((row * 5 + col) * 5 + passenger) * 4 + destination;
}

struct Decoded {
  int row, col, passenger, destination;
};

Decoded Decode(std::int64_t state) {
  const int s = static_cast<int>(state);
  return {s / 100, s / 20 % 5, s / 4 % 5, s % 4};
}

// Gymnasium's _calc_new_position: one cell along (dr, dc), clamped to the grid, kept only when the
// map character at column 2 * new_col + offset is open.
std::array<int, 2> SideStep(int row, int col, int dr, int dc, int offset) {
  const int new_row = std::clamp(row + dr, 0, kMaxRow);
  const int new_col = std::clamp(col + dc, 0, kMaxCol);
  if (Open(1 + new_row, 2 * new_col + offset)) return {new_row, new_col};
  return {row, col};
}

}  // namespace

Taxi::Taxi(const Config& config)
    : is_rainy_(config.Get<bool>("is_rainy")),
      fickle_passenger_(config.Get<bool>("fickle_passenger")) {}

OptionList Taxi::Options() {
  return {
      {"is_rainy", false, "moves go sideways with probability 0.1 each"},
      {"fickle_passenger", false, "the passenger may change destination after boarding"},
  };
}

EnvSpec Taxi::Spec(const Config& /*config*/) {
  EnvSpec spec;
  spec.observation = ArraySpec::Discrete(kStates);
  spec.action = ArraySpec::Discrete(6);
  spec.info = {{"prob", ArraySpec::Box(DType::kFloat64, {}, {0.0}, {1.0})},
               {"action_mask", ArraySpec::Box(DType::kUInt8, {6}, {0.0}, {1.0})}};
  spec.state_layout = {{"state", 1}, {"fickle_step", 1}};
  return spec;
}

void Taxi::Reset(const EnvOutput& out) {
  // Gymnasium's categorical_sample over the 300 states with the passenger at a stand other than
  // the destination, each with probability 1 / 300, in state order.
  const double u = rng().Uniform01();
  constexpr double kProbability = 1.0 / 300.0;
  double running_sum = 0.0;
  state_ = -1;
  for (std::int64_t s = 0; s < kStates && state_ < 0; ++s) {
    const Decoded d = Decode(s);
    if (d.passenger == kInTaxi || d.passenger == d.destination) continue;
    running_sum += kProbability;
    if (running_sum > u) state_ = s;
  }
  if (state_ < 0) state_ = 0;  // numpy's argmax of all-false
  // The fickle draw is made only for a fickle passenger, as in Gymnasium.
  fickle_step_ = fickle_passenger_ && rng().Uniform01() < 0.3;
  WriteObservation(out, 1.0);
}

void Taxi::Step(const void* action, const EnvOutput& out) {
  const Transition outcome =
      ChooseTransition(Outcomes(*static_cast<const std::int64_t*>(action)), rng());
  const Decoded before = Decode(state_);
  const Decoded after = Decode(outcome.next_state);
  std::int64_t next_state = outcome.next_state;

  // A fickle passenger, aboard since before this step, picks a new destination on the first move.
  if (fickle_passenger_ && fickle_step_ && before.passenger == kInTaxi &&
      (after.row != before.row || after.col != before.col)) {
    fickle_step_ = false;
    int destination = static_cast<int>(rng().UniformInt(3));
    if (destination >= before.destination) ++destination;
    next_state = Encode(after.row, after.col, after.passenger, destination);
  }
  state_ = next_state;
  *out.reward = outcome.reward;
  *out.terminated = outcome.terminated;
  WriteObservation(out, outcome.probability);
}

Transitions Taxi::Outcomes(std::int64_t action) const {
  const Decoded d = Decode(state_);
  int new_row = d.row;
  int new_col = d.col;
  int new_passenger = d.passenger;
  double reward = -1.0;
  bool terminated = false;
  const int stand = LocationAt(d.row, d.col);

  // Pickup and dropoff (Gymnasium's _pickup and _dropoff).
  if (action == 4) {
    if (d.passenger < kInTaxi && stand == d.passenger) {
      new_passenger = kInTaxi;
    } else {
      reward = -10.0;
    }
  } else if (action == 5) {
    if (stand == d.destination && d.passenger == kInTaxi) {
      new_passenger = d.destination;
      terminated = true;
      reward = 20.0;
    } else if (stand >= 0 && d.passenger == kInTaxi) {
      new_passenger = stand;
    } else {
      reward = -10.0;
    }
  }

  Transitions outcomes;
  if (!is_rainy_) {
    // Dry moves (Gymnasium's _build_dry_transitions).
    if (action == 0) new_row = std::min(d.row + 1, kMaxRow);
    if (action == 1) new_row = std::max(d.row - 1, 0);
    if (action == 2 && Open(1 + d.row, 2 * d.col + 2)) new_col = std::min(d.col + 1, kMaxCol);
    if (action == 3 && Open(1 + d.row, 2 * d.col)) new_col = std::max(d.col - 1, 0);
    outcomes.Add({1.0, Encode(new_row, new_col, new_passenger, d.destination), reward, terminated});
    return outcomes;
  }

  // Rainy moves (Gymnasium's _build_rainy_transitions): intended, then its two sides, each from
  // the table of (dr, dc) below; a blocked east or west move stays, sides included.
  if (action >= 4) {
    outcomes.Add({1.0, Encode(new_row, new_col, new_passenger, d.destination), reward, terminated});
    return outcomes;
  }
  constexpr std::array<std::array<std::array<int, 2>, 3>, 4> kMoves = {{
      {{{1, 0}, {0, -1}, {0, 1}}},   // south
      {{{-1, 0}, {0, -1}, {0, 1}}},  // north
      {{{0, 1}, {1, 0}, {-1, 0}}},   // east
      {{{0, -1}, {1, 0}, {-1, 0}}},  // west
  }};
  std::array<int, 2> left = {d.row, d.col};
  std::array<int, 2> right = {d.row, d.col};
  const bool can_move = action <= 1 || (action == 2 && Open(1 + d.row, 2 * d.col + 2)) ||
                        (action == 3 && Open(1 + d.row, 2 * d.col));
  if (can_move) {
    const auto& moves = kMoves[action];
    new_row = std::clamp(d.row + moves[0][0], 0, kMaxRow);
    new_col = std::clamp(d.col + moves[0][1], 0, kMaxCol);
    left = SideStep(d.row, d.col, moves[1][0], moves[1][1], 2);
    right = SideStep(d.row, d.col, moves[2][0], moves[2][1], 0);
  }
  outcomes.Add({0.8, Encode(new_row, new_col, new_passenger, d.destination), -1.0, terminated});
  outcomes.Add({0.1, Encode(left[0], left[1], new_passenger, d.destination), -1.0, terminated});
  outcomes.Add({0.1, Encode(right[0], right[1], new_passenger, d.destination), -1.0, terminated});
  return outcomes;
}

void Taxi::WriteObservation(const EnvOutput& out, double probability) const {
  WriteTabularState(out, state_, probability);
  // Gymnasium's action_mask.
  const Decoded d = Decode(state_);
  std::uint8_t* mask = out.Info<std::uint8_t>(1);
  mask[0] = d.row < kMaxRow;
  mask[1] = d.row > 0;
  mask[2] = d.col < kMaxCol && Open(d.row + 1, 2 * d.col + 2);
  mask[3] = d.col > 0 && Open(d.row + 1, 2 * d.col);
  mask[4] = d.passenger < kInTaxi && LocationAt(d.row, d.col) == d.passenger;
  mask[5] = d.passenger == kInTaxi && LocationAt(d.row, d.col) >= 0;
}

std::vector<double> Taxi::GetState() const {
  return {static_cast<double>(state_), fickle_step_ ? 1.0 : 0.0};
}

void Taxi::SetState(const std::vector<double>& state) {
  if (state.size() != 2 || !(state[0] >= 0 && state[0] < kStates) ||
      state[0] != std::floor(state[0]) || (state[1] != 0.0 && state[1] != 1.0)) {
    throw std::invalid_argument("Taxi state is [state in [0, 500), fickle_step 0 or 1]");
  }
  state_ = static_cast<std::int64_t>(state[0]);
  fickle_step_ = state[1] != 0.0;
}

}  // namespace envfleet::toy_text
