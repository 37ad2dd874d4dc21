// LQR (dm_control/suite/lqr.py): lqr_2_1, lqr_6_2. dm_control generates the model from lqr.xml
// with lxml (_make_model): a chain of n bodies on slide joints, the first n_actuators driven by
// motors, consecutive sites joined by tendons (for pictures), each joint's stiffness drawn
// uniformly in [15, 25] (and its damping in [0, 0]) from the task's random stream. The same chain
// is built here on MuJoCo's mjSpec of the file, and each env draws its stiffnesses into its own
// copy of the model at its first reset, from a stream split off its own (so the pool's seed and
// the env's index fix them, and the episodes' draws are those of the env's stream); the env keeps
// them for its life, as a dm_control environment keeps the model it was built with. They are the
// task's state. No time limit (dm_control's default is infinite); an episode ends, with discount
// 0, when the state's norm falls below 1e-6.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "envfleet/dm_control/registration.h"

namespace envfleet::dm_control {
namespace {

constexpr double kControlCostCoef = 0.1;  // _CONTROL_COST_COEF
constexpr double kTerminalTol = 1e-6;     // LQRLevel._TERMINAL_TOL

// _make_model(n_bodies, n_actuators) with every stiffness 20; the envs draw their own.
void MakeModel(mjSpec* spec, int n_bodies, int n_actuators) {
  mjsBody* parent = mjs_findBody(spec, "world");
  if (parent == nullptr) throw std::invalid_argument("lqr.xml: no world body");
  for (int body = 0; body < n_bodies; ++body) {
    const std::string suffix = std::to_string(body);
    const std::string joint_name = "joint_" + suffix;
    mjsBody* child = mjs_addBody(parent, nullptr);
    mjs_setName(child->element, ("body_" + suffix).c_str());
    child->pos[0] = .25;
    child->pos[1] = 0;
    child->pos[2] = body == 0 ? .1 : 0;
    mjsJoint* joint = mjs_addJoint(child, nullptr);
    mjs_setName(joint->element, joint_name.c_str());
    joint->stiffness[0] = 20;
    joint->damping[0] = 0;
    mjs_setName(mjs_addGeom(child, nullptr)->element, ("geom_" + suffix).c_str());
    mjs_setName(mjs_addSite(child, nullptr)->element, ("site_" + suffix).c_str());
    if (body < n_actuators) {
      mjsActuator* motor = mjs_addActuator(spec, nullptr);
      mjs_setName(motor->element, ("motor_" + suffix).c_str());
      motor->trntype = mjTRN_JOINT;
      mjs_setString(motor->target, joint_name.c_str());
    }
    if (body < n_bodies - 1) {
      mjsTendon* tendon = mjs_addTendon(spec, nullptr);
      mjs_setName(tendon->element, ("tendon_" + suffix).c_str());
      mjs_wrapSite(tendon, ("site_" + suffix).c_str());
      mjs_wrapSite(tendon, ("site_" + std::to_string(body + 1)).c_str());
    }
    parent = child;
  }
}

class Lqr final : public SuiteEnv {
 public:
  Lqr(const Config& config, const Variant& variant) : SuiteEnv(config, variant) {
    AddObservation("position", {model().nq});
    AddObservation("velocity", {model().nv});
  }

 private:
  void InitializeEpisode() override {
    if (!model_drawn_) {
      // The model's draws come first in dm_control's stream; here from a stream of their own.
      Rng copy = rng();
      Rng model_rng(copy.NextU64() ^ 0x6C71725F6D6F6465ULL);
      for (int joint = 0; joint < model().njnt; ++joint) {
        mutable_model().jnt_stiffness[joint] = model_rng.Uniform(15, 25);
        model_rng.Uniform01();  // the damping's draw, in [0, 0]
      }
      model_drawn_ = true;
    }
    // A random state on the sphere of radius sqrt(2).
    const int nq = model().nq;
    double squares = 0.0;
    for (int i = 0; i < nq; ++i) {
      data().qpos[i] = StandardNormal();
      squares += data().qpos[i] * data().qpos[i];
    }
    const double norm = std::sqrt(squares);
    for (int i = 0; i < nq; ++i) data().qpos[i] = std::sqrt(2.0) * data().qpos[i] / norm;
  }

  int TaskStateSize() const override { return model().njnt; }
  void GetTaskState(double* state) const override {
    std::copy_n(model().jnt_stiffness, model().njnt, state);
  }
  void SetTaskState(const double* state) override {
    std::copy_n(state, model().njnt, mutable_model().jnt_stiffness);
    model_drawn_ = true;
  }

  double* Observe(double* obs) const override {
    obs = std::copy_n(data().qpos, model().nq, obs);
    return std::copy_n(data().qvel, model().nv, obs);
  }

  double Reward() const override {
    const mjData& d = data();
    double state_cost = 0.0;
    for (int i = 0; i < model().nq; ++i) state_cost += d.qpos[i] * d.qpos[i];
    state_cost *= 0.5;
    double control = 0.0;
    for (int i = 0; i < model().nu; ++i) control += d.ctrl[i] * d.ctrl[i];
    control *= 0.5;
    return 1 - (state_cost + control * kControlCostCoef);
  }

  // Physics.state_norm(): the norm of (qpos, qvel, act).
  std::optional<double> Termination() const override {
    const mjData& d = data();
    double squares = 0.0;
    for (int i = 0; i < model().nq; ++i) squares += d.qpos[i] * d.qpos[i];
    for (int i = 0; i < model().nv; ++i) squares += d.qvel[i] * d.qvel[i];
    for (int i = 0; i < model().na; ++i) squares += d.act[i] * d.act[i];
    if (std::sqrt(squares) < kTerminalTol) return 0.0;
    return std::nullopt;
  }

  bool model_drawn_ = false;
};

Variant LqrVariant(const std::string& suite_dir, int n_bodies, int n_actuators) {
  Variant variant{suite_dir, "lqr.xml", std::numeric_limits<double>::infinity(), 0.0, true};
  variant.edit = [n_bodies, n_actuators](mjSpec* spec) { MakeModel(spec, n_bodies, n_actuators); };
  variant.edit_key = std::to_string(n_bodies) + " bodies " + std::to_string(n_actuators);
  return variant;
}

}  // namespace

void AddLqr(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<Lqr>(types, "LqrLqr21-v1", LqrVariant(suite_dir, 2, 1));
  RegisterTask<Lqr>(types, "LqrLqr62-v1", LqrVariant(suite_dir, 6, 2));
}

}  // namespace envfleet::dm_control
