// Fish (dm_control/suite/fish.py): upright, swim. Swim's target moves per episode, in the env's
// own copy of the model; its (x, y, z) is the task's state.
#include <algorithm>
#include <cmath>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

constexpr const char* kJoints[] = {"tail1",         "tail_twist",     "tail2",
                                   "finright_roll", "finright_pitch", "finleft_roll",
                                   "finleft_pitch"};

class Fish final : public SuiteEnv {
 public:
  Fish(const Config& config, const Variant& variant, bool swim)
      : SuiteEnv(config, variant),
        swim_(swim),
        torso_(Id(mjOBJ_BODY, "torso")),
        root_(QposAdr("root")),
        target_(Id(mjOBJ_GEOM, "target")),
        mouth_(Id(mjOBJ_GEOM, "mouth")) {
    for (int i = 0; i < 7; ++i) {
      joint_qpos_[i] = QposAdr(kJoints[i]);
    }
    AddObservation("joint_angles", {7});
    AddObservation("upright", {});
    if (swim_) AddObservation("target", {3});
    AddObservation("velocity", {model().nv});
  }

 private:
  void InitializeEpisode() override {
    double* quat = data().qpos + root_ + 3;
    for (int i = 0; i < 4; ++i) quat[i] = StandardNormal();
    const double norm =
        std::sqrt(quat[0] * quat[0] + quat[1] * quat[1] + quat[2] * quat[2] + quat[3] * quat[3]);
    for (int i = 0; i < 4; ++i) quat[i] /= norm;
    for (int adr : joint_qpos_) data().qpos[adr] = rng().Uniform(-.2, .2);
    if (swim_) {
      double* pos = mutable_model().geom_pos + 3 * target_;
      pos[0] = rng().Uniform(-.4, .4);
      pos[1] = rng().Uniform(-.4, .4);
      pos[2] = rng().Uniform(.1, .3);
    }
  }

  int TaskStateSize() const override { return swim_ ? 3 : 0; }
  void GetTaskState(double* state) const override {
    std::copy_n(model().geom_pos + 3 * target_, TaskStateSize(), state);
  }
  void SetTaskState(const double* state) override {
    if (swim_) std::copy_n(state, 3, mutable_model().geom_pos + 3 * target_);
  }

  // The target relative to the mouth, in the mouth's frame: (target - mouth) . geom_xmat.
  void MouthToTarget(double* out) const {
    const mjData& d = data();
    double v[3];
    for (int i = 0; i < 3; ++i) v[i] = d.geom_xpos[3 * target_ + i] - d.geom_xpos[3 * mouth_ + i];
    const double* frame = d.geom_xmat + 9 * mouth_;
    for (int j = 0; j < 3; ++j)
      out[j] = v[0] * frame[j] + v[1] * frame[3 + j] + v[2] * frame[6 + j];
  }

  double* Observe(double* obs) const override {
    for (int adr : joint_qpos_) *obs++ = data().qpos[adr];
    *obs++ = BodyXmat(data(), torso_, kZZ);
    if (swim_) {
      MouthToTarget(obs);
      obs += 3;
    }
    return std::copy_n(data().qvel, model().nv, obs);
  }

  double Reward() const override {
    const double upright = BodyXmat(data(), torso_, kZZ);
    if (!swim_) return Tolerance(upright, {1, 1}, 1);
    const double radii = model().geom_size[3 * mouth_] + model().geom_size[3 * target_];
    double to_target[3];
    MouthToTarget(to_target);
    const double distance = std::sqrt(to_target[0] * to_target[0] + to_target[1] * to_target[1] +
                                      to_target[2] * to_target[2]);
    const double in_target = Tolerance(distance, {0, radii}, 2 * radii);
    const double is_upright = 0.5 * (upright + 1);
    return (7 * in_target + is_upright) / 8;
  }

  bool swim_;
  int torso_;
  int root_;
  int target_;
  int mouth_;
  int joint_qpos_[7];
};

}  // namespace

void AddFish(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<Fish>(types, "FishUpright-v1", Variant{suite_dir, "fish.xml", 40.0, 0.04, false},
                     false);
  RegisterTask<Fish>(types, "FishSwim-v1", Variant{suite_dir, "fish.xml", 40.0, 0.04, true}, true);
}

}  // namespace envfleet::dm_control
