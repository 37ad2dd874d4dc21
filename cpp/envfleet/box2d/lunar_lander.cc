#include "envfleet/box2d/lunar_lander.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "envfleet/box2d/box2d_statics.h"

namespace envfleet::box2d {
namespace {

// Gymnasium's constants, with its expressions (Python evaluates them in double precision).
constexpr double kFps = 50;
constexpr double kScale = 30.0;
constexpr double kMainEnginePower = 13.0;
constexpr double kSideEnginePower = 0.6;
constexpr double kInitialRandom = 1000.0;
constexpr double kLanderPoly[6][2] = {{-14, 17}, {-17, 0}, {-17, -10},
                                      {17, -10}, {17, 0},  {14, 17}};
constexpr double kLegAway = 20;
constexpr double kLegDown = 18;
constexpr double kLegW = 2;
constexpr double kLegH = 8;
constexpr double kLegSpringTorque = 40;
constexpr double kSideEngineHeight = 14;
constexpr double kSideEngineAway = 12;
constexpr double kMainEngineYLocation = 4;
constexpr double kViewportW = 600;
constexpr double kViewportH = 400;
constexpr int kChunks = 11;

// Collision filters: the lander and its legs collide with the ground only.
constexpr std::uint16_t kGroundBits = 0x001;
constexpr std::uint16_t kLanderBits = 0x0010;
constexpr std::uint16_t kLegBits = 0x0020;

}  // namespace

void LunarLander::OnContact(b2Contact* contact, bool begin) {
  if (begin && Touches(*contact, lander_)) game_over_ = true;
  for (int i = 0; i < 2; ++i) {
    if (Touches(*contact, legs_[i])) leg_contact_[i] = begin;
  }
}

LunarLander::LunarLander(const Config& config)
    : continuous_(config.Get<bool>("continuous")),
      gravity_(config.Get<double>("gravity")),
      enable_wind_(config.Get<bool>("enable_wind")),
      wind_power_(config.Get<double>("wind_power")),
      turbulence_power_(config.Get<double>("turbulence_power")),
      replay_(continuous_ ? 2 * sizeof(float) : sizeof(std::int64_t)) {
  PrepareBox2dStatics();
}

LunarLander::~LunarLander() = default;

OptionList LunarLander::Options() {
  return {
      {"continuous", false, "float actions (main, lateral) in [-1, 1] instead of 4 discrete ones"},
      {"gravity", -10.0, "gravity along y, in (-12, 0)"},
      {"enable_wind", false, "wind and turbulence push the lander while its legs are in the air"},
      {"wind_power", 15.0, "the wind's largest force"},
      {"turbulence_power", 1.5, "the turbulence's largest torque"},
  };
}

EnvSpec LunarLander::Spec(const Config& config) {
  const double gravity = config.Get<double>("gravity");
  if (!(-12.0 < gravity && gravity < 0.0)) {
    throw std::invalid_argument("gravity must be between -12 and 0, got " +
                                std::to_string(gravity));
  }
  constexpr double kTwoPi = 2 * std::numbers::pi;
  EnvSpec spec;
  spec.observation =
      ArraySpec::Box(DType::kFloat32, {8}, {-2.5, -2.5, -10.0, -10.0, -kTwoPi, -10.0, -0.0, -0.0},
                     {2.5, 2.5, 10.0, 10.0, kTwoPi, 10.0, 1.0, 1.0});
  spec.action = config.Get<bool>("continuous") ? ArraySpec::Box(DType::kFloat32, {2}, {-1.0}, {1.0})
                                               : ArraySpec::Discrete(4);
  return spec;
}

void LunarLander::BuildWorld() {
  // A new world per episode, as Gymnasium's reset() makes.
  lander_ = nullptr;
  legs_[0] = legs_[1] = nullptr;
  world_ = std::make_unique<b2World>(Vec(0, gravity_));
  world_->SetAllowSleeping(true);
  world_->SetContactListener(&contact_detector_);
  game_over_ = false;
  has_prev_shaping_ = false;
  leg_contact_[0] = leg_contact_[1] = false;

  // Terrain: 12 random heights, flattened around the helipad, smoothed (index -1 wraps, as in
  // Python), as edges on the static moon body.
  const double w = kViewportW / kScale;
  const double h = kViewportH / kScale;
  double height[kChunks + 1];
  for (double& value : height) value = rng().Uniform(0, h / 2);
  double chunk_x[kChunks];
  for (int i = 0; i < kChunks; ++i) chunk_x[i] = w / (kChunks - 1) * i;
  helipad_y_ = h / 4;
  for (int i = kChunks / 2 - 2; i <= kChunks / 2 + 2; ++i) height[i] = helipad_y_;
  double smooth_y[kChunks];
  for (int i = 0; i < kChunks; ++i) {
    smooth_y[i] = 0.33 * (height[(i + kChunks) % (kChunks + 1)] + height[i] + height[i + 1]);
  }
  b2BodyDef moon_def;
  moon_def.type = b2_staticBody;
  b2Body* moon = world_->CreateBody(&moon_def);
  b2EdgeShape ground;
  ground.Set(Vec(0, 0), Vec(w, 0));
  b2FixtureDef ground_def;
  ground_def.shape = &ground;
  moon->CreateFixture(&ground_def);
  for (int i = 0; i < kChunks - 1; ++i) {
    b2EdgeShape edge;
    edge.Set(Vec(chunk_x[i], smooth_y[i]), Vec(chunk_x[i + 1], smooth_y[i + 1]));
    b2FixtureDef edge_def;
    edge_def.shape = &edge;
    edge_def.density = 0;
    edge_def.friction = 0.1f;
    moon->CreateFixture(&edge_def);
  }

  // The lander, pushed at random.
  const double initial_y = kViewportH / kScale;
  const double initial_x = kViewportW / kScale / 2;
  b2BodyDef lander_def;
  lander_def.type = b2_dynamicBody;
  lander_def.position = Vec(initial_x, initial_y);
  lander_def.angle = 0.0f;
  lander_ = world_->CreateBody(&lander_def);
  b2Vec2 hull[6];
  for (int k = 0; k < 6; ++k) hull[k] = Vec(kLanderPoly[k][0] / kScale, kLanderPoly[k][1] / kScale);
  b2PolygonShape lander_shape;
  lander_shape.Set(hull, 6);
  b2FixtureDef lander_fixture = SolidFixture(lander_shape, 5.0f, kLanderBits, kGroundBits);
  lander_fixture.friction = 0.1f;
  lander_->CreateFixture(&lander_fixture);
  const double push_x = rng().Uniform(-kInitialRandom, kInitialRandom);
  const double push_y = rng().Uniform(-kInitialRandom, kInitialRandom);
  lander_->ApplyForceToCenter(Vec(push_x, push_y), true);

  // Wind and turbulence phases: numpy's integers(-9999, 9999), [low, high).
  if (enable_wind_) {
    wind_idx_ = -9999 + static_cast<std::int64_t>(rng().UniformInt(2 * 9999));
    torque_idx_ = -9999 + static_cast<std::int64_t>(rng().UniformInt(2 * 9999));
  }

  // The legs, on spring-loaded revolute joints (reference angle: the leg's initial angle).
  for (int k = 0; k < 2; ++k) {
    const int i = k == 0 ? -1 : 1;
    b2BodyDef leg_def;
    leg_def.type = b2_dynamicBody;
    leg_def.position = Vec(initial_x - i * kLegAway / kScale, initial_y);
    leg_def.angle = static_cast<float>(i * 0.05);
    b2Body* leg = world_->CreateBody(&leg_def);
    b2PolygonShape leg_shape;
    leg_shape.SetAsBox(static_cast<float>(kLegW / kScale), static_cast<float>(kLegH / kScale));
    const b2FixtureDef leg_fixture = SolidFixture(leg_shape, 1.0f, kLegBits, kGroundBits);
    leg->CreateFixture(&leg_fixture);

    b2RevoluteJointDef joint;
    joint.bodyA = lander_;
    joint.bodyB = leg;
    joint.localAnchorA = Vec(0, 0);
    joint.localAnchorB = Vec(i * kLegAway / kScale, kLegDown / kScale);
    joint.enableMotor = true;
    joint.enableLimit = true;
    joint.maxMotorTorque = static_cast<float>(kLegSpringTorque);
    joint.motorSpeed = static_cast<float>(+0.3 * i);
    joint.referenceAngle = static_cast<float>(static_cast<double>(leg->GetAngle()) -
                                              static_cast<double>(lander_->GetAngle()));
    joint.lowerAngle = static_cast<float>(i == -1 ? +0.9 - 0.5 : -0.9);
    joint.upperAngle = static_cast<float>(i == -1 ? +0.9 : -0.9 + 0.5);
    world_->CreateJoint(&joint);
    legs_[k] = leg;
  }
}

void LunarLander::Reset(const EnvOutput& out) {
  replay_.Start(rng());
  BuildWorld();
  // Gymnasium's reset() returns the observation of a no-op step; its reward and flag are
  // dropped (the engine writes a reset's).
  double reward = 0.0;
  bool terminated = false;
  Advance(Throttle{}, EnvOutput{out.observation, &reward, &terminated, out.info});
}

LunarLander::Throttle LunarLander::ThrottleOf(const void* action) const {
  Throttle throttle;
  if (!continuous_) {
    const std::int64_t discrete = *static_cast<const std::int64_t*>(action);
    if (discrete == 2) throttle.main = 1.0;
    if (discrete == 1 || discrete == 3) {
      throttle.side = 1.0;
      throttle.direction = static_cast<double>(discrete - 2);
    }
    return throttle;
  }
  // np.clip(action, -1, +1) in float32, then float64.
  const float* values = static_cast<const float*>(action);
  const double main = std::clamp(values[0], -1.0f, 1.0f);
  const double lateral = std::clamp(values[1], -1.0f, 1.0f);
  if (main > 0.0) throttle.main = (std::clamp(main, 0.0, 1.0) + 1.0) * 0.5;
  if (std::abs(lateral) > 0.5) {
    throttle.direction = lateral > 0 ? 1.0 : -1.0;
    throttle.side = std::clamp(std::abs(lateral), 0.5, 1.0);
  }
  return throttle;
}

void LunarLander::Step(const void* action, const EnvOutput& out) {
  replay_.Record(action);
  Advance(ThrottleOf(action), out);
}

void LunarLander::SaveState(StateWriter& out) const { replay_.Save(out); }

void LunarLander::LoadState(StateReader& in) {
  EpisodeReplay loaded = replay_;
  loaded.Load(in);
  // The episode again, from its reset's stream, with the same actions (Reset and Step record
  // them into replay_ again).
  replay_ = loaded;
  float observation[8];
  double reward = 0.0;
  bool terminated = false;
  const EnvOutput scratch{observation, &reward, &terminated, nullptr};
  ReplayEpisode(*this, loaded, [&] { Reset(scratch); }, scratch);
}

void LunarLander::Advance(const Throttle& throttle, const EnvOutput& out) {
  // Wind and turbulence while both legs are in the air: tanh(sin(2 k x) + sin(pi k x)), k = 0.01.
  if (enable_wind_ && !(leg_contact_[0] || leg_contact_[1])) {
    const double wind_x = static_cast<double>(wind_idx_);
    const double wind_mag =
        std::tanh(std::sin(0.02 * wind_x) + std::sin(std::numbers::pi * 0.01 * wind_x)) *
        wind_power_;
    ++wind_idx_;
    lander_->ApplyForceToCenter(Vec(wind_mag, 0.0), true);
    const double torque_x = static_cast<double>(torque_idx_);
    const double torque_mag =
        std::tanh(std::sin(0.02 * torque_x) + std::sin(std::numbers::pi * 0.01 * torque_x)) *
        turbulence_power_;
    ++torque_idx_;
    lander_->ApplyTorque(static_cast<float>(torque_mag), true);
  }

  // Engines: impulses at points offset by two random dispersions drawn every step.
  const double angle = lander_->GetAngle();
  const double tip[2] = {std::sin(angle), std::cos(angle)};
  const double side[2] = {-tip[1], tip[0]};
  double dispersion[2];
  for (double& value : dispersion) value = rng().Uniform(-1.0, +1.0) / kScale;
  const double pos_x = lander_->GetPosition().x;
  const double pos_y = lander_->GetPosition().y;
  if (throttle.main > 0.0) {
    const double ox =
        tip[0] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) + side[0] * dispersion[1];
    const double oy =
        -tip[1] * (kMainEngineYLocation / kScale + 2 * dispersion[0]) - side[1] * dispersion[1];
    lander_->ApplyLinearImpulse(
        Vec(-ox * kMainEnginePower * throttle.main, -oy * kMainEnginePower * throttle.main),
        Vec(pos_x + ox, pos_y + oy), true);
  }
  if (throttle.side > 0.0) {
    const double lever = 3 * dispersion[1] + throttle.direction * kSideEngineAway / kScale;
    const double ox = tip[0] * dispersion[0] + side[0] * lever;
    const double oy = -tip[1] * dispersion[0] - side[1] * lever;
    // Gymnasium's 17 (meant to be SIDE_ENGINE_HEIGHT, 14) makes the torque depend on the angle.
    lander_->ApplyLinearImpulse(
        Vec(-ox * kSideEnginePower * throttle.side, -oy * kSideEnginePower * throttle.side),
        Vec(pos_x + ox - tip[0] * 17 / kScale, pos_y + oy + tip[1] * kSideEngineHeight / kScale),
        true);
  }

  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  // The observation, in double precision until it is stored as float32.
  const b2Vec2 pos = lander_->GetPosition();
  const b2Vec2 vel = lander_->GetLinearVelocity();
  const double state[8] = {
      (pos.x - kViewportW / kScale / 2) / (kViewportW / kScale / 2),
      (pos.y - (helipad_y_ + kLegDown / kScale)) / (kViewportH / kScale / 2),
      vel.x * (kViewportW / kScale / 2) / kFps,
      vel.y * (kViewportH / kScale / 2) / kFps,
      lander_->GetAngle(),
      20.0 * lander_->GetAngularVelocity() / kFps,
      leg_contact_[0] ? 1.0 : 0.0,
      leg_contact_[1] ? 1.0 : 0.0,
  };
  float* obs = out.Observation<float>();
  for (int k = 0; k < 8; ++k) obs[k] = static_cast<float>(state[k]);

  // Reward: the change of the shaping potential, minus fuel.
  const double shaping = -100 * std::sqrt(state[0] * state[0] + state[1] * state[1]) -
                         100 * std::sqrt(state[2] * state[2] + state[3] * state[3]) -
                         100 * std::abs(state[4]) + 10 * state[6] + 10 * state[7];
  double reward = has_prev_shaping_ ? shaping - prev_shaping_ : 0.0;
  has_prev_shaping_ = true;
  prev_shaping_ = shaping;
  reward -= throttle.main * 0.30;
  reward -= throttle.side * 0.03;

  // Crashing or flying off the side ends the episode at -100; coming to rest at +100.
  bool terminated = false;
  if (game_over_ || std::abs(state[0]) >= 1.0) {
    terminated = true;
    reward = -100;
  }
  if (!lander_->IsAwake()) {
    terminated = true;
    reward = +100;
  }
  *out.reward = reward;
  *out.terminated = terminated;
}

}  // namespace envfleet::box2d
