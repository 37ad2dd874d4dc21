// The classic-control pictures: each env's state drawn on a Canvas as Gymnasium 1.2's render()
// draws it (same sizes, geometry, colours and drawing order; gymnasium/envs/classic_control/*.py),
// written as height x width x 3 RGB bytes, rows top-down as Gymnasium returns them.
//
// Each function draws straight into `rgb` and allocates nothing. Thread-safety: any number of
// threads may draw at once, into different pictures.
#ifndef ENVFLEET_CLASSIC_CONTROL_PICTURES_H_
#define ENVFLEET_CLASSIC_CONTROL_PICTURES_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "envfleet/classic_control/torque_arrow.h"

namespace envfleet::classic_control {

// Picture sizes (height, width) and frame rates of Gymnasium's render().
inline constexpr int kCartPoleWidth = 600;
inline constexpr int kCartPoleHeight = 400;
inline constexpr int kCartPoleFps = 50;
inline constexpr int kMountainCarWidth = 600;
inline constexpr int kMountainCarHeight = 400;
inline constexpr int kMountainCarFps = 30;
inline constexpr int kPendulumSize = 500;
inline constexpr int kPendulumFps = 30;
inline constexpr int kAcrobotSize = 500;
inline constexpr int kAcrobotFps = 15;

// The render_shape of a picture of width x height.
std::vector<std::int64_t> RenderShape(int width, int height);

// CartPole: the cart at `x`, the pole at angle `theta`.
void DrawCartPole(double x, double theta, std::uint8_t* rgb);

// MountainCar (goal at 0.5) and MountainCarContinuous (goal at 0.45), the car at `position`. A
// float32 position (MountainCarContinuous after a step, whose state Gymnasium keeps as float32)
// is drawn with float32 arithmetic, as NumPy computes on it.
void DrawMountainCar(double position, double goal_position, std::uint8_t* rgb);
void DrawMountainCar(float position, double goal_position, std::uint8_t* rgb);

// Pendulum at angle `theta`; `last_torque` (the clipped action of the last step, none after a
// reset) draws Gymnasium's torque arrow, `arrow`, scaled to it.
void DrawPendulum(double theta, std::optional<float> last_torque, const TorqueArrow& arrow,
                  std::uint8_t* rgb);

// Acrobot with joint angles `theta1` and `theta2`. A float32 state (after a reset, whose state
// Gymnasium keeps as float32) is drawn with float32 arithmetic, as NumPy computes on it.
void DrawAcrobot(double theta1, double theta2, std::uint8_t* rgb);
void DrawAcrobot(float theta1, float theta2, std::uint8_t* rgb);

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_PICTURES_H_
