// Reacher (dm_control/suite/reacher.py): easy, hard. The target moves per episode, in the env's
// own copy of the model; its (x, y) is the task's state.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"

namespace envfleet::dm_control {
namespace {

class Reacher final : public SuiteEnv {
 public:
  Reacher(const Config& config, const Variant& variant, double target_size)
      : SuiteEnv(config, variant),
        target_(Id(mjOBJ_GEOM, "target")),
        finger_(Id(mjOBJ_GEOM, "finger")) {
    mutable_model().geom_size[3 * target_] = target_size;
    AddObservation("position", {model().nq});
    AddObservation("to_target", {2});
    AddObservation("velocity", {model().nv});
  }

 private:
  void InitializeEpisode() override {
    RandomizeLimitedAndRotationalJoints();
    const double angle = rng().Uniform(0, 2 * std::numbers::pi);
    const double radius = rng().Uniform(.05, .20);
    mutable_model().geom_pos[3 * target_] = radius * std::sin(angle);
    mutable_model().geom_pos[3 * target_ + 1] = radius * std::cos(angle);
  }

  int TaskStateSize() const override { return 2; }
  void GetTaskState(double* state) const override {
    std::copy_n(model().geom_pos + 3 * target_, 2, state);
  }
  void SetTaskState(const double* state) override {
    std::copy_n(state, 2, mutable_model().geom_pos + 3 * target_);
  }

  double ToTarget(int axis) const {
    return data().geom_xpos[3 * target_ + axis] - data().geom_xpos[3 * finger_ + axis];
  }

  double* Observe(double* obs) const override {
    obs = std::copy_n(data().qpos, model().nq, obs);
    *obs++ = ToTarget(0);
    *obs++ = ToTarget(1);
    return std::copy_n(data().qvel, model().nv, obs);
  }

  double Reward() const override {
    const double radii = model().geom_size[3 * target_] + model().geom_size[3 * finger_];
    const double x = ToTarget(0);
    const double y = ToTarget(1);
    return Tolerance(std::sqrt(x * x + y * y), {0, radii});
  }

  int target_;
  int finger_;
};

}  // namespace

void AddReacher(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "reacher.xml", 20.0, 0.0, true};
  RegisterTask<Reacher>(types, "ReacherEasy-v1", variant, .05);
  RegisterTask<Reacher>(types, "ReacherHard-v1", variant, .015);
}

}  // namespace envfleet::dm_control
