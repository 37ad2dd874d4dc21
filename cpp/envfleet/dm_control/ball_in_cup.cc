// Ball in cup (dm_control/suite/ball_in_cup.py): catch.
#include <algorithm>
#include <cmath>

#include "envfleet/dm_control/registration.h"

namespace envfleet::dm_control {
namespace {

class BallInCup final : public SuiteEnv {
 public:
  BallInCup(const Config& config, const Variant& variant)
      : SuiteEnv(config, variant),
        ball_x_(QposAdr("ball_x")),
        ball_z_(QposAdr("ball_z")),
        target_(Id(mjOBJ_SITE, "target")),
        ball_body_(Id(mjOBJ_BODY, "ball")),
        ball_geom_(Id(mjOBJ_GEOM, "ball")) {
    AddObservation("position", {model().nq});
    AddObservation("velocity", {model().nv});
  }

 private:
  void InitializeEpisode() override {
    // The ball anywhere it does not touch the cup.
    do {
      data().qpos[ball_x_] = rng().Uniform(-.2, .2);
      data().qpos[ball_z_] = rng().Uniform(.2, .5);
      Forward();
    } while (data().ncon > 0);
  }

  double* Observe(double* obs) const override {
    obs = std::copy_n(data().qpos, model().nq, obs);
    return std::copy_n(data().qvel, model().nv, obs);
  }

  double Reward() const override {
    const double ball_size = model().geom_size[3 * ball_geom_];
    for (int axis : {0, 2}) {
      const double ball_to_target =
          std::abs(data().site_xpos[3 * target_ + axis] - data().xpos[3 * ball_body_ + axis]);
      if (!(ball_to_target < model().site_size[3 * target_ + axis] - ball_size)) return 0.0;
    }
    return 1.0;
  }

  int ball_x_;
  int ball_z_;
  int target_;
  int ball_body_;
  int ball_geom_;
};

}  // namespace

void AddBallInCup(std::vector<EnvType>& types, const std::string& suite_dir) {
  RegisterTask<BallInCup>(types, "BallInCupCatch-v1",
                          Variant{suite_dir, "ball_in_cup.xml", 20.0, 0.02, false});
}

}  // namespace envfleet::dm_control
