// The `_atari` extension: every Atari game ALE supports, plus the image pipeline for tests.
//
// ALE is GPL-2.0; this extension links it and is therefore a separate module from the rest of
// envfleet (see the README). The games and their ROM files come from `envfleet.atari_games`,
// the one list that Python's registry and this module share.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "envfleet/atari/env_types.h"
#include "envfleet/atari/image.h"
#include "envfleet/atari/screen_processor.h"
#include "envfleet/python/family_module.h"

namespace py = pybind11;
using envfleet::atari::ImageSize;

namespace {

// resize(image, height, width, interpolation): the resizers the preprocessing uses, for tests.
py::array_t<std::uint8_t> Resize(
    const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& image, int height,
    int width, const std::string& interpolation) {
  if (image.ndim() != 2 && image.ndim() != 3) {
    throw py::value_error("image must have shape (height, width) or (height, width, channels)");
  }
  const int channels = image.ndim() == 3 ? static_cast<int>(image.shape(2)) : 1;
  const ImageSize source{static_cast<int>(image.shape(0)), static_cast<int>(image.shape(1)),
                         channels};
  const ImageSize destination{height, width, channels};
  std::vector<py::ssize_t> shape{height, width};
  if (image.ndim() == 3) shape.push_back(channels);
  py::array_t<std::uint8_t> result(shape);
  if (interpolation == "area") {
    envfleet::atari::AreaResizer(source, destination).Resize(image.data(), result.mutable_data());
  } else if (interpolation == "bilinear") {
    envfleet::atari::BilinearResizer(source, destination)
        .Resize(image.data(), result.mutable_data());
  } else {
    throw py::value_error("interpolation must be 'area' or 'bilinear'");
  }
  return result;
}

// process_screens(palette, second_last, last, pooled, height, width, channels, interpolation):
// one ScreenProcessor fed a sequence of steps, for tests of its row cache. Step k captures
// second_last[k] when pooled[k], then processes last[k]; returns the frames, (steps, channels,
// height, width).
py::array_t<std::uint8_t> ProcessScreens(
    const py::array_t<std::uint32_t, py::array::c_style | py::array::forcecast>& palette,
    const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& second_last,
    const py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>& last,
    const py::array_t<bool, py::array::c_style | py::array::forcecast>& pooled, int height,
    int width, int channels, const std::string& interpolation) {
  if (palette.ndim() != 1 || palette.shape(0) != 256) {
    throw py::value_error("palette must have shape (256,)");
  }
  if (last.ndim() != 3 || second_last.ndim() != 3 || pooled.ndim() != 1 ||
      second_last.shape(0) != last.shape(0) || second_last.shape(1) != last.shape(1) ||
      second_last.shape(2) != last.shape(2) || pooled.shape(0) != last.shape(0)) {
    throw py::value_error("second_last and last must be (steps, height, width), pooled (steps,)");
  }
  if (interpolation != "area" && interpolation != "bilinear") {
    throw py::value_error("interpolation must be 'area' or 'bilinear'");
  }
  envfleet::atari::Palette table;
  std::copy_n(palette.data(), 256, table.begin());
  const int steps = static_cast<int>(last.shape(0));
  const int screen_height = static_cast<int>(last.shape(1));
  const int screen_width = static_cast<int>(last.shape(2));
  const ImageSize frame{height, width, channels};
  envfleet::atari::ScreenProcessor processor(table, screen_height, screen_width, frame,
                                             interpolation == "area");
  py::array_t<std::uint8_t> frames({steps, channels, height, width});
  const std::size_t screen_pixels = static_cast<std::size_t>(screen_height) * screen_width;
  for (int k = 0; k < steps; ++k) {
    if (pooled.data()[k]) processor.CaptureSecondLast(second_last.data() + k * screen_pixels);
    processor.Process(last.data() + k * screen_pixels, pooled.data()[k],
                      frames.mutable_data() + k * frame.bytes());
  }
  return frames;
}

}  // namespace

PYBIND11_MODULE(_atari, module) {
  const auto games = py::module_::import("envfleet.atari_games")
                         .attr("rom_paths")()
                         .cast<std::vector<std::pair<std::string, std::string>>>();
  envfleet::python::DefineFamilyModule(module, envfleet::atari::EnvTypes(games));
  module.def("resize", &Resize, py::arg("image"), py::arg("height"), py::arg("width"),
             py::arg("interpolation") = "area");
  module.def("process_screens", &ProcessScreens, py::arg("palette"), py::arg("second_last"),
             py::arg("last"), py::arg("pooled"), py::arg("height"), py::arg("width"),
             py::arg("channels"), py::arg("interpolation") = "area");
}
