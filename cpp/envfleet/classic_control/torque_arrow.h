// TorqueArrow: the picture of Pendulum's torque arrow, Gymnasium's `clockwise.png`, scaled as
// pygame.transform.smoothscale scales it.
//
// Gymnasium's Pendulum render() blits this RGBA image, scaled to a square of side
// int(scale * |torque| / 2) and mirrored, at the pivot. The file ships with the installed
// `gymnasium` package (envs/classic_control/assets/clockwise.png); it is read and decoded (an
// 8-bit RGBA PNG, with zlib) on the first Scaled() call, so a Pendulum that never renders never
// reads it. Thread-safety: Scaled() may be called from any number of threads at once (the load
// runs once, under std::call_once). Errors: a missing or unreadable file throws
// std::runtime_error naming it, from every Scaled() call.
#ifndef ENVFLEET_CLASSIC_CONTROL_TORQUE_ARROW_H_
#define ENVFLEET_CLASSIC_CONTROL_TORQUE_ARROW_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace envfleet::classic_control {

// An RGBA picture, rows top-down.
struct RgbaImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
};

class TorqueArrow {
 public:
  // `path`: the PNG file; nothing is read yet.
  explicit TorqueArrow(std::string path);

  // The arrow scaled to width x height by smoothscale's area-averaging shrink (both must be
  // smaller than the image), then mirrored left-right when `mirror`, and always upside down
  // (pygame.transform.flip(image, mirror, True)).
  RgbaImage Scaled(int width, int height, bool mirror) const;

 private:
  void Load() const;

  std::string path_;
  mutable std::once_flag loaded_;
  mutable RgbaImage image_;
  mutable std::string load_error_;
};

}  // namespace envfleet::classic_control

#endif  // ENVFLEET_CLASSIC_CONTROL_TORQUE_ARROW_H_
