// Dog (dm_control/suite/dog.py): stand, walk, trot, run, fetch. dm_control builds the model from
// dog.xml (its meshes in dm_control/suite/dog_assets) with lxml: the floor sized for the task and,
// except in fetch, the ball, target, walls and the ball's and head's cameras removed; the same
// edits are made here on MuJoCo's mjSpec of the installed file. The standing heights the rewards
// use are the default pose's, the same every episode, so the tasks keep no per-episode state.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// make_model(floor_size, remove_ball).
void EditModel(mjSpec* spec, double floor_size, bool remove_ball) {
  mjsElement* floor = mjs_findElement(spec, mjOBJ_GEOM, "floor");
  if (floor == nullptr) throw std::invalid_argument("dog.xml: no floor");
  mjsGeom* geom = mjs_asGeom(floor);
  geom->size[0] = floor_size;
  geom->size[1] = floor_size;
  geom->size[2] = .1;
  if (!remove_ball) return;
  RemoveBody(spec, "dog.xml", "ball");
  RemoveElement(spec, mjs_findElement(spec, mjOBJ_GEOM, "target"), "dog.xml", "target");
  RemoveElement(spec, mjs_findElement(spec, mjOBJ_CAMERA, "ball"), "dog.xml", "camera ball");
  RemoveElement(spec, mjs_findElement(spec, mjOBJ_CAMERA, "head"), "dog.xml", "camera head");
  for (const char* wall : {"wall_px", "wall_nx", "wall_py", "wall_ny"}) {
    RemoveElement(spec, mjs_findElement(spec, mjOBJ_GEOM, wall), "dog.xml", wall);
  }
}

// v.dot(frame) for a row-major 3 x 3 frame: v in the frame's axes.
double* InFrame(const double* v, const double* frame, double* out) {
  for (int j = 0; j < 3; ++j) {
    *out++ = v[0] * frame[j] + v[1] * frame[3 + j] + v[2] * frame[6 + j];
  }
  return out;
}

double Norm3(const double* a, const double* b) {
  const double d[3] = {a[0] - b[0], a[1] - b[1], a[2] - b[2]};
  return std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
}

// Stand, and the base of Move and Fetch: Physics' observations and the standing reward factors.
class Stand : public SuiteEnv {
 public:
  Stand(const Config& config, const Variant& variant)
      : SuiteEnv(config, variant),
        torso_(Id(mjOBJ_BODY, "torso")),
        pelvis_(Id(mjOBJ_BODY, "pelvis")),
        skull_(Id(mjOBJ_BODY, "skull")),
        root_(QposAdr("root")),
        torso_linvel_(SensorAdr("torso_linvel")) {
    const mjModel& m = model();
    if (m.nu != m.na) throw std::invalid_argument("dog.xml: actuators without activation");
    for (int joint = 0; joint < m.njnt; ++joint) {
      if (m.jnt_type[joint] == mjJNT_HINGE) hinges_.push_back(joint);
    }
    for (const char* name : {"accelerometer", "velocimeter", "gyro"}) Collect(inertial_, name);
    for (const char* name : {"foot_L", "foot_R", "hand_L", "hand_R"}) Collect(foot_forces_, name);
    for (const char* name : {"palm_L", "palm_R", "sole_L", "sole_R"}) Collect(touch_, name);
    // The default pose's heights (physics.reset()), and the body weight.
    mj_resetData(&m, &data());
    Forward();
    stand_height_[0] = data().xpos[3 * torso_ + 2] * kStandHeightFraction;
    stand_height_[1] = data().xpos[3 * pelvis_ + 2] * kStandHeightFraction;
    body_weight_ = -m.opt.gravity[2] * m.body_subtreemass[torso_];
    min_upright_cosine_ = std::cos(kMaxUprightAngle * (std::numbers::pi / 180.0));

    AddObservation("joint_angles", {static_cast<std::int64_t>(hinges_.size())});
    AddObservation("joint_velocites", {static_cast<std::int64_t>(hinges_.size())});
    AddObservation("torso_pelvis_height", {2});
    AddObservation("z_projection", {9});
    AddObservation("torso_com_velocity", {3});
    AddObservation("inertial_sensors", {static_cast<std::int64_t>(inertial_.size())});
    AddObservation("foot_forces", {static_cast<std::int64_t>(foot_forces_.size())});
    AddObservation("touch_sensors", {static_cast<std::int64_t>(touch_.size())});
    AddObservation("actuator_state", {m.na});
  }

 protected:
  static constexpr double kStandHeightFraction = 0.9;
  static constexpr double kMaxUprightAngle = 30;

  void InitializeEpisode() override {
    // physics.reset() (as the reset before it), then the draws.
    mj_resetData(&model(), &data());
    Forward();
    const double azimuth = rng().Uniform(0, 2 * std::numbers::pi);
    double* quaternion = data().qpos + root_ + 3;
    quaternion[0] = std::cos(azimuth / 2);
    quaternion[1] = 0;
    quaternion[2] = 0;
    quaternion[3] = std::sin(azimuth / 2);
    data().qvel[0] = 2 * StandardNormal();
    data().qvel[1] = 2 * StandardNormal();
    data().qvel[5] = 2 * StandardNormal();
    const mjModel& m = model();
    for (int actuator = 0; actuator < m.nu; ++actuator) {
      data().act[actuator] =
          rng().Uniform(m.actuator_ctrlrange[2 * actuator], m.actuator_ctrlrange[2 * actuator + 1]);
    }
  }

  double* Observe(double* obs) const override {
    const mjModel& m = model();
    const mjData& d = data();
    for (int joint : hinges_) *obs++ = d.qpos[m.jnt_qposadr[joint]];
    for (int joint : hinges_) *obs++ = d.qvel[m.jnt_dofadr[joint]];
    *obs++ = d.xpos[3 * torso_ + 2];
    *obs++ = d.xpos[3 * pelvis_ + 2];
    for (int body : {skull_, torso_, pelvis_}) {
      for (XmatEntry entry : {kZX, kZY, kZZ}) *obs++ = BodyXmat(d, body, entry);
    }
    obs = InFrame(d.sensordata + torso_linvel_, d.xmat + 9 * torso_, obs);
    for (int adr : inertial_) *obs++ = d.sensordata[adr];
    for (int adr : foot_forces_) *obs++ = d.sensordata[adr];
    for (int adr : touch_) *obs++ = d.sensordata[adr];
    for (int i = 0; i < m.na; ++i) *obs++ = d.act[i];
    return obs;
  }

  // Stand's reward factors, multiplied into `product` in their order.
  double StandingProduct() const {
    const mjData& d = data();
    const double torso =
        Tolerance(d.xpos[3 * torso_ + 2], {stand_height_[0], kInf}, stand_height_[0]);
    const double pelvis =
        Tolerance(d.xpos[3 * pelvis_ + 2], {stand_height_[1], kInf}, stand_height_[1]);
    double product = torso * pelvis;
    for (int body : {skull_, torso_, pelvis_}) {
      product *= Tolerance(BodyXmat(d, body, kZZ), {min_upright_cosine_, kInf},
                           min_upright_cosine_ + 1, Sigmoid::kLinear, 0);
    }
    double touch_sum = 0;
    for (int adr : touch_) touch_sum += d.sensordata[adr];
    return product *
           Tolerance(touch_sum, {body_weight_, kInf}, body_weight_, Sigmoid::kLinear, 0.9);
  }

  double Reward() const override { return StandingProduct(); }

  double ForwardVelocity() const {
    double velocity[3];
    InFrame(data().sensordata + torso_linvel_, data().xmat + 9 * torso_, velocity);
    return velocity[0];
  }

 private:
  void Collect(std::vector<int>& addresses, const char* sensor) const {
    const int id = Id(mjOBJ_SENSOR, sensor);
    for (int i = 0; i < model().sensor_dim[id]; ++i) {
      addresses.push_back(model().sensor_adr[id] + i);
    }
  }

  int torso_;
  int pelvis_;
  int skull_;
  int root_;
  int torso_linvel_;
  std::vector<int> hinges_;
  std::vector<int> inertial_;
  std::vector<int> foot_forces_;
  std::vector<int> touch_;
  double stand_height_[2] = {0, 0};
  double body_weight_ = 0;
  double min_upright_cosine_ = 0;
};

class Move final : public Stand {
 public:
  Move(const Config& config, const Variant& variant, double move_speed)
      : Stand(config, variant), move_speed_(move_speed) {}

 private:
  double Reward() const override {
    const double speed_margin = std::max(1.0, move_speed_);
    double forward = Tolerance(ForwardVelocity(), {move_speed_, 2 * move_speed_}, speed_margin,
                               Sigmoid::kLinear, 0);
    forward = (4 * forward + 1) / 5;
    return StandingProduct() * forward;
  }

  double move_speed_;
};

class Fetch final : public Stand {
 public:
  Fetch(const Config& config, const Variant& variant)
      : Stand(config, variant),
        ball_root_(QposAdr("ball_root")),
        ball_dof_(DofAdr("ball_root")),
        ball_(Id(mjOBJ_GEOM, "ball")),
        target_(Id(mjOBJ_GEOM, "target")),
        head_(Id(mjOBJ_SITE, "head")),
        upper_bite_(Id(mjOBJ_SITE, "upper_bite")),
        lower_bite_(Id(mjOBJ_SITE, "lower_bite")) {
    const mjModel& m = model();
    floor_size_ = m.geom_size[3 * Id(mjOBJ_GEOM, "floor")];
    bite_radius_ = m.site_size[3 * upper_bite_];
    target_radius_ = m.geom_size[3 * target_];
    AddObservation("ball_state", {6});
    AddObservation("target_position", {3});
  }

 private:
  void InitializeEpisode() override {
    Stand::InitializeEpisode();
    // The ball flies towards the centre at an upward angle.
    const double radius = 0.75 * floor_size_;
    const double azimuth = rng().Uniform(0, 2 * std::numbers::pi);
    double* ball = data().qpos + ball_root_;
    ball[0] = radius * std::sin(azimuth);
    ball[1] = radius * std::cos(azimuth);
    ball[2] = 0.05;
    const double vertical_height = rng().Uniform(0, 3);
    const double gravity = -model().opt.gravity[2];
    const double vertical_velocity = std::sqrt(2 * gravity * vertical_height);
    const double horizontal_speed = rng().Uniform(0, 5);
    const double direction_x = -std::sin(azimuth) + 0.05 * StandardNormal();
    const double direction_y = -std::cos(azimuth) + 0.05 * StandardNormal();
    double* velocity = data().qvel + ball_dof_;
    velocity[0] = horizontal_speed * direction_x;
    velocity[1] = horizontal_speed * direction_y;
    velocity[2] = vertical_velocity;
  }

  // object_velocity(...)'s linear part, in the world frame.
  void LinearVelocity(mjtObj type, int id, double* linear) const {
    double velocity[6];
    mj_objectVelocity(&model(), &data(), type, id, velocity, 0);
    linear[0] = velocity[3];
    linear[1] = velocity[4];
    linear[2] = velocity[5];
  }

  double* Observe(double* obs) const override {
    obs = Stand::Observe(obs);
    const mjData& d = data();
    const double* head_frame = d.site_xmat + 9 * head_;
    const double* head = d.site_xpos + 3 * head_;
    const double* ball = d.geom_xpos + 3 * ball_;
    const double head_to_ball[3] = {ball[0] - head[0], ball[1] - head[1], ball[2] - head[2]};
    double head_velocity[3];
    double ball_velocity[3];
    LinearVelocity(mjOBJ_SITE, head_, head_velocity);
    LinearVelocity(mjOBJ_GEOM, ball_, ball_velocity);
    const double relative_velocity[3] = {ball_velocity[0] - head_velocity[0],
                                         ball_velocity[1] - head_velocity[1],
                                         ball_velocity[2] - head_velocity[2]};
    obs = InFrame(head_to_ball, head_frame, obs);
    obs = InFrame(relative_velocity, head_frame, obs);
    const double* target = d.geom_xpos + 3 * target_;
    const double head_to_target[3] = {target[0] - head[0], target[1] - head[1],
                                      target[2] - head[2]};
    return InFrame(head_to_target, head_frame, obs);
  }

  double Reward() const override {
    const mjData& d = data();
    const double* ball = d.geom_xpos + 3 * ball_;
    const double mouth_distance = 0.5 * (Norm3(ball, d.site_xpos + 3 * upper_bite_) +
                                         Norm3(ball, d.site_xpos + 3 * lower_bite_));
    double reach_ball = Tolerance(mouth_distance, {0, bite_radius_}, 2, Sigmoid::kReciprocal);
    reach_ball = (6 * reach_ball + 1) / 7;
    const double to_target = Norm3(ball, d.geom_xpos + 3 * target_);
    const double near_target =
        Tolerance(to_target, {0, target_radius_}, floor_size_, Sigmoid::kReciprocal);
    const double fetch_ball = (near_target + 1) / 2;
    if (to_target < 2 * target_radius_) reach_ball = 1;
    return StandingProduct() * reach_ball * fetch_ball;
  }

  int ball_root_;
  int ball_dof_;
  int ball_;
  int target_;
  int head_;
  int upper_bite_;
  int lower_bite_;
  double floor_size_ = 0;
  double bite_radius_ = 0;
  double target_radius_ = 0;
};

constexpr double kTimeLimit = 15;
constexpr double kControlTimestep = .015;

Variant DogVariant(const std::string& suite_dir, double floor_size, bool remove_ball) {
  Variant variant{suite_dir, "dog.xml", kTimeLimit, kControlTimestep, false};
  variant.edit = [=](mjSpec* spec) { EditModel(spec, floor_size, remove_ball); };
  variant.edit_key = "floor " + std::to_string(floor_size) + (remove_ball ? "" : " ball");
  return variant;
}

}  // namespace

void AddDog(std::vector<EnvType>& types, const std::string& suite_dir) {
  // floor_size = move speed (walk's for stand) * _DEFAULT_TIME_LIMIT; fetch keeps the file's 10.
  RegisterTask<Stand>(types, "DogStand-v1", DogVariant(suite_dir, 1 * kTimeLimit, true));
  RegisterTask<Move>(types, "DogWalk-v1", DogVariant(suite_dir, 1 * kTimeLimit, true), 1.0);
  RegisterTask<Move>(types, "DogTrot-v1", DogVariant(suite_dir, 3 * kTimeLimit, true), 3.0);
  RegisterTask<Move>(types, "DogRun-v1", DogVariant(suite_dir, 9 * kTimeLimit, true), 9.0);
  RegisterTask<Fetch>(types, "DogFetch-v1", DogVariant(suite_dir, 10, false));
}

}  // namespace envfleet::dm_control
