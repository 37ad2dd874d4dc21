// Scalar math done the way NumPy and CPython do it, for bit-exact alignment with Gymnasium.
//
// Gymnasium's classic-control envs compute on NumPy scalars and Python floats. Most operations
// (+, -, *, /, comparisons, float64 sin/cos) map to one IEEE operation or one libm call that C++
// reproduces directly. The functions here cover the cases where the obvious C++ spelling gives a
// different result:
//   - `x ** 2` on a NumPy scalar or a Python float calls libm's pow, which glibc does not always
//     round like x * x; the compiler must not turn pow(x, 2) into x * x.
//   - `a % b` on floats is a floored modulo (result has the sign of b), not C's fmod.
//   - NumPy's float32 sin/cos use their own vectorised kernel (Cody-Waite reduction and
//     polynomials evaluated with fused multiply-adds) on CPUs with FMA, not libm's sinf/cosf.
// Aligned with NumPy 2.x (checked against 2.4, every float32 in [-0.1, 0.1] and random ones up to
// 3e38) and glibc's libm; NumPy run with NPY_DISABLE_CPU_FEATURES switching off its AVX2 level is
// not followed. Thread-safety: pure functions.
#ifndef ENVFLEET_CLASSIC_CONTROL_NUMPY_MATH_H_
#define ENVFLEET_CLASSIC_CONTROL_NUMPY_MATH_H_

namespace envfleet::classic_control {

// `base ** exponent` for a float64 NumPy scalar or a Python float: libm's pow.
double LibmPow(double base, double exponent);

// `base ** exponent` for a float32 NumPy scalar: libm's powf.
float LibmPowf(float base, float exponent);

// `dividend % divisor` for Python floats and float64 NumPy scalars.
double FloorMod(double dividend, double divisor);

// np.sin / np.cos of a float32 value, as NumPy computes them on this CPU.
float NumpySinf(float x);
float NumpyCosf(float x);

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_NUMPY_MATH_H_
