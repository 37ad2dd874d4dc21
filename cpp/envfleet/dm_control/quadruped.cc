// Quadruped (dm_control/suite/quadruped.py): walk, run. dm_control builds their model from
// quadruped.xml with lxml: the floor sized for the task, without the walls, ball, target, terrain
// and rangefinders; the same edits are made here on MuJoCo's mjSpec of the file. Escape (a
// terrain drawn per episode) and fetch (the ball) are left out.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

void Delete(mjSpec* spec, mjsElement* element, const char* name) {
  if (element == nullptr || mjs_delete(spec, element) != 0) {
    throw std::invalid_argument(std::string("quadruped.xml: cannot remove ") + name);
  }
}

// make_model(floor_size) without walls, ball, terrain or rangefinders.
void EditModel(mjSpec* spec, double floor_size) {
  mjsElement* floor = mjs_findElement(spec, mjOBJ_GEOM, "floor");
  if (floor == nullptr) throw std::invalid_argument("quadruped.xml: no floor");
  mjsGeom* geom = mjs_asGeom(floor);
  geom->size[0] = floor_size;
  geom->size[1] = floor_size;
  geom->size[2] = .5;
  for (const char* wall : {"wall_px", "wall_py", "wall_nx", "wall_ny"}) {
    Delete(spec, mjs_findElement(spec, mjOBJ_GEOM, wall), wall);
  }
  mjsBody* ball = mjs_findBody(spec, "ball");
  Delete(spec, ball == nullptr ? nullptr : ball->element, "ball");
  Delete(spec, mjs_findElement(spec, mjOBJ_SITE, "target"), "target");
  Delete(spec, mjs_findElement(spec, mjOBJ_GEOM, "terrain"), "terrain");
  std::vector<mjsElement*> rangefinders;
  for (mjsElement* element = mjs_firstElement(spec, mjOBJ_SENSOR); element != nullptr;
       element = mjs_nextElement(spec, element)) {
    if (mjs_asSensor(element)->type == mjSENS_RANGEFINDER) rangefinders.push_back(element);
  }
  for (mjsElement* element : rangefinders) Delete(spec, element, "a rangefinder");
}

class Move final : public SuiteEnv {
 public:
  Move(const Config& config, const Variant& variant, double desired_speed)
      : SuiteEnv(config, variant),
        desired_speed_(desired_speed),
        torso_(Id(mjOBJ_BODY, "torso")),
        root_(QposAdr("root")),
        velocimeter_(SensorAdr("velocimeter")) {
    const mjModel& m = model();
    for (int joint = 0; joint < m.njnt; ++joint) {
      if (m.jnt_type[joint] == mjJNT_HINGE) hinges_.push_back(joint);
    }
    for (int sensor = 0; sensor < m.nsensor; ++sensor) {
      const int type = m.sensor_type[sensor];
      if (type == mjSENS_GYRO || type == mjSENS_ACCELEROMETER) Collect(imu_, sensor);
      if (type == mjSENS_FORCE || type == mjSENS_TORQUE) Collect(force_torque_, sensor);
    }
    AddObservation("egocentric_state", {static_cast<std::int64_t>(2 * hinges_.size() + m.na)});
    AddObservation("torso_velocity", {3});
    AddObservation("torso_upright", {});
    AddObservation("imu", {static_cast<std::int64_t>(imu_.size())});
    AddObservation("force_torque", {static_cast<std::int64_t>(force_torque_.size())});
  }

 private:
  void Collect(std::vector<int>& addresses, int sensor) const {
    for (int i = 0; i < model().sensor_dim[sensor]; ++i) {
      addresses.push_back(model().sensor_adr[sensor] + i);
    }
  }

  void InitializeEpisode() override {
    double orientation[4];
    for (double& value : orientation) value = StandardNormal();
    const double norm =
        std::sqrt(orientation[0] * orientation[0] + orientation[1] * orientation[1] +
                  orientation[2] * orientation[2] + orientation[3] * orientation[3]);
    for (double& value : orientation) value /= norm;
    // _find_non_contacting_height: from z = 0 up in 1 cm steps, each try a fresh reset.
    double z = 0.0;
    for (int attempt = 0;; ++attempt) {
      if (attempt > 10000)
        throw std::runtime_error("Failed to find a non-contacting configuration.");
      mj_resetData(&model(), &data());
      Forward();
      double* root = data().qpos + root_;
      root[0] = 0.0;
      root[1] = 0.0;
      root[2] = z;
      std::copy_n(orientation, 4, root + 3);
      Forward();
      z += 0.01;
      if (data().ncon == 0) break;
    }
  }

  double* Observe(double* obs) const override {
    const mjModel& m = model();
    const mjData& d = data();
    for (int joint : hinges_) *obs++ = d.qpos[m.jnt_qposadr[joint]];
    for (int joint : hinges_) *obs++ = d.qvel[m.jnt_dofadr[joint]];
    obs = std::copy_n(d.act, m.na, obs);
    obs = std::copy_n(d.sensordata + velocimeter_, 3, obs);
    *obs++ = BodyXmat(d, torso_, kZZ);
    for (int adr : imu_) *obs++ = d.sensordata[adr];
    for (int adr : force_torque_) *obs++ = std::asinh(d.sensordata[adr]);
    return obs;
  }

  double Reward() const override {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    // _upright_reward(deviation_angle=0): cos(0) = 1.
    const double upright =
        Tolerance(BodyXmat(data(), torso_, kZZ), {1.0, kInf}, 2.0, Sigmoid::kLinear, 0);
    const double move = Tolerance(data().sensordata[velocimeter_], {desired_speed_, kInf},
                                  desired_speed_, Sigmoid::kLinear, 0.5);
    return upright * move;
  }

  double desired_speed_;
  int torso_;
  int root_;
  int velocimeter_;
  std::vector<int> hinges_;
  std::vector<int> imu_;
  std::vector<int> force_torque_;
};

Variant QuadrupedVariant(const std::string& suite_dir, double floor_size) {
  Variant variant{suite_dir, "quadruped.xml", 20.0, 0.02, false};
  variant.edit = [floor_size](mjSpec* spec) { EditModel(spec, floor_size); };
  variant.edit_key = "floor " + std::to_string(floor_size);
  return variant;
}

}  // namespace

void AddQuadruped(std::vector<EnvType>& types, const std::string& suite_dir) {
  // floor_size = _DEFAULT_TIME_LIMIT * speed.
  RegisterTask<Move>(types, "QuadrupedWalk-v1", QuadrupedVariant(suite_dir, 20 * 0.5), 0.5);
  RegisterTask<Move>(types, "QuadrupedRun-v1", QuadrupedVariant(suite_dir, 20 * 5.0), 5.0);
}

}  // namespace envfleet::dm_control
