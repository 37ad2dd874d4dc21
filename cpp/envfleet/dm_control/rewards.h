// dm_control's rewards.tolerance() and its sigmoids, in C++.
//
// Tolerance(x, {lower, upper}, margin, sigmoid, value_at_margin) is 1 inside [lower, upper] and
// falls off outside as the named sigmoid of the distance to the nearest bound over the margin (0
// outside when margin is 0), with each expression evaluated in dm_control's order of operations
// (dm_control/utils/rewards.py). Thread-safety: pure functions.
#ifndef ENVFLEET_DM_CONTROL_REWARDS_H_
#define ENVFLEET_DM_CONTROL_REWARDS_H_

namespace envfleet::dm_control {

enum class Sigmoid {
  kGaussian,
  kHyperbolic,
  kLongTail,
  kReciprocal,
  kCosine,
  kLinear,
  kQuadratic,
  kTanhSquared
};

inline constexpr double kDefaultValueAtMargin = 0.1;

struct Bounds {
  double lower = 0.0;
  double upper = 0.0;
};

// _sigmoids(x, value_at_1, sigmoid): 1 at x == 0, `value_at_1` at |x| == 1.
double SigmoidValue(double x, double value_at_1, Sigmoid sigmoid);

// rewards.tolerance(x, bounds, margin, sigmoid, value_at_margin) for a scalar x.
double Tolerance(double x, Bounds bounds = {}, double margin = 0.0,
                 Sigmoid sigmoid = Sigmoid::kGaussian,
                 double value_at_margin = kDefaultValueAtMargin);

}  // namespace envfleet::dm_control

#endif  // ENVFLEET_DM_CONTROL_REWARDS_H_
