#include "envfleet/mujoco/env_types.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "envfleet/mujoco/ant.h"
#include "envfleet/mujoco/humanoid.h"
#include "envfleet/mujoco/inverted_pendulum.h"
#include "envfleet/mujoco/planar_walker.h"
#include "envfleet/mujoco/pusher.h"
#include "envfleet/mujoco/reacher.h"
#include "envfleet/mujoco/render_options.h"
#include "envfleet/mujoco/runners.h"

namespace envfleet::mujoco {
namespace {

// Gymnasium's registration of one task version.
struct Registration {
  int version;
  const char* xml_file;
  int frame_skip;
  int max_episode_steps;
  std::optional<double> reward_threshold;
};

// Gymnasium's DEFAULT_CAMERA_CONFIG of each task (the same in v4 and v5), as
// default_camera_config text.
struct Camera {
  const char* default_config;
};

// The EnvType of `name`-v`version`, served by `Task`. Its spec comes from an env made with the
// config, since the spaces depend on the model file.
// Its options are the task's, then the rendering ones.
template <typename Task>
EnvType RegisteredType(const std::string& name, const Registration& registration,
                       const Camera& camera, const std::string& asset_dir) {
  const VersionDefaults defaults{registration.version, asset_dir, registration.xml_file,
                                 registration.frame_skip, camera.default_config};
  const std::string id = name + "-v" + std::to_string(registration.version);
  OptionList options = Task::Options(defaults);
  // The reset options: those of the task's list that this version has.
  std::vector<std::string> reset_options;
  if constexpr (requires { Task::ResetOptions(); }) {
    for (const std::string& reset_option : Task::ResetOptions()) {
      for (const Option& option : options) {
        if (option.name == reset_option) reset_options.push_back(reset_option);
      }
    }
  }
  for (Option& option : RenderingOptions(defaults.default_camera_config)) {
    options.push_back(std::move(option));
  }
  return MakeEnvType(
      id, registration.max_episode_steps, registration.reward_threshold, std::move(options), {},
      reset_options, [defaults](const Config& config) { return Task(config, defaults).Spec(); },
      [defaults, id, reset_options](const Config& config) -> std::unique_ptr<Env> {
        auto env = std::make_unique<Task>(config, defaults);
        // Every reset option sets a member: a declared one the task did not bind would be
        // ignored.
        std::vector<std::string> bound = env->BoundResetOptions();
        std::vector<std::string> declared = reset_options;
        std::sort(bound.begin(), bound.end());
        std::sort(declared.begin(), declared.end());
        if (bound != declared) {
          throw std::logic_error(id + ": the bound reset options differ from the declared ones");
        }
        return env;
      });
}

// Both versions of one task.
template <typename Task>
void AddTask(std::vector<EnvType>& types, const std::string& name, const Registration& v4,
             const Registration& v5, const Camera& camera, const std::string& asset_dir) {
  types.push_back(RegisteredType<Task>(name, v4, camera, asset_dir));
  types.push_back(RegisteredType<Task>(name, v5, camera, asset_dir));
}

}  // namespace

std::vector<EnvType> EnvTypes(const std::string& asset_dir) {
  constexpr std::optional<double> kNone;
  std::vector<EnvType> types;
  const std::string& dir = asset_dir;
  AddTask<Ant>(types, "Ant", {4, "ant.xml", 5, 1000, 6000.0}, {5, "ant.xml", 5, 1000, 6000.0},
               {"distance=4.0"}, dir);
  AddTask<HalfCheetah>(types, "HalfCheetah", {4, "half_cheetah.xml", 5, 1000, 4800.0},
                       {5, "half_cheetah.xml", 5, 1000, 4800.0}, {"distance=4.0"}, dir);
  AddTask<Hopper>(types, "Hopper", {4, "hopper.xml", 4, 1000, 3800.0},
                  {5, "hopper.xml", 4, 1000, 3800.0},
                  {"trackbodyid=2;distance=3.0;lookat=0.0,0.0,1.15;elevation=-20.0"}, dir);
  AddTask<Humanoid>(types, "Humanoid", {4, "humanoid.xml", 5, 1000, kNone},
                    {5, "humanoid.xml", 5, 1000, kNone},
                    {"trackbodyid=1;distance=4.0;lookat=0.0,0.0,2.0;elevation=-20.0"}, dir);
  AddTask<HumanoidStandup>(types, "HumanoidStandup", {4, "humanoidstandup.xml", 5, 1000, kNone},
                           {5, "humanoidstandup.xml", 5, 1000, kNone},
                           {"trackbodyid=1;distance=4.0;lookat=0.0,0.0,0.8925;elevation=-20.0"},
                           dir);
  AddTask<InvertedDoublePendulum>(
      types, "InvertedDoublePendulum", {4, "inverted_double_pendulum.xml", 5, 1000, 9100.0},
      {5, "inverted_double_pendulum.xml", 5, 1000, 9100.0},
      {"trackbodyid=0;distance=4.1225;lookat=0.0,0.0,0.12250000000000005"}, dir);
  AddTask<InvertedPendulum>(types, "InvertedPendulum", {4, "inverted_pendulum.xml", 2, 1000, 950.0},
                            {5, "inverted_pendulum.xml", 2, 1000, 950.0},
                            {"trackbodyid=0;distance=2.04"}, dir);
  AddTask<Pusher>(types, "Pusher", {4, "pusher.xml", 5, 100, 0.0},
                  {5, "pusher_v5.xml", 5, 100, 0.0}, {"trackbodyid=-1;distance=4.0"}, dir);
  AddTask<Reacher>(types, "Reacher", {4, "reacher.xml", 2, 50, -3.75},
                   {5, "reacher.xml", 2, 50, -3.75}, {"trackbodyid=0"}, dir);
  AddTask<Swimmer>(types, "Swimmer", {4, "swimmer.xml", 4, 1000, 360.0},
                   {5, "swimmer.xml", 4, 1000, 360.0}, {""}, dir);
  AddTask<Walker2d>(types, "Walker2d", {4, "walker2d.xml", 4, 1000, kNone},
                    {5, "walker2d_v5.xml", 4, 1000, kNone},
                    {"trackbodyid=2;distance=4.0;lookat=0.0,0.0,1.15;elevation=-20.0"}, dir);
  return types;
}

}  // namespace envfleet::mujoco
