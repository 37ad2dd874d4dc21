#include "envfleet/mujoco/humanoid.h"

#include <algorithm>

#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {
namespace {

// Values per body in cinert, cvel and cfrc_ext; dofs of the free root joint.
constexpr int kInertiaSize = 10;
constexpr int kMotionSize = 6;
constexpr int kRootDofs = 6;

// Copies rows [first_row, rows) of a row-major array with `width` values per row.
double* CopyRows(const double* array, int first_row, int rows, int width, double* out) {
  return std::copy(array + first_row * width, array + rows * width, out);
}

}  // namespace

// ---- HumanoidBase ----

HumanoidBase::HumanoidBase(const Config& config, const VersionDefaults& defaults)
    : MujocoEnv(config, defaults),
      // HumanoidStandup-v4 has no keywords: its noise scale is fixed at 0.01.
      reset_noise_scale_(OptionOr(config, "reset_noise_scale", 0.01)),
      skipped_qpos_(OptionOr(config, "exclude_current_positions_from_observation", true) ? 2 : 0),
      first_body_(version() == 4 ? 0 : 1),
      first_dof_(version() == 4 ? 0 : kRootDofs),
      observe_cinert_(OptionOr(config, "include_cinert_in_observation", true)),
      observe_cvel_(OptionOr(config, "include_cvel_in_observation", true)),
      observe_qfrc_actuator_(OptionOr(config, "include_qfrc_actuator_in_observation", true)),
      observe_cfrc_ext_(OptionOr(config, "include_cfrc_ext_in_observation", true)) {
  const int bodies = model().nbody - first_body_;
  SetObservationSize(model().nq - skipped_qpos_ + model().nv +
                     (observe_cinert_ ? bodies * kInertiaSize : 0) +
                     (observe_cvel_ ? bodies * kMotionSize : 0) +
                     (observe_qfrc_actuator_ ? model().nv - first_dof_ : 0) +
                     (observe_cfrc_ext_ ? bodies * kMotionSize : 0));
  ReadsBodyForces();  // the contact (impact) cost and observation
  BindResetOption(config, "reset_noise_scale", &reset_noise_scale_);
  if (version() == 5) {
    tendon_length_slot_ = AddInfo("tendon_length", {model().ntendon});
    tendon_velocity_slot_ = AddInfo("tendon_velocity", {model().ntendon});
  }
}

OptionList HumanoidBase::ObservationOptions() {
  return {options::ExcludeCurrentPositions(),
          options::IncludeInObservation("include_cinert_in_observation",
                                        "observe the bodies' com-based inertia (cinert)"),
          options::IncludeInObservation("include_cvel_in_observation",
                                        "observe the bodies' com-based velocity (cvel)"),
          options::IncludeInObservation("include_qfrc_actuator_in_observation",
                                        "observe the actuator forces (qfrc_actuator)"),
          options::IncludeInObservation("include_cfrc_ext_in_observation",
                                        "observe the external contact forces (cfrc_ext)")};
}

void HumanoidBase::ResetModel() { ResetWithNoise(reset_noise_scale_, /*normal_qvel=*/false); }

double* HumanoidBase::FillObservation(double* obs) const {
  const int bodies = model().nbody;
  obs = std::copy(data().qpos + skipped_qpos_, data().qpos + model().nq, obs);
  obs = std::copy_n(data().qvel, model().nv, obs);
  if (observe_cinert_) obs = CopyRows(data().cinert, first_body_, bodies, kInertiaSize, obs);
  if (observe_cvel_) obs = CopyRows(data().cvel, first_body_, bodies, kMotionSize, obs);
  if (observe_qfrc_actuator_) {
    obs = std::copy(data().qfrc_actuator + first_dof_, data().qfrc_actuator + model().nv, obs);
  }
  if (observe_cfrc_ext_) obs = CopyRows(data().cfrc_ext, first_body_, bodies, kMotionSize, obs);
  return obs;
}

double HumanoidBase::ControlCostOfCtrl(double weight) const {
  return weight * SumOfSquares(data().ctrl, model().nu);
}

double HumanoidBase::ExternalForceCost(double weight) const {
  return weight * SumOfSquares(data().cfrc_ext, model().nbody * kMotionSize);
}

void HumanoidBase::SetTendonInfo(const EnvOutput& out) const {
  if (version() == 4) return;
  std::copy_n(data().ten_length, model().ntendon, out.Info<double>(tendon_length_slot_));
  std::copy_n(data().ten_velocity, model().ntendon, out.Info<double>(tendon_velocity_slot_));
}

// ---- Humanoid ----

Humanoid::Humanoid(const Config& config, const VersionDefaults& defaults)
    : HumanoidBase(config, defaults),
      forward_reward_weight_(config.Get<double>("forward_reward_weight")),
      ctrl_cost_weight_(config.Get<double>("ctrl_cost_weight")),
      healthy_reward_(config.Get<double>("healthy_reward")),
      terminate_when_unhealthy_(config.Get<bool>("terminate_when_unhealthy")),
      healthy_z_range_(Range(config, "healthy_z_range")),
      total_mass_(
          PairwiseSum<double>(model().nbody, [this](int b) { return model().body_mass[b]; })) {
  if (version() == 4) {
    DeclareInfo({Info::kRewardLinvel, Info::kRewardQuadctrl, Info::kRewardAlive, Info::kXPosition,
                 Info::kYPosition, Info::kDistanceFromOrigin, Info::kXVelocity, Info::kYVelocity,
                 Info::kForwardReward});
  } else {
    DeclareInfo({Info::kXPosition, Info::kYPosition, Info::kDistanceFromOrigin, Info::kXVelocity,
                 Info::kYVelocity, Info::kRewardSurvive, Info::kRewardForward, Info::kRewardCtrl,
                 Info::kRewardContact});
    contact_cost_weight_ = config.Get<double>("contact_cost_weight");
    contact_cost_range_ = Range(config, "contact_cost_range");
  }
  BindResetOption(config, "forward_reward_weight", &forward_reward_weight_);
  BindResetOption(config, "ctrl_cost_weight", &ctrl_cost_weight_);
  BindResetOption(config, "contact_cost_weight", &contact_cost_weight_);
  BindResetOption(config, "contact_cost_range", &contact_cost_range_);
  BindResetOption(config, "healthy_reward", &healthy_reward_);
  BindResetOption(config, "terminate_when_unhealthy", &terminate_when_unhealthy_);
  BindResetOption(config, "healthy_z_range", &healthy_z_range_);
}

OptionList Humanoid::Options(const VersionDefaults& defaults) {
  const bool v5 = defaults.version == 5;
  OptionList list = options::Model(defaults);
  list.insert(list.end(), {options::ForwardRewardWeight(1.25), options::CtrlCostWeight(0.1)});
  if (v5) {
    list.insert(list.end(), {options::ContactCostWeight(5e-7),
                             {"contact_cost_range", std::vector<double>{-options::kInf, 10.0},
                              "(min, max) the contact cost is clipped to"}});
  }
  list.insert(list.end(), {options::HealthyReward(5.0), options::TerminateWhenUnhealthy(),
                           options::HealthyZRange(1.0, 2.0), options::ResetNoiseScale(1e-2)});
  const OptionList observation =
      v5 ? ObservationOptions() : OptionList{options::ExcludeCurrentPositions()};
  list.insert(list.end(), observation.begin(), observation.end());
  return list;
}

std::array<double, 2> Humanoid::MassCenter() const {
  // NumPy's einsum('b,bj->j') adds the bodies' mass x position in body order.
  std::array<double, 2> center = {0.0, 0.0};
  for (int b = 0; b < model().nbody; ++b) {
    for (int j = 0; j < 2; ++j) center[j] += model().body_mass[b] * data().xipos[3 * b + j];
  }
  return {center[0] / total_mass_, center[1] / total_mass_};
}

void Humanoid::FillResetInfo(const EnvOutput& out) const {
  if (version() == 4) return;
  SetPositionInfo(out, data().qpos);
  SetTendonInfo(out);
}

void Humanoid::BeginStep(const float* /*action*/) { mass_center_before_ = MassCenter(); }

void Humanoid::FinishStep(const float* /*action*/, const EnvOutput& out) {
  // The velocity is the mass centre's (x, y) displacement over dt.
  const std::array<double, 2> after = MassCenter();
  const double x_velocity = (after[0] - mass_center_before_[0]) / dt();
  const double y_velocity = (after[1] - mass_center_before_[1]) / dt();

  // Reward: forward progress and the healthy reward, minus the costs (v5: with contacts).
  const double z = data().qpos[2];
  const bool healthy = healthy_z_range_[0] < z && z < healthy_z_range_[1];
  const double healthy_reward = HealthyReward(healthy, terminate_when_unhealthy_, healthy_reward_);
  const double forward_reward = forward_reward_weight_ * x_velocity;
  const double ctrl_cost = ControlCostOfCtrl(ctrl_cost_weight_);
  const double contact_cost = version() == 4 ? 0.0
                                             : Clip(ExternalForceCost(contact_cost_weight_),
                                                    contact_cost_range_[0], contact_cost_range_[1]);
  *out.reward =
      (forward_reward + healthy_reward) - (version() == 4 ? ctrl_cost : ctrl_cost + contact_cost);
  *out.terminated = !healthy && terminate_when_unhealthy_;
  WriteObservation(out);

  // v4 reports the mass centre as the position, v5 the root's qpos.
  const double* position = version() == 4 ? after.data() : data().qpos;
  SetPositionInfo(out, position);
  SetVelocityInfo(out, x_velocity, y_velocity);
  SetInfo(out, Info::kRewardLinvel, forward_reward);
  SetInfo(out, Info::kRewardQuadctrl, -ctrl_cost);
  SetInfo(out, Info::kRewardAlive, healthy_reward);
  SetInfo(out, Info::kForwardReward, forward_reward);
  SetInfo(out, Info::kRewardSurvive, healthy_reward);
  SetInfo(out, Info::kRewardForward, forward_reward);
  SetInfo(out, Info::kRewardCtrl, -ctrl_cost);
  SetInfo(out, Info::kRewardContact, -contact_cost);
  SetTendonInfo(out);
}

// ---- HumanoidStandup ----

HumanoidStandup::HumanoidStandup(const Config& config, const VersionDefaults& defaults)
    : HumanoidBase(config, defaults),
      // v4 has no keywords: Gymnasium's fixed weights and cap.
      ctrl_cost_weight_(OptionOr(config, "ctrl_cost_weight", 0.1)),
      impact_cost_weight_(OptionOr(config, "impact_cost_weight", 5e-7)),
      impact_cost_range_(version() == 4 ? std::array<double, 2>{-options::kInf, 10.0}
                                        : Range(config, "impact_cost_range")) {
  if (version() == 4) {
    DeclareInfo({Info::kRewardLinup, Info::kRewardQuadctrl, Info::kRewardImpact});
  } else {
    DeclareInfo({Info::kXPosition, Info::kYPosition, Info::kZDistanceFromOrigin, Info::kRewardLinup,
                 Info::kRewardQuadctrl, Info::kRewardImpact});
  }
  BindResetOption(config, "ctrl_cost_weight", &ctrl_cost_weight_);
  BindResetOption(config, "impact_cost_weight", &impact_cost_weight_);
  BindResetOption(config, "impact_cost_range", &impact_cost_range_);
}

OptionList HumanoidStandup::Options(const VersionDefaults& defaults) {
  if (defaults.version == 4) return {};
  OptionList list = options::Model(defaults);
  list.insert(list.end(),
              {{"uph_cost_weight", 1.0, "accepted and unused, as in Gymnasium 1.4"},
               options::CtrlCostWeight(0.1),
               {"impact_cost_weight", 5e-7, "weight of the impact cost (squared cfrc_ext)"},
               {"impact_cost_range", std::vector<double>{-options::kInf, 10.0},
                "(min, max) the impact cost is clipped to"},
               options::ResetNoiseScale(1e-2)});
  const OptionList observation = ObservationOptions();
  list.insert(list.end(), observation.begin(), observation.end());
  return list;
}

void HumanoidStandup::FillResetInfo(const EnvOutput& out) const {
  if (version() == 4) return;
  SetInfo(out, Info::kXPosition, data().qpos[0]);
  SetInfo(out, Info::kYPosition, data().qpos[1]);
  SetInfo(out, Info::kZDistanceFromOrigin, data().qpos[2] - init_qpos()[2]);
  SetTendonInfo(out);
}

void HumanoidStandup::FinishStep(const float* /*action*/, const EnvOutput& out) {
  // Reward: the torso's height over the timestep, minus the costs, plus one.
  const double uph_cost = (data().qpos[2] - 0) / model().opt.timestep;
  const double quad_ctrl_cost = ControlCostOfCtrl(ctrl_cost_weight_);
  const double quad_impact_cost =
      Clip(ExternalForceCost(impact_cost_weight_), impact_cost_range_[0], impact_cost_range_[1]);
  *out.reward = uph_cost - quad_ctrl_cost - quad_impact_cost + 1;
  *out.terminated = false;
  WriteObservation(out);

  SetInfo(out, Info::kXPosition, data().qpos[0]);
  SetInfo(out, Info::kYPosition, data().qpos[1]);
  SetInfo(out, Info::kZDistanceFromOrigin, data().qpos[2] - init_qpos()[2]);
  SetInfo(out, Info::kRewardLinup, uph_cost);
  SetInfo(out, Info::kRewardQuadctrl, -quad_ctrl_cost);
  SetInfo(out, Info::kRewardImpact, -quad_impact_cost);
  SetTendonInfo(out);
}

}  // namespace envfleet::mujoco
