// Quadruped (dm_control/suite/quadruped.py): walk, run, escape, fetch. dm_control builds each
// task's model from quadruped.xml with lxml (make_model): walk and run size the floor and drop
// the walls, ball, target, terrain and rangefinders; escape keeps the terrain and rangefinders
// on a 40 m floor; fetch keeps the walls, ball and target. The same edits are made here on
// MuJoCo's mjSpec of the file. Escape draws a heightfield per episode (a bowl times smooth random
// bumps, scipy.ndimage.zoom's cubic spline reproduced in SplineZoom) into the env's own model
// copy; its 30 x 30 bump draws are the task's state.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "envfleet/dm_control/registration.h"
#include "envfleet/dm_control/rewards.h"
#include "envfleet/dm_control/xmat.h"

namespace envfleet::dm_control {
namespace {

// make_model(floor_size, terrain, rangefinders, walls_and_ball); floor_size <= 0: as in the file.
void EditModel(mjSpec* spec, double floor_size, bool terrain, bool rangefinders,
               bool walls_and_ball) {
  if (floor_size > 0) {
    mjsElement* floor = mjs_findElement(spec, mjOBJ_GEOM, "floor");
    if (floor == nullptr) throw std::invalid_argument("quadruped.xml: no floor");
    mjsGeom* geom = mjs_asGeom(floor);
    geom->size[0] = floor_size;
    geom->size[1] = floor_size;
    geom->size[2] = .5;
  }
  if (!walls_and_ball) {
    for (const char* wall : {"wall_px", "wall_py", "wall_nx", "wall_ny"}) {
      RemoveElement(spec, mjs_findElement(spec, mjOBJ_GEOM, wall), "quadruped.xml", wall);
    }
    RemoveBody(spec, "quadruped.xml", "ball");
    RemoveElement(spec, mjs_findElement(spec, mjOBJ_SITE, "target"), "quadruped.xml", "target");
  }
  if (!terrain) {
    RemoveElement(spec, mjs_findElement(spec, mjOBJ_GEOM, "terrain"), "quadruped.xml", "terrain");
  }
  if (!rangefinders) {
    std::vector<mjsElement*> sensors;
    for (mjsElement* element = mjs_firstElement(spec, mjOBJ_SENSOR); element != nullptr;
         element = mjs_nextElement(spec, element)) {
      if (mjs_asSensor(element)->type == mjSENS_RANGEFINDER) sensors.push_back(element);
    }
    for (mjsElement* element : sensors) {
      RemoveElement(spec, element, "quadruped.xml", "a rangefinder");
    }
  }
}

// ---- scipy.ndimage.zoom(input, zoom, order=3, mode='constant') of a square array ----
// Its steps and order of operations: the cubic B-spline prefilter along axis 0, then axis 1
// (gain, then the causal and anticausal recursions with mirror-symmetric initialisation), then
// each output value as the sum over the 4 x 4 neighbouring coefficients (mirrored at the edges)
// of coefficient x row weight x column weight, in row-major order of the neighbourhood. Output
// coordinates k * (n - 1) / (out - 1) all lie in [0, n - 1] here, so mode='constant' never
// substitutes its constant.

constexpr double kSplinePole = -0.267949192431122706472553658494127633;  // sqrt(3) - 2

void SplineFilterLine(double* c, int n, int stride) {
  const double z = kSplinePole;
  const double gain = (1.0 - z) * (1.0 - 1.0 / z);
  for (int i = 0; i < n; ++i) c[i * stride] *= gain;
  // Causal initialisation, mirror boundary.
  const double z_n_1 = std::pow(z, n - 1);
  double z_i = z;
  c[0] = c[0] + z_n_1 * c[(n - 1) * stride];
  for (int i = 1; i < n - 1; ++i) {
    c[0] += z_i * (c[i * stride] + z_n_1 * c[(n - 1 - i) * stride]);
    z_i *= z;
  }
  c[0] /= 1 - z_n_1 * z_n_1;
  for (int i = 1; i < n; ++i) c[i * stride] += z * c[(i - 1) * stride];
  // Anticausal initialisation, mirror boundary.
  c[(n - 1) * stride] = (z * c[(n - 2) * stride] + c[(n - 1) * stride]) * z / (z * z - 1);
  for (int i = n - 2; i >= 0; --i) c[i * stride] = z * (c[(i + 1) * stride] - c[i * stride]);
}

int Mirror(int index, int n) {
  const int period = 2 * n - 2;
  if (index < 0) {
    index = period * (-index / period) + index;
    return index <= 1 - n ? index + period : -index;
  }
  if (index >= n) {
    index -= period * (index / period);
    if (index >= n) index = period - index;
  }
  return index;
}

// The 4 coefficient indices and cubic weights of output coordinate `k`.
struct SplineTap {
  int index[4];
  double weight[4];
};

SplineTap Tap(double coordinate, int n) {
  SplineTap tap;
  const int start = static_cast<int>(std::floor(coordinate)) - 1;
  for (int i = 0; i < 4; ++i) tap.index[i] = Mirror(start + i, n);
  const double x = coordinate - std::floor(coordinate);
  const double y = x;
  const double z = 1.0 - x;
  tap.weight[1] = (y * y * (y - 2.0) * 3.0 + 4.0) / 6.0;
  tap.weight[2] = (z * z * (z - 2.0) * 3.0 + 4.0) / 6.0;
  tap.weight[0] = z * z * z / 6.0;
  tap.weight[3] = 1.0;
  for (int i = 0; i < 3; ++i) tap.weight[3] -= tap.weight[i];
  return tap;
}

// `input` is n x n row-major; returns out x out row-major.
std::vector<double> SplineZoom(std::vector<double> input, int n, int out) {
  for (int column = 0; column < n; ++column) SplineFilterLine(input.data() + column, n, n);
  for (int row = 0; row < n; ++row) SplineFilterLine(input.data() + row * n, n, 1);
  const double zoom = static_cast<double>(n - 1) / static_cast<double>(out - 1);
  std::vector<SplineTap> taps(out);
  for (int k = 0; k < out; ++k) {
    const double coordinate = static_cast<double>(k) * zoom;
    if (coordinate > n - 1) throw std::logic_error("SplineZoom: coordinate past the input");
    taps[k] = Tap(coordinate, n);
  }
  std::vector<double> result(static_cast<std::size_t>(out) * out);
  for (int i = 0; i < out; ++i) {
    const SplineTap& row = taps[i];
    for (int j = 0; j < out; ++j) {
      const SplineTap& column = taps[j];
      double total = 0.0;
      for (int a = 0; a < 4; ++a) {
        const double* line = input.data() + row.index[a] * n;
        for (int b = 0; b < 4; ++b) {
          double coefficient = line[column.index[b]];
          coefficient *= row.weight[a];
          coefficient *= column.weight[b];
          total += coefficient;
        }
      }
      result[static_cast<std::size_t>(i) * out + j] = total;
    }
  }
  return result;
}

// What every quadruped task shares: Physics' observations and _find_non_contacting_height.
class Quadruped : public SuiteEnv {
 protected:
  Quadruped(const Config& config, const Variant& variant)
      : SuiteEnv(config, variant),
        torso_(Id(mjOBJ_BODY, "torso")),
        root_(QposAdr("root")),
        velocimeter_(SensorAdr("velocimeter")) {
    const mjModel& m = model();
    for (int joint = 0; joint < m.njnt; ++joint) {
      if (m.jnt_type[joint] == mjJNT_HINGE) hinges_.push_back(joint);
    }
    for (int sensor = 0; sensor < m.nsensor; ++sensor) {
      const int type = m.sensor_type[sensor];
      if (type == mjSENS_GYRO || type == mjSENS_ACCELEROMETER) Collect(imu_, sensor);
      if (type == mjSENS_FORCE || type == mjSENS_TORQUE) Collect(force_torque_, sensor);
      if (type == mjSENS_RANGEFINDER) Collect(rangefinders_, sensor);
    }
    AddObservation("egocentric_state", {static_cast<std::int64_t>(2 * hinges_.size() + m.na)});
    AddObservation("torso_velocity", {3});
    AddObservation("torso_upright", {});
    AddObservation("imu", {static_cast<std::int64_t>(imu_.size())});
    AddObservation("force_torque", {static_cast<std::int64_t>(force_torque_.size())});
  }

  // A random unit quaternion: randn(4), normalised.
  void RandomOrientation(double* orientation) {
    for (int i = 0; i < 4; ++i) orientation[i] = StandardNormal();
    const double norm =
        std::sqrt(orientation[0] * orientation[0] + orientation[1] * orientation[1] +
                  orientation[2] * orientation[2] + orientation[3] * orientation[3]);
    for (int i = 0; i < 4; ++i) orientation[i] /= norm;
  }

  // _find_non_contacting_height: from z = 0 up in 1 cm steps, each try a fresh reset.
  void FindNonContactingHeight(const double* orientation, double x = 0.0, double y = 0.0) {
    double z = 0.0;
    for (int attempt = 0;; ++attempt) {
      if (attempt >= 10000) {
        throw std::runtime_error("Failed to find a non-contacting configuration.");
      }
      mj_resetData(&model(), &data());
      Forward();
      double* root = data().qpos + root_;
      root[0] = x;
      root[1] = y;
      root[2] = z;
      std::copy_n(orientation, 4, root + 3);
      Forward();
      z += 0.01;
      if (data().ncon == 0) break;
    }
  }

  double* CommonObservations(double* obs) const {
    const mjModel& m = model();
    const mjData& d = data();
    for (int joint : hinges_) *obs++ = d.qpos[m.jnt_qposadr[joint]];
    for (int joint : hinges_) *obs++ = d.qvel[m.jnt_dofadr[joint]];
    obs = std::copy_n(d.act, m.na, obs);
    obs = std::copy_n(d.sensordata + velocimeter_, 3, obs);
    *obs++ = TorsoUpright();
    for (int adr : imu_) *obs++ = d.sensordata[adr];
    for (int adr : force_torque_) *obs++ = std::asinh(d.sensordata[adr]);
    return obs;
  }

  // v.dot(torso_frame): v in the torso's frame.
  double* InTorsoFrame(const double* v, double* obs) const {
    const double* frame = data().xmat + 9 * torso_;
    for (int j = 0; j < 3; ++j) {
      *obs++ = v[0] * frame[j] + v[1] * frame[3 + j] + v[2] * frame[6 + j];
    }
    return obs;
  }

  double TorsoUpright() const { return BodyXmat(data(), torso_, kZZ); }
  const double* TorsoPos() const { return data().xpos + 3 * torso_; }
  double TorsoVelocityX() const { return data().sensordata[velocimeter_]; }

  // _upright_reward(physics, deviation_angle): deviation = cos(deg2rad(angle)).
  double UprightReward(double deviation_angle) const {
    const double deviation = std::cos(deviation_angle * (std::numbers::pi / 180.0));
    return Tolerance(TorsoUpright(), {deviation, std::numeric_limits<double>::infinity()},
                     1 + deviation, Sigmoid::kLinear, 0);
  }

  int torso_;
  int root_;
  int velocimeter_;
  std::vector<int> hinges_;
  std::vector<int> imu_;
  std::vector<int> force_torque_;
  std::vector<int> rangefinders_;

 private:
  void Collect(std::vector<int>& addresses, int sensor) const {
    for (int i = 0; i < model().sensor_dim[sensor]; ++i) {
      addresses.push_back(model().sensor_adr[sensor] + i);
    }
  }
};

class Move final : public Quadruped {
 public:
  Move(const Config& config, const Variant& variant, double desired_speed)
      : Quadruped(config, variant), desired_speed_(desired_speed) {}

 private:
  void InitializeEpisode() override {
    double orientation[4];
    RandomOrientation(orientation);
    FindNonContactingHeight(orientation);
  }

  double* Observe(double* obs) const override { return CommonObservations(obs); }

  double Reward() const override {
    const double move =
        Tolerance(TorsoVelocityX(), {desired_speed_, std::numeric_limits<double>::infinity()},
                  desired_speed_, Sigmoid::kLinear, 0.5);
    return UprightReward(0) * move;
  }

  double desired_speed_;
};

// Escape: get out of a bowl-shaped terrain with random bumps, drawn per episode.
class Escape final : public Quadruped {
 public:
  static constexpr double kTerrainSmoothness = 0.15;
  static constexpr double kTerrainBumpScale = 2;

  Escape(const Config& config, const Variant& variant)
      : Quadruped(config, variant), workspace_(Id(mjOBJ_SITE, "workspace")) {
    const mjModel& m = model();
    if (m.nhfield < 1 || m.hfield_nrow[0] != m.hfield_ncol[0]) {
      throw std::invalid_argument("quadruped.xml: the terrain heightfield is not square");
    }
    resolution_ = m.hfield_nrow[0];
    terrain_size_ = m.hfield_size[0];
    bump_resolution_ = static_cast<int>(2 * terrain_size_ / kTerrainBumpScale);
    bumps_.assign(static_cast<std::size_t>(bump_resolution_) * bump_resolution_, 0.0);
    // The sinusoidal bowl, np.ogrid[-1:1:res*1j, -1:1:res*1j] and radius clipped to [.04, 1].
    const double step = (1.0 - -1.0) / static_cast<double>(resolution_ - 1);
    bowl_.resize(static_cast<std::size_t>(resolution_) * resolution_);
    for (int row = 0; row < resolution_; ++row) {
      const double r = static_cast<double>(row) * step + -1.0;
      for (int col = 0; col < resolution_; ++col) {
        const double c = static_cast<double>(col) * step + -1.0;
        const double radius = std::clamp(std::sqrt(c * c + r * r), .04, 1.0);
        bowl_[static_cast<std::size_t>(row) * resolution_ + col] =
            .5 - std::cos(2 * std::numbers::pi * radius) / 2;
      }
    }
    AddObservation("origin", {3});
    AddObservation("rangefinder", {static_cast<std::int64_t>(rangefinders_.size())});
  }

 private:
  void InitializeEpisode() override {
    for (double& bump : bumps_) bump = rng().Uniform(kTerrainSmoothness, 1);
    UploadTerrain();
    double orientation[4];
    RandomOrientation(orientation);
    // The search reads only the contacts: the 20 rangefinders' rays against the heightfield,
    // most of each forward pass, are skipped (sensors feed nothing else; the forward pass that
    // ends the reset computes them).
    mjModel& m = mutable_model();
    const int flags = m.opt.disableflags;
    m.opt.disableflags |= mjDSBL_SENSOR;
    try {
      FindNonContactingHeight(orientation);
    } catch (...) {
      m.opt.disableflags = flags;
      throw;
    }
    m.opt.disableflags = flags;
  }

  // terrain = bowl * zoom(bumps), into the model's heightfield (float32, as dm_control's write).
  void UploadTerrain() {
    const std::vector<double> smooth = SplineZoom(bumps_, bump_resolution_, resolution_);
    mjModel& m = mutable_model();
    float* heights = m.hfield_data + m.hfield_adr[0];
    for (std::size_t i = 0; i < smooth.size(); ++i) {
      heights[i] = static_cast<float>(bowl_[i] * smooth[i]);
    }
  }

  int TaskStateSize() const override { return static_cast<int>(bumps_.size()); }
  void GetTaskState(double* state) const override {
    std::copy(bumps_.begin(), bumps_.end(), state);
  }
  void SetTaskState(const double* state) override {
    std::copy_n(state, bumps_.size(), bumps_.begin());
    UploadTerrain();
  }

  double* Observe(double* obs) const override {
    obs = CommonObservations(obs);
    const double* pos = TorsoPos();
    const double minus_pos[3] = {-pos[0], -pos[1], -pos[2]};
    obs = InTorsoFrame(minus_pos, obs);
    for (int adr : rangefinders_) {
      const double reading = data().sensordata[adr];
      *obs++ = reading == -1.0 ? 1.0 : std::tanh(reading);
    }
    return obs;
  }

  double Reward() const override {
    const double* site = data().site_xpos + 3 * workspace_;
    const double distance = std::sqrt(site[0] * site[0] + site[1] * site[1] + site[2] * site[2]);
    const double escape =
        Tolerance(distance, {terrain_size_, std::numeric_limits<double>::infinity()}, terrain_size_,
                  Sigmoid::kLinear, 0);
    return UprightReward(20) * escape;
  }

  int workspace_;
  int resolution_ = 0;
  int bump_resolution_ = 0;
  double terrain_size_ = 0;
  std::vector<double> bowl_;
  std::vector<double> bumps_;
};

// Fetch: bring the ball to the target at the origin, in a walled arena.
class Fetch final : public Quadruped {
 public:
  Fetch(const Config& config, const Variant& variant)
      : Quadruped(config, variant),
        ball_(Id(mjOBJ_BODY, "ball")),
        ball_root_(QposAdr("ball_root")),
        ball_dof_(DofAdr("ball_root")),
        root_dof_(DofAdr("root")),
        target_(Id(mjOBJ_SITE, "target")),
        workspace_(Id(mjOBJ_SITE, "workspace")) {
    const mjModel& m = model();
    const double floor_size = m.geom_size[3 * Id(mjOBJ_GEOM, "floor")];
    spawn_radius_ = 0.9 * floor_size;
    arena_radius_ = floor_size * std::sqrt(2.0);
    workspace_radius_ = m.site_size[3 * workspace_];
    ball_radius_ = m.geom_size[3 * Id(mjOBJ_GEOM, "ball")];
    target_radius_ = m.site_size[3 * target_];
    AddObservation("ball_state", {9});
    AddObservation("target_position", {3});
  }

 private:
  void InitializeEpisode() override {
    const double azimuth = rng().Uniform(0, 2 * std::numbers::pi);
    const double orientation[4] = {std::cos(azimuth / 2), 0, 0, std::sin(azimuth / 2)};
    const double x = rng().Uniform(-spawn_radius_, spawn_radius_);
    const double y = rng().Uniform(-spawn_radius_, spawn_radius_);
    FindNonContactingHeight(orientation, x, y);
    double* ball = data().qpos + ball_root_;
    ball[0] = rng().Uniform(-spawn_radius_, spawn_radius_);
    ball[1] = rng().Uniform(-spawn_radius_, spawn_radius_);
    ball[2] = 2;
    data().qvel[ball_dof_] = 5 * StandardNormal();
    data().qvel[ball_dof_ + 1] = 5 * StandardNormal();
  }

  double* Observe(double* obs) const override {
    obs = CommonObservations(obs);
    const mjData& d = data();
    const double* ball = d.xpos + 3 * ball_;
    const double* torso = TorsoPos();
    const double* ball_vel = d.qvel + ball_dof_;
    const double* root_vel = d.qvel + root_dof_;
    const double rel_pos[3] = {ball[0] - torso[0], ball[1] - torso[1], ball[2] - torso[2]};
    const double rel_vel[3] = {ball_vel[0] - root_vel[0], ball_vel[1] - root_vel[1],
                               ball_vel[2] - root_vel[2]};
    obs = InTorsoFrame(rel_pos, obs);
    obs = InTorsoFrame(rel_vel, obs);
    obs = InTorsoFrame(ball_vel + 3, obs);
    const double* target = d.site_xpos + 3 * target_;
    const double to_target[3] = {target[0] - torso[0], target[1] - torso[1], target[2] - torso[2]};
    return InTorsoFrame(to_target, obs);
  }

  // The horizontal distance from site `site` to the ball.
  double HorizontalDistanceToBall(int site) const {
    const double* from = data().site_xpos + 3 * site;
    const double* ball = data().xpos + 3 * ball_;
    const double dx = from[0] - ball[0];
    const double dy = from[1] - ball[1];
    return std::sqrt(dx * dx + dy * dy);
  }

  double Reward() const override {
    const double reach =
        Tolerance(HorizontalDistanceToBall(workspace_), {0, workspace_radius_ + ball_radius_},
                  arena_radius_, Sigmoid::kLinear, 0);
    const double fetch = Tolerance(HorizontalDistanceToBall(target_), {0, target_radius_},
                                   arena_radius_, Sigmoid::kLinear, 0);
    const double reach_then_fetch = reach * (0.5 + 0.5 * fetch);
    return UprightReward(0) * reach_then_fetch;
  }

  int ball_;
  int ball_root_;
  int ball_dof_;
  int root_dof_;
  int target_;
  int workspace_;
  double spawn_radius_ = 0;
  double arena_radius_ = 0;
  double workspace_radius_ = 0;
  double ball_radius_ = 0;
  double target_radius_ = 0;
};

Variant QuadrupedVariant(const std::string& suite_dir, double floor_size, bool terrain,
                         bool rangefinders, bool walls_and_ball) {
  Variant variant{suite_dir, "quadruped.xml", 20.0, 0.02, terrain};
  variant.edit = [=](mjSpec* spec) {
    EditModel(spec, floor_size, terrain, rangefinders, walls_and_ball);
  };
  variant.edit_key = "floor " + std::to_string(floor_size) + (terrain ? " terrain" : "") +
                     (rangefinders ? " rangefinders" : "") + (walls_and_ball ? " walls" : "");
  return variant;
}

}  // namespace

void AddQuadruped(std::vector<EnvType>& types, const std::string& suite_dir) {
  // floor_size = _DEFAULT_TIME_LIMIT * speed.
  RegisterTask<Move>(types, "QuadrupedWalk-v1",
                     QuadrupedVariant(suite_dir, 20 * 0.5, false, false, false), 0.5);
  RegisterTask<Move>(types, "QuadrupedRun-v1",
                     QuadrupedVariant(suite_dir, 20 * 5.0, false, false, false), 5.0);
  RegisterTask<Escape>(types, "QuadrupedEscape-v1",
                       QuadrupedVariant(suite_dir, 40, true, true, false));
  RegisterTask<Fetch>(types, "QuadrupedFetch-v1",
                      QuadrupedVariant(suite_dir, 0, false, false, true));
}

}  // namespace envfleet::dm_control
