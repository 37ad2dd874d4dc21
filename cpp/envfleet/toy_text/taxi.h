// Taxi: drive a taxi around a 5x5 grid with walls, pick a passenger up at one of four stands and
// drop them off at their destination.
//
// Aligned with Gymnasium 1.2's TaxiEnv: the observation encodes ((row * 5 + col) * 5 +
// passenger) * 4 + destination (500 states); actions 0..5 are south, north, east, west, pickup,
// dropoff; -1 per step, -10 for an illegal pickup or dropoff, +20 and termination for a delivery.
// `is_rainy`: a move goes as intended with probability 0.8 and to either side with 0.1 each;
// `fickle_passenger`: with probability 0.3 per episode, the passenger changes destination once,
// on the first move after boarding. info["prob"] is the probability of the outcome drawn (1 on
// reset) and info["action_mask"] the actions that change the state (Gymnasium's int8 mask, here
// uint8). Thread-safety: one instance per thread, as every Env.
#ifndef ENVFLEET_TOY_TEXT_TAXI_H_
#define ENVFLEET_TOY_TEXT_TAXI_H_

#include <cstdint>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/vector_state_env.h"
#include "envfleet/toy_text/transitions.h"

namespace envfleet::toy_text {

class Taxi : public VectorStateEnv {
 public:
  explicit Taxi(const Config& config);

  static OptionList Options();
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;

  // [encoded state, fickle step pending (0 or 1)], as Gymnasium's `s` and `fickle_step`: the
  // env's whole state, which its snapshots hold (VectorStateEnv).
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;

 private:
  // The outcomes of `action` from the current state, as Gymnasium's P[s][action].
  Transitions Outcomes(std::int64_t action) const;
  void WriteObservation(const EnvOutput& out, double probability) const;

  bool is_rainy_;
  bool fickle_passenger_;
  std::int64_t state_ = 0;
  bool fickle_step_ = false;
};

}  // namespace envfleet::toy_text

#endif  // ENVFLEET_TOY_TEXT_TAXI_H_
