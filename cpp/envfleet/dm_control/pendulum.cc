// Pendulum (dm_control/suite/pendulum.py): swingup.
#include <cmath>
#include <numbers>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

class SwingUp final : public SuiteEnv {
 public:
  SwingUp(const Config& config, const Variant& variant)
      : SuiteEnv(config, variant),
        pole_(Id(mjOBJ_BODY, "pole")),
        hinge_(model().jnt_qposadr[Id(mjOBJ_JOINT, "hinge")]),
        hinge_dof_(model().jnt_dofadr[Id(mjOBJ_JOINT, "hinge")]) {
    AddObservation("orientation", {2});
    AddObservation("velocity", {1});
  }

 private:
  void InitializeEpisode() override {
    data().qpos[hinge_] = rng().Uniform(-std::numbers::pi, std::numbers::pi);
  }

  double* Observe(double* obs) const override {
    *obs++ = BodyXmat(data(), pole_, kZZ);
    *obs++ = BodyXmat(data(), pole_, kXZ);
    *obs++ = data().qvel[hinge_dof_];
    return obs;
  }

  double Reward() const override {
    // _COSINE_BOUND = np.cos(np.deg2rad(8)).
    static const double kCosineBound = std::cos(8 * (std::numbers::pi / 180));
    return Tolerance(BodyXmat(data(), pole_, kZZ), {kCosineBound, 1});
  }

  int pole_;
  int hinge_;
  int hinge_dof_;
};

}  // namespace

void AddPendulum(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<SwingUp>(types, "PendulumSwingup-v1",
                        Variant{suite_dir, "pendulum.xml", 20.0, 0.0, false});
}

}  // namespace envfleet::dm_control
