#include "envfleet/mujoco/inverted_pendulum.h"

#include <algorithm>
#include <cmath>

#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {
namespace {

// InvertedPendulum ends when the pole angle leaves [-kMaxPoleAngle, kMaxPoleAngle].
constexpr double kMaxPoleAngle = 0.2;
// InvertedDoublePendulum clips observed velocities and constraint forces to this magnitude, and
// ends when the pole tip is at or below kMinTipHeight.
constexpr double kClip = 10.0;
constexpr double kMinTipHeight = 1.0;

}  // namespace

// ---- InvertedPendulum ----

InvertedPendulum::InvertedPendulum(const Config& config, const VersionDefaults& defaults)
    : MujocoEnv(config, defaults), reset_noise_scale_(OptionOr(config, "reset_noise_scale", 0.01)) {
  if (version() == 5) DeclareInfo({Info::kRewardSurvive});
  SetObservationSize(model().nq + model().nv);
  BindResetOption(config, "reset_noise_scale", &reset_noise_scale_);
}

OptionList InvertedPendulum::Options(const VersionDefaults& defaults) {
  if (defaults.version == 4) return {};
  OptionList list = options::Model(defaults);
  list.push_back(options::ResetNoiseScale(0.01));
  return list;
}

void InvertedPendulum::ResetModel() { ResetWithNoise(reset_noise_scale_, /*normal_qvel=*/false); }

double* InvertedPendulum::FillObservation(double* obs) const {
  obs = std::copy_n(data().qpos, model().nq, obs);
  return std::copy_n(data().qvel, model().nv, obs);
}

void InvertedPendulum::FinishStep(const float* /*action*/, const EnvOutput& out) {
  WriteObservation(out);

  // Ends when the observation is not finite or the pole falls.
  const double* obs = out.Observation<double>();
  const int size = model().nq + model().nv;
  const bool finite = std::all_of(obs, obs + size, [](double v) { return std::isfinite(v); });
  const bool terminated = !finite || std::fabs(obs[1]) > kMaxPoleAngle;
  *out.terminated = terminated;
  *out.reward = version() == 4 || !terminated ? 1.0 : 0.0;
  SetInfo(out, Info::kRewardSurvive, *out.reward);
}

// ---- InvertedDoublePendulum ----

InvertedDoublePendulum::InvertedDoublePendulum(const Config& config,
                                               const VersionDefaults& defaults)
    : MujocoEnv(config, defaults),
      healthy_reward_(OptionOr(config, "healthy_reward", 10.0)),
      reset_noise_scale_(OptionOr(config, "reset_noise_scale", 0.1)),
      observed_constraint_forces_(version() == 4 ? model().nv : 1) {
  if (version() == 5)
    DeclareInfo({Info::kRewardSurvive, Info::kDistancePenalty, Info::kVelocityPenalty});
  SetObservationSize(1 + 2 * (model().nq - 1) + model().nv + observed_constraint_forces_);
  BindResetOption(config, "healthy_reward", &healthy_reward_);
  BindResetOption(config, "reset_noise_scale", &reset_noise_scale_);
}

OptionList InvertedDoublePendulum::Options(const VersionDefaults& defaults) {
  if (defaults.version == 4) return {};
  OptionList list = options::Model(defaults);
  list.insert(list.end(), {options::HealthyReward(10.0), options::ResetNoiseScale(0.1)});
  return list;
}

void InvertedDoublePendulum::ResetModel() {
  ResetWithNoise(reset_noise_scale_, /*normal_qvel=*/true);
}

double* InvertedDoublePendulum::FillObservation(double* obs) const {
  const int nq = model().nq;
  *obs++ = data().qpos[0];
  obs =
      std::transform(data().qpos + 1, data().qpos + nq, obs, [](double q) { return std::sin(q); });
  obs =
      std::transform(data().qpos + 1, data().qpos + nq, obs, [](double q) { return std::cos(q); });
  for (int i = 0; i < model().nv; ++i) *obs++ = Clip(data().qvel[i], -kClip, kClip);
  for (int i = 0; i < observed_constraint_forces_; ++i) {
    *obs++ = Clip(data().qfrc_constraint[i], -kClip, kClip);
  }
  return obs;
}

void InvertedDoublePendulum::FinishStep(const float* /*action*/, const EnvOutput& out) {
  WriteObservation(out);

  // The pole tip (site 0) ends the episode when it is too low.
  const double x = data().site_xpos[0];
  const double y = data().site_xpos[2];
  const bool terminated = y <= kMinTipHeight;

  // Reward: the alive bonus (v5: not on the terminating step) minus the penalties.
  const double v1 = data().qvel[1];
  const double v2 = data().qvel[2];
  const double distance_penalty = 0.01 * ScalarSquare(x) + ScalarSquare(y - 2);
  const double velocity_penalty = 0.001 * ScalarSquare(v1) + 0.005 * ScalarSquare(v2);
  const double alive_bonus = version() == 4 ? 10.0 : healthy_reward_ * (terminated ? 0.0 : 1.0);
  *out.reward = alive_bonus - distance_penalty - velocity_penalty;
  *out.terminated = terminated;

  SetInfo(out, Info::kRewardSurvive, alive_bonus);
  SetInfo(out, Info::kDistancePenalty, -distance_penalty);
  SetInfo(out, Info::kVelocityPenalty, -velocity_penalty);
}

}  // namespace envfleet::mujoco
