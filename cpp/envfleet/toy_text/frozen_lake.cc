#include "envfleet/toy_text/frozen_lake.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace envfleet::toy_text {
namespace {

constexpr std::int64_t kLeft = 0;
constexpr std::int64_t kDown = 1;
constexpr std::int64_t kRight = 2;
constexpr std::int64_t kUp = 3;

// Gymnasium's MAPS.
const std::vector<std::string> kMap4x4 = {"SFFF", "FHFH", "FFFH", "HFFG"};
const std::vector<std::string> kMap8x8 = {"SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF",
                                          "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"};

// The map a config names: `desc` split at newlines, or the named map. Throws
// std::invalid_argument for ragged rows, unknown letters, no start tile or an unknown name.
std::vector<std::string> MapOf(const Config& config) {
  const std::string& desc = config.Get<std::string>("desc");
  if (desc.empty()) {
    const std::string& name = config.Get<std::string>("map_name");
    if (name == "4x4") return kMap4x4;
    if (name == "8x8") return kMap8x8;
    throw std::invalid_argument("map_name must be '4x4' or '8x8' (or pass desc), got '" + name +
                                "'");
  }
  std::vector<std::string> rows;
  std::size_t begin = 0;
  while (begin <= desc.size()) {
    const std::size_t end = std::min(desc.find('\n', begin), desc.size());
    rows.push_back(desc.substr(begin, end - begin));
    begin = end + 1;
  }
  bool has_start = false;
  for (const std::string& row : rows) {
    if (row.empty() || row.size() != rows[0].size()) {
      throw std::invalid_argument("desc rows must be non-empty and of equal length");
    }
    if (row.find_first_not_of("SFHG") != std::string::npos) {
      throw std::invalid_argument("desc holds a letter other than S, F, H, G: '" + row + "'");
    }
    has_start = has_start || row.find('S') != std::string::npos;
  }
  if (!has_start) throw std::invalid_argument("desc has no start tile 'S'");
  return rows;
}

}  // namespace

FrozenLake::FrozenLake(const Config& config)
    : rows_(MapOf(config)),
      cols_(static_cast<int>(rows_[0].size())),
      is_slippery_(config.Get<bool>("is_slippery")),
      success_rate_(config.Get<double>("success_rate")) {
  const std::vector<double>& schedule = config.Get<std::vector<double>>("reward_schedule");
  std::copy(schedule.begin(), schedule.end(), reward_schedule_.begin());
  for (std::size_t row = 0; row < rows_.size(); ++row) {
    for (int col = 0; col < cols_; ++col) {
      if (rows_[row][col] == 'S') starts_.push_back(static_cast<std::int64_t>(row) * cols_ + col);
    }
  }
}

OptionList FrozenLake::Options() {
  return {
      {"desc", std::string(), "the map, rows of S/F/H/G separated by newlines ('': map_name)"},
      {"map_name", std::string("4x4"), "the named map when desc is empty: '4x4' or '8x8'"},
      {"is_slippery", true, "moves may slip to either perpendicular direction"},
      {"success_rate", 1.0 / 3.0, "probability of the intended move when slippery"},
      {"reward_schedule", std::vector<double>{1.0, 0.0, 0.0},
       "rewards for reaching the goal, a hole and a frozen tile"},
  };
}

EnvSpec FrozenLake::Spec(const Config& config) {
  const std::vector<std::string> rows = MapOf(config);
  const double success_rate = config.Get<double>("success_rate");
  if (!(success_rate >= 0.0 && success_rate <= 1.0)) {
    throw std::invalid_argument("success_rate must be in [0, 1]");
  }
  if (config.Get<std::vector<double>>("reward_schedule").size() != 3) {
    throw std::invalid_argument("reward_schedule must hold 3 values (goal, hole, frozen)");
  }
  EnvSpec spec;
  spec.observation = ArraySpec::Discrete(static_cast<std::int64_t>(rows.size() * rows[0].size()));
  spec.action = ArraySpec::Discrete(4);
  spec.info = {{"prob", ArraySpec::Box(DType::kFloat64, {}, {0.0}, {1.0})}};
  spec.state_layout = {{"state", 1}};
  return spec;
}

void FrozenLake::Reset(const EnvOutput& out) {
  // Gymnasium's categorical_sample over the start tiles, each with probability 1 / count.
  const double u = rng().Uniform01();
  const double probability = 1.0 / static_cast<double>(starts_.size());
  double running_sum = 0.0;
  state_ = starts_[0];
  for (std::int64_t start : starts_) {
    running_sum += probability;
    if (running_sum > u) {
      state_ = start;
      break;
    }
  }
  WriteTabularState(out, state_, 1.0);
}

void FrozenLake::Step(const void* action, const EnvOutput& out) {
  state_ = TakeTransition(Outcomes(*static_cast<const std::int64_t*>(action)), rng(), out);
}

Transitions FrozenLake::Outcomes(std::int64_t action) const {
  const int row = static_cast<int>(state_ / cols_);
  const int col = static_cast<int>(state_ % cols_);
  Transitions outcomes;
  // A goal or hole tile is absorbing.
  const char letter = rows_[row][col];
  if (letter == 'G' || letter == 'H') {
    outcomes.Add({1.0, state_, 0.0, true});
    return outcomes;
  }
  if (!is_slippery_) {
    outcomes.Add(Move(row, col, action, 1.0));
    return outcomes;
  }
  // Slips in Gymnasium's order: (a - 1) % 4, a, (a + 1) % 4.
  const double fail_rate = (1.0 - success_rate_) / 2.0;
  outcomes.Add(Move(row, col, (action + 3) % 4, fail_rate));
  outcomes.Add(Move(row, col, action, success_rate_));
  outcomes.Add(Move(row, col, (action + 1) % 4, fail_rate));
  return outcomes;
}

Transition FrozenLake::Move(int row, int col, std::int64_t direction, double probability) const {
  const int last_row = static_cast<int>(rows_.size()) - 1;
  if (direction == kLeft) col = std::max(col - 1, 0);
  if (direction == kDown) row = std::min(row + 1, last_row);
  if (direction == kRight) col = std::min(col + 1, cols_ - 1);
  if (direction == kUp) row = std::max(row - 1, 0);
  const char letter = rows_[row][col];
  const double reward = letter == 'G'   ? reward_schedule_[0]
                        : letter == 'H' ? reward_schedule_[1]
                                        : reward_schedule_[2];
  return {probability, static_cast<std::int64_t>(row) * cols_ + col, reward,
          letter == 'G' || letter == 'H'};
}

std::vector<double> FrozenLake::GetState() const { return {static_cast<double>(state_)}; }

void FrozenLake::SetState(const std::vector<double>& state) {
  const auto tiles = static_cast<std::int64_t>(rows_.size()) * cols_;
  state_ = StateIndex(state, tiles, "FrozenLake state is one tile index");
}

}  // namespace envfleet::toy_text
