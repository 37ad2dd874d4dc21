// The `_dm_control` extension: the DeepMind Control Suite's tasks.
//
// The domains' XML files ship with the `dm_control` package, so the module asks the interpreter
// where that package is, once, at import (without importing it); the C++ below takes the folder
// as a plain path and never calls into Python again. Without dm_control the import fails with an
// ImportError saying what to install.
#include <pybind11/pybind11.h>

#include <filesystem>
#include <string>

#include "envfleet/dm_control/env_types.h"
#include "envfleet/mujoco/warnings.h"
#include "envfleet/python/family_module.h"

namespace py = pybind11;

PYBIND11_MODULE(_dm_control, module) {
  const py::object spec = py::module_::import("importlib.util").attr("find_spec")("dm_control");
  if (spec.is_none()) {
    throw py::import_error(
        "the DeepMind Control Suite tasks need the dm-control package (their model files come "
        "from it): pip install dm-control (or, in an envfleet checkout, pip install "
        "'.[dm_control]')");
  }
  const std::string package =
      py::list(spec.attr("submodule_search_locations"))[0].cast<std::string>();
  const std::string suite_dir = (std::filesystem::path(package) / "suite").string();
  envfleet::mujoco::InstallWarningHandler();
  envfleet::python::DefineFamilyModule(module, envfleet::dm_control::EnvTypes(suite_dir));
}
