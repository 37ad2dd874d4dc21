#include "envfleet/dm_control/rewards.h"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace envfleet::dm_control {

double SigmoidValue(double x, double value_at_1, Sigmoid sigmoid) {
  constexpr double kPi = std::numbers::pi;
  switch (sigmoid) {
    case Sigmoid::kGaussian: {
      const double scale = std::sqrt(-2 * std::log(value_at_1));
      const double scaled = x * scale;
      return std::exp(-0.5 * (scaled * scaled));
    }
    case Sigmoid::kHyperbolic: {
      const double scale = std::acosh(1 / value_at_1);
      return 1 / std::cosh(x * scale);
    }
    case Sigmoid::kLongTail: {
      const double scale = std::sqrt(1 / value_at_1 - 1);
      const double scaled = x * scale;
      return 1 / (scaled * scaled + 1);
    }
    case Sigmoid::kReciprocal: {
      const double scale = 1 / value_at_1 - 1;
      return 1 / (std::abs(x) * scale + 1);
    }
    case Sigmoid::kCosine: {
      const double scale = std::acos(2 * value_at_1 - 1) / kPi;
      const double scaled = x * scale;
      return std::abs(scaled) < 1 ? (1 + std::cos(kPi * scaled)) / 2 : 0.0;
    }
    case Sigmoid::kLinear: {
      const double scale = 1 - value_at_1;
      const double scaled = x * scale;
      return std::abs(scaled) < 1 ? 1 - scaled : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double scale = std::sqrt(1 - value_at_1);
      const double scaled = x * scale;
      return std::abs(scaled) < 1 ? 1 - scaled * scaled : 0.0;
    }
    case Sigmoid::kTanhSquared: {
      const double scale = std::atanh(std::sqrt(1 - value_at_1));
      const double t = std::tanh(x * scale);
      return 1 - t * t;
    }
  }
  throw std::invalid_argument("unknown sigmoid");
}

double Tolerance(double x, Bounds bounds, double margin, Sigmoid sigmoid, double value_at_margin) {
  const bool in_bounds = bounds.lower <= x && x <= bounds.upper;
  if (margin == 0) return in_bounds ? 1.0 : 0.0;
  if (in_bounds) return 1.0;
  const double d = (x < bounds.lower ? bounds.lower - x : x - bounds.upper) / margin;
  return SigmoidValue(d, value_at_margin, sigmoid);
}

}  // namespace envfleet::dm_control
