// Element types of the arrays an env reads and writes.
//
// Thread-safety: plain values and pure functions; safe everywhere.
#ifndef ENVFLEET_CORE_DTYPE_H_
#define ENVFLEET_CORE_DTYPE_H_

#include <cstddef>
#include <cstdint>

namespace envfleet {

// The numpy dtype an array is exposed with. Names follow numpy.
enum class DType : std::uint8_t { kBool, kUInt8, kInt32, kInt64, kFloat32, kFloat64 };

// Size in bytes of one element.
constexpr std::size_t DTypeSize(DType dtype) {
  switch (dtype) {
    case DType::kBool:
    case DType::kUInt8:
      return 1;
    case DType::kInt32:
    case DType::kFloat32:
      return 4;
    case DType::kInt64:
    case DType::kFloat64:
      return 8;
  }
  return 0;
}

// numpy's name for the dtype ("float32", ...).
constexpr const char* DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return "bool";
    case DType::kUInt8:
      return "uint8";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
    case DType::kFloat32:
      return "float32";
    case DType::kFloat64:
      return "float64";
  }
  return "?";
}

}  // namespace envfleet

#endif  // ENVFLEET_CORE_DTYPE_H_
