// GlContextScope: a headless OpenGL context for MuJoCo's renderer, one per thread.
//
// MuJoCo renders with OpenGL, which draws only with a context current on the calling thread. A
// GlContextScope makes the calling thread's own context current for the scope's lifetime, then
// puts back the context that was current before (the caller's thread may hold the user's own
// MuJoCo renderer). Each thread's context is made on its first scope and kept until the thread
// exits, so each of a pool's threads renders its envs in parallel, and GL objects made in one scope
// (MuJoCo's mjrContext) are there in the thread's next.
// The platform follows MuJoCo's Python bindings' MUJOCO_GL variable: "egl" (also when unset), a
// headless EGL display on the first EGL device (a GPU where a driver exists, Mesa's software
// rasteriser otherwise); "osmesa", Mesa's off-screen rasteriser. Both libraries are loaded at run
// time (dlopen), so the MuJoCo family imports and steps without them.
//
// Thread-safety: any thread may open scopes; each gets its own context. Scopes of one thread must
// not overlap. Errors: std::runtime_error
// that says what to install when the library is missing (libEGL.so.1 with Mesa's EGL driver, or
// libOSMesa), or why the context could not be made; MUJOCO_GL naming another platform (glfw needs a
// window) is an error too. A thread whose context failed gets the same error on every call.
#ifndef ENVFLEET_MUJOCO_GL_CONTEXT_H_
#define ENVFLEET_MUJOCO_GL_CONTEXT_H_

namespace envfleet::mujoco {

class GlContextScope {
 public:
  GlContextScope();
  ~GlContextScope();
  GlContextScope(const GlContextScope&) = delete;
  GlContextScope& operator=(const GlContextScope&) = delete;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_GL_CONTEXT_H_
