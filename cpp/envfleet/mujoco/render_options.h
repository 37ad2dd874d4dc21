// The rendering keywords of MuJoCo tasks, as Gymnasium's MujocoEnv / MujocoRenderer take them.
//
// Options (every MuJoCo id): `width` and `height` of the picture (480), `camera_id` and
// `camera_name` (the camera to render from; neither: the model's "track" camera where it has one,
// else the free camera; -1: the free camera), `default_camera_config` (attributes of the camera
// set once, as Gymnasium's _set_cam_config sets them: the task's DEFAULT_CAMERA_CONFIG by default).
// default_camera_config is a text option, "name=value;name=v1,v2,v3" (Python passes Gymnasium's
// dict, which envfleet.spec turns into this text); camera_id -2 stands for "not given".
// Pixel observations, as Gymnasium's AddRenderObservation (then FrameStackObservation) give them:
// `from_pixels` (false) makes the observation the picture, uint8 (height, width, 3), and
// `frame_stack` (1) > 1 the last frame_stack pictures, (frame_stack, height, width, 3), oldest
// first, all the first picture after a reset; `pixels_only` (true) false makes it a dict of the
// picture (stack) under "pixels" and the task's state vector (stacked alike) under "state", as
// AddRenderObservation(render_only=False) and dm_control's pixels.Wrapper(pixels_only=False) give
// it. Thread-safety: pure functions and immutable values.
#ifndef ENVFLEET_MUJOCO_RENDER_OPTIONS_H_
#define ENVFLEET_MUJOCO_RENDER_OPTIONS_H_

#include <mujoco/mujoco.h>

#include <string>
#include <utility>
#include <vector>

#include "envfleet/core/config.h"

namespace envfleet::mujoco {

// camera_id's default: not given.
inline constexpr std::int64_t kNoCameraId = -2;

// The rendering options, with `default_camera_config` the task's default text.
OptionList RenderingOptions(const std::string& default_camera_config);

// One env's rendering settings, read from its config and resolved against its model.
struct RenderSettings {
  int width = 0;
  int height = 0;
  // The fixed camera rendered from, or -1 for the free camera.
  int camera_id = -1;
  // default_camera_config's attributes, in order: (name, values).
  std::vector<std::pair<std::string, std::vector<double>>> camera_config;
  // Pixel observations (from_pixels) of frame_stack pictures.
  bool from_pixels = false;
  int frame_stack = 1;
  // With from_pixels: the state vector comes with the pictures ("pixels" and "state").
  bool pixels_only = true;
};

// Throws std::invalid_argument for sizes below 1, camera_id and camera_name both given, a
// camera_id out of range, an unknown or malformed default_camera_config attribute, frame_stack
// below 1 (or above 1 without from_pixels), or pixels_only false without from_pixels.
RenderSettings ReadRenderSettings(const Config& config, const mjModel& model);

// Sets `camera` up as Gymnasium's OffScreenViewer does before its first picture: the free camera
// looking at the median of the geoms' positions (`data` as it is now) from the model's extent,
// then default_camera_config's attributes, then the camera to render from.
void InitCamera(const RenderSettings& settings, const mjModel& model, const mjData& data,
                mjvCamera* camera);

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_RENDER_OPTIONS_H_
