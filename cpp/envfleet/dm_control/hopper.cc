// Hopper (dm_control/suite/hopper.py): stand, hop.
#include <algorithm>
#include <cmath>
#include <limits>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"

namespace envfleet::dm_control {
namespace {

class Hopper final : public SuiteEnv {
 public:
  Hopper(const Config& config, const Variant& variant, bool hopping)
      : SuiteEnv(config, variant),
        hopping_(hopping),
        torso_(Id(mjOBJ_BODY, "torso")),
        foot_(Id(mjOBJ_BODY, "foot")),
        speed_(SensorAdr("torso_subtreelinvel")),
        touch_toe_(SensorAdr("touch_toe")),
        touch_heel_(SensorAdr("touch_heel")) {
    AddObservation("position", {model().nq - 1});
    AddObservation("velocity", {model().nv});
    AddObservation("touch", {2});
  }

 private:
  static constexpr double kStandHeight = 0.6;
  static constexpr double kHopSpeed = 2;

  void InitializeEpisode() override { RandomizeLimitedAndRotationalJoints(); }

  double* Observe(double* obs) const override {
    obs = std::copy_n(data().qpos + 1, model().nq - 1, obs);
    obs = std::copy_n(data().qvel, model().nv, obs);
    *obs++ = std::log1p(data().sensordata[touch_toe_]);
    *obs++ = std::log1p(data().sensordata[touch_heel_]);
    return obs;
  }

  double Reward() const override {
    const double height = data().xipos[3 * torso_ + 2] - data().xipos[3 * foot_ + 2];
    const double standing = Tolerance(height, {kStandHeight, 2});
    if (hopping_) {
      const double hopping =
          Tolerance(data().sensordata[speed_], {kHopSpeed, std::numeric_limits<double>::infinity()},
                    kHopSpeed / 2, Sigmoid::kLinear, 0.5);
      return standing * hopping;
    }
    double small_control = 0.0;
    for (int i = 0; i < model().nu; ++i) {
      small_control += Tolerance(data().ctrl[i], {}, 1, Sigmoid::kQuadratic, 0);
    }
    small_control = (small_control / model().nu + 4) / 5;
    return standing * small_control;
  }

  bool hopping_;
  int torso_;
  int foot_;
  int speed_;
  int touch_toe_;
  int touch_heel_;
};

}  // namespace

void AddHopper(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "hopper.xml", 20.0, 0.02, false};
  RegisterTask<Hopper>(types, "HopperStand-v1", variant, false);
  RegisterTask<Hopper>(types, "HopperHop-v1", variant, true);
}

}  // namespace envfleet::dm_control
