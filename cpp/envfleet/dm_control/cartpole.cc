// Cartpole (dm_control/suite/cartpole.py): balance, balance_sparse, swingup, swingup_sparse,
// two_poles, three_poles. dm_control builds the models with more poles in Python (lxml edits of
// cartpole.xml: a chain of poles of the "pole" class, the floor and cameras moved); the same edits
// are made here on MuJoCo's mjSpec of the file.
#include <algorithm>
#include <numbers>
#include <stdexcept>

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

// _make_model(n_poles) for n_poles > 1.
void AddPoles(mjSpec* spec, int n_poles) {
  mjsBody* parent = mjs_findBody(spec, "pole_1");
  const mjsDefault* pole = mjs_findDefault(spec, "pole");
  mjsElement* floor = mjs_findElement(spec, mjOBJ_GEOM, "floor");
  if (parent == nullptr || pole == nullptr || floor == nullptr) {
    throw std::invalid_argument("cartpole.xml: no pole_1 body, pole class or floor");
  }
  for (int index = 2; index <= n_poles; ++index) {
    const std::string suffix = std::to_string(index);
    mjsBody* child = mjs_addBody(parent, pole);
    mjs_setName(child->element, ("pole_" + suffix).c_str());
    mjs_setString(child->childclass, "pole");
    child->pos[0] = 0;
    child->pos[1] = 0;
    child->pos[2] = 1;
    mjs_setName(mjs_addJoint(child, pole)->element, ("hinge_" + suffix).c_str());
    mjs_setName(mjs_addGeom(child, pole)->element, ("pole_" + suffix).c_str());
    parent = child;
  }
  mjs_asGeom(floor)->pos[2] = 1 - n_poles - .05;
  mjsElement* camera = mjs_firstElement(spec, mjOBJ_CAMERA);
  for (int k = 0; k < 2 && camera != nullptr; ++k, camera = mjs_nextElement(spec, camera)) {
    double* pos = mjs_asCamera(camera)->pos;
    pos[0] = 0;
    pos[1] = k == 0 ? -1 - 2 * n_poles : -2 * n_poles;
    pos[2] = k == 0 ? 1 : 2;
  }
}

Variant PolesVariant(const std::string& suite_dir, int n_poles) {
  Variant variant{suite_dir, "cartpole.xml", 10.0, 0.0, false};
  variant.edit = [n_poles](mjSpec* spec) { AddPoles(spec, n_poles); };
  variant.edit_key = std::to_string(n_poles) + " poles";
  return variant;
}

}  // namespace

void AddCartpole(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "cartpole.xml", 10.0, 0.0, false};
  RegisterTask<Balance>(types, "CartpoleBalance-v1", variant, false, false);
  RegisterTask<Balance>(types, "CartpoleBalanceSparse-v1", variant, false, true);
  RegisterTask<Balance>(types, "CartpoleSwingup-v1", variant, true, false);
  RegisterTask<Balance>(types, "CartpoleSwingupSparse-v1", variant, true, true);
  RegisterTask<Balance>(types, "CartpoleTwoPoles-v1", PolesVariant(suite_dir, 2), true, false);
  RegisterTask<Balance>(types, "CartpoleThreePoles-v1", PolesVariant(suite_dir, 3), true, false);
}

}  // namespace envfleet::dm_control
