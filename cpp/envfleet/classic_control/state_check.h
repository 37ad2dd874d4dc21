// IsFloat32Value: the test by which SetState() tells a float32 state from a float64 one. (The
// state's size is checked once, by the engine, against the spec's state_layout: Pool::SetState.)
//
// Thread-safety: a pure function.
#ifndef ENVFLEET_CLASSIC_CONTROL_STATE_CHECK_H_
#define ENVFLEET_CLASSIC_CONTROL_STATE_CHECK_H_

namespace envfleet::classic_control {

// Whether `value` is a float32 number (SetState() takes a state of such as a float32 state).
inline bool IsFloat32Value(double value) {
  return static_cast<double>(static_cast<float>(value)) == value;
}

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_STATE_CHECK_H_
