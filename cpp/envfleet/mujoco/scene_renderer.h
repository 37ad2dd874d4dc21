// RenderScene: one MuJoCo picture, drawn by MuJoCo's own renderer (mjv_updateScene, mjr_render,
// mjr_readPixels) as Gymnasium's OffScreenViewer draws it.
//
// Each thread renders in its own headless GL context (gl_context.h) and keeps, per model, the
// render state Gymnasium's viewer keeps: an mjrContext (the model's meshes and textures, font
// scale 150%, an off-screen framebuffer resized to each picture's size), an mjvScene of 1000 geoms,
// default visual options and no perturbation. These live until the thread exits, and hold the
// model alive. Thread-safety: any number of threads may render at once, each with its own mjData.
// Errors: std::runtime_error when no GL context can be made (gl_context.h says what to install).
#ifndef ENVFLEET_MUJOCO_SCENE_RENDERER_H_
#define ENVFLEET_MUJOCO_SCENE_RENDERER_H_

#include <mujoco/mujoco.h>

#include <cstdint>
#include <memory>

namespace envfleet::mujoco {

// Draws `data` of `model` from `camera` at width x height into `rgb` (height x width x 3 bytes,
// rows top-down, as Gymnasium returns them). Updates `camera` as MuJoCo does for tracking cameras.
void RenderScene(const std::shared_ptr<const mjModel>& model, mjData& data, mjvCamera& camera,
                 int width, int height, std::uint8_t* rgb);

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_SCENE_RENDERER_H_
