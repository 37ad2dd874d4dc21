// Humanoid (dm_control/suite/humanoid.py): stand, walk, run, run_pure_state; and the CMU
// humanoid (humanoid_CMU.py): stand, walk, run, the same task on another body (its torso is the
// "thorax", uprightness is read from xmat's zy rather than zz).
#include <algorithm>
#include <cmath>
#include <limits>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

// The names a body's task reads.
struct Body {
  const char* torso;
  const char* limbs[4];  // left hand, left foot, right hand, right foot
  const char* com_velocity_sensor;
  XmatEntry upright;  // the torso's xmat entry that is 1 when upright
};
constexpr Body kHumanoid{
    "torso", {"left_hand", "left_foot", "right_hand", "right_foot"}, "torso_subtreelinvel", kZZ};
constexpr Body kHumanoidCmu{
    "thorax", {"lhand", "lfoot", "rhand", "rfoot"}, "thorax_subtreelinvel", kZY};

class Humanoid final : public SuiteEnv {
 public:
  Humanoid(const Config& config, const Variant& variant, const Body& body, double move_speed,
           bool pure_state)
      : SuiteEnv(config, variant),
        move_speed_(move_speed),
        pure_state_(pure_state),
        upright_(body.upright),
        torso_(Id(mjOBJ_BODY, body.torso)),
        head_(Id(mjOBJ_BODY, "head")),
        limbs_{Id(mjOBJ_BODY, body.limbs[0]), Id(mjOBJ_BODY, body.limbs[1]),
               Id(mjOBJ_BODY, body.limbs[2]), Id(mjOBJ_BODY, body.limbs[3])},
        com_velocity_(SensorAdr(body.com_velocity_sensor)) {
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
        Tolerance(BodyXmat(d, torso_, upright_), {0.9, kInf}, 1.9, Sigmoid::kLinear, 0);
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
  XmatEntry upright_;
  int torso_;
  int head_;
  int limbs_[4];
  int com_velocity_;
};

}  // namespace

void AddHumanoid(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "humanoid.xml", 25.0, 0.025, false};
  RegisterTask<Humanoid>(types, "HumanoidStand-v1", variant, kHumanoid, 0.0, false);
  RegisterTask<Humanoid>(types, "HumanoidWalk-v1", variant, kHumanoid, 1.0, false);
  RegisterTask<Humanoid>(types, "HumanoidRun-v1", variant, kHumanoid, 10.0, false);
  RegisterTask<Humanoid>(types, "HumanoidRunPureState-v1", variant, kHumanoid, 10.0, true);
}

void AddHumanoidCmu(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "humanoid_CMU.xml", 20.0, 0.02, false};
  RegisterTask<Humanoid>(types, "HumanoidCMUStand-v1", variant, kHumanoidCmu, 0.0, false);
  RegisterTask<Humanoid>(types, "HumanoidCMUWalk-v1", variant, kHumanoidCmu, 1.0, false);
  RegisterTask<Humanoid>(types, "HumanoidCMURun-v1", variant, kHumanoidCmu, 10.0, false);
}

}  // namespace envfleet::dm_control
