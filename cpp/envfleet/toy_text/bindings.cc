// The `_toy_text` extension: Gymnasium's toy-text tasks.
#include <pybind11/pybind11.h>

#include "envfleet/python/family_module.h"
#include "envfleet/toy_text/env_types.h"

PYBIND11_MODULE(_toy_text, module) {
  envfleet::python::DefineFamilyModule(module, envfleet::toy_text::EnvTypes());
}
