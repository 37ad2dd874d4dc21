// Point mass (dm_control/suite/point_mass.py): easy, hard. Hard mixes the two controls into the
// joints along random directions per episode (the tendons' wrap_prm, in the env's own copy of the
// model); those four values are its task state.
#include <algorithm>
#include <cmath>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"

namespace envfleet::dm_control {
namespace {

class PointMass final : public SuiteEnv {
 public:
  PointMass(const Config& config, const Variant& variant, bool randomize_gains)
      : SuiteEnv(config, variant),
        randomize_gains_(randomize_gains),
        target_(Id(mjOBJ_GEOM, "target")),
        pointmass_(Id(mjOBJ_GEOM, "pointmass")) {
    AddObservation("position", {model().nq});
    AddObservation("velocity", {model().nv});
  }

 private:
  void InitializeEpisode() override {
    RandomizeLimitedAndRotationalJoints();
    if (!randomize_gains_) return;
    double dir1[2];
    double dir2[2];
    RandomDirection(dir1);
    do {
      RandomDirection(dir2);
    } while (std::abs(dir1[0] * dir2[0] + dir1[1] * dir2[1]) > 0.9);
    double* wrap_prm = mutable_model().wrap_prm;
    wrap_prm[0] = dir1[0];
    wrap_prm[1] = dir1[1];
    wrap_prm[2] = dir2[0];
    wrap_prm[3] = dir2[1];
  }

  void RandomDirection(double* direction) {
    direction[0] = StandardNormal();
    direction[1] = StandardNormal();
    const double norm = std::sqrt(direction[0] * direction[0] + direction[1] * direction[1]);
    direction[0] /= norm;
    direction[1] /= norm;
  }

  int TaskStateSize() const override { return randomize_gains_ ? 4 : 0; }
  void GetTaskState(double* state) const override {
    std::copy_n(model().wrap_prm, TaskStateSize(), state);
  }
  void SetTaskState(const double* state) override {
    if (randomize_gains_) std::copy_n(state, 4, mutable_model().wrap_prm);
  }

  double* Observe(double* obs) const override {
    obs = std::copy_n(data().qpos, model().nq, obs);
    return std::copy_n(data().qvel, model().nv, obs);
  }

  double Reward() const override {
    const double target_size = model().geom_size[3 * target_];
    double squared = 0.0;
    for (int axis = 0; axis < 3; ++axis) {
      const double d =
          data().geom_xpos[3 * target_ + axis] - data().geom_xpos[3 * pointmass_ + axis];
      squared += d * d;
    }
    const double near_target = Tolerance(std::sqrt(squared), {0, target_size}, target_size);
    double control_reward = 0.0;
    for (int i = 0; i < model().nu; ++i) {
      control_reward += Tolerance(data().ctrl[i], {}, 1, Sigmoid::kQuadratic, 0);
    }
    const double small_control = (control_reward / model().nu + 4) / 5;
    return near_target * small_control;
  }

  bool randomize_gains_;
  int target_;
  int pointmass_;
};

}  // namespace

void AddPointMass(std::vector<EnvType>& types, const std::string& suite_dir) {
  // Hard changes the model per episode; easy shares it.
  RegisterTask<PointMass>(types, "PointMassEasy-v1",
                          Variant{suite_dir, "point_mass.xml", 20.0, 0.0, false}, false);
  RegisterTask<PointMass>(types, "PointMassHard-v1",
                          Variant{suite_dir, "point_mass.xml", 20.0, 0.0, true}, true);
}

}  // namespace envfleet::dm_control
