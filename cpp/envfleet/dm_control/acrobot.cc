// Acrobot (dm_control/suite/acrobot.py): swingup, swingup_sparse.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

class Balance final : public SuiteEnv {
 public:
  Balance(const Config& config, const Variant& variant, bool sparse)
      : SuiteEnv(config, variant),
        sparse_(sparse),
        upper_arm_(Id(mjOBJ_BODY, "upper_arm")),
        lower_arm_(Id(mjOBJ_BODY, "lower_arm")),
        shoulder_(model().jnt_qposadr[Id(mjOBJ_JOINT, "shoulder")]),
        elbow_(model().jnt_qposadr[Id(mjOBJ_JOINT, "elbow")]),
        target_(Id(mjOBJ_SITE, "target")),
        tip_(Id(mjOBJ_SITE, "tip")) {
    AddObservation("orientations", {4});
    AddObservation("velocity", {model().nv});
  }

 private:
  void InitializeEpisode() override {
    // uniform(-pi, pi, 2): the shoulder's draw first.
    data().qpos[shoulder_] = rng().Uniform(-std::numbers::pi, std::numbers::pi);
    data().qpos[elbow_] = rng().Uniform(-std::numbers::pi, std::numbers::pi);
  }

  double* Observe(double* obs) const override {
    const mjData& d = data();
    *obs++ = BodyXmat(d, upper_arm_, kXZ);
    *obs++ = BodyXmat(d, lower_arm_, kXZ);
    *obs++ = BodyXmat(d, upper_arm_, kZZ);
    *obs++ = BodyXmat(d, lower_arm_, kZZ);
    return std::copy_n(d.qvel, model().nv, obs);
  }

  double Reward() const override {
    const double* target = data().site_xpos + 3 * target_;
    const double* tip = data().site_xpos + 3 * tip_;
    const double dx = target[0] - tip[0];
    const double dy = target[1] - tip[1];
    const double dz = target[2] - tip[2];
    const double distance = std::sqrt(dx * dx + dy * dy + dz * dz);
    const double radius = model().site_size[3 * target_];
    return Tolerance(distance, {0, radius}, sparse_ ? 0 : 1);
  }

  bool sparse_;
  int upper_arm_;
  int lower_arm_;
  int shoulder_;
  int elbow_;
  int target_;
  int tip_;
};

}  // namespace

void AddAcrobot(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "acrobot.xml", 10.0, 0.0, false};
  RegisterTask<Balance>(types, "AcrobotSwingup-v1", variant, false);
  RegisterTask<Balance>(types, "AcrobotSwingupSparse-v1", variant, true);
}

}  // namespace envfleet::dm_control
