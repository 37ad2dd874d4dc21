// Cheetah (dm_control/suite/cheetah.py): run.
#include <algorithm>
#include <limits>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"

namespace envfleet::dm_control {
namespace {

class Cheetah final : public SuiteEnv {
 public:
  Cheetah(const Config& config, const Variant& variant)
      : SuiteEnv(config, variant), speed_(SensorAdr("torso_subtreelinvel")) {
    AddObservation("position", {model().nq - 1});
    AddObservation("velocity", {model().nv});
  }

 private:
  static constexpr double kRunSpeed = 10;

  void InitializeEpisode() override {
    // Limited joints uniform in their ranges, then 200 physics steps to settle, time zeroed.
    const mjModel& m = model();
    for (int joint = 0; joint < m.njnt; ++joint) {
      if (m.jnt_limited[joint] == 1) {
        data().qpos[m.jnt_qposadr[joint]] =
            rng().Uniform(m.jnt_range[2 * joint], m.jnt_range[2 * joint + 1]);
      }
    }
    PhysicsStep(200);
    data().time = 0;
  }

  double* Observe(double* obs) const override {
    obs = std::copy_n(data().qpos + 1, model().nq - 1, obs);
    return std::copy_n(data().qvel, model().nv, obs);
  }

  double Reward() const override {
    return Tolerance(data().sensordata[speed_],
                     {kRunSpeed, std::numeric_limits<double>::infinity()}, kRunSpeed,
                     Sigmoid::kLinear, 0);
  }

  int speed_;
};

}  // namespace

void AddCheetah(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<Cheetah>(types, "CheetahRun-v1",
                        Variant{suite_dir, "cheetah.xml", 10.0, 0.0, false});
}

}  // namespace envfleet::dm_control
