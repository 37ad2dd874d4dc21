// Walker (dm_control/suite/walker.py): stand, walk, run.
#include <algorithm>
#include <limits>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

class PlanarWalker final : public SuiteEnv {
 public:
  PlanarWalker(const Config& config, const Variant& variant, double move_speed)
      : SuiteEnv(config, variant),
        move_speed_(move_speed),
        torso_(Id(mjOBJ_BODY, "torso")),
        speed_(SensorAdr("torso_subtreelinvel")) {
    AddObservation("orientations", {2 * (model().nbody - 1)});
    AddObservation("height", {});
    AddObservation("velocity", {model().nv});
  }

 private:
  static constexpr double kStandHeight = 1.2;

  void InitializeEpisode() override { RandomizeLimitedAndRotationalJoints(); }

  double* Observe(double* obs) const override {
    for (int body = 1; body < model().nbody; ++body) {
      *obs++ = BodyXmat(data(), body, kXX);
      *obs++ = BodyXmat(data(), body, kXZ);
    }
    *obs++ = data().xpos[3 * torso_ + 2];
    return std::copy_n(data().qvel, model().nv, obs);
  }

  double Reward() const override {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const double standing =
        Tolerance(data().xpos[3 * torso_ + 2], {kStandHeight, kInf}, kStandHeight / 2);
    const double upright = (1 + BodyXmat(data(), torso_, kZZ)) / 2;
    const double stand_reward = (3 * standing + upright) / 4;
    if (move_speed_ == 0) return stand_reward;
    const double move_reward = Tolerance(data().sensordata[speed_], {move_speed_, kInf},
                                         move_speed_ / 2, Sigmoid::kLinear, 0.5);
    return stand_reward * (5 * move_reward + 1) / 6;
  }

  double move_speed_;
  int torso_;
  int speed_;
};

}  // namespace

void AddWalker(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "walker.xml", 25.0, 0.025, false};
  RegisterTask<PlanarWalker>(types, "WalkerStand-v1", variant, 0.0);
  RegisterTask<PlanarWalker>(types, "WalkerWalk-v1", variant, 1.0);
  RegisterTask<PlanarWalker>(types, "WalkerRun-v1", variant, 8.0);
}

}  // namespace envfleet::dm_control
