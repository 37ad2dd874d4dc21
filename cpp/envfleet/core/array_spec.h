// ArraySpec: dtype, per-env shape and bounds of one array (observation, action or an info key).
//
// An ArraySpec is the single declaration from which Python builds a Gymnasium space and a dm_env
// spec: a spec with `num_values > 0` is a Discrete space, otherwise a Box with `low` / `high`.
// Thread-safety: an immutable value once built; safe to share.
#ifndef ENVFLEET_CORE_ARRAY_SPEC_H_
#define ENVFLEET_CORE_ARRAY_SPEC_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "envfleet/core/dtype.h"

namespace envfleet {

struct ArraySpec {
  DType dtype = DType::kFloat32;
  // Shape of one env's array; the batch adds a leading axis.
  std::vector<std::int64_t> shape;
  // Element-wise bounds, either one value per element or a single value for all of them.
  std::vector<double> low;
  std::vector<double> high;
  // When > 0: a discrete array taking the values 0 .. num_values - 1 (a Gymnasium Discrete space).
  std::int64_t num_values = 0;

  // A Box of the given dtype and shape; `low` / `high` broadcast when they hold one value.
  static ArraySpec Box(DType dtype, std::vector<std::int64_t> shape, std::vector<double> low,
                       std::vector<double> high) {
    ArraySpec spec;
    spec.dtype = dtype;
    spec.shape = std::move(shape);
    spec.low = std::move(low);
    spec.high = std::move(high);
    return spec;
  }

  // A Box with no bounds (-inf, inf).
  static ArraySpec Unbounded(DType dtype, std::vector<std::int64_t> shape) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    return Box(dtype, std::move(shape), {-kInf}, {kInf});
  }

  // A scalar int64 taking the values 0 .. n - 1.
  static ArraySpec Discrete(std::int64_t n) {
    ArraySpec spec = Box(DType::kInt64, {}, {0.0}, {static_cast<double>(n - 1)});
    spec.num_values = n;
    return spec;
  }

  bool IsDiscrete() const { return num_values > 0; }

  std::size_t NumElements() const {
    std::size_t count = 1;
    for (std::int64_t dim : shape) count *= static_cast<std::size_t>(dim);
    return count;
  }

  std::size_t NumBytes() const { return NumElements() * DTypeSize(dtype); }
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ARRAY_SPEC_H_
