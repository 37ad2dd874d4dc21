// The few NumPy reductions Gymnasium's MuJoCo rewards use, computed the way NumPy computes them.
//
// - np.sum over a contiguous array is a pairwise summation in the array's own dtype (eight
//   accumulators per block of up to 128 values, blocks split in halves), starting from zero.
//   Rewards sum float32 actions in float32 (`ctrl_cost_weight * np.sum(np.square(action))` stays
//   float32 under NumPy 2's promotion rules), so PairwiseSum<float> is not PairwiseSum<double>.
// - np.linalg.norm of a 2- or 3-vector is the square root of BLAS ddot, whose small-vector path
//   chains fused multiply-adds (measured with NumPy 2.4's OpenBLAS on x86-64).
// - np.clip propagates NaN.
// - `x ** 2` on a NumPy float64 scalar calls libm's pow, which glibc does not always round like
//   x * x (about 1 value in 1000).
// Thread-safety: pure functions.
#ifndef ENVFLEET_MUJOCO_NUMPY_OPS_H_
#define ENVFLEET_MUJOCO_NUMPY_OPS_H_

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace envfleet::mujoco {

// np.sum of the n values term(0) .. term(n - 1), each already of type T, summed in T.
template <typename T, typename Term>
T PairwiseSum(std::ptrdiff_t n, const Term& term, std::ptrdiff_t first = 0) {
  // Short runs: one accumulator.
  if (n < 8) {
    T sum = T(0);
    for (std::ptrdiff_t i = 0; i < n; ++i) sum += term(first + i);
    return sum;
  }
  // Up to one block: eight interleaved accumulators, combined as a tree, then the tail.
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = term(first + j);
    std::ptrdiff_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += term(first + i + j);
    }
    T sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) sum += term(first + i);
    return sum;
  }
  // Longer: two halves, the first a multiple of eight long.
  std::ptrdiff_t half = n / 2;
  half -= half % 8;
  return PairwiseSum<T>(half, term, first) + PairwiseSum<T>(n - half, term, first + half);
}

// np.sum(np.square(values)) of a contiguous float32 or float64 array.
template <typename T>
T SumOfSquares(const T* values, std::ptrdiff_t n) {
  return PairwiseSum<T>(n, [values](std::ptrdiff_t i) { return values[i] * values[i]; });
}

// np.clip(value, low, high) of one float64: NaN stays NaN.
inline double Clip(double value, double low, double high) {
  return std::min(std::max(value, low), high);
}

// np.linalg.norm of a float64 vector of 2 or 3 values.
inline double Norm(const double* values, int n) {
  double sum = values[0] * values[0];
  for (int i = 1; i < n; ++i) sum = std::fma(values[i], values[i], sum);
  return std::sqrt(sum);
}

// `x ** 2` for a NumPy float64 scalar: libm's pow.
inline double ScalarSquare(double x) {
  volatile double exponent = 2.0;  // an opaque exponent: the compiler cannot use x * x
  return std::pow(x, exponent);
}

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_NUMPY_OPS_H_
