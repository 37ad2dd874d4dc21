// Manipulator (dm_control/suite/manipulator.py): bring_ball, bring_peg, insert_ball, insert_peg.
// dm_control builds each task's model from manipulator.xml with lxml (make_model): the props the
// task does not use (of ball, target_ball, cup, peg, target_peg, slot) are removed; the same edits
// are made here on MuJoCo's mjSpec of the file. The target (and, for insert, the receptacle) moves
// per episode, in the env's own copy of the model; their (x, z, qw, qy) are the task's state.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "envfleet/dm_control/planar_arm.h"
#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"

namespace envfleet::dm_control {
namespace {

constexpr double kClose = .01;  // _CLOSE
constexpr double kPInHand = .1;
constexpr double kPInTarget = .1;
constexpr const char* kTouchSensors[] = {"palm_touch", "finger_touch", "thumb_touch",
                                         "fingertip_touch", "thumbtip_touch"};

std::vector<std::string> RequiredProps(bool use_peg, bool insert) {
  std::vector<std::string> props = use_peg ? std::vector<std::string>{"peg", "target_peg"}
                                           : std::vector<std::string>{"ball", "target_ball"};
  if (insert) props.emplace_back(use_peg ? "slot" : "cup");
  return props;
}

// make_model(use_peg, insert): the unused props removed.
void MakeModel(mjSpec* spec, bool use_peg, bool insert) {
  const std::vector<std::string> required = RequiredProps(use_peg, insert);
  for (const char* prop : {"ball", "target_ball", "cup", "peg", "target_peg", "slot"}) {
    if (std::find(required.begin(), required.end(), prop) == required.end()) {
      RemoveBody(spec, "manipulator.xml", prop);
    }
  }
}

class Bring final : public SuiteEnv {
 public:
  Bring(const Config& config, const Variant& variant, bool use_peg, bool insert)
      : SuiteEnv(config, variant),
        use_peg_(use_peg),
        insert_(insert),
        hand_(Id(mjOBJ_BODY, "hand")),
        object_(Id(mjOBJ_BODY, use_peg ? "peg" : "ball")),
        target_(Id(mjOBJ_BODY, use_peg ? "target_peg" : "target_ball")),
        receptacle_(insert ? Id(mjOBJ_BODY, use_peg ? "slot" : "cup") : -1),
        grasp_site_(Id(mjOBJ_SITE, "grasp")),
        arm_(model()) {
    const std::string object = use_peg ? "peg" : "ball";
    // _object_joints: x, z, y.
    for (int i = 0; i < 3; ++i) {
      const std::string name = object + '_' + "xzy"[i];
      object_qpos_[i] = QposAdr(name.c_str());
      object_dof_[i] = DofAdr(name.c_str());
    }
    for (int i = 0; i < 5; ++i) touch_[i] = SensorAdr(kTouchSensors[i]);
    if (use_peg) {
      for (const char* name : {"peg_grasp", "grasp", "peg_pinch", "pinch", "peg", "target_peg",
                               "target_peg_tip", "peg_tip"}) {
        reward_sites_.push_back(Id(mjOBJ_SITE, name));
      }
    } else {
      reward_sites_ = {Id(mjOBJ_SITE, "ball"), Id(mjOBJ_SITE, "target_ball")};
    }
    AddObservation("arm_pos", {8, 2});
    AddObservation("arm_vel", {8});
    AddObservation("touch", {5});
    AddObservation("hand_pos", {4});
    AddObservation("object_pos", {4});
    AddObservation("object_vel", {3});
    AddObservation("target_pos", {4});
  }

 private:
  // body_pos[body, ['x', 'z']] and body_quat[body, ['qw', 'qy']] of the model.
  void SetPose(int body, double x, double z, double angle) {
    mjModel& m = mutable_model();
    m.body_pos[3 * body] = x;
    m.body_pos[3 * body + 2] = z;
    m.body_quat[4 * body] = std::cos(angle / 2);
    m.body_quat[4 * body + 2] = std::sin(angle / 2);
  }

  void InitializeEpisode() override {
    mjData& d = data();
    // Find a collision-free random initial configuration: every try draws everything again
    // (values a try does not draw, such as the object's x velocity, stay from an earlier try).
    for (long attempt = 0;; ++attempt) {
      if (attempt > 1000000) throw std::runtime_error("no collision-free initial state found");
      arm_.DrawJoints(d, rng());

      const double target_x = rng().Uniform(-.4, .4);
      const double target_z = rng().Uniform(.1, .4);
      double target_angle;
      if (insert_) {
        target_angle = rng().Uniform(-std::numbers::pi / 3, std::numbers::pi / 3);
        SetPose(receptacle_, target_x, target_z, target_angle);
      } else {
        target_angle = rng().Uniform(-std::numbers::pi, std::numbers::pi);
      }
      SetPose(target_, target_x, target_z, target_angle);

      // choice(['in_hand', 'in_target', 'uniform'], p=[.1, .1, .8]).
      const double draw = rng().Uniform01();
      double object_x, object_z, object_angle;
      if (draw >= kPInHand && draw < kPInHand + kPInTarget) {  // in_target
        object_x = target_x;
        object_z = target_z;
        object_angle = target_angle;
      } else if (draw < kPInHand) {  // in_hand
        Forward();
        object_x = d.site_xpos[3 * grasp_site_];
        object_z = d.site_xpos[3 * grasp_site_ + 2];
        const double* xmat = d.site_xmat + 9 * grasp_site_;
        object_angle = std::numbers::pi - std::atan2(xmat[6], xmat[0]);  // zx, xx
      } else {
        object_x = rng().Uniform(-.5, .5);
        object_z = rng().Uniform(0, .7);
        object_angle = rng().Uniform(0, 2 * std::numbers::pi);
        d.qvel[object_dof_[0]] = rng().Uniform(-5, 5);
      }
      d.qpos[object_qpos_[0]] = object_x;
      d.qpos[object_qpos_[1]] = object_z;
      d.qpos[object_qpos_[2]] = object_angle;

      Forward();
      if (d.ncon == 0) break;
    }
  }

  int Bodies() const { return insert_ ? 2 : 1; }
  int TaskStateSize() const override { return 4 * Bodies(); }
  void GetTaskState(double* state) const override {
    const mjModel& m = model();
    for (int body : {target_, receptacle_}) {
      if (body < 0) break;
      *state++ = m.body_pos[3 * body];
      *state++ = m.body_pos[3 * body + 2];
      *state++ = m.body_quat[4 * body];
      *state++ = m.body_quat[4 * body + 2];
    }
  }
  void SetTaskState(const double* state) override {
    mjModel& m = mutable_model();
    for (int body : {target_, receptacle_}) {
      if (body < 0) break;
      m.body_pos[3 * body] = *state++;
      m.body_pos[3 * body + 2] = *state++;
      m.body_quat[4 * body] = *state++;
      m.body_quat[4 * body + 2] = *state++;
    }
  }

  double* Observe(double* obs) const override {
    const mjData& d = data();
    obs = arm_.Observe(d, obs);
    for (int adr : touch_) *obs++ = std::log1p(d.sensordata[adr]);
    obs = Body2dPose(d, hand_, obs);
    obs = Body2dPose(d, object_, obs);
    for (int dof : object_dof_) *obs++ = d.qvel[dof];
    return Body2dPose(d, target_, obs);
  }

  static double IsClose(double distance) { return Tolerance(distance, {0, kClose}, kClose * 2); }

  double Reward() const override {
    const mjData& d = data();
    const std::vector<int>& s = reward_sites_;
    if (!use_peg_) return IsClose(SiteDistance(d, s[0], s[1]));
    const double grasp = IsClose(SiteDistance(d, s[0], s[1]));
    const double pinch = IsClose(SiteDistance(d, s[2], s[3]));
    const double grasping = (grasp + pinch) / 2;
    const double bring = IsClose(SiteDistance(d, s[4], s[5]));
    const double bring_tip = IsClose(SiteDistance(d, s[6], s[7]));
    const double bringing = (bring + bring_tip) / 2;
    return std::max(bringing, grasping / 3);
  }

  bool use_peg_;
  bool insert_;
  int hand_;
  int object_;
  int target_;
  int receptacle_;
  int grasp_site_;
  PlanarArm arm_;
  int object_qpos_[3];
  int object_dof_[3];
  int touch_[5];
  std::vector<int> reward_sites_;
};

Variant ManipulatorVariant(const std::string& suite_dir, bool use_peg, bool insert) {
  Variant variant{suite_dir, "manipulator.xml", 10.0, .01, true};
  variant.edit = [use_peg, insert](mjSpec* spec) { MakeModel(spec, use_peg, insert); };
  variant.edit_key = std::string(use_peg ? "peg" : "ball") + (insert ? " insert" : " bring");
  return variant;
}

}  // namespace

void AddManipulator(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<Bring>(types, "ManipulatorBringBall-v1", ManipulatorVariant(suite_dir, false, false),
                      false, false);
  RegisterTask<Bring>(types, "ManipulatorBringPeg-v1", ManipulatorVariant(suite_dir, true, false),
                      true, false);
  RegisterTask<Bring>(types, "ManipulatorInsertBall-v1", ManipulatorVariant(suite_dir, false, true),
                      false, true);
  RegisterTask<Bring>(types, "ManipulatorInsertPeg-v1", ManipulatorVariant(suite_dir, true, true),
                      true, true);
}

}  // namespace envfleet::dm_control
