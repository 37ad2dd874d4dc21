// The `_classic_control` extension: gymnasium's classic-control tasks.
#include <pybind11/pybind11.h>

#include "envfleet/classic_control/env_types.h"
#include "envfleet/python/family_module.h"

PYBIND11_MODULE(_classic_control, module) {
  envfleet::python::DefineFamilyModule(module, envfleet::classic_control::EnvTypes());
}
