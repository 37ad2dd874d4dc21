// The `_testing` extension: envs that exist to test the engine (never listed to users).
#include <pybind11/pybind11.h>

#include "envfleet/python/family_module.h"
#include "envfleet/testing/counting_env.h"

PYBIND11_MODULE(_testing, module) {
  envfleet::python::DefineFamilyModule(module, {envfleet::testing::CountingEnvType()});
}
