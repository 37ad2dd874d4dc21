// What Box2D's b2Settings.h needs of <Python.h>, without Python.
//
// pybox2d's Box2D (the box2d-py sdist) defines b2Assert(A) as
// `if (!(A)) { PyErr_SetString(PyExc_AssertionError, #A); throw b2AssertException(); }`.
// envfleet steps envs on its own threads without the GIL, where no Python API may be called, so
// the Box2D build finds this header first: it keeps the throw (the engine carries the exception
// to the caller, as for any failing env) and makes setting the Python error a no-op.
#ifndef ENVFLEET_BOX2D_ASSERT_SHIM_PYTHON_H_
#define ENVFLEET_BOX2D_ASSERT_SHIM_PYTHON_H_

#define PyExc_AssertionError nullptr
#define PyErr_SetString(type, message) ((void)(type), (void)(message))

#endif  // ENVFLEET_BOX2D_ASSERT_SHIM_PYTHON_H_
