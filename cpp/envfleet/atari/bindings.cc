// The `_atari` extension: every Atari game ALE supports, plus the image resizers for tests.
//
// ALE is GPL-2.0; this extension links it and is therefore a separate module from the rest of
// envfleet (see the README). The games and their ROM files come from `envfleet.atari_games`,
// the one list that Python's registry and this module share.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <string>
#include <utility>
#include <vector>

#include "envfleet/atari/env_types.h"
#include "envfleet/atari/image.h"
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

}  // namespace

PYBIND11_MODULE(_atari, module) {
  const auto games = py::module_::import("envfleet.atari_games")
                         .attr("rom_paths")()
                         .cast<std::vector<std::pair<std::string, std::string>>>();
  envfleet::python::DefineFamilyModule(module, envfleet::atari::EnvTypes(games));
  module.def("resize", &Resize, py::arg("image"), py::arg("height"), py::arg("width"),
             py::arg("interpolation") = "area");
}
