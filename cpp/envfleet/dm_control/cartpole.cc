// Cartpole (dm_control/suite/cartpole.py): balance, balance_sparse, swingup, swingup_sparse.
// The two- and three-pole tasks build their model in Python (lxml edits of cartpole.xml) and are
// left out.
#include <algorithm>
#include <numbers>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

class Balance final : public SuiteEnv {
 public:
  Balance(const Config& config, const Variant& variant, bool swing_up, bool sparse)
      : SuiteEnv(config, variant), swing_up_(swing_up), sparse_(sparse) {
    AddObservation("position", {1 + 2 * NumPoles()});
    AddObservation("velocity", {model().nv});
  }

 private:
  int NumPoles() const { return model().nbody - 2; }

  void InitializeEpisode() override {
    mjData& d = data();
    const int nv = model().nv;
    if (swing_up_) {
      d.qpos[0] = .01 * StandardNormal();
      d.qpos[1] = std::numbers::pi + .01 * StandardNormal();
      for (int i = 2; i < nv; ++i) d.qpos[i] = .1 * StandardNormal();
    } else {
      d.qpos[0] = rng().Uniform(-.1, .1);
      for (int i = 1; i < nv; ++i) d.qpos[i] = rng().Uniform(-.034, .034);
    }
    for (int i = 0; i < nv; ++i) d.qvel[i] = 0.01 * StandardNormal();
  }

  double* Observe(double* obs) const override {
    const mjData& d = data();
    *obs++ = d.qpos[0];
    for (int body = 2; body < model().nbody; ++body) {
      *obs++ = BodyXmat(d, body, kZZ);
      *obs++ = BodyXmat(d, body, kXZ);
    }
    return std::copy_n(d.qvel, model().nv, obs);
  }

  double Reward() const override {
    const mjData& d = data();
    const double cart_position = d.qpos[0];
    if (sparse_) {
      const double cart_in_bounds = Tolerance(cart_position, {-.25, .25});
      double angle_in_bounds = 1.0;
      for (int body = 2; body < model().nbody; ++body) {
        angle_in_bounds *= Tolerance(BodyXmat(d, body, kZZ), {.995, 1});
      }
      return cart_in_bounds * angle_in_bounds;
    }
    double upright = 0.0;
    for (int body = 2; body < model().nbody; ++body) upright += (BodyXmat(d, body, kZZ) + 1) / 2;
    upright /= NumPoles();
    const double centered = (1 + Tolerance(cart_position, {}, 2)) / 2;
    const double small_control = (4 + Tolerance(d.ctrl[0], {}, 1, Sigmoid::kQuadratic, 0)) / 5;
    double small_velocity = 1.0;
    for (int i = 1; i < model().nv; ++i) {
      small_velocity = std::min(small_velocity, Tolerance(d.qvel[i], {}, 5));
    }
    small_velocity = (1 + small_velocity) / 2;
    return upright * small_control * small_velocity * centered;
  }

  bool swing_up_;
  bool sparse_;
};

}  // namespace

void AddCartpole(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "cartpole.xml", 10.0, 0.0, false};
  RegisterTask<Balance>(types, "CartpoleBalance-v1", variant, false, false);
  RegisterTask<Balance>(types, "CartpoleBalanceSparse-v1", variant, false, true);
  RegisterTask<Balance>(types, "CartpoleSwingup-v1", variant, true, false);
  RegisterTask<Balance>(types, "CartpoleSwingupSparse-v1", variant, true, true);
}

}  // namespace envfleet::dm_control
