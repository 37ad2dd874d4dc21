// Stacker (dm_control/suite/stacker.py): stack_2, stack_4. dm_control builds each task's model
// from stacker.xml with lxml (make_model): the boxes past n_boxes (of box0 .. box3) are removed;
// the same edits are made here on MuJoCo's mjSpec of the file. The target moves per episode, in
// the env's own copy of the model; its (x, z) is the task's state.
#include <algorithm>
#include <cmath>
#include <limits>
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

// make_model(n_boxes): boxes n_boxes .. 3 removed.
void MakeModel(mjSpec* spec, int n_boxes) {
  for (int b = n_boxes; b < 4; ++b) RemoveBody(spec, "stacker.xml", "box" + std::to_string(b));
}

class Stack final : public SuiteEnv {
 public:
  Stack(const Config& config, const Variant& variant, int n_boxes)
      : SuiteEnv(config, variant),
        n_boxes_(n_boxes),
        hand_(Id(mjOBJ_BODY, "hand")),
        target_(Id(mjOBJ_BODY, "target")),
        target_geom_(Id(mjOBJ_GEOM, "target")),
        target_site_(Id(mjOBJ_SITE, "target")),
        grasp_site_(Id(mjOBJ_SITE, "grasp")),
        arm_(model()) {
    for (int b = 0; b < n_boxes; ++b) {
      const std::string box = "box" + std::to_string(b);
      boxes_.push_back(Id(mjOBJ_BODY, box.c_str()));
      box_sites_.push_back(Id(mjOBJ_SITE, box.c_str()));
      // Joints in x, y, z order (box_vel), and x, z, y as drawn.
      for (const char axis : {'x', 'y', 'z'}) {
        const std::string joint = box + '_' + axis;
        box_qpos_.push_back(QposAdr(joint.c_str()));
        box_dof_.push_back(DofAdr(joint.c_str()));
      }
    }
    AddObservation("arm_pos", {8, 2});
    AddObservation("arm_vel", {8});
    AddObservation("touch", {model().nsensordata});
    AddObservation("hand_pos", {4});
    AddObservation("box_pos", {n_boxes, 4});
    AddObservation("box_vel", {3 * n_boxes});
    AddObservation("target_pos", {2});
  }

 private:
  void InitializeEpisode() override {
    mjData& d = data();
    mjModel& m = mutable_model();
    // Find a collision-free random initial configuration: every try draws everything again.
    for (long attempt = 0;; ++attempt) {
      if (attempt > 1000000) throw std::runtime_error("no collision-free initial state found");
      arm_.DrawJoints(d, rng());

      const int target_height = 2 * static_cast<int>(rng().UniformInt(n_boxes_)) + 1;
      const double box_size = m.geom_size[3 * target_geom_];
      m.body_pos[3 * target_ + 2] = box_size * target_height;
      m.body_pos[3 * target_] = rng().Uniform(-.37, .37);

      for (int b = 0; b < n_boxes_; ++b) {
        d.qpos[box_qpos_[3 * b]] = rng().Uniform(.1, .3);                       // x
        d.qpos[box_qpos_[3 * b + 2]] = rng().Uniform(0, .7);                    // z
        d.qpos[box_qpos_[3 * b + 1]] = rng().Uniform(0, 2 * std::numbers::pi);  // y
      }

      Forward();
      if (d.ncon == 0) break;
    }
  }

  int TaskStateSize() const override { return 2; }
  void GetTaskState(double* state) const override {
    state[0] = model().body_pos[3 * target_];
    state[1] = model().body_pos[3 * target_ + 2];
  }
  void SetTaskState(const double* state) override {
    mutable_model().body_pos[3 * target_] = state[0];
    mutable_model().body_pos[3 * target_ + 2] = state[1];
  }

  double* Observe(double* obs) const override {
    const mjData& d = data();
    obs = arm_.Observe(d, obs);
    for (int i = 0; i < model().nsensordata; ++i) *obs++ = std::log1p(d.sensordata[i]);
    obs = Body2dPose(d, hand_, obs);
    for (int body : boxes_) obs = Body2dPose(d, body, obs);
    for (int dof : box_dof_) *obs++ = d.qvel[dof];
    *obs++ = d.xpos[3 * target_];
    *obs++ = d.xpos[3 * target_ + 2];
    return obs;
  }

  double Reward() const override {
    const mjData& d = data();
    const double box_size = model().geom_size[3 * target_geom_];
    double min_distance = std::numeric_limits<double>::infinity();
    for (int site : box_sites_)
      min_distance = std::min(min_distance, SiteDistance(d, site, target_site_));
    const double box_is_close = Tolerance(min_distance, {}, 2 * box_size);
    const double hand_to_target = SiteDistance(d, grasp_site_, target_site_);
    const double hand_is_far =
        Tolerance(hand_to_target, {.1, std::numeric_limits<double>::infinity()}, kClose);
    return box_is_close * hand_is_far;
  }

  int n_boxes_;
  int hand_;
  int target_;
  int target_geom_;
  int target_site_;
  int grasp_site_;
  PlanarArm arm_;
  std::vector<int> boxes_;
  std::vector<int> box_sites_;
  std::vector<int> box_qpos_;  // per box: x, y, z
  std::vector<int> box_dof_;
};

Variant StackerVariant(const std::string& suite_dir, int n_boxes) {
  Variant variant{suite_dir, "stacker.xml", 10.0, .01, true};
  variant.edit = [n_boxes](mjSpec* spec) { MakeModel(spec, n_boxes); };
  variant.edit_key = std::to_string(n_boxes) + " boxes";
  return variant;
}

}  // namespace

void AddStacker(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<Stack>(types, "StackerStack2-v1", StackerVariant(suite_dir, 2), 2);
  RegisterTask<Stack>(types, "StackerStack4-v1", StackerVariant(suite_dir, 4), 4);
}

}  // namespace envfleet::dm_control
