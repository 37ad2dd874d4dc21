#include "envfleet/toy_text/blackjack.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace envfleet::toy_text {
namespace {

// Gymnasium's deck: ace, 2..10, jack, queen, king (face cards count 10).
constexpr std::array<int, 13> kDeck = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10};

int Sum(const std::vector<int>& hand) { return std::accumulate(hand.begin(), hand.end(), 0); }

// An ace counts 11 when that does not bust the hand.
bool UsableAce(const std::vector<int>& hand) {
  return std::find(hand.begin(), hand.end(), 1) != hand.end() && Sum(hand) + 10 <= 21;
}

int SumHand(const std::vector<int>& hand) { return Sum(hand) + (UsableAce(hand) ? 10 : 0); }

int Score(const std::vector<int>& hand) { return SumHand(hand) > 21 ? 0 : SumHand(hand); }

bool IsNatural(const std::vector<int>& hand) {
  return hand.size() == 2 && std::min(hand[0], hand[1]) == 1 && std::max(hand[0], hand[1]) == 10;
}

// One hand of a state vector: the cards before the first 0. Throws for a bad value.
std::vector<int> HandOf(const std::vector<double>& state, int offset) {
  std::vector<int> hand;
  for (int i = 0; i < Blackjack::kMaxCards; ++i) {
    const double card = state[offset + i];
    if (card == 0.0) break;
    if (!(card >= 1.0 && card <= 10.0) || card != std::floor(card)) {
      throw std::invalid_argument("Blackjack cards are 1..10, padded with 0");
    }
    hand.push_back(static_cast<int>(card));
  }
  if (hand.empty()) throw std::invalid_argument("Blackjack hands hold at least one card");
  return hand;
}

}  // namespace

Blackjack::Blackjack(const Config& config)
    : natural_(config.Get<bool>("natural")), sab_(config.Get<bool>("sab")) {}

OptionList Blackjack::Options() {
  return {
      {"natural", false, "a winning natural blackjack pays 1.5"},
      {"sab", true,
       "Sutton and Barto's rules: a natural the dealer lacks wins (overrides natural)"},
  };
}

EnvSpec Blackjack::Spec(const Config& /*config*/) {
  EnvSpec spec;
  spec.observation = ArraySpec::Box(DType::kInt64, {3}, {0.0}, {31.0, 10.0, 1.0});
  spec.action = ArraySpec::Discrete(2);
  spec.state_layout = {{"player", kMaxCards}, {"dealer", kMaxCards}};
  return spec;
}

int Blackjack::DrawCard() { return kDeck[rng().UniformInt(kDeck.size())]; }

void Blackjack::Reset(const EnvOutput& out) {
  // The dealer's two cards, then the player's, as Gymnasium deals them.
  dealer_ = {DrawCard(), DrawCard()};
  player_ = {DrawCard(), DrawCard()};
  WriteObservation(out);
}

void Blackjack::Step(const void* action, const EnvOutput& out) {
  if (*static_cast<const std::int64_t*>(action) == 1) {
    // Hit: one more card; going over 21 loses.
    player_.push_back(DrawCard());
    const bool bust = SumHand(player_) > 21;
    *out.terminated = bust;
    *out.reward = bust ? -1.0 : 0.0;
  } else {
    // Stick: the dealer draws to 17, then the scores compare.
    *out.terminated = true;
    while (SumHand(dealer_) < 17) dealer_.push_back(DrawCard());
    const int player = Score(player_);
    const int dealer = Score(dealer_);
    double reward = player > dealer ? 1.0 : player < dealer ? -1.0 : 0.0;
    if (sab_ && IsNatural(player_) && !IsNatural(dealer_)) {
      reward = 1.0;
    } else if (!sab_ && natural_ && IsNatural(player_) && reward == 1.0) {
      reward = 1.5;
    }
    *out.reward = reward;
  }
  WriteObservation(out);
}

void Blackjack::WriteObservation(const EnvOutput& out) const {
  std::int64_t* obs = out.Observation<std::int64_t>();
  obs[0] = SumHand(player_);
  obs[1] = dealer_[0];
  obs[2] = UsableAce(player_) ? 1 : 0;
}

std::vector<double> Blackjack::GetState() const {
  std::vector<double> state(2 * kMaxCards, 0.0);
  std::copy(player_.begin(), player_.end(), state.begin());
  std::copy(dealer_.begin(), dealer_.end(), state.begin() + kMaxCards);
  return state;
}

void Blackjack::SetState(const std::vector<double>& state) {
  if (state.size() != 2 * kMaxCards) {
    throw std::invalid_argument("Blackjack state holds 2 x 24 cards");
  }
  std::vector<int> player = HandOf(state, 0);
  // A player over 21 (aces as 1) has lost; a hand up to 21 stays within kMaxCards when it hits.
  if (Sum(player) > 21) throw std::invalid_argument("Blackjack player's cards sum over 21");
  player_ = std::move(player);
  dealer_ = HandOf(state, kMaxCards);
}

}  // namespace envfleet::toy_text
