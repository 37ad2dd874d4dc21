#include "envfleet/mujoco/gl_context.h"

#include <dlfcn.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace envfleet::mujoco {
namespace {

// The EGL and OSMesa declarations used here (their ABI is fixed), so building needs no headers.
using EGLDisplay = void*;
using EGLConfig = void*;
using EGLContext = void*;
using EGLDeviceEXT = void*;
using EGLint = std::int32_t;
using EGLBoolean = unsigned int;
constexpr EGLint kEglSuccess = 0x3000;
constexpr EGLint kEglNone = 0x3038;
constexpr EGLint kEglOpenGlApi = 0x30A2;
constexpr EGLint kEglPlatformDevice = 0x313F;
// The framebuffer configuration MuJoCo's Python bindings ask EGL for.
constexpr EGLint kEglAttributes[] = {0x3024,  8,       // EGL_RED_SIZE
                                     0x3023,  8,       // EGL_GREEN_SIZE
                                     0x3022,  8,       // EGL_BLUE_SIZE
                                     0x3021,  8,       // EGL_ALPHA_SIZE
                                     0x3025,  24,      // EGL_DEPTH_SIZE
                                     0x3026,  8,       // EGL_STENCIL_SIZE
                                     0x303F,  0x308E,  // EGL_COLOR_BUFFER_TYPE: EGL_RGB_BUFFER
                                     0x3033,  0x0001,  // EGL_SURFACE_TYPE: EGL_PBUFFER_BIT
                                     0x3040,  0x0008,  // EGL_RENDERABLE_TYPE: EGL_OPENGL_BIT
                                     kEglNone};

using OSMesaContext = void*;
constexpr unsigned kOsmesaRgba = 0x1908;  // OSMESA_RGBA (GL_RGBA)
constexpr unsigned kGlUnsignedByte = 0x1401;
// OSMesa draws into a buffer of ours; MuJoCo renders to its own off-screen framebuffer, so the
// buffer only has to exist.
constexpr int kOsmesaBufferSize = 64;

// A symbol of `library`, or an error naming it.
template <typename Function>
Function Symbol(void* library, const char* library_name, const char* name) {
  void* symbol = dlsym(library, name);
  if (symbol == nullptr) {
    throw std::runtime_error(std::string(library_name) + " has no " + name);
  }
  return reinterpret_cast<Function>(symbol);
}

// A headless context of the thread that made it, for the thread's lifetime.
class GlContext {
 public:
  virtual ~GlContext() = default;
  // Makes this context current, keeping the one current before for Restore().
  virtual void MakeCurrent() = 0;
  virtual void Restore() = 0;
};

class EglContext : public GlContext {
 public:
  EglContext() {
    // libEGL, dlopen'ed once per process (never closed: contexts outlive any one owner).
    static void* const library = dlopen("libEGL.so.1", RTLD_NOW | RTLD_GLOBAL);
    if (library == nullptr) {
      throw std::runtime_error(
          "MuJoCo rendering with MUJOCO_GL=egl needs libEGL.so.1 and an EGL driver (Debian/Ubuntu: "
          "apt install libegl1 libegl-mesa0 libgl1-mesa-dri; or set MUJOCO_GL=osmesa with "
          "libosmesa6): " +
          std::string(dlerror()));
    }
    constexpr const char* kName = "libEGL.so.1";
    using GetProcAddress = void* (*)(const char*);
    using GetError = EGLint (*)();
    using QueryDevices = EGLBoolean (*)(EGLint, EGLDeviceEXT*, EGLint*);
    using GetPlatformDisplay = EGLDisplay (*)(EGLint, void*, const EGLint*);
    using Initialize = EGLBoolean (*)(EGLDisplay, EGLint*, EGLint*);
    using ChooseConfig = EGLBoolean (*)(EGLDisplay, const EGLint*, EGLConfig*, EGLint, EGLint*);
    using BindApi = EGLBoolean (*)(unsigned);
    using CreateContext = EGLContext (*)(EGLDisplay, EGLConfig, EGLContext, const EGLint*);
    const auto get_proc_address = Symbol<GetProcAddress>(library, kName, "eglGetProcAddress");
    const auto get_error = Symbol<GetError>(library, kName, "eglGetError");
    const auto initialize = Symbol<Initialize>(library, kName, "eglInitialize");
    const auto choose_config = Symbol<ChooseConfig>(library, kName, "eglChooseConfig");
    const auto bind_api = Symbol<BindApi>(library, kName, "eglBindAPI");
    const auto create_context = Symbol<CreateContext>(library, kName, "eglCreateContext");
    make_current_ = Symbol<MakeCurrentFunction>(library, kName, "eglMakeCurrent");
    get_current_display_ = Symbol<GetCurrentDisplay>(library, kName, "eglGetCurrentDisplay");
    get_current_context_ = Symbol<GetCurrentContext>(library, kName, "eglGetCurrentContext");
    get_current_surface_ = Symbol<GetCurrentSurface>(library, kName, "eglGetCurrentSurface");
    destroy_context_ = Symbol<DestroyContext>(library, kName, "eglDestroyContext");
    release_thread_ = Symbol<ReleaseThread>(library, kName, "eglReleaseThread");
    const auto query_devices =
        reinterpret_cast<QueryDevices>(get_proc_address("eglQueryDevicesEXT"));
    const auto get_platform_display =
        reinterpret_cast<GetPlatformDisplay>(get_proc_address("eglGetPlatformDisplayEXT"));
    if (query_devices == nullptr || get_platform_display == nullptr) {
      throw std::runtime_error(
          "the EGL driver lacks EGL_EXT_device_enumeration / EGL_EXT_platform_device, needed "
          "for headless rendering (install Mesa's EGL driver: libegl-mesa0)");
    }

    // The first device whose display initialises, as MuJoCo's Python bindings pick it.
    EGLint count = 0;
    query_devices(0, nullptr, &count);
    std::vector<EGLDeviceEXT> devices(static_cast<std::size_t>(count));
    query_devices(count, devices.data(), &count);
    for (EGLDeviceEXT device : devices) {
      EGLDisplay display = get_platform_display(kEglPlatformDevice, device, nullptr);
      if (display != nullptr && get_error() == kEglSuccess &&
          initialize(display, nullptr, nullptr) && get_error() == kEglSuccess) {
        display_ = display;
        break;
      }
    }
    if (display_ == nullptr) {
      throw std::runtime_error("no EGL device could be initialised for headless rendering");
    }

    // An OpenGL (not ES) context with MuJoCo's framebuffer configuration.
    EGLConfig config = nullptr;
    EGLint configs = 0;
    if (!choose_config(display_, kEglAttributes, &config, 1, &configs) || configs < 1) {
      throw std::runtime_error("EGL offers no RGBA8, depth 24, stencil 8 OpenGL configuration");
    }
    if (!bind_api(kEglOpenGlApi)) throw std::runtime_error("EGL cannot bind the OpenGL API");
    context_ = create_context(display_, config, nullptr, nullptr);
    if (context_ == nullptr) throw std::runtime_error("eglCreateContext failed");
  }

  ~EglContext() override {
    // The display stays initialised: EGL counts no references, and other threads may use it.
    if (context_ != nullptr) destroy_context_(display_, context_);
    release_thread_();
  }

  void MakeCurrent() override {
    previous_display_ = get_current_display_();
    previous_context_ = get_current_context_();
    previous_draw_ = get_current_surface_(kEglDraw);
    previous_read_ = get_current_surface_(kEglRead);
    if (!make_current_(display_, nullptr, nullptr, context_)) {
      throw std::runtime_error("eglMakeCurrent failed");
    }
  }

  void Restore() override {
    if (previous_display_ != nullptr) {
      make_current_(previous_display_, previous_draw_, previous_read_, previous_context_);
    } else {
      make_current_(display_, nullptr, nullptr, nullptr);
    }
  }

 private:
  static constexpr EGLint kEglDraw = 0x3059;
  static constexpr EGLint kEglRead = 0x305A;
  using MakeCurrentFunction = EGLBoolean (*)(EGLDisplay, void*, void*, EGLContext);
  using GetCurrentDisplay = EGLDisplay (*)();
  using GetCurrentContext = EGLContext (*)();
  using GetCurrentSurface = void* (*)(EGLint);
  using DestroyContext = EGLBoolean (*)(EGLDisplay, EGLContext);
  using ReleaseThread = EGLBoolean (*)();
  MakeCurrentFunction make_current_ = nullptr;
  GetCurrentDisplay get_current_display_ = nullptr;
  GetCurrentContext get_current_context_ = nullptr;
  GetCurrentSurface get_current_surface_ = nullptr;
  EGLDisplay previous_display_ = nullptr;
  EGLContext previous_context_ = nullptr;
  void* previous_draw_ = nullptr;
  void* previous_read_ = nullptr;
  DestroyContext destroy_context_ = nullptr;
  ReleaseThread release_thread_ = nullptr;
  EGLDisplay display_ = nullptr;
  EGLContext context_ = nullptr;
};

class OsmesaContext : public GlContext {
 public:
  OsmesaContext() : buffer_(4 * kOsmesaBufferSize * kOsmesaBufferSize) {
    static void* const library = [] {
      void* handle = dlopen("libOSMesa.so.8", RTLD_NOW | RTLD_GLOBAL);
      return handle != nullptr ? handle : dlopen("libOSMesa.so", RTLD_NOW | RTLD_GLOBAL);
    }();
    if (library == nullptr) {
      throw std::runtime_error(
          "MuJoCo rendering with MUJOCO_GL=osmesa needs libOSMesa (Debian/Ubuntu: apt install "
          "libosmesa6); or leave MUJOCO_GL unset for EGL: " +
          std::string(dlerror()));
    }
    constexpr const char* kName = "libOSMesa";
    using CreateContext = OSMesaContext (*)(unsigned, int, int, int, OSMesaContext);
    const auto create_context = Symbol<CreateContext>(library, kName, "OSMesaCreateContextExt");
    make_current_ = Symbol<MakeCurrentFunction>(library, kName, "OSMesaMakeCurrent");
    get_current_context_ = Symbol<GetCurrentContext>(library, kName, "OSMesaGetCurrentContext");
    destroy_context_ = Symbol<DestroyContext>(library, kName, "OSMesaDestroyContext");
    context_ = create_context(kOsmesaRgba, 24, 8, 0, nullptr);
    if (context_ == nullptr) throw std::runtime_error("OSMesaCreateContextExt failed");
  }

  ~OsmesaContext() override {
    if (context_ != nullptr) destroy_context_(context_);
  }

  // OSMesa contexts are only OSMesa's: another kind current before is left to its own API.
  void MakeCurrent() override {
    previous_ = get_current_context_();
    if (!make_current_(context_, buffer_.data(), kGlUnsignedByte, kOsmesaBufferSize,
                       kOsmesaBufferSize)) {
      throw std::runtime_error("OSMesaMakeCurrent failed");
    }
  }

  void Restore() override {
    if (previous_ != nullptr && previous_ != context_) {
      make_current_(previous_, buffer_.data(), kGlUnsignedByte, kOsmesaBufferSize,
                    kOsmesaBufferSize);
    }
  }

 private:
  using MakeCurrentFunction = unsigned char (*)(OSMesaContext, void*, unsigned, int, int);
  using GetCurrentContext = OSMesaContext (*)();
  using DestroyContext = void (*)(OSMesaContext);
  MakeCurrentFunction make_current_ = nullptr;
  GetCurrentContext get_current_context_ = nullptr;
  OSMesaContext previous_ = nullptr;
  DestroyContext destroy_context_ = nullptr;
  OSMesaContext context_ = nullptr;
  std::vector<unsigned char> buffer_;
};

// The context MUJOCO_GL names.
std::unique_ptr<GlContext> MakeContext() {
  const char* platform = std::getenv("MUJOCO_GL");
  const std::string name = platform == nullptr ? "egl" : platform;
  if (name == "egl") return std::make_unique<EglContext>();
  if (name == "osmesa") return std::make_unique<OsmesaContext>();
  throw std::runtime_error(
      "MUJOCO_GL=" + name +
      ": envfleet renders headless, with MUJOCO_GL=egl (the default) or osmesa");
}

// The calling thread's context: made on its first use and kept; a failure is kept and raised
// again on every later use.
GlContext& ThreadContext() {
  thread_local std::string failure;
  thread_local const std::unique_ptr<GlContext> context = []() -> std::unique_ptr<GlContext> {
    try {
      return MakeContext();
    } catch (const std::runtime_error& error) {
      failure = error.what();
      return nullptr;
    }
  }();
  if (!context) throw std::runtime_error("cannot render: " + failure);
  return *context;
}

}  // namespace

GlContextScope::GlContextScope() { ThreadContext().MakeCurrent(); }

GlContextScope::~GlContextScope() { ThreadContext().Restore(); }

}  // namespace envfleet::mujoco
