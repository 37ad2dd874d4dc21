// Humanoid (dm_control/suite/humanoid.py): stand, walk, run, run_pure_state.
#include <algorithm>
#include <cmath>
#include <limits>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

class Humanoid final : public SuiteEnv {
 public:
  Humanoid(const Config& config, const Variant& variant, double move_speed, bool pure_state)
      : SuiteEnv(config, variant),
        move_speed_(move_speed),
        pure_state_(pure_state),
        torso_(Id(mjOBJ_BODY, "torso")),
        head_(Id(mjOBJ_BODY, "head")),
        limbs_{Id(mjOBJ_BODY, "left_hand"), Id(mjOBJ_BODY, "left_foot"),
               Id(mjOBJ_BODY, "right_hand"), Id(mjOBJ_BODY, "right_foot")},
        com_velocity_(SensorAdr("torso_subtreelinvel")) {
    if (pure_state_) {
      AddObservation("position", {model().nq});
      AddObservation("velocity", {model().nv});
    } else {
      AddObservation("joint_angles", {model().nq - 7});
      AddObservation("head_height", {});
      AddObservation("extremities", {12});
      AddObservation("torso_vertical", {3});
      AddObservation("com_velocity", {3});
      AddObservation("velocity", {model().nv});
    }
  }

 private:
  static constexpr double kStandHeight = 1.4;

  void InitializeEpisode() override {
    // Random joints until a state without contacts.
    do {
      RandomizeLimitedAndRotationalJoints();
      Forward();
    } while (data().ncon > 0);
  }

  double* Observe(double* obs) const override {
    const mjData& d = data();
    if (pure_state_) {
      obs = std::copy_n(d.qpos, model().nq, obs);
      return std::copy_n(d.qvel, model().nv, obs);
    }
    obs = std::copy_n(d.qpos + 7, model().nq - 7, obs);
    *obs++ = d.xpos[3 * head_ + 2];
    // Each limb's position relative to the torso, in the torso's frame: (limb - torso) . xmat.
    const double* torso_pos = d.xpos + 3 * torso_;
    const double* frame = d.xmat + 9 * torso_;
    for (int limb : limbs_) {
      double v[3];
      for (int i = 0; i < 3; ++i) v[i] = d.xpos[3 * limb + i] - torso_pos[i];
      for (int j = 0; j < 3; ++j)
        *obs++ = v[0] * frame[j] + v[1] * frame[3 + j] + v[2] * frame[6 + j];
    }
    *obs++ = BodyXmat(d, torso_, kZX);
    *obs++ = BodyXmat(d, torso_, kZY);
    *obs++ = BodyXmat(d, torso_, kZZ);
    obs = std::copy_n(d.sensordata + com_velocity_, 3, obs);
    return std::copy_n(d.qvel, model().nv, obs);
  }

  double Reward() const override {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const mjData& d = data();
    const double standing =
        Tolerance(d.xpos[3 * head_ + 2], {kStandHeight, kInf}, kStandHeight / 4);
    const double upright =
        Tolerance(BodyXmat(d, torso_, kZZ), {0.9, kInf}, 1.9, Sigmoid::kLinear, 0);
    const double stand_reward = standing * upright;
    double small_control = 0.0;
    for (int i = 0; i < model().nu; ++i) {
      small_control += Tolerance(d.ctrl[i], {}, 1, Sigmoid::kQuadratic, 0);
    }
    small_control = (4 + small_control / model().nu) / 5;
    const double vx = d.sensordata[com_velocity_];
    const double vy = d.sensordata[com_velocity_ + 1];
    if (move_speed_ == 0) {
      const double dont_move = (Tolerance(vx, {}, 2) + Tolerance(vy, {}, 2)) / 2;
      return small_control * stand_reward * dont_move;
    }
    const double com_velocity = std::sqrt(vx * vx + vy * vy);
    double move = Tolerance(com_velocity, {move_speed_, kInf}, move_speed_, Sigmoid::kLinear, 0);
    move = (5 * move + 1) / 6;
    return small_control * stand_reward * move;
  }

  double move_speed_;
  bool pure_state_;
  int torso_;
  int head_;
  int limbs_[4];
  int com_velocity_;
};

}  // namespace

void AddHumanoid(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "humanoid.xml", 25.0, 0.025, false};
  RegisterTask<Humanoid>(types, "HumanoidStand-v1", variant, 0.0, false);
  RegisterTask<Humanoid>(types, "HumanoidWalk-v1", variant, 1.0, false);
  RegisterTask<Humanoid>(types, "HumanoidRun-v1", variant, 10.0, false);
  RegisterTask<Humanoid>(types, "HumanoidRunPureState-v1", variant, 10.0, true);
}

}  // namespace envfleet::dm_control
