// The `_box2d` extension: Gymnasium's Box2D tasks, on Box2D 2.3 built from the box2d-py sdist.
#include <pybind11/pybind11.h>

#include "envfleet/box2d/env_types.h"
#include "envfleet/python/family_module.h"

PYBIND11_MODULE(_box2d, module) {
  envfleet::python::DefineFamilyModule(module, envfleet::box2d::EnvTypes());
}
