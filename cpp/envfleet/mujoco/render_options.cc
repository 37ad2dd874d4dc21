#include "envfleet/mujoco/render_options.h"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>

namespace envfleet::mujoco {
namespace {

// Gymnasium's default picture size (MujocoEnv's DEFAULT_SIZE).
constexpr std::int64_t kDefaultSize = 480;

// The camera attributes default_camera_config may set, with how many values each takes.
struct CameraAttribute {
  const char* name;
  std::size_t size;
};
constexpr CameraAttribute kCameraAttributes[] = {
    {"type", 1},     {"fixedcamid", 1}, {"trackbodyid", 1}, {"lookat", 3},
    {"distance", 1}, {"azimuth", 1},    {"elevation", 1},   {"orthographic", 1}};

// Parses "name=value;name=v1,v2,v3" into (name, values), checking names and value counts.
std::vector<std::pair<std::string, std::vector<double>>> ParseCameraConfig(
    const std::string& text) {
  std::vector<std::pair<std::string, std::vector<double>>> attributes;
  std::stringstream entries(text);
  for (std::string entry; std::getline(entries, entry, ';');) {
    if (entry.empty()) continue;
    const std::size_t equals = entry.find('=');
    const std::string name = entry.substr(0, equals);
    const auto* attribute =
        std::find_if(std::begin(kCameraAttributes), std::end(kCameraAttributes),
                     [&](const CameraAttribute& known) { return name == known.name; });
    if (equals == std::string::npos || attribute == std::end(kCameraAttributes)) {
      throw std::invalid_argument(
          "default_camera_config: unknown camera attribute '" + name +
          "' (known: type, fixedcamid, trackbodyid, lookat, distance, azimuth, elevation, "
          "orthographic)");
    }
    std::vector<double> values;
    std::stringstream numbers(entry.substr(equals + 1));
    for (std::string number; std::getline(numbers, number, ',');) {
      std::size_t used = 0;
      double value = 0.0;
      try {
        value = std::stod(number, &used);
      } catch (const std::logic_error&) {
        used = 0;
      }
      if (used == 0 || used != number.size()) {
        throw std::invalid_argument("default_camera_config: '" + name +
                                    "' has a value that is not a number: '" + number + "'");
      }
      values.push_back(value);
    }
    if (values.size() != attribute->size) {
      throw std::invalid_argument("default_camera_config: '" + name + "' takes " +
                                  std::to_string(attribute->size) + " value(s)");
    }
    attributes.emplace_back(name, std::move(values));
  }
  return attributes;
}

// np.median of one coordinate of every geom's position.
double Median(std::vector<double> values) {
  const std::size_t half = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + half, values.end());
  if (values.size() % 2 == 1) return values[half];
  const double upper = values[half];
  const double lower = *std::max_element(values.begin(), values.begin() + half);
  return (lower + upper) / 2;
}

}  // namespace

OptionList RenderingOptions(const std::string& default_camera_config) {
  return {
      {"width", kDefaultSize, "width of the rendered picture, in pixels"},
      {"height", kDefaultSize, "height of the rendered picture, in pixels"},
      {"camera_id", kNoCameraId,
       "camera to render from (-1: the free camera); neither this nor camera_name: the model's "
       "'track' camera, else the free camera"},
      {"camera_name", std::string(), "name of the camera to render from"},
      {"default_camera_config", default_camera_config,
       "attributes of the camera set before the first picture (Gymnasium's dict)"},
      {"from_pixels", false, "observations are the rendered pictures, uint8 (height, width, 3)"},
      {"frame_stack", std::int64_t{1},
       "with from_pixels, observations stack the last frame_stack pictures (oldest first)"},
      {"pixels_only", true,
       "with from_pixels, false: observations are dicts of the pictures ('pixels') and the state "
       "vector ('state')"},
  };
}

RenderSettings ReadRenderSettings(const Config& config, const mjModel& model) {
  RenderSettings settings;
  const std::int64_t width = config.Get<std::int64_t>("width");
  const std::int64_t height = config.Get<std::int64_t>("height");
  if (width < 1 || height < 1 || width > 16384 || height > 16384) {
    throw std::invalid_argument("width and height must be in [1, 16384]");
  }
  settings.width = static_cast<int>(width);
  settings.height = static_cast<int>(height);

  // The camera, as Gymnasium's MujocoRenderer resolves it (an unknown name is the free camera).
  const std::int64_t camera_id = config.Get<std::int64_t>("camera_id");
  const std::string& camera_name = config.Get<std::string>("camera_name");
  if (camera_id != kNoCameraId && !camera_name.empty()) {
    throw std::invalid_argument("pass either camera_id or camera_name, not both");
  }
  if (camera_id == kNoCameraId) {
    const std::string name = camera_name.empty() ? "track" : camera_name;
    settings.camera_id = mj_name2id(&model, mjOBJ_CAMERA, name.c_str());
  } else if (camera_id < -1 || camera_id >= model.ncam) {
    throw std::invalid_argument("camera_id " + std::to_string(camera_id) + " is not in [-1, " +
                                std::to_string(model.ncam) + ")");
  } else {
    settings.camera_id = static_cast<int>(camera_id);
  }
  settings.camera_config = ParseCameraConfig(config.Get<std::string>("default_camera_config"));

  settings.from_pixels = config.Get<bool>("from_pixels");
  const std::int64_t frame_stack = config.Get<std::int64_t>("frame_stack");
  if (frame_stack < 1 || frame_stack > 64 || (frame_stack > 1 && !settings.from_pixels)) {
    throw std::invalid_argument("frame_stack must be in [1, 64], and 1 without from_pixels");
  }
  settings.frame_stack = static_cast<int>(frame_stack);
  settings.pixels_only = config.Get<bool>("pixels_only");
  if (!settings.pixels_only && !settings.from_pixels) {
    throw std::invalid_argument("pixels_only=False needs from_pixels=True");
  }
  return settings;
}

void InitCamera(const RenderSettings& settings, const mjModel& model, const mjData& data,
                mjvCamera* camera) {
  // The free camera at the geoms' median, as far away as the model is large.
  mjv_defaultCamera(camera);
  camera->type = mjCAMERA_FREE;
  camera->fixedcamid = -1;
  for (int axis = 0; axis < 3; ++axis) {
    std::vector<double> coordinates(static_cast<std::size_t>(model.ngeom));
    for (int geom = 0; geom < model.ngeom; ++geom) {
      coordinates[geom] = data.geom_xpos[3 * geom + axis];
    }
    camera->lookat[axis] = Median(std::move(coordinates));
  }
  camera->distance = model.stat.extent;

  // default_camera_config, then the camera rendered from.
  for (const auto& [name, values] : settings.camera_config) {
    if (name == "type") camera->type = static_cast<int>(values[0]);
    if (name == "fixedcamid") camera->fixedcamid = static_cast<int>(values[0]);
    if (name == "trackbodyid") camera->trackbodyid = static_cast<int>(values[0]);
    if (name == "lookat") std::copy(values.begin(), values.end(), camera->lookat);
    if (name == "distance") camera->distance = values[0];
    if (name == "azimuth") camera->azimuth = values[0];
    if (name == "elevation") camera->elevation = values[0];
    if (name == "orthographic") camera->orthographic = static_cast<int>(values[0]);
  }
  camera->type = settings.camera_id == -1 ? mjCAMERA_FREE : mjCAMERA_FIXED;
  camera->fixedcamid = settings.camera_id;
}

}  // namespace envfleet::mujoco
