#include "envfleet/classic_control/numpy_math.h"

#include <cmath>

namespace envfleet::classic_control {
namespace {

// Whether NumPy runs its own float32 sin/cos kernel on this CPU. On x86 it is compiled for the
// AVX2 + FMA level and up, and NumPy calls libm below that; the other targets NumPy builds
// (aarch64, ppc64le, s390x) all have FMA.
bool NumpyHasSinCosKernel() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has_kernel = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has_kernel;
#else
  return true;
#endif
}

// float32 sin (cosine == false) or cos (cosine == true) as NumPy's SIMD kernel computes one lane.
float NumpySinCosf(float x, bool cosine) {
  // Without the kernel, and beyond these magnitudes with it, NumPy calls libm.
  const float reduction_limit = cosine ? 71476.0625f : 117435.992f;
  if (!NumpyHasSinCosKernel() || !(std::fabs(x) <= reduction_limit)) {
    return cosine ? std::cos(x) : std::sin(x);
  }

  // Nearest multiple of pi/2, rounded to an integer by adding and removing 1.5 * 2^23. NumPy's
  // compiled kernel fuses the product and the addition into one multiply-add.
  constexpr float kTwoOverPi = 0x1.45f306p-1f;
  constexpr float kRoundingShift = 0x1.8p+23f;
  const float quadrant = std::fma(x, kTwoOverPi, kRoundingShift) - kRoundingShift;

  // Cody-Waite reduction to [-pi/4, pi/4] with pi/2 split into three float32 parts.
  float reduced = std::fma(quadrant, -0x1.921fb0p+00f, x);
  reduced = std::fma(quadrant, -0x1.5110b4p-22f, reduced);
  reduced = std::fma(quadrant, -0x1.846988p-48f, reduced);
  const float reduced_sq = reduced * reduced;

  // Cosine polynomial in reduced^2.
  float cos_poly = std::fma(0x1.98e616p-16f, reduced_sq, -0x1.6c06dcp-10f);
  cos_poly = std::fma(cos_poly, reduced_sq, 0x1.55553cp-05f);
  cos_poly = std::fma(cos_poly, reduced_sq, -0x1.000000p-01f);
  cos_poly = std::fma(cos_poly, reduced_sq, 0x1.000000p+00f);

  // Sine polynomial: reduced + reduced^3 * p(reduced^2).
  float sin_poly = std::fma(0x1.7d3bbcp-19f, reduced_sq, -0x1.a06bbap-13f);
  sin_poly = std::fma(sin_poly, reduced_sq, 0x1.11119ap-07f);
  sin_poly = std::fma(sin_poly, reduced_sq, -0x1.555556p-03f);
  sin_poly = std::fma(sin_poly, reduced_sq, 0.0f);
  sin_poly = std::fma(sin_poly, reduced, reduced);

  // The quadrant picks the polynomial and the sign; cos(x) is sin(x + pi/2).
  const int quadrant_index = static_cast<int>(quadrant) + (cosine ? 1 : 0);
  const float value = (quadrant_index & 1) == 0 ? sin_poly : cos_poly;
  return (quadrant_index & 2) != 0 ? 0.0f - value : value;
}

}  // namespace

double LibmPow(double base, double exponent) {
  // Read through a volatile so that the compiler cannot rewrite pow(x, 2.0) as x * x.
  const volatile double opaque_exponent = exponent;
  return std::pow(base, opaque_exponent);
}

float LibmPowf(float base, float exponent) {
  // Same as LibmPow, for powf.
  const volatile float opaque_exponent = exponent;
  return std::pow(base, static_cast<float>(opaque_exponent));
}

double FloorMod(double dividend, double divisor) {
  // C's remainder, moved into the divisor's sign; a zero takes the divisor's sign.
  double remainder = std::fmod(dividend, divisor);
  if (remainder == 0.0) return std::copysign(0.0, divisor);
  if ((remainder < 0.0) != (divisor < 0.0)) remainder += divisor;
  return remainder;
}

float NumpySinf(float x) { return NumpySinCosf(x, /*cosine=*/false); }

float NumpyCosf(float x) { return NumpySinCosf(x, /*cosine=*/true); }

}  // namespace envfleet::classic_control
