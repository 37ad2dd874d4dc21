// The `_classic_control` extension: gymnasium's classic-control tasks.
//
// Pendulum's torque arrow is a picture that ships with the `gymnasium` package, so the module asks
// the interpreter where that package is, once, at import; the C++ below it takes the folder as a
// plain path and never calls into Python again.
#include <pybind11/pybind11.h>

#include <filesystem>
#include <string>

#include "envfleet/classic_control/env_types.h"
#include "envfleet/python/family_module.h"

namespace py = pybind11;

PYBIND11_MODULE(_classic_control, module) {
  const std::filesystem::path gymnasium_init =
      py::module_::import("gymnasium").attr("__file__").cast<std::string>();
  const std::string assets_dir =
      (gymnasium_init.parent_path() / "envs" / "classic_control" / "assets");
  envfleet::python::DefineFamilyModule(module, envfleet::classic_control::EnvTypes(assets_dir));
}
