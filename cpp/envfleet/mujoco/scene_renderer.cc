#include "envfleet/mujoco/scene_renderer.h"

#include <cstring>
#include <map>
#include <vector>

#include "envfleet/mujoco/gl_context.h"

namespace envfleet::mujoco {
namespace {

// Gymnasium's OffScreenViewer's scene capacity.
constexpr int kMaxGeoms = 1000;

// What a thread keeps to render one model, made in the thread's GL context.
class ModelRendering {
 public:
  explicit ModelRendering(std::shared_ptr<const mjModel> model) : model_(std::move(model)) {
    mjv_defaultOption(&option_);
    mjv_defaultPerturb(&perturb_);
    mjv_defaultScene(&scene_);
    mjv_makeScene(model_.get(), &scene_, kMaxGeoms);
    mjr_defaultContext(&context_);
    mjr_makeContext(model_.get(), &context_, mjFONTSCALE_150);
  }
  ~ModelRendering() {
    mjr_freeContext(&context_);
    mjv_freeScene(&scene_);
  }
  ModelRendering(const ModelRendering&) = delete;
  ModelRendering& operator=(const ModelRendering&) = delete;

  void Render(mjData& data, mjvCamera& camera, int width, int height, std::uint8_t* rgb) {
    // The off-screen framebuffer at the picture's size, as Gymnasium sizes it (offwidth,
    // offheight); resized only when the size changes.
    if (context_.offWidth != width || context_.offHeight != height) {
      mjr_resizeOffscreen(width, height, &context_);
    }
    mjr_setBuffer(mjFB_OFFSCREEN, &context_);
    const mjrRect viewport{0, 0, width, height};
    mjv_updateScene(model_.get(), &data, &option_, &perturb_, &camera, mjCAT_ALL, &scene_);
    mjr_render(viewport, &scene_, &context_);
    mjr_readPixels(rgb, nullptr, viewport, &context_);

    // OpenGL's rows are bottom-up.
    const std::size_t row_bytes = 3 * static_cast<std::size_t>(width);
    std::vector<std::uint8_t> row(row_bytes);
    for (int top = 0, bottom = height - 1; top < bottom; ++top, --bottom) {
      std::uint8_t* upper = rgb + row_bytes * top;
      std::uint8_t* lower = rgb + row_bytes * bottom;
      std::memcpy(row.data(), upper, row_bytes);
      std::memcpy(upper, lower, row_bytes);
      std::memcpy(lower, row.data(), row_bytes);
    }
  }

 private:
  std::shared_ptr<const mjModel> model_;
  mjvOption option_;
  mjvPerturb perturb_;
  mjvScene scene_;
  mjrContext context_;
};

}  // namespace

void RenderScene(const std::shared_ptr<const mjModel>& model, mjData& data, mjvCamera& camera,
                 int width, int height, std::uint8_t* rgb) {
  // The scope comes first: the thread's GL context is made before, and so outlives, the
  // renderings below (thread_local objects are destroyed in reverse order of construction).
  const GlContextScope scope;
  thread_local std::map<const mjModel*, std::unique_ptr<ModelRendering>> renderings;
  std::unique_ptr<ModelRendering>& rendering = renderings[model.get()];
  if (!rendering) rendering = std::make_unique<ModelRendering>(model);
  rendering->Render(data, camera, width, height, rgb);
}

}  // namespace envfleet::mujoco
