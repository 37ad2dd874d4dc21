// CheckStateSize: the argument check every classic-control SetState() starts with, and
// IsFloat32Value: the test by which SetState() tells a float32 state from a float64 one.
//
// Thread-safety: a pure function.
#ifndef ENVFLEET_CLASSIC_CONTROL_STATE_CHECK_H_
#define ENVFLEET_CLASSIC_CONTROL_STATE_CHECK_H_

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace envfleet::classic_control {

// Throws std::invalid_argument unless `state` holds `expected_size` values.
inline void CheckStateSize(const std::vector<double>& state, std::size_t expected_size,
                           const char* env_name) {
  if (state.size() != expected_size) {
    throw std::invalid_argument(std::string(env_name) + " state has " +
                                std::to_string(expected_size) + " values, got " +
                                std::to_string(state.size()));
  }
}

// Whether `value` is a float32 number (SetState() takes a state of such as a float32 state).
inline bool IsFloat32Value(double value) {
  return static_cast<double>(static_cast<float>(value)) == value;
}

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_STATE_CHECK_H_
