// Swimmer (dm_control/suite/swimmer.py): swimmer6, swimmer15. dm_control builds an n-link swimmer
// from swimmer.xml with lxml (_make_model): a chain of n - 1 segments below the head, each with
// its visual and inertial geoms, a site, a limited hinge, a motor, a velocimeter and a gyro, and
// the tracking cameras moved back by n / 6; the same edits are made here on MuJoCo's mjSpec of
// the file. The target (and its light) moves per episode, in the env's own copy of the model; its
// (x, y) is the task's state.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"

namespace envfleet::dm_control {
namespace {

// _make_model(n_bodies).
void MakeModel(mjSpec* spec, int n_bodies) {
  mjsBody* parent = mjs_findBody(spec, "head");
  const mjsDefault* swimmer = mjs_findDefault(spec, "swimmer");
  const mjsDefault* visual = mjs_findDefault(spec, "visual");
  const mjsDefault* inertial = mjs_findDefault(spec, "inertial");
  if (parent == nullptr || swimmer == nullptr || visual == nullptr || inertial == nullptr) {
    throw std::invalid_argument("swimmer.xml: no head body or swimmer/visual/inertial class");
  }
  const double joint_limit = 360.0 / n_bodies;  // degrees, as the file's compiler reads them
  for (int index = 0; index < n_bodies - 1; ++index) {
    const std::string suffix = std::to_string(index);
    const std::string site_name = "site_" + suffix;
    const std::string joint_name = "joint_" + suffix;
    // The segment inherits the head's childclass, "swimmer".
    mjsBody* child = mjs_addBody(parent, swimmer);
    mjs_setName(child->element, ("segment_" + suffix).c_str());
    child->pos[0] = 0;
    child->pos[1] = .1;
    child->pos[2] = 0;
    mjs_setName(mjs_addGeom(child, visual)->element, ("visual_" + suffix).c_str());
    mjs_setName(mjs_addGeom(child, inertial)->element, ("inertial_" + suffix).c_str());
    mjs_setName(mjs_addSite(child, swimmer)->element, site_name.c_str());
    mjsJoint* joint = mjs_addJoint(child, swimmer);
    mjs_setName(joint->element, joint_name.c_str());
    joint->range[0] = -joint_limit;
    joint->range[1] = joint_limit;
    mjsActuator* motor = mjs_addActuator(spec, nullptr);
    mjs_setName(motor->element, ("motor_" + suffix).c_str());
    motor->trntype = mjTRN_JOINT;
    mjs_setString(motor->target, joint_name.c_str());
    for (const auto& [type, name] :
         {std::pair{mjSENS_VELOCIMETER, "velocimeter_"}, std::pair{mjSENS_GYRO, "gyro_"}}) {
      mjsSensor* sensor = mjs_addSensor(spec);
      mjs_setName(sensor->element, (name + suffix).c_str());
      sensor->type = type;
      sensor->objtype = mjOBJ_SITE;
      mjs_setString(sensor->objname, site_name.c_str());
    }
    parent = child;
  }
  // Tracking cameras further away according to the swimmer's length (pictures only).
  const double scale = n_bodies / 6.0;
  for (mjsElement* element = mjs_firstElement(spec, mjOBJ_CAMERA); element != nullptr;
       element = mjs_nextElement(spec, element)) {
    mjsCamera* camera = mjs_asCamera(element);
    if (camera->mode == mjCAMLIGHT_TRACKCOM) {
      for (double& value : camera->pos) value *= scale;
    }
  }
}

class Swimmer final : public SuiteEnv {
 public:
  Swimmer(const Config& config, const Variant& variant)
      : SuiteEnv(config, variant),
        target_(Id(mjOBJ_GEOM, "target")),
        nose_(Id(mjOBJ_GEOM, "nose")),
        head_(Id(mjOBJ_BODY, "head")),
        target_light_(Id(mjOBJ_LIGHT, "target_light")) {
    AddObservation("joints", {model().nq - 3});
    AddObservation("to_target", {2});
    AddObservation("body_velocities", {3 * (model().nsensordata - 12) / 6});
  }

 private:
  void InitializeEpisode() override {
    RandomizeLimitedAndRotationalJoints();
    const bool close_target = rng().Uniform01() < .2;
    const double target_box = close_target ? .3 : 2;
    const double x = rng().Uniform(-target_box, target_box);
    const double y = rng().Uniform(-target_box, target_box);
    SetTarget(x, y);
  }

  void SetTarget(double x, double y) {
    mjModel& m = mutable_model();
    m.geom_pos[3 * target_] = x;
    m.geom_pos[3 * target_ + 1] = y;
    m.light_pos[3 * target_light_] = x;
    m.light_pos[3 * target_light_ + 1] = y;
  }

  int TaskStateSize() const override { return 2; }
  void GetTaskState(double* state) const override {
    std::copy_n(model().geom_pos + 3 * target_, 2, state);
  }
  void SetTaskState(const double* state) override { SetTarget(state[0], state[1]); }

  // Physics.nose_to_target(): (target - nose) in the head's frame, x and y.
  void NoseToTarget(double* out) const {
    const mjData& d = data();
    double delta[3];
    for (int i = 0; i < 3; ++i)
      delta[i] = d.geom_xpos[3 * target_ + i] - d.geom_xpos[3 * nose_ + i];
    const double* xmat = d.xmat + 9 * head_;
    for (int j = 0; j < 2; ++j) {
      out[j] = delta[0] * xmat[j] + delta[1] * xmat[3 + j] + delta[2] * xmat[6 + j];
    }
  }

  double* Observe(double* obs) const override {
    const mjModel& m = model();
    const mjData& d = data();
    obs = std::copy(d.qpos + 3, d.qpos + m.nq, obs);
    NoseToTarget(obs);
    obs += 2;
    // Physics.body_velocities(): each body's local x, y linear and z angular velocity.
    for (int body = 12; body + 6 <= m.nsensordata; body += 6) {
      *obs++ = d.sensordata[body];
      *obs++ = d.sensordata[body + 1];
      *obs++ = d.sensordata[body + 5];
    }
    return obs;
  }

  double Reward() const override {
    const double target_size = model().geom_size[3 * target_];
    double to_target[2];
    NoseToTarget(to_target);
    const double distance = std::sqrt(to_target[0] * to_target[0] + to_target[1] * to_target[1]);
    return Tolerance(distance, {0, target_size}, 5 * target_size, Sigmoid::kLongTail);
  }

  int target_;
  int nose_;
  int head_;
  int target_light_;
};

Variant SwimmerVariant(const std::string& suite_dir, int n_bodies) {
  Variant variant{suite_dir, "swimmer.xml", 30.0, .03, true};
  variant.edit = [n_bodies](mjSpec* spec) { MakeModel(spec, n_bodies); };
  variant.edit_key = std::to_string(n_bodies) + " bodies";
  return variant;
}

}  // namespace

void AddSwimmer(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<Swimmer>(types, "SwimmerSwimmer6-v1", SwimmerVariant(suite_dir, 6));
  RegisterTask<Swimmer>(types, "SwimmerSwimmer15-v1", SwimmerVariant(suite_dir, 15));
}

}  // namespace envfleet::dm_control
