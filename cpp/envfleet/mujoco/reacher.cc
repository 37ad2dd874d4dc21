#include "envfleet/mujoco/reacher.h"

#include <algorithm>
#include <cmath>

#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {
namespace {

// Reset: joint noise, target disc radius (and the square it is drawn from), velocity noise.
constexpr double kJointNoise = 0.1;
constexpr double kTargetRadius = 0.2;
constexpr double kVelocityNoise = 0.005;

}  // namespace

Reacher::Reacher(const Config& config, const VersionDefaults& defaults)
    : MujocoEnv(config, defaults),
      reward_dist_weight_(OptionOr(config, "reward_dist_weight", 1.0)),
      reward_control_weight_(OptionOr(config, "reward_control_weight", 1.0)),
      fingertip_(BodyId("fingertip")),
      target_(BodyId("target")),
      observed_vector_size_(version() == 4 ? 3 : 2) {
  DeclareInfo({Info::kRewardDist, Info::kRewardCtrl});
  SetObservationSize(2 + 2 + (model().nq - 2) + 2 + observed_vector_size_);
  BindResetOption(config, "reward_dist_weight", &reward_dist_weight_);
  BindResetOption(config, "reward_control_weight", &reward_control_weight_);
}

OptionList Reacher::Options(const VersionDefaults& defaults) {
  if (defaults.version == 4) return {};
  OptionList list = options::Model(defaults);
  list.insert(list.end(),
              {{"reward_dist_weight", 1.0, "weight of the fingertip-to-target distance"},
               {"reward_control_weight", 1.0, "weight of the control cost (squared actions)"}});
  return list;
}

void Reacher::ResetModel() {
  const int nq = model().nq;
  const int nv = model().nv;
  for (int i = 0; i < nq; ++i) qpos_[i] = rng().Uniform(-kJointNoise, kJointNoise) + init_qpos()[i];

  // The target: uniform in the square, kept once inside the disc.
  double goal[2];
  do {
    goal[0] = rng().Uniform(-kTargetRadius, kTargetRadius);
    goal[1] = rng().Uniform(-kTargetRadius, kTargetRadius);
  } while (!(Norm(goal, 2) < kTargetRadius));
  qpos_[nq - 2] = goal[0];
  qpos_[nq - 1] = goal[1];

  // The arm's velocities get noise, the target's are zero.
  for (int i = 0; i < nv; ++i) qvel_[i] = rng().Uniform(-kVelocityNoise, kVelocityNoise);
  qvel_[nv - 2] = qvel_[nv - 1] = 0.0;
  SetQposQvel(qpos_.data(), qvel_.data());
}

std::array<double, 3> Reacher::FingertipToTarget() const {
  const double* fingertip = BodyPosition(fingertip_);
  const double* target = BodyPosition(target_);
  return {fingertip[0] - target[0], fingertip[1] - target[1], fingertip[2] - target[2]};
}

double* Reacher::FillObservation(double* obs) const {
  const double* qpos = data().qpos;
  obs = std::transform(qpos, qpos + 2, obs, [](double q) { return std::cos(q); });
  obs = std::transform(qpos, qpos + 2, obs, [](double q) { return std::sin(q); });
  obs = std::copy(qpos + 2, qpos + model().nq, obs);
  obs = std::copy_n(data().qvel, 2, obs);
  return std::copy_n(FingertipToTarget().data(), observed_vector_size_, obs);
}

// v4 rewards the state before the step, v5 the state after it.
void Reacher::BeginStep(const float* action) {
  if (version() == 4) ComputeRewards(action);
}

void Reacher::FinishStep(const float* action, const EnvOutput& out) {
  if (version() == 5) ComputeRewards(action);
  *out.reward = reward_dist_ + reward_ctrl_;
  *out.terminated = false;
  WriteObservation(out);
  SetInfo(out, Info::kRewardDist, reward_dist_);
  SetInfo(out, Info::kRewardCtrl, reward_ctrl_);
}

void Reacher::ComputeRewards(const float* action) {
  reward_dist_ = -Norm(FingertipToTarget().data(), 3) * reward_dist_weight_;
  reward_ctrl_ = -SumOfSquares(action, model().nu) * static_cast<float>(reward_control_weight_);
}

}  // namespace envfleet::mujoco
