// Finger (dm_control/suite/finger.py): spin, turn_easy, turn_hard. Every observation is read from
// the model's sensors. Turn's target moves per episode, in the env's own copy of the model; its
// (x, z) is the task's state.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "envfleet/dm_control/registration.h"

namespace envfleet::dm_control {
namespace {

class Finger : public SuiteEnv {
 protected:
  Finger(const Config& config, const Variant& variant)
      : SuiteEnv(config, variant),
        proximal_(SensorAdr("proximal")),
        distal_(SensorAdr("distal")),
        proximal_velocity_(SensorAdr("proximal_velocity")),
        distal_velocity_(SensorAdr("distal_velocity")),
        hinge_velocity_(SensorAdr("hinge_velocity")),
        tip_(SensorAdr("tip")),
        target_(SensorAdr("target")),
        spinner_(SensorAdr("spinner")),
        touchtop_(SensorAdr("touchtop")),
        touchbottom_(SensorAdr("touchbottom")) {
    AddObservation("position", {4});
    AddObservation("velocity", {3});
    AddObservation("touch", {2});
  }

  // _set_random_joint_angles: random joints until a state without contacts (1000 tries).
  void SetRandomJointAngles() {
    for (int attempt = 0; attempt < 1000; ++attempt) {
      RandomizeLimitedAndRotationalJoints();
      Forward();
      if (data().ncon == 0) return;
    }
    throw std::runtime_error("Could not find a collision-free state after 1000 attempts");
  }

  double Sensor(int adr) const { return data().sensordata[adr]; }
  // A frame position sensor's (x, z) relative to the spinner's.
  double Relative(int adr, int axis) const { return Sensor(adr + axis) - Sensor(spinner_ + axis); }

  double* ObserveCommon(double* obs) const {
    *obs++ = Sensor(proximal_);
    *obs++ = Sensor(distal_);
    *obs++ = Relative(tip_, 0);
    *obs++ = Relative(tip_, 2);
    *obs++ = Sensor(proximal_velocity_);
    *obs++ = Sensor(distal_velocity_);
    *obs++ = Sensor(hinge_velocity_);
    *obs++ = std::log1p(Sensor(touchtop_));
    *obs++ = std::log1p(Sensor(touchbottom_));
    return obs;
  }

  int proximal_, distal_, proximal_velocity_, distal_velocity_, hinge_velocity_;
  int tip_, target_, spinner_, touchtop_, touchbottom_;
};

class Spin final : public Finger {
 public:
  Spin(const Config& config, const Variant& variant) : Finger(config, variant) {
    // Set by every episode's initialize_episode in dm_control; constants, so set once here.
    mjModel& m = mutable_model();
    m.site_rgba[4 * Id(mjOBJ_SITE, "target") + 3] = 0;
    m.site_rgba[4 * Id(mjOBJ_SITE, "tip") + 3] = 0;
    m.dof_damping[DofAdr("hinge")] = .03;
  }

 private:
  static constexpr double kSpinVelocity = 15.0;
  void InitializeEpisode() override { SetRandomJointAngles(); }
  double* Observe(double* obs) const override { return ObserveCommon(obs); }
  double Reward() const override { return Sensor(hinge_velocity_) <= -kSpinVelocity ? 1.0 : 0.0; }
};

class Turn final : public Finger {
 public:
  Turn(const Config& config, const Variant& variant, double target_radius)
      : Finger(config, variant),
        target_site_(Id(mjOBJ_SITE, "target")),
        hinge_(Id(mjOBJ_JOINT, "hinge")),
        cap1_(Id(mjOBJ_GEOM, "cap1")) {
    mutable_model().site_size[3 * target_site_] = target_radius;
    AddObservation("target_position", {2});
    AddObservation("dist_to_target", {});
  }

 private:
  void InitializeEpisode() override {
    const double target_angle = rng().Uniform(-std::numbers::pi, std::numbers::pi);
    const double hinge_x = data().xanchor[3 * hinge_];
    const double hinge_z = data().xanchor[3 * hinge_ + 2];
    const double* size = model().geom_size + 3 * cap1_;
    const double radius = size[0] + size[1] + size[2];
    mjModel& m = mutable_model();
    m.site_pos[3 * target_site_] = hinge_x + radius * std::sin(target_angle);
    m.site_pos[3 * target_site_ + 2] = hinge_z + radius * std::cos(target_angle);
    SetRandomJointAngles();
  }

  int TaskStateSize() const override { return 2; }
  void GetTaskState(double* state) const override {
    state[0] = model().site_pos[3 * target_site_];
    state[1] = model().site_pos[3 * target_site_ + 2];
  }
  void SetTaskState(const double* state) override {
    mutable_model().site_pos[3 * target_site_] = state[0];
    mutable_model().site_pos[3 * target_site_ + 2] = state[1];
  }

  double DistToTarget() const {
    const double x = Relative(target_, 0) - Relative(tip_, 0);
    const double z = Relative(target_, 2) - Relative(tip_, 2);
    return std::sqrt(x * x + z * z) - model().site_size[3 * target_site_];
  }

  double* Observe(double* obs) const override {
    obs = ObserveCommon(obs);
    *obs++ = Relative(target_, 0);
    *obs++ = Relative(target_, 2);
    *obs++ = DistToTarget();
    return obs;
  }

  double Reward() const override { return DistToTarget() <= 0 ? 1.0 : 0.0; }

  int target_site_;
  int hinge_;
  int cap1_;
};

}  // namespace

void AddFinger(std::vector<EnvType>& types, const std::string& suite_dir) {
  const Variant variant{suite_dir, "finger.xml", 20.0, 0.02, true};
  RegisterTask<Spin>(types, "FingerSpin-v1", variant);
  RegisterTask<Turn>(types, "FingerTurnEasy-v1", variant, 0.07);
  RegisterTask<Turn>(types, "FingerTurnHard-v1", variant, 0.03);
}

}  // namespace envfleet::dm_control
