#include "envfleet/mujoco/pusher.h"

#include <algorithm>
#include <array>

#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {
namespace {

// The arm's joints (observed), and the reset draws: cylinder box, its minimum distance from the
// goal, velocity noise.
constexpr int kArmJoints = 7;
constexpr double kCylinderXLow = -0.3;
constexpr double kCylinderXHigh = 0.0;
constexpr double kCylinderYBound = 0.2;
constexpr double kMinGoalDistance = 0.17;
constexpr double kVelocityNoise = 0.005;

// v4's fixed reward weights (near, dist, control).
constexpr double kV4NearWeight = 0.5;
constexpr double kV4DistWeight = 1.0;
constexpr double kV4ControlWeight = 0.1;

// a - b for two xpos rows.
std::array<double, 3> Difference(const double* a, const double* b) {
  return {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
}

}  // namespace

Pusher::Pusher(const Config& config, const VersionDefaults& defaults)
    : MujocoEnv(config, defaults),
      reward_near_weight_(OptionOr(config, "reward_near_weight", kV4NearWeight)),
      reward_dist_weight_(OptionOr(config, "reward_dist_weight", kV4DistWeight)),
      reward_control_weight_(OptionOr(config, "reward_control_weight", kV4ControlWeight)),
      tips_arm_(BodyId("tips_arm")),
      object_(BodyId("object")),
      goal_(BodyId("goal")) {
  if (version() == 4) {
    DeclareInfo({Info::kRewardDist, Info::kRewardCtrl});
  } else {
    DeclareInfo({Info::kRewardDist, Info::kRewardCtrl, Info::kRewardNear});
  }
  SetObservationSize(2 * kArmJoints + 3 * 3);
  BindResetOption(config, "reward_near_weight", &reward_near_weight_);
  BindResetOption(config, "reward_dist_weight", &reward_dist_weight_);
  BindResetOption(config, "reward_control_weight", &reward_control_weight_);
}

OptionList Pusher::Options(const VersionDefaults& defaults) {
  if (defaults.version == 4) return {};
  OptionList list = options::Model(defaults);
  list.insert(
      list.end(),
      {{"reward_near_weight", kV4NearWeight, "weight of the fingertip-to-cylinder distance"},
       {"reward_dist_weight", kV4DistWeight, "weight of the cylinder-to-goal distance"},
       {"reward_control_weight", kV4ControlWeight,
        "weight of the control cost (squared actions)"}});
  return list;
}

void Pusher::ResetModel() {
  const int nq = model().nq;
  const int nv = model().nv;
  std::copy_n(init_qpos(), nq, qpos_.begin());

  // The cylinder: uniform in its box, kept once far enough from the goal at the origin.
  double cylinder[2];
  do {
    cylinder[0] = rng().Uniform(kCylinderXLow, kCylinderXHigh);
    cylinder[1] = rng().Uniform(-kCylinderYBound, kCylinderYBound);
  } while (!(Norm(cylinder, 2) > kMinGoalDistance));
  qpos_[nq - 4] = cylinder[0];
  qpos_[nq - 3] = cylinder[1];
  qpos_[nq - 2] = qpos_[nq - 1] = 0.0;

  // The arm's velocities get noise; the cylinder's and the goal's are zero.
  for (int i = 0; i < nv; ++i) qvel_[i] = rng().Uniform(-kVelocityNoise, kVelocityNoise);
  std::fill(qvel_.end() - 4, qvel_.end(), 0.0);
  SetQposQvel(qpos_.data(), qvel_.data());
}

double* Pusher::FillObservation(double* obs) const {
  obs = std::copy_n(data().qpos, kArmJoints, obs);
  obs = std::copy_n(data().qvel, kArmJoints, obs);
  for (int body : {tips_arm_, object_, goal_}) obs = std::copy_n(BodyPosition(body), 3, obs);
  return obs;
}

Pusher::Rewards Pusher::ComputeRewards(const float* action) const {
  const std::array<double, 3> to_tips = Difference(BodyPosition(object_), BodyPosition(tips_arm_));
  const std::array<double, 3> to_goal = Difference(BodyPosition(object_), BodyPosition(goal_));
  return {-Norm(to_goal.data(), 3), -SumOfSquares(action, model().nu), -Norm(to_tips.data(), 3)};
}

// v4 rewards the state before the step, v5 the state after it.
void Pusher::BeginStep(const float* action) {
  if (version() == 4) terms_ = ComputeRewards(action);
}

void Pusher::FinishStep(const float* action, const EnvOutput& out) {
  if (version() == 5) terms_ = ComputeRewards(action);
  const Rewards& terms = terms_;

  // The weighted terms; the control term stays float32.
  const double dist = terms.dist * reward_dist_weight_;
  const float ctrl_term = terms.ctrl * static_cast<float>(reward_control_weight_);
  const double near = terms.near * reward_near_weight_;
  *out.reward = dist + ctrl_term + near;
  *out.terminated = false;
  WriteObservation(out);

  // v4 reports the unweighted terms, v5 the weighted ones.
  SetInfo(out, Info::kRewardDist, dist);
  SetInfo(out, Info::kRewardCtrl, version() == 4 ? terms.ctrl : ctrl_term);
  SetInfo(out, Info::kRewardNear, near);
}

}  // namespace envfleet::mujoco
