// Blackjack: beat the dealer by drawing cards to a sum closer to 21 without going over.
//
// Aligned with Gymnasium 1.2's BlackjackEnv, drawing from an infinite deck (1 = ace, 2..9, four
// tens): the observation is (player sum, dealer's showing card, usable ace), which Python exposes
// as Gymnasium's Tuple(Discrete(32), Discrete(11), Discrete(2)); action 1 hits, 0 sticks and lets
// the dealer draw to 17; rewards are +1 / 0 / -1, with `natural` paying 1.5 for a winning natural
// and `sab` (Sutton and Barto's rules, on by default as Gymnasium registers Blackjack-v1, and
// overriding `natural`) winning every natural the dealer does not match. Thread-safety: one
// instance per thread, as every Env.
#ifndef ENVFLEET_TOY_TEXT_BLACKJACK_H_
#define ENVFLEET_TOY_TEXT_BLACKJACK_H_

#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::toy_text {

class Blackjack : public Env {
 public:
  // The most cards a hand can hold: 21 aces and one more card for the player.
  static constexpr int kMaxCards = 24;

  explicit Blackjack(const Config& config);

  static OptionList Options();
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // The player's and the dealer's cards in the order drawn, each padded with 0 to kMaxCards.
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;
  // Snapshots: both hands as they are (a finished episode's too, which SetState() refuses).
  void SaveState(StateWriter& out) const override {
    out.PutVector(player_);
    out.PutVector(dealer_);
  }
  void LoadState(StateReader& in) override {
    player_ = in.GetVector<int>();
    dealer_ = in.GetVector<int>();
  }

 private:
  int DrawCard();
  void WriteObservation(const EnvOutput& out) const;

  bool natural_;
  bool sab_;
  std::vector<int> player_;
  std::vector<int> dealer_;
};

}  // namespace envfleet::toy_text

#endif  // ENVFLEET_TOY_TEXT_BLACKJACK_H_
