#include "envfleet/mujoco/ant.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "envfleet/mujoco/numpy_ops.h"
#include "envfleet/mujoco/task_options.h"

namespace envfleet::mujoco {
namespace {

// Values per body in cfrc_ext (torque, force).
constexpr int kForceSize = 6;

// v5's main body: a body id.
int CheckedBodyId(const mjModel& model, std::int64_t id) {
  if (id < 0 || id >= model.nbody) {
    throw std::invalid_argument("main_body must be a body id in [0, " +
                                std::to_string(model.nbody) + "), got " + std::to_string(id));
  }
  return static_cast<int>(id);
}

}  // namespace

Ant::Ant(const Config& config, const VersionDefaults& defaults)
    : MujocoEnv(config, defaults),
      forward_reward_weight_(OptionOr(config, "forward_reward_weight", 1.0)),
      ctrl_cost_weight_(config.Get<double>("ctrl_cost_weight")),
      contact_cost_weight_(config.Get<double>("contact_cost_weight")),
      healthy_reward_(config.Get<double>("healthy_reward")),
      terminate_when_unhealthy_(config.Get<bool>("terminate_when_unhealthy")),
      healthy_z_range_(Range(config, "healthy_z_range")),
      contact_force_range_(Range(config, "contact_force_range")),
      reset_noise_scale_(config.Get<double>("reset_noise_scale")),
      skipped_qpos_(config.Get<bool>("exclude_current_positions_from_observation") ? 2 : 0),
      main_body_(version() == 4 ? BodyId("torso")
                                : CheckedBodyId(model(), config.Get<std::int64_t>("main_body"))),
      observe_contact_forces_(config.Get<bool>(version() == 4 ? "use_contact_forces"
                                                              : "include_cfrc_ext_in_observation")),
      contact_cost_in_reward_(version() == 5 || config.Get<bool>("use_contact_forces")),
      first_observed_body_(version() == 4 ? 0 : 1) {
  ReadsBodyForces();  // the contact cost and observation
  if (version() == 4) {
    DeclareInfo({Info::kRewardForward, Info::kRewardCtrl, Info::kRewardSurvive, Info::kXPosition,
                 Info::kYPosition, Info::kDistanceFromOrigin, Info::kXVelocity, Info::kYVelocity,
                 Info::kForwardReward});
  } else {
    DeclareInfo({Info::kXPosition, Info::kYPosition, Info::kDistanceFromOrigin, Info::kXVelocity,
                 Info::kYVelocity, Info::kRewardForward, Info::kRewardCtrl, Info::kRewardContact,
                 Info::kRewardSurvive});
  }
  const int observed_forces = (model().nbody - first_observed_body_) * kForceSize;
  SetObservationSize(model().nq + model().nv - skipped_qpos_ +
                     (observe_contact_forces_ ? observed_forces : 0));
  BindResetOption(config, "forward_reward_weight", &forward_reward_weight_);
  BindResetOption(config, "ctrl_cost_weight", &ctrl_cost_weight_);
  BindResetOption(config, "contact_cost_weight", &contact_cost_weight_);
  BindResetOption(config, "healthy_reward", &healthy_reward_);
  BindResetOption(config, "terminate_when_unhealthy", &terminate_when_unhealthy_);
  BindResetOption(config, "healthy_z_range", &healthy_z_range_);
  BindResetOption(config, "contact_force_range", &contact_force_range_);
  BindResetOption(config, "reset_noise_scale", &reset_noise_scale_);
}

OptionList Ant::Options(const VersionDefaults& defaults) {
  const bool v4 = defaults.version == 4;
  OptionList list = v4 ? OptionList{options::XmlFile(defaults)} : options::Model(defaults);
  if (!v4) list.push_back(options::ForwardRewardWeight(1.0));
  list.push_back(options::CtrlCostWeight(0.5));
  if (v4) {
    list.push_back({"use_contact_forces", false,
                    "observe the contact forces and add the contact cost to the reward"});
  }
  list.insert(list.end(), {options::ContactCostWeight(5e-4), options::HealthyReward(1.0)});
  if (!v4) {
    list.push_back({"main_body", std::int64_t{1},
                    "id of the body whose x displacement is the forward reward"});
  }
  list.insert(list.end(), {options::TerminateWhenUnhealthy(),
                           options::HealthyZRange(0.2, 1.0),
                           {"contact_force_range", std::vector<double>{-1.0, 1.0},
                            "(min, max) the contact forces are clipped to"},
                           options::ResetNoiseScale(0.1),
                           options::ExcludeCurrentPositions()});
  if (!v4) {
    list.push_back(options::IncludeInObservation("include_cfrc_ext_in_observation",
                                                 "observe the external contact forces"));
  }
  return list;
}

void Ant::ResetModel() { ResetWithNoise(reset_noise_scale_, /*normal_qvel=*/true); }

double* Ant::FillObservation(double* obs) const {
  obs = std::copy(data().qpos + skipped_qpos_, data().qpos + model().nq, obs);
  obs = std::copy_n(data().qvel, model().nv, obs);
  if (observe_contact_forces_) {
    const int end = model().nbody * kForceSize;
    for (int i = first_observed_body_ * kForceSize; i < end; ++i) {
      *obs++ = Clip(data().cfrc_ext[i], contact_force_range_[0], contact_force_range_[1]);
    }
  }
  return obs;
}

void Ant::FillResetInfo(const EnvOutput& out) const {
  if (version() == 4) return;
  SetPositionInfo(out, data().qpos);
}

bool Ant::IsHealthy() const {
  for (int i = 0; i < model().nq; ++i) {
    if (!std::isfinite(data().qpos[i])) return false;
  }
  for (int i = 0; i < model().nv; ++i) {
    if (!std::isfinite(data().qvel[i])) return false;
  }
  const double z = data().qpos[2];
  return healthy_z_range_[0] <= z && z <= healthy_z_range_[1];
}

double Ant::ContactCost() const {
  const double low = contact_force_range_[0];
  const double high = contact_force_range_[1];
  const double* forces = data().cfrc_ext;
  return contact_cost_weight_ * PairwiseSum<double>(model().nbody * kForceSize, [&](int i) {
           const double force = Clip(forces[i], low, high);
           return force * force;
         });
}

void Ant::BeginStep(const float* /*action*/) {
  const double* xpos = BodyPosition(main_body_);
  xy_before_ = {xpos[0], xpos[1]};
}

void Ant::FinishStep(const float* action, const EnvOutput& out) {
  // The velocity is the main body's (x, y) displacement (xpos) over dt.
  const double* xpos = BodyPosition(main_body_);
  const double after[2] = {xpos[0], xpos[1]};
  const double x_velocity = (after[0] - xy_before_[0]) / dt();
  const double y_velocity = (after[1] - xy_before_[1]) / dt();

  // Reward: forward progress and the healthy reward, minus the costs.
  const bool healthy = IsHealthy();
  const double healthy_reward = HealthyReward(healthy, terminate_when_unhealthy_, healthy_reward_);
  const double forward_reward = x_velocity * forward_reward_weight_;
  const float ctrl_cost = ControlCost(ctrl_cost_weight_, action);
  const double contact_cost = contact_cost_in_reward_ ? ContactCost() : 0.0;
  *out.reward = (forward_reward + healthy_reward) -
                (contact_cost_in_reward_ ? ctrl_cost + contact_cost : ctrl_cost);
  *out.terminated = !healthy && terminate_when_unhealthy_;
  WriteObservation(out);

  // v4 reports the body's xpos and, with contact forces, the contact cost as "reward_ctrl".
  const double* position = version() == 4 ? after : data().qpos;
  SetPositionInfo(out, position);
  SetVelocityInfo(out, x_velocity, y_velocity);
  SetInfo(out, Info::kRewardForward, forward_reward);
  SetInfo(out, Info::kRewardCtrl,
          version() == 4 && contact_cost_in_reward_ ? -contact_cost : -ctrl_cost);
  SetInfo(out, Info::kRewardContact, -contact_cost);
  SetInfo(out, Info::kRewardSurvive, healthy_reward);
  SetInfo(out, Info::kForwardReward, forward_reward);
}

}  // namespace envfleet::mujoco
