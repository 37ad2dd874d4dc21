// MujocoEnv: the base of every MuJoCo task, Gymnasium's MujocoEnv in C++.
//
// A MujocoEnv owns one mjData over a shared, read-only mjModel (model_cache.h) and does what
// Gymnasium's MujocoEnv does for every task: reset (mj_resetData, then the task's reset_model and
// reset info), stepping (`ctrl = action`, mj_step `frame_skip` times, then, for tasks that read
// cfrc_ext, mj_rnePostConstraint so that it is current; a step is also offered in parts, one
// mj_step each, or one mj_step1 or mj_step2 each where the integrator allows, so that sync mode
// can balance its threads), set_state (qpos and qvel copied in, then mj_forward) and the reset
// noise draws. It also builds the spec every task shares: float64 observations, float32 actions
// bounded by the model's ctrlrange, float64 info arrays and the state layout (qpos, qvel).
//
// A task derives from it, declares its observation size and info keys in its constructor, and
// implements ResetModel(), FillObservation() and FinishStep(); BeginStep() where the reward needs
// the state before the physics, FillResetInfo() where Gymnasium's reset returns info.
// Thread-safety: one thread at a time, as every Env; the shared model is only read. Ownership: the
// env owns its mjData and shares the model (freed with the model cache's entry). Blocking: none;
// Reset() and Step() run the physics on the calling thread. Errors: the constructor throws
// std::invalid_argument for a model file that cannot be loaded or an option value that cannot be
// honoured, before any env of a pool runs.
#ifndef ENVFLEET_MUJOCO_MUJOCO_ENV_H_
#define ENVFLEET_MUJOCO_MUJOCO_ENV_H_

#include <mujoco/mujoco.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/render_options.h"

namespace envfleet::mujoco {

// What one registered id fixes for its task: Gymnasium's version and that version's defaults.
struct VersionDefaults {
  int version = 5;        // 4 or 5
  std::string asset_dir;  // Gymnasium's assets folder (gymnasium/envs/mujoco/assets)
  std::string xml_file;   // the version's model file, used when there is no xml_file option
  int frame_skip = 5;     // the version's frame skip, used when there is no frame_skip option
  // Gymnasium's DEFAULT_CAMERA_CONFIG of the task, as default_camera_config text
  // (render_options.h).
  std::string default_camera_config;
};

// The scalar info keys MuJoCo tasks report; InfoName() gives Gymnasium's name of each.
enum class Info {
  kXPosition,
  kYPosition,
  kDistanceFromOrigin,
  kZDistanceFromOrigin,
  kXVelocity,
  kYVelocity,
  kForwardReward,
  kRewardForward,
  kRewardRun,
  kRewardFwd,
  kRewardLinvel,
  kRewardLinup,
  kRewardCtrl,
  kRewardQuadctrl,
  kRewardContact,
  kRewardImpact,
  kRewardSurvive,
  kRewardAlive,
  kRewardDist,
  kRewardNear,
  kDistancePenalty,
  kVelocityPenalty,
  kCount
};
const char* InfoName(Info key);

class MujocoEnv : public Env {
 public:
  ~MujocoEnv() override;
  MujocoEnv(const MujocoEnv&) = delete;
  MujocoEnv& operator=(const MujocoEnv&) = delete;

  // The spec of this env (the time limit and reward threshold are set per id).
  EnvSpec Spec() const;

  // Gymnasium's reset(): mj_resetData, ResetModel(), the observation and the reset info (keys
  // Gymnasium's reset does not return are 0).
  void Reset(const EnvOutput& out) final;

  // Gymnasium's step(): BeginStep(), ctrl = action, frame_skip mj_steps (then the body forces if
  // the task reads them), FinishStep(). In parts: one per mj_step, or, for the Euler and implicit
  // integrators, two (mj_step1, then mj_step2: the same arithmetic); part 0 runs after
  // BeginStep() and the controls, the last before FinishStep(). Step() runs every part.
  void Step(const void* action, const EnvOutput& out) final;
  int StepParts() const final { return frame_skip_ * parts_per_physics_step_; }
  void StepPart(int part, const void* action, const EnvOutput& out) final;

  // [qpos, qvel], and Gymnasium's set_state(qpos, qvel): both copied in, then mj_forward.
  std::vector<double> GetState() const override;
  void SetState(const std::vector<double>& state) override;

  // Snapshots: MuJoCo's whole integration state (mj_getState with mjSTATE_INTEGRATION: time,
  // qpos, qvel, act, warm start, controls, applied forces, mocap, user data), then the results of
  // the last step's kinematics that the next step's reward reads before its physics recomputes
  // them (body and geom poses, centres of mass, ...) and the pictures' camera and pixel stack.
  // Loading writes them back without recomputing anything, so the next step is bit-identical.
  // The task's reset options (each a member bound with BindResetOption) follow.
  void SaveState(StateWriter& out) const override;
  void LoadState(StateReader& in) override;

  // Per-env options at reset (EnvType::reset_options): sets every member the task bound with
  // BindResetOption() from `config`, the env's whole config with its own values.
  void Reconfigure(const Config& config) override;
  // The names of the bound options, in binding order (the env type checks them against its
  // declared reset options).
  std::vector<std::string> BoundResetOptions() const;

  // Gymnasium's render() in rgb_array mode: MuJoCo's renderer, headless, at the `width` x
  // `height` of the options, from their camera (render_options.h). The camera is set up on the
  // first picture, from the state then, as Gymnasium's viewer sets it up.
  void Render(std::uint8_t* rgb) const override;

 protected:
  // Loads the model the config's `xml_file` names (or the version's file) and makes the data.
  MujocoEnv(const Config& config, const VersionDefaults& defaults);

  // An option's value where the env type declares it, else `fallback` (the value Gymnasium's
  // class of a version without that keyword uses).
  template <typename T>
  static T OptionOr(const Config& config, const std::string& name, T fallback) {
    return config.values().contains(name) ? config.Get<T>(name) : fallback;
  }
  // A 2-value range option's values; std::invalid_argument unless it has exactly two.
  static std::array<double, 2> Range(const Config& config, const char* name);

  // ---- Task hooks ----
  // Draws the initial state and sets it (Gymnasium's reset_model, without the observation).
  virtual void ResetModel() = 0;
  // Writes the observation from `obs` on; returns one past the last value written.
  virtual double* FillObservation(double* obs) const = 0;
  // Writes the info Gymnasium's reset returns (every info array is zeroed before).
  virtual void FillResetInfo(const EnvOutput& /*out*/) const {}
  // The task's step before the physics: keeps what its reward needs from the state the step
  // begins in (a position, for a velocity).
  virtual void BeginStep(const float* /*action*/) {}
  // The task's step after the physics: writes observation, reward, terminated and info.
  virtual void FinishStep(const float* action, const EnvOutput& out) = 0;

  // ---- Declarations, from a task's constructor ----
  // A member that the option `name` sets: Reconfigure() sets it anew from the env's config, and
  // snapshots save it. Options the config lacks (those of another version) are not bound.
  using ResetField = std::variant<double*, bool*, std::array<double, 2>*>;
  void BindResetOption(const Config& config, const char* name, ResetField field);
  void SetObservationSize(int size) { observation_size_ = size; }
  // Declares an info array of this shape (empty: a scalar); returns its index in EnvOutput::info.
  int AddInfo(const std::string& name, std::vector<std::int64_t> shape = {});
  // Declares the scalar info keys this env reports, in order.
  void DeclareInfo(std::initializer_list<Info> keys);

  // ---- Simulation ----
  // Declares that the task reads cfrc_ext. Gymnasium's do_simulation computes the body forces
  // (cacc, cfrc_int, cfrc_ext) after every step; they are outputs only, read by no later step, so
  // a task that never reads them skips that work (about 1% of a HalfCheetah step).
  void ReadsBodyForces() { reads_body_forces_ = true; }
  // Gymnasium's set_state: qpos and qvel copied in, then mj_forward.
  void SetQposQvel(const double* qpos, const double* qvel);
  // Writes the observation and checks its size against the declared one; with from_pixels,
  // the picture (stack) instead, and with pixels_only false the state (stack) into the "state"
  // info array.
  void WriteObservation(const EnvOutput& out) const;
  // Writes a scalar info value; a key this env does not report is skipped.
  void SetInfo(const EnvOutput& out, Info key, double value) const {
    const int slot = info_slots_[static_cast<int>(key)];
    if (slot >= 0) *out.Info<double>(slot) = value;
  }
  // Writes the position keys of a planar position `xy` (2 values): x_position, y_position and
  // distance_from_origin (the norm of `xy`, as np.linalg.norm); unreported keys are skipped.
  void SetPositionInfo(const EnvOutput& out, const double* xy) const {
    SetInfo(out, Info::kXPosition, xy[0]);
    SetInfo(out, Info::kYPosition, xy[1]);
    SetInfo(out, Info::kDistanceFromOrigin, Norm(xy, 2));
  }
  // Writes x_velocity and y_velocity; unreported keys are skipped.
  void SetVelocityInfo(const EnvOutput& out, double x_velocity, double y_velocity) const {
    SetInfo(out, Info::kXVelocity, x_velocity);
    SetInfo(out, Info::kYVelocity, y_velocity);
  }

  // The healthy reward of a step: v4 pays it while healthy or whenever the episode ends on
  // unhealth (so every step it runs), v5 only while healthy.
  double HealthyReward(bool healthy, bool terminate_when_unhealthy, double reward) const {
    const bool paid = version_ == 4 ? healthy || terminate_when_unhealthy : healthy;
    return (paid ? 1.0 : 0.0) * reward;
  }

  // Gymnasium's control_cost of a float32 action: weight * np.sum(np.square(action)), which
  // NumPy computes in float32.
  float ControlCost(double weight, const float* action) const {
    return static_cast<float>(weight) * SumOfSquares(action, model_->nu);
  }

  // The id of the body called `name`; std::invalid_argument naming the task if there is none.
  int BodyId(const char* name) const;
  // A body's Cartesian position (xpos, 3 values); Gymnasium's get_body_com().
  const double* BodyPosition(int body) const { return data_->xpos + 3 * body; }

  // ---- Reset noise ----
  // qpos = init_qpos + U(-scale, scale); qvel = init_qvel + U(-scale, scale), or
  // scale * N(0, 1) when `normal_qvel`; then set_state. The draws of most tasks' reset_model.
  void ResetWithNoise(double scale, bool normal_qvel);
  double StandardNormal();

  const mjModel& model() const { return *model_; }
  mjData& data() const { return *data_; }
  int version() const { return version_; }
  // Seconds per env step: timestep x frame_skip.
  double dt() const { return model_->opt.timestep * frame_skip_; }
  // The initial qpos (the model's qpos0); the initial qvel is zero.
  const double* init_qpos() const { return model_->qpos0; }
  // Scratch qpos / qvel for ResetModel(), sized nq / nv.
  std::vector<double> qpos_;
  std::vector<double> qvel_;

 private:
  struct InfoArray {
    std::string name;
    std::vector<std::int64_t> shape;
    std::size_t size;
  };

  int version_;
  int frame_skip_;
  int parts_per_physics_step_ = 1;  // 2 where mj_step splits into mj_step1 and mj_step2
  std::shared_ptr<const mjModel> model_;
  mjData* data_ = nullptr;
  int observation_size_ = 0;
  bool reads_body_forces_ = false;
  std::vector<InfoArray> info_;
  // The info array of each Info key, or -1.
  std::array<int, static_cast<int>(Info::kCount)> info_slots_;
  RenderSettings render_;
  // The camera of this env's pictures, set up on the first one (Render() is logically const).
  mutable mjvCamera camera_;
  mutable bool camera_ready_ = false;
  // from_pixels: the last frame_stack pictures, oldest first, and with pixels_only false the
  // state vectors alike; refilled with the first of each episode (Reset() sets restart_stack_).
  mutable std::vector<std::uint8_t> frames_;
  mutable std::vector<double> states_;
  mutable bool restart_stack_ = true;
  // The members the task's reset options set (BindResetOption).
  std::vector<std::pair<std::string, ResetField>> reset_fields_;
};

}  // namespace envfleet::mujoco

#endif  // ENVFLEET_MUJOCO_MUJOCO_ENV_H_
