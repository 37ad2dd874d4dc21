// SuiteEnv: the base of every DeepMind Control Suite task, dm_control's control.Environment and
// mujoco.Physics in C++.
//
// A SuiteEnv owns one mjData over a model compiled from the suite's XML file (the MuJoCo family's
// model cache shares it, read-only, among the envs of a process; a task that moves parts of the
// model per episode, such as Reacher's target, gets a private copy). It does what dm_control's
// Environment does around a task:
// - reset: Physics.reset_context(): mj_resetData and mj_forward with actuation disabled, the
//   task's InitializeEpisode() (its draws from the env's own Rng), mj_forward with actuation
//   disabled again; then the observation;
// - step: the action copied into ctrl (the task's BeforeStep()), then the physics advanced by
//   `n_sub_steps` in dm_control's legacy order (mj_step2, mj_step x (n - 1), mj_step1, or for RK4
//   mj_step x n, mj_step1), so that positions and velocities are current when the task reads them;
//   then AfterStep(), the reward, the termination, the observation;
// - the option `frame_skip` repeats each action over that many control steps (the action repeat
//   of DMC training setups): rewards are summed, and the repeat stops early where the episode ends
//   (the task terminates or the suite's time limit is reached);
// - the time limit: ceil(time_limit / control timestep) control steps, as the suite's
//   `step_count >= time_limit / (timestep * n_sub_steps)`; the engine truncates the episode after
//   ceil(that / frame_skip) env steps.
// Observations are float64, written flat in the suite's key order; the spec's observation_layout
// names each key and shape (none with flat_observation, as the suite's flattened observation).
// Actions are float64, bounded as dm_control's action_spec (the actuators' ctrlrange, else
// +-mjMAXVAL). The state is [qpos, qvel, act, qacc_warmstart, then the task's own values].
//
// A task derives from it, declares its observation keys with AddObservation() in its constructor,
// and implements InitializeEpisode(), Observe() and Reward(); Termination() where it ends episodes,
// and TaskStateSize() / GetTaskState() / SetTaskState() for per-episode randomisation it keeps
// (which snapshots save too; SaveTaskState() / LoadTaskState() where a task keeps more).
// Thread-safety: one thread at a time, as every Env; a shared model is only read. Ownership: the
// env owns its mjData (and its model copy, if any). Blocking: none; Reset() and Step() run the
// physics on the calling thread. Errors: the constructor throws std::invalid_argument for a model
// that cannot be loaded or an option value that cannot be honoured.
#ifndef ENVFLEET_DM_CONTROL_SUITE_ENV_H_
#define ENVFLEET_DM_CONTROL_SUITE_ENV_H_

#include <mujoco/mujoco.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::dm_control {

// The id of the model's object of `type` called `name`; std::invalid_argument naming it if the
// model has none.
int ObjectId(const mjModel& model, mjtObj type, const char* name);

// Removes `element` (`what`, for the message) from a model spec being edited (a Variant's
// `edit`); std::invalid_argument "<xml_file>: cannot remove <what>" if it is null (not found) or
// cannot be removed.
void RemoveElement(mjSpec* spec, mjsElement* element, const std::string& xml_file,
                   const std::string& what);
// RemoveElement() of the body called `name`.
void RemoveBody(mjSpec* spec, const std::string& xml_file, const std::string& name);

// What one registered id fixes: the domain's model file and timing.
struct Variant {
  std::string suite_dir;        // dm_control/suite, where the XML files are
  std::string xml_file;         // the domain's model file, in suite_dir
  double time_limit = 10.0;     // the task's default time limit, seconds
  double control_timestep = 0;  // the task's control timestep, seconds; 0: one physics step
  bool private_model = false;   // the task changes the model per episode
  // For domains whose model dm_control builds by editing the XML in Python (lxml): the same
  // edits on MuJoCo's mjSpec of the file, before compiling; `edit_key` names them (the compiled
  // model is shared per file and key, and is the source of the private copies too).
  std::function<void(mjSpec*)> edit = nullptr;
  std::string edit_key = "";
};

class SuiteEnv : public Env {
 public:
  ~SuiteEnv() override;
  SuiteEnv(const SuiteEnv&) = delete;
  SuiteEnv& operator=(const SuiteEnv&) = delete;

  // The options every suite task takes: time_limit, frame_skip, flat_observation.
  static OptionList Options(const Variant& variant);

  // The spec of this env (max_episode_steps from the time limit and frame_skip).
  EnvSpec Spec() const;

  void Reset(const EnvOutput& out) final;
  void Step(const void* action, const EnvOutput& out) final;
  // In parts: one per physics step for RK4, else two (mj_step2, then mj_step1); the controls are
  // set before the first part of each control step and the task's reward read after its last.
  int StepParts() const final { return frame_skip_ * n_sub_steps_ * parts_per_sub_step_; }
  void StepPart(int part, const void* action, const EnvOutput& out) final;

  std::vector<double> GetState() const final;
  void SetState(const std::vector<double>& state) final;

  // Snapshots: MuJoCo's integration state (mj_getState with mjSTATE_INTEGRATION: time, qpos,
  // qvel, act, warm start, controls, applied forces, mocap, user data), the results of the last
  // acceleration stage (sensor data, accelerations, forces), the episode's counters, then the
  // task's per-episode values (SaveTaskState). Loading takes the task's values first (model
  // fields the physics reads), then the state; recomputes the position and velocity stages with
  // mj_step1, as every control step ends, and writes the saved results back, so that the next
  // step is bit-identical to the one the snapshot's env would have taken.
  void SaveState(StateWriter& out) const final;
  void LoadState(StateReader& in) final;

 protected:
  SuiteEnv(const Config& config, const Variant& variant);

  // ---- Task hooks ----
  // Sets the initial state (qpos, qvel, model values) with draws from rng(); the forward pass
  // that follows is SuiteEnv's.
  virtual void InitializeEpisode() = 0;
  // Writes the observation, keys in the declared order, from `obs` on; returns one past the end.
  virtual double* Observe(double* obs) const = 0;
  // The reward of the control step just taken.
  virtual double Reward() const = 0;
  // The final discount where the episode ends now, else nothing (get_termination).
  virtual std::optional<double> Termination() const { return std::nullopt; }
  // Before the physics of a control step: by default, ctrl = action.
  virtual void BeforeStep(const double* action);
  // The per-episode values the task keeps (a target's position), for get_state / set_state.
  virtual int TaskStateSize() const { return 0; }
  virtual void GetTaskState(double* /*state*/) const {}
  virtual void SetTaskState(const double* /*state*/) {}
  // Snapshots of the task's per-episode values: everything its later steps read that an episode
  // set up or changed and the physics state does not hold. By default the task state above
  // (GetTaskState / SetTaskState). A task that keeps more (model fields beyond its task state,
  // such as a terrain's heights, or members of its own) overrides both, writing and reading the
  // same values in the same order with StateWriter / StateReader. LoadTaskState runs before the
  // physics state is loaded and recomputed, so model fields it sets are in place for that.
  virtual void SaveTaskState(StateWriter& out) const;
  virtual void LoadTaskState(StateReader& in);

  // ---- Declarations, from a task's constructor ----
  void AddObservation(const std::string& name, std::vector<std::int64_t> shape);

  // ---- Helpers ----
  const mjModel& model() const { return *model_; }
  // The private model copy of a task with `private_model` (for per-episode changes).
  mjModel& mutable_model();
  mjData& data() const { return *data_; }
  int Id(mjtObj type, const char* name) const { return ObjectId(*model_, type, name); }
  // The first address in qpos / qvel of the named joint, and in sensordata of the named sensor.
  int QposAdr(const char* joint) const { return model_->jnt_qposadr[Id(mjOBJ_JOINT, joint)]; }
  int DofAdr(const char* joint) const { return model_->jnt_dofadr[Id(mjOBJ_JOINT, joint)]; }
  int SensorAdr(const char* sensor) const { return model_->sensor_adr[Id(mjOBJ_SENSOR, sensor)]; }
  double StandardNormal();
  // Physics.step(n) in dm_control's legacy order (mj_step2, mj_step x (n - 1), mj_step1; RK4:
  // mj_step x n, mj_step1), as tasks call it while they set up an episode.
  void PhysicsStep(int n);
  // Physics.after_reset(): mj_forward with actuation disabled.
  void Forward();
  // randomizers.randomize_limited_and_rotational_joints: limited hinges and slides uniform in
  // their range, other hinges uniform in [-pi, pi], balls and free joints' rotations uniform
  // rotations (limited balls within their range).
  void RandomizeLimitedAndRotationalJoints();

 private:
  void FinishControlStep();
  void WriteObservation(const EnvOutput& out) const;

  std::shared_ptr<const mjModel> shared_model_;
  std::shared_ptr<const mjModel> no_actuation_model_;  // shared_model_ with actuation disabled
  mjModel* own_model_ = nullptr;
  const mjModel* model_ = nullptr;
  mjData* data_ = nullptr;
  int n_sub_steps_ = 1;
  int parts_per_sub_step_ = 2;
  int frame_skip_ = 1;
  std::int64_t step_limit_ = 0;  // control steps per episode; 0: none
  bool flat_observation_ = false;
  std::vector<ObservationPart> layout_;
  int observation_size_ = 0;
  // The episode so far.
  std::int64_t control_steps_ = 0;
  // The env step in progress: its summed reward and whether the episode ended in it.
  double step_reward_ = 0.0;
  std::optional<double> discount_;
  bool episode_over_ = false;
};

}  // namespace envfleet::dm_control

#endif  // ENVFLEET_DM_CONTROL_SUITE_ENV_H_
