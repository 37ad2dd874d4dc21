// The `_mujoco` extension: Gymnasium's MuJoCo tasks, v4 and v5.
//
// The task XML files ship with the `gymnasium` package, so the module asks the interpreter where
// that package is, once, at import; the C++ below it takes the folder as a plain path and never
// calls into Python again. MuJoCo's warnings go to stderr from then on, never to a log file in the
// working directory (warnings.h).
#include <pybind11/pybind11.h>

#include <filesystem>
#include <string>

#include "envfleet/mujoco/env_types.h"
#include "envfleet/mujoco/warnings.h"
#include "envfleet/python/family_module.h"

namespace py = pybind11;

PYBIND11_MODULE(_mujoco, module) {
  const std::filesystem::path gymnasium_init =
      py::module_::import("gymnasium").attr("__file__").cast<std::string>();
  const std::string asset_dir = (gymnasium_init.parent_path() / "envs" / "mujoco" / "assets");
  envfleet::mujoco::InstallWarningHandler();
  envfleet::python::DefineFamilyModule(module, envfleet::mujoco::EnvTypes(asset_dir));
}
