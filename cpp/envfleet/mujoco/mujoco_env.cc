#include "envfleet/mujoco/mujoco_env.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numbers>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "envfleet/core/array_spec.h"
#include "envfleet/mujoco/model_cache.h"
#include "envfleet/mujoco/scene_renderer.h"

namespace envfleet::mujoco {
const char* InfoName(Info key) {
  static constexpr const char* kNames[] = {
      "x_position",       "y_position",      "distance_from_origin", "z_distance_from_origin",
      "x_velocity",       "y_velocity",      "forward_reward",       "reward_forward",
      "reward_run",       "reward_fwd",      "reward_linvel",        "reward_linup",
      "reward_ctrl",      "reward_quadctrl", "reward_contact",       "reward_impact",
      "reward_survive",   "reward_alive",    "reward_dist",          "reward_near",
      "distance_penalty", "velocity_penalty"};
  static_assert(std::size(kNames) == static_cast<std::size_t>(Info::kCount));
  return kNames[static_cast<int>(key)];
}

MujocoEnv::MujocoEnv(const Config& config, const VersionDefaults& defaults)
    : version_(defaults.version),
      frame_skip_(static_cast<int>(OptionOr<std::int64_t>(
          config, "frame_skip", static_cast<std::int64_t>(defaults.frame_skip)))) {
  if (frame_skip_ < 1) {
    throw std::invalid_argument("frame_skip must be >= 1, got " + std::to_string(frame_skip_));
  }
  // The model is compiled once per file and shared; the data is this env's own.
  const std::string xml_file = OptionOr<std::string>(config, "xml_file", defaults.xml_file);
  model_ = LoadModel(ResolveModelPath(xml_file, defaults.asset_dir), !NamesAnAsset(xml_file));
  data_ = mj_makeData(model_.get());
  if (data_ == nullptr) throw std::runtime_error("mj_makeData failed for " + xml_file);
  parts_per_physics_step_ = model_->opt.integrator == mjINT_RK4 ? 1 : 2;
  qpos_.resize(model_->nq);
  qvel_.resize(model_->nv);
  info_slots_.fill(-1);
  render_ = ReadRenderSettings(config, *model_);
}

MujocoEnv::~MujocoEnv() { mj_deleteData(data_); }

std::array<double, 2> MujocoEnv::Range(const Config& config, const char* name) {
  const std::vector<double>& values = config.Get<std::vector<double>>(name);
  if (values.size() != 2) {
    throw std::invalid_argument(std::string(name) + " must hold 2 values (min, max), got " +
                                std::to_string(values.size()));
  }
  return {values[0], values[1]};
}

EnvSpec MujocoEnv::Spec() const {
  EnvSpec spec;
  spec.observation = ArraySpec::Unbounded(DType::kFloat64, {observation_size_});
  if (render_.from_pixels) {
    std::vector<std::int64_t> shape = {render_.height, render_.width, 3};
    if (render_.frame_stack > 1) shape.insert(shape.begin(), render_.frame_stack);
    spec.observation = ArraySpec::Box(DType::kUInt8, std::move(shape), {0.0}, {255.0});
  }

  // Gymnasium's action space: the actuators' ctrlrange, cast to float32.
  std::vector<double> low(model_->nu), high(model_->nu);
  for (int i = 0; i < model_->nu; ++i) {
    low[i] = static_cast<float>(model_->actuator_ctrlrange[2 * i]);
    high[i] = static_cast<float>(model_->actuator_ctrlrange[2 * i + 1]);
  }
  spec.action = ArraySpec::Box(DType::kFloat32, {model_->nu}, std::move(low), std::move(high));

  for (const InfoArray& info : info_) {
    spec.info.push_back({info.name, ArraySpec::Unbounded(DType::kFloat64, info.shape)});
  }
  // pixels_only false: the state vector (stack) rides as the last info array, which the facades
  // put in the observation dict next to the pictures.
  if (render_.from_pixels && !render_.pixels_only) {
    std::vector<std::int64_t> shape = {observation_size_};
    if (render_.frame_stack > 1) shape.insert(shape.begin(), render_.frame_stack);
    spec.info.push_back({"state", ArraySpec::Unbounded(DType::kFloat64, std::move(shape))});
    spec.observation_key = "pixels";
    spec.observation_info = {"state"};
  }
  spec.state_layout = {{"qpos", static_cast<int>(model_->nq)},
                       {"qvel", static_cast<int>(model_->nv)}};
  spec.render_shape = {render_.height, render_.width, 3};
  // Gymnasium's metadata["render_fps"]: one picture per env step.
  spec.render_fps = static_cast<int>(std::lround(1.0 / dt()));
  return spec;
}

void MujocoEnv::Render(std::uint8_t* rgb) const {
  if (!camera_ready_) {
    InitCamera(render_, *model_, *data_, &camera_);
    camera_ready_ = true;
  }
  RenderScene(model_, *data_, camera_, render_.width, render_.height, rgb);
}

void MujocoEnv::Reset(const EnvOutput& out) {
  mj_resetData(model_.get(), data_);
  ResetModel();
  restart_stack_ = true;
  WriteObservation(out);

  // Keys Gymnasium's reset does not return read 0; then the task's reset info.
  for (std::size_t i = 0; i < info_.size(); ++i) {
    std::fill_n(out.Info<double>(i), info_[i].size, 0.0);
  }
  FillResetInfo(out);
}

std::vector<double> MujocoEnv::GetState() const {
  std::vector<double> state(data_->qpos, data_->qpos + model_->nq);
  state.insert(state.end(), data_->qvel, data_->qvel + model_->nv);
  return state;
}

void MujocoEnv::SetState(const std::vector<double>& state) {
  // (Its size, nq + nv, is checked by the engine against the spec's state_layout.)
  SetQposQvel(state.data(), state.data() + model_->nq);
}

int MujocoEnv::AddInfo(const std::string& name, std::vector<std::int64_t> shape) {
  std::size_t size = 1;
  for (std::int64_t dim : shape) size *= static_cast<std::size_t>(dim);
  info_.push_back({name, std::move(shape), size});
  return static_cast<int>(info_.size()) - 1;
}

void MujocoEnv::DeclareInfo(std::initializer_list<Info> keys) {
  for (Info key : keys) info_slots_[static_cast<int>(key)] = AddInfo(InfoName(key));
}

void MujocoEnv::Step(const void* action, const EnvOutput& out) {
  for (int part = 0; part < StepParts(); ++part) StepPart(part, action, out);
}

void MujocoEnv::StepPart(int part, const void* action, const EnvOutput& out) {
  const float* ctrl = static_cast<const float*>(action);
  // Before the first physics step: the task's look at the state, then the float32 action
  // widened into ctrl, unclipped (MuJoCo clamps limited controls itself).
  if (part == 0) {
    BeginStep(ctrl);
    for (int i = 0; i < model_->nu; ++i) data_->ctrl[i] = ctrl[i];
  }
  // One physics step, or one of its halves: mj_step1 then mj_step2 is mj_step, bit for bit, for
  // every integrator but RK4.
  if (parts_per_physics_step_ == 1) {
    mj_step(model_.get(), data_);
  } else if (part % 2 == 0) {
    mj_step1(model_.get(), data_);
  } else {
    mj_step2(model_.get(), data_);
  }
  // After the last: the body forces (cacc, cfrc_int, cfrc_ext) if the task reads them, then the
  // task's outputs.
  if (part + 1 == StepParts()) {
    if (reads_body_forces_) mj_rnePostConstraint(model_.get(), data_);
    FinishStep(ctrl, out);
  }
}

void MujocoEnv::SetQposQvel(const double* qpos, const double* qvel) {
  std::copy_n(qpos, model_->nq, data_->qpos);
  std::copy_n(qvel, model_->nv, data_->qvel);
  mj_forward(model_.get(), data_);
}

namespace {

// A stack of `count` items of `item` values each, oldest first, with the newest written by
// `write` (its last slot); after a restart, every slot holds the newest.
template <typename T, typename Write>
void PushStacked(std::vector<T>& stack, std::size_t item, int count, bool restart, Write write) {
  stack.resize(item * count);
  if (!restart) std::copy(stack.begin() + item, stack.end(), stack.begin());
  write(stack.data() + item * (count - 1));
  if (restart) {
    for (int k = 0; k + 1 < count; ++k) {
      std::copy_n(stack.end() - item, item, stack.begin() + item * k);
    }
  }
}

}  // namespace

void MujocoEnv::WriteObservation(const EnvOutput& out) const {
  const auto fill_state = [this](double* begin) {
    const double* end = FillObservation(begin);
    if (end - begin != observation_size_) {
      throw std::logic_error("observation of " + std::to_string(end - begin) +
                             " values, declared " + std::to_string(observation_size_));
    }
  };
  if (!render_.from_pixels) {
    fill_state(out.Observation<double>());
    return;
  }
  // The newest picture (and state) last: after a reset, every slot holds the first one.
  const std::size_t picture_bytes = 3 * static_cast<std::size_t>(render_.width) * render_.height;
  PushStacked(frames_, picture_bytes, render_.frame_stack, restart_stack_,
              [this](std::uint8_t* picture) { Render(picture); });
  std::copy(frames_.begin(), frames_.end(), out.Observation<std::uint8_t>());
  if (!render_.pixels_only) {
    PushStacked(states_, static_cast<std::size_t>(observation_size_), render_.frame_stack,
                restart_stack_, fill_state);
    std::copy(states_.begin(), states_.end(), out.Info<double>(info_.size()));
  }
  restart_stack_ = false;
}

int MujocoEnv::BodyId(const char* name) const {
  const int id = mj_name2id(model_.get(), mjOBJ_BODY, name);
  if (id < 0) {
    throw std::invalid_argument(std::string("the model has no body named '") + name + "'");
  }
  return id;
}

void MujocoEnv::ResetWithNoise(double scale, bool normal_qvel) {
  // Drawn in Gymnasium's order: every qpos value, then every qvel value.
  for (int i = 0; i < model_->nq; ++i) qpos_[i] = init_qpos()[i] + rng().Uniform(-scale, scale);
  for (int i = 0; i < model_->nv; ++i) {
    qvel_[i] = normal_qvel ? scale * StandardNormal() : rng().Uniform(-scale, scale);
  }
  SetQposQvel(qpos_.data(), qvel_.data());
}

double MujocoEnv::StandardNormal() {
  // Box-Muller; 1 - U keeps the logarithm's argument in (0, 1].
  const double radius = std::sqrt(-2.0 * std::log(1.0 - rng().Uniform01()));
  return radius * std::cos(2.0 * std::numbers::pi * rng().Uniform01());
}

namespace {

// The mjData arrays computed by a step that a snapshot keeps as they are (see SaveState()), each
// as (pointer to the array, number of values), for a model.
template <typename Data>
auto DerivedArrays(const mjModel& m, Data& d) {
  return std::array{
      std::pair{d.xpos, 3 * m.nbody},
      std::pair{d.xquat, 4 * m.nbody},
      std::pair{d.xmat, 9 * m.nbody},
      std::pair{d.xipos, 3 * m.nbody},
      std::pair{d.ximat, 9 * m.nbody},
      std::pair{d.xanchor, 3 * m.njnt},
      std::pair{d.xaxis, 3 * m.njnt},
      std::pair{d.geom_xpos, 3 * m.ngeom},
      std::pair{d.geom_xmat, 9 * m.ngeom},
      std::pair{d.site_xpos, 3 * m.nsite},
      std::pair{d.site_xmat, 9 * m.nsite},
      std::pair{d.cam_xpos, 3 * m.ncam},
      std::pair{d.cam_xmat, 9 * m.ncam},
      std::pair{d.light_xpos, 3 * m.nlight},
      std::pair{d.light_xdir, 3 * m.nlight},
      std::pair{d.subtree_com, 3 * m.nbody},
      std::pair{d.cinert, 10 * m.nbody},
      std::pair{d.cvel, 6 * m.nbody},
      std::pair{d.cacc, 6 * m.nbody},
      std::pair{d.cfrc_int, 6 * m.nbody},
      std::pair{d.cfrc_ext, 6 * m.nbody},
      std::pair{d.qfrc_actuator, m.nv},
      std::pair{d.actuator_force, m.nu},
      std::pair{d.sensordata, m.nsensordata},
      std::pair{d.qacc, m.nv},
  };
}

}  // namespace

void MujocoEnv::SaveState(StateWriter& out) const {
  std::vector<mjtNum> state(
      static_cast<std::size_t>(mj_stateSize(model_.get(), mjSTATE_INTEGRATION)));
  mj_getState(model_.get(), data_, state.data(), mjSTATE_INTEGRATION);
  out.PutVector(state);
  for (const auto& [values, count] : DerivedArrays(*model_, *data_)) {
    out.PutArray(values, static_cast<std::size_t>(count));
  }
  out.Put(camera_ready_);
  out.Put(camera_);
  out.PutVector(frames_);
  out.Put(restart_stack_);
  for (const auto& [name, field] : reset_fields_) {
    std::visit([&out](const auto* value) { out.Put(*value); }, field);
  }
}

void MujocoEnv::LoadState(StateReader& in) {
  std::vector<mjtNum> state(
      static_cast<std::size_t>(mj_stateSize(model_.get(), mjSTATE_INTEGRATION)));
  in.GetArray(state.data(), state.size());
  mj_setState(model_.get(), data_, state.data(), mjSTATE_INTEGRATION);
  for (const auto& [values, count] : DerivedArrays(*model_, *data_)) {
    in.GetArray(values, static_cast<std::size_t>(count));
  }
  camera_ready_ = in.Get<bool>();
  camera_ = in.Get<mjvCamera>();
  std::vector<std::uint8_t> frames = in.GetVector<std::uint8_t>();
  if (frames.size() != frames_.size()) StateReader::Corrupt();
  frames_ = std::move(frames);
  restart_stack_ = in.Get<bool>();
  for (auto& [name, field] : reset_fields_) {
    std::visit([&in](auto* value) { *value = in.Get<std::remove_pointer_t<decltype(value)>>(); },
               field);
  }
}

void MujocoEnv::BindResetOption(const Config& config, const char* name, ResetField field) {
  if (config.values().contains(name)) reset_fields_.emplace_back(name, field);
}

std::vector<std::string> MujocoEnv::BoundResetOptions() const {
  std::vector<std::string> names;
  for (const auto& [name, field] : reset_fields_) names.push_back(name);
  return names;
}

void MujocoEnv::Reconfigure(const Config& config) {
  for (auto& [name, field] : reset_fields_) {
    if (auto* real = std::get_if<double*>(&field)) {
      **real = config.Get<double>(name);
    } else if (auto* flag = std::get_if<bool*>(&field)) {
      **flag = config.Get<bool>(name);
    } else {
      *std::get<std::array<double, 2>*>(field) = Range(config, name.c_str());
    }
  }
}

}  // namespace envfleet::mujoco
