#include "envfleet/dm_control/suite_env.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "envfleet/core/array_spec.h"
#include "envfleet/mujoco/model_cache.h"

namespace envfleet::dm_control {
namespace {

// A copy of `model` with actuation disabled, shared per model: the model of Physics.after_reset()'s
// forward pass (`with model.disable('actuation')`), for envs that share their model.
std::shared_ptr<const mjModel> NoActuationModel(const std::shared_ptr<const mjModel>& model) {
  static std::mutex mutex;
  static std::map<const mjModel*, std::shared_ptr<const mjModel>> copies;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& copy = copies[model.get()];
  if (!copy) {
    mjModel* raw = mj_copyModel(nullptr, model.get());
    if (raw == nullptr) throw std::runtime_error("mj_copyModel failed");
    raw->opt.disableflags |= mjDSBL_ACTUATION;
    copy.reset(raw, [](const mjModel* m) { mj_deleteModel(const_cast<mjModel*>(m)); });
  }
  return copy;
}

// The model of `path`, compiled through MuJoCo's mjSpec and shared per file, `key` and `small`:
// with `edit` applied to the spec first (the domains dm_control builds by editing the XML), and
// with `small`, every builtin texture compiled at 8 x 8 pixels, for the source of the envs'
// private model copies. The suite's skybox and grid textures are 99.8% of a compiled model's
// memory (11.8 MB of Reacher's 11.8 MB buffer), so a private copy of the full model costs ~12 MB
// per env; textures only colour pictures, so the physics is unchanged.
std::shared_ptr<const mjModel> CompiledModel(const std::string& path, const std::string& key,
                                             const std::function<void(mjSpec*)>& edit, bool small) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const mjModel>> models;
  const std::lock_guard<std::mutex> lock(mutex);
  auto& model = models[path + '\n' + key + (small ? "\nsmall" : "")];
  if (!model) {
    char error[1024] = "";
    mjSpec* spec = mj_parseXML(path.c_str(), nullptr, error, sizeof(error));
    if (spec == nullptr) throw std::invalid_argument("MuJoCo cannot load " + path + ": " + error);
    try {
      if (edit) edit(spec);
    } catch (...) {
      mj_deleteSpec(spec);
      throw;
    }
    if (small) {
      for (mjsElement* element = mjs_firstElement(spec, mjOBJ_TEXTURE); element != nullptr;
           element = mjs_nextElement(spec, element)) {
        mjsTexture* texture = mjs_asTexture(element);
        if (texture->builtin != mjBUILTIN_NONE) texture->width = texture->height = 8;
      }
    }
    mjModel* raw = mj_compile(spec, nullptr);
    const std::string message = mjs_getError(spec);
    mj_deleteSpec(spec);
    if (raw == nullptr)
      throw std::invalid_argument("MuJoCo cannot compile " + path + ": " + message);
    model.reset(raw, [](const mjModel* m) { mj_deleteModel(const_cast<mjModel*>(m)); });
  }
  return model;
}

}  // namespace

int ObjectId(const mjModel& model, mjtObj type, const char* name) {
  const int id = mj_name2id(&model, type, name);
  if (id < 0) throw std::invalid_argument(std::string("the model has no object named ") + name);
  return id;
}

void RemoveElement(mjSpec* spec, mjsElement* element, const std::string& xml_file,
                   const std::string& what) {
  if (element == nullptr || mjs_delete(spec, element) != 0) {
    throw std::invalid_argument(xml_file + ": cannot remove " + what);
  }
}

void RemoveBody(mjSpec* spec, const std::string& xml_file, const std::string& name) {
  mjsBody* body = mjs_findBody(spec, name.c_str());
  RemoveElement(spec, body == nullptr ? nullptr : body->element, xml_file, "the body " + name);
}

OptionList SuiteEnv::Options(const Variant& variant) {
  return {
      {"time_limit", variant.time_limit,
       "episode length in seconds of simulated time (the suite's time_limit; inf: no limit)"},
      {"frame_skip", std::int64_t{1},
       "control steps per env step, each with the same action; rewards are summed (action "
       "repeat)"},
      {"flat_observation", false,
       "one float64 array, the suite's keys concatenated in order, instead of a dict"},
  };
}

SuiteEnv::SuiteEnv(const Config& config, const Variant& variant)
    : frame_skip_(static_cast<int>(config.Get<std::int64_t>("frame_skip"))),
      flat_observation_(config.Get<bool>("flat_observation")) {
  if (frame_skip_ < 1) {
    throw std::invalid_argument("frame_skip must be >= 1, got " + std::to_string(frame_skip_));
  }
  const double time_limit = config.Get<double>("time_limit");
  if (!(time_limit > 0)) {
    throw std::invalid_argument("time_limit must be > 0, got " + std::to_string(time_limit));
  }
  const std::string path = (std::filesystem::path(variant.suite_dir) / variant.xml_file).string();
  if (variant.private_model) {
    shared_model_ = CompiledModel(path, variant.edit_key, variant.edit, true);
    own_model_ = mj_copyModel(nullptr, shared_model_.get());
    if (own_model_ == nullptr) throw std::runtime_error("mj_copyModel failed for " + path);
    model_ = own_model_;
  } else {
    shared_model_ = variant.edit ? CompiledModel(path, variant.edit_key, variant.edit, false)
                                 : mujoco::LoadModel(path, false);
    no_actuation_model_ = NoActuationModel(shared_model_);
    model_ = shared_model_.get();
  }
  data_ = mj_makeData(model_);
  if (data_ == nullptr) throw std::runtime_error("mj_makeData failed for " + path);
  parts_per_sub_step_ = model_->opt.integrator == mjINT_RK4 ? 1 : 2;

  // control.compute_n_steps and the step limit, as dm_control computes them.
  const double timestep = model_->opt.timestep;
  if (variant.control_timestep > 0) {
    const double ratio = variant.control_timestep / timestep;
    n_sub_steps_ = static_cast<int>(std::round(ratio));
  }
  if (std::isfinite(time_limit)) {
    step_limit_ = static_cast<std::int64_t>(std::ceil(time_limit / (timestep * n_sub_steps_)));
  }
}

SuiteEnv::~SuiteEnv() {
  mj_deleteData(data_);
  if (own_model_ != nullptr) mj_deleteModel(own_model_);
}

mjModel& SuiteEnv::mutable_model() {
  if (own_model_ == nullptr) throw std::logic_error("this task's model is shared");
  return *own_model_;
}

void SuiteEnv::AddObservation(const std::string& name, std::vector<std::int64_t> shape) {
  int size = 1;
  for (std::int64_t dim : shape) size *= static_cast<int>(dim);
  observation_size_ += size;
  layout_.push_back({name, std::move(shape)});
}

EnvSpec SuiteEnv::Spec() const {
  EnvSpec spec;
  spec.observation = ArraySpec::Unbounded(DType::kFloat64, {observation_size_});
  if (!flat_observation_) spec.observation_layout = layout_;
  std::vector<double> low(model_->nu, -mjMAXVAL);
  std::vector<double> high(model_->nu, mjMAXVAL);
  for (int i = 0; i < model_->nu; ++i) {
    if (model_->actuator_ctrllimited[i]) {
      low[i] = model_->actuator_ctrlrange[2 * i];
      high[i] = model_->actuator_ctrlrange[2 * i + 1];
    }
  }
  spec.action = ArraySpec::Box(DType::kFloat64, {model_->nu}, std::move(low), std::move(high));
  spec.max_episode_steps = static_cast<int>((step_limit_ + frame_skip_ - 1) / frame_skip_);
  const int nq = static_cast<int>(model_->nq);
  const int nv = static_cast<int>(model_->nv);
  const int na = static_cast<int>(model_->na);
  spec.state_layout = {{"qpos", nq}, {"qvel", nv}, {"act", na}, {"qacc_warmstart", nv}};
  if (TaskStateSize() > 0) spec.state_layout.push_back({"task", TaskStateSize()});
  return spec;
}

void SuiteEnv::Forward() {
  if (own_model_ != nullptr) {
    const int flags = own_model_->opt.disableflags;
    own_model_->opt.disableflags |= mjDSBL_ACTUATION;
    mj_forward(own_model_, data_);
    own_model_->opt.disableflags = flags;
  } else {
    mj_forward(no_actuation_model_.get(), data_);
  }
}

void SuiteEnv::Reset(const EnvOutput& out) {
  // Physics.reset_context(): reset, the task's initial state, a forward pass without actuation.
  mj_resetData(model_, data_);
  Forward();
  InitializeEpisode();
  Forward();
  control_steps_ = 0;
  WriteObservation(out);
}

void SuiteEnv::BeforeStep(const double* action) { std::copy_n(action, model_->nu, data_->ctrl); }

void SuiteEnv::Step(const void* action, const EnvOutput& out) {
  for (int part = 0; part < StepParts(); ++part) StepPart(part, action, out);
}

void SuiteEnv::StepPart(int part, const void* action, const EnvOutput& out) {
  const int parts_per_control_step = n_sub_steps_ * parts_per_sub_step_;
  const int within = part % parts_per_control_step;
  if (part == 0) {
    step_reward_ = 0.0;
    discount_.reset();
    episode_over_ = false;
  }
  if (!episode_over_) {
    if (within == 0) BeforeStep(static_cast<const double*>(action));
    if (parts_per_sub_step_ == 1) {
      mj_step(model_, data_);
      if (within + 1 == parts_per_control_step) mj_step1(model_, data_);
    } else if (within % 2 == 0) {
      mj_step2(model_, data_);
    } else {
      mj_step1(model_, data_);
    }
    if (within + 1 == parts_per_control_step) FinishControlStep();
  }
  if (part + 1 == StepParts()) {
    *out.reward = step_reward_;
    *out.terminated = discount_.has_value();
    WriteObservation(out);
  }
}

void SuiteEnv::FinishControlStep() {
  step_reward_ += Reward();
  ++control_steps_;
  discount_ = Termination();
  episode_over_ = discount_.has_value() || (step_limit_ > 0 && control_steps_ >= step_limit_);
}

void SuiteEnv::WriteObservation(const EnvOutput& out) const {
  double* begin = out.Observation<double>();
  const double* end = Observe(begin);
  if (end - begin != observation_size_) {
    throw std::logic_error("observation of " + std::to_string(end - begin) + " values, declared " +
                           std::to_string(observation_size_));
  }
}

std::vector<double> SuiteEnv::GetState() const {
  const mjModel& m = *model_;
  std::vector<double> state;
  state.reserve(m.nq + 2 * m.nv + m.na + TaskStateSize());
  state.insert(state.end(), data_->qpos, data_->qpos + m.nq);
  state.insert(state.end(), data_->qvel, data_->qvel + m.nv);
  state.insert(state.end(), data_->act, data_->act + m.na);
  state.insert(state.end(), data_->qacc_warmstart, data_->qacc_warmstart + m.nv);
  state.resize(state.size() + TaskStateSize());
  GetTaskState(state.data() + state.size() - TaskStateSize());
  return state;
}

void SuiteEnv::SetState(const std::vector<double>& state) {
  // The engine has checked the size against the spec's state_layout.
  const mjModel& m = *model_;
  const double* in = state.data();
  std::copy_n(in, m.nq, data_->qpos);
  in += m.nq;
  std::copy_n(in, m.nv, data_->qvel);
  in += m.nv;
  std::copy_n(in, m.na, data_->act);
  in += m.na;
  std::copy_n(in, m.nv, data_->qacc_warmstart);
  in += m.nv;
  SetTaskState(in);
  Forward();
}

namespace {

// The mjData arrays of the acceleration stage (mj_step2) that a control step's observation and
// reward may read and that the mj_step1 ending every control step leaves as they are, each as
// (pointer to the array, number of values), for a model. Snapshots keep them as they are.
template <typename Data>
auto AccelerationArrays(const mjModel& m, Data& d) {
  return std::array{
      std::pair{d.sensordata, m.nsensordata}, std::pair{d.qacc, m.nv},
      std::pair{d.qacc_smooth, m.nv},         std::pair{d.qfrc_smooth, m.nv},
      std::pair{d.qfrc_constraint, m.nv},     std::pair{d.qfrc_actuator, m.nv},
      std::pair{d.actuator_force, m.nu},      std::pair{d.cacc, 6 * m.nbody},
      std::pair{d.cfrc_int, 6 * m.nbody},     std::pair{d.cfrc_ext, 6 * m.nbody},
  };
}

}  // namespace

void SuiteEnv::SaveTaskState(StateWriter& out) const {
  std::vector<double> state(static_cast<std::size_t>(TaskStateSize()));
  GetTaskState(state.data());
  out.PutVector(state);
}

void SuiteEnv::LoadTaskState(StateReader& in) {
  const std::vector<double> state = in.GetVector<double>();
  if (state.size() != static_cast<std::size_t>(TaskStateSize())) StateReader::Corrupt();
  SetTaskState(state.data());
}

void SuiteEnv::SaveState(StateWriter& out) const {
  std::vector<mjtNum> state(static_cast<std::size_t>(mj_stateSize(model_, mjSTATE_INTEGRATION)));
  mj_getState(model_, data_, state.data(), mjSTATE_INTEGRATION);
  out.PutVector(state);
  for (const auto& [values, count] : AccelerationArrays(*model_, *data_)) {
    out.PutArray(values, static_cast<std::size_t>(count));
  }
  out.Put(control_steps_);
  out.Put(step_reward_);
  out.Put(discount_.has_value());
  out.Put(discount_.value_or(0.0));
  out.Put(episode_over_);
  SaveTaskState(out);
}

void SuiteEnv::LoadState(StateReader& in) {
  std::vector<mjtNum> state = in.GetVector<mjtNum>();
  if (state.size() != static_cast<std::size_t>(mj_stateSize(model_, mjSTATE_INTEGRATION))) {
    StateReader::Corrupt();
  }
  // The saved results, read before anything changes, written back after mj_step1.
  std::vector<std::vector<mjtNum>> results;
  for (const auto& [values, count] : AccelerationArrays(*model_, *data_)) {
    std::vector<mjtNum>& saved = results.emplace_back(static_cast<std::size_t>(count));
    in.GetArray(saved.data(), saved.size());
  }
  const auto control_steps = in.Get<std::int64_t>();
  const auto step_reward = in.Get<double>();
  const bool has_discount = in.Get<bool>();
  const auto discount = in.Get<double>();
  const bool episode_over = in.Get<bool>();
  LoadTaskState(in);
  mj_setState(model_, data_, state.data(), mjSTATE_INTEGRATION);
  mj_step1(model_, data_);
  std::size_t next = 0;
  for (const auto& [values, count] : AccelerationArrays(*model_, *data_)) {
    std::copy(results[next].begin(), results[next].end(), values);
    ++next;
  }
  control_steps_ = control_steps;
  step_reward_ = step_reward;
  discount_ = has_discount ? std::optional<double>(discount) : std::nullopt;
  episode_over_ = episode_over;
}

void SuiteEnv::PhysicsStep(int n) {
  if (parts_per_sub_step_ == 1) {
    for (int i = 0; i < n; ++i) mj_step(model_, data_);
  } else {
    mj_step2(model_, data_);
    for (int i = 1; i < n; ++i) mj_step(model_, data_);
  }
  mj_step1(model_, data_);
}

void SuiteEnv::RandomizeLimitedAndRotationalJoints() {
  constexpr double kPi = std::numbers::pi;
  const mjModel& m = *model_;
  for (int joint = 0; joint < m.njnt; ++joint) {
    double* qpos = data_->qpos + m.jnt_qposadr[joint];
    const double low = m.jnt_range[2 * joint];
    const double high = m.jnt_range[2 * joint + 1];
    const int type = m.jnt_type[joint];
    if (m.jnt_limited[joint]) {
      if (type == mjJNT_HINGE || type == mjJNT_SLIDE) {
        qpos[0] = rng().Uniform(low, high);
      } else if (type == mjJNT_BALL) {
        // random_limited_quaternion: a uniform axis, an angle uniform in [0, limit).
        double axis[3];
        for (double& value : axis) value = StandardNormal();
        mju_normalize3(axis);
        mju_axisAngle2Quat(qpos, axis, rng().Uniform01() * high);
      }
    } else if (type == mjJNT_HINGE) {
      qpos[0] = rng().Uniform(-kPi, kPi);
    } else if (type == mjJNT_BALL) {
      for (int i = 0; i < 4; ++i) qpos[i] = StandardNormal();
      mju_normalize4(qpos);
    } else if (type == mjJNT_FREE) {
      // dm_control draws U(0, 1) components here (not normals), kept for its benchmarks.
      for (int i = 3; i < 7; ++i) qpos[i] = rng().Uniform01();
      mju_normalize4(qpos + 3);
    }
  }
}

double SuiteEnv::StandardNormal() {
  // Box-Muller; 1 - U keeps the logarithm's argument in (0, 1].
  const double radius = std::sqrt(-2.0 * std::log(1.0 - rng().Uniform01()));
  return radius * std::cos(2.0 * std::numbers::pi * rng().Uniform01());
}

}  // namespace envfleet::dm_control
