// DefineFamilyModule: the Python face of one env family, shared by every family's extension.
//
// A family's bindings file is one call: PYBIND11_MODULE(_name, m) { DefineFamilyModule(m, types);
// }. The module then offers `env_ids()`, `describe(task_id, options)` (the EnvSpec as plain Python
// values, from which envfleet builds spaces) and the `Pool` class. The bindings stay thin: they
// convert arguments (the engine checks them: pool.h, "Validation"), hold the pool's CallerScope
// for each Python-level call, release the GIL around each engine call, and show each result
// batch as numpy arrays that share one capsule owning the batch (no copy; the batch is recycled
// when the last array is released). Engine exceptions are translated in one place, a registered
// exception translator (EnvFault becomes envfleet.errors.EnvError carrying its result).
#ifndef ENVFLEET_PYTHON_FAMILY_MODULE_H_
#define ENVFLEET_PYTHON_FAMILY_MODULE_H_

#include <pybind11/pybind11.h>

#include <vector>

#include "envfleet/core/env_type.h"

namespace envfleet::python {

void DefineFamilyModule(pybind11::module_& module, std::vector<EnvType> types);

}  // namespace envfleet::python

#endif  // ENVFLEET_PYTHON_FAMILY_MODULE_H_
