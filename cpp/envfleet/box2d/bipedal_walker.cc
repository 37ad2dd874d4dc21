#include "envfleet/box2d/bipedal_walker.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "envfleet/box2d/box2d_statics.h"

namespace envfleet::box2d {
namespace {

// Gymnasium's constants, with its expressions (Python evaluates them in double precision).
constexpr double kFps = 50;
constexpr double kScale = 30.0;
constexpr double kMotorsTorque = 80;
constexpr double kSpeedHip = 4;
constexpr double kSpeedKnee = 6;
constexpr double kLidarRange = 160 / kScale;
constexpr double kInitialRandom = 5;
constexpr double kHullPoly[5][2] = {{-30, +9}, {+6, +9}, {+34, +1}, {+34, -8}, {-30, -8}};
constexpr double kLegDown = -8 / kScale;
constexpr double kLegW = 8 / kScale;
constexpr double kLegH = 34 / kScale;
constexpr double kViewportW = 600;
constexpr double kViewportH = 400;
constexpr double kTerrainStep = 14 / kScale;
constexpr int kTerrainLength = 200;
constexpr double kTerrainHeight = kViewportH / kScale / 4;
constexpr int kTerrainGrass = 10;
constexpr int kTerrainStartpad = 20;
constexpr float kFriction = 2.5f;

// Collision filters: the walker collides with the ground only.
constexpr std::uint16_t kGroundBits = 0x0001;
constexpr std::uint16_t kWalkerBits = 0x0020;

// Gymnasium's terrain states.
enum TerrainState : std::int64_t { kGrass = 0, kStump = 1, kStairs = 2, kPit = 3, kStates = 4 };

double Sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; }

float SignF(float x) { return x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f; }

}  // namespace

void BipedalWalker::OnContact(b2Contact* contact, bool begin) {
  if (begin && Touches(*contact, hull_)) game_over_ = true;
  for (int leg : {1, 3}) {
    if (Touches(*contact, legs_[leg])) ground_contact_[leg] = begin;
  }
}

float BipedalWalker::LidarCallback::ReportFixture(b2Fixture* fixture, const b2Vec2& /*point*/,
                                                  const b2Vec2& /*normal*/, float fraction) {
  // Only the ground (category bit 1) stops a ray.
  if ((fixture->GetFilterData().categoryBits & 1) == 0) return -1;
  this->fraction = fraction;
  return fraction;
}

BipedalWalker::BipedalWalker(const Config& config) : hardcore_(config.Get<bool>("hardcore")) {
  PrepareBox2dStatics();
  // Gymnasium's b2World(): gravity (0, -10), sleeping allowed.
  world_ = std::make_unique<b2World>(b2Vec2(0.0f, -10.0f));
  world_->SetAllowSleeping(true);
  replay_.history = CaptureWorldHistory(*world_);
}

BipedalWalker::~BipedalWalker() = default;

OptionList BipedalWalker::Options() {
  return {{"hardcore", false, "terrain with stumps, pits and stairs"}};
}

EnvSpec BipedalWalker::Spec(const Config& /*config*/) {
  constexpr double kPi = std::numbers::pi;
  std::vector<double> low = {-kPi, -5.0, -5.0, -5.0, -kPi, -5.0, -kPi,
                             -5.0, -0.0, -kPi, -5.0, -kPi, -5.0, -0.0};
  std::vector<double> high = {kPi, 5.0, 5.0, 5.0, kPi, 5.0, kPi, 5.0, 5.0, kPi, 5.0, kPi, 5.0, 5.0};
  low.resize(24, -1.0);
  high.resize(24, 1.0);
  EnvSpec spec;
  spec.observation = ArraySpec::Box(DType::kFloat32, {24}, std::move(low), std::move(high));
  spec.action = ArraySpec::Box(DType::kFloat32, {4}, {-1.0}, {1.0});
  return spec;
}

void BipedalWalker::DestroyBodies() {
  if (terrain_.empty()) return;
  // No contact callbacks while bodies go, as Gymnasium unsets its listener first.
  world_->SetContactListener(nullptr);
  for (b2Body* body : terrain_) world_->DestroyBody(body);
  terrain_.clear();
  world_->DestroyBody(hull_);
  hull_ = nullptr;
  for (b2Body*& leg : legs_) {
    world_->DestroyBody(leg);
    leg = nullptr;
  }
  joints_ = {};
}

b2Body* BipedalWalker::CreateTerrainBody(const b2Shape& shape) {
  b2BodyDef body_def;
  body_def.type = b2_staticBody;
  b2Body* body = world_->CreateBody(&body_def);
  b2FixtureDef fixture;
  fixture.shape = &shape;
  fixture.friction = kFriction;
  fixture.filter.categoryBits = kGroundBits;
  body->CreateFixture(&fixture);
  terrain_.push_back(body);
  return body;
}

void BipedalWalker::GenerateTerrain() {
  // Gymnasium's _generate_terrain, statement for statement: a random walk on grass and, in
  // hardcore, stumps, pits and stairs built from polygons.
  auto polygon = [this](const double (&points)[4][2]) {
    b2Vec2 vertices[4];
    for (int k = 0; k < 4; ++k) vertices[k] = Vec(points[k][0], points[k][1]);
    b2PolygonShape shape;
    shape.Set(vertices, 4);
    CreateTerrainBody(shape);
  };
  std::int64_t state = kGrass;
  double velocity = 0.0;
  double y = kTerrainHeight;
  std::int64_t counter = kTerrainStartpad;
  bool oneshot = false;
  terrain_x_.clear();
  terrain_y_.clear();
  std::int64_t stair_steps = 0, stair_width = 0, stair_height = 0;
  double original_y = 0;
  for (int i = 0; i < kTerrainLength; ++i) {
    const double x = i * kTerrainStep;
    terrain_x_.push_back(x);

    if (state == kGrass && !oneshot) {
      velocity = 0.8 * velocity + 0.01 * Sign(kTerrainHeight - y);
      if (i > kTerrainStartpad) velocity += rng().Uniform(-1, 1) / kScale;
      y += velocity;
    } else if (state == kPit && oneshot) {
      counter = 3 + static_cast<std::int64_t>(rng().UniformInt(2));
      const double poly[4][2] = {{x, y},
                                 {x + kTerrainStep, y},
                                 {x + kTerrainStep, y - 4 * kTerrainStep},
                                 {x, y - 4 * kTerrainStep}};
      polygon(poly);
      double shifted[4][2];
      for (int k = 0; k < 4; ++k) {
        shifted[k][0] = poly[k][0] + kTerrainStep * counter;
        shifted[k][1] = poly[k][1];
      }
      polygon(shifted);
      counter += 2;
      original_y = y;
    } else if (state == kPit && !oneshot) {
      y = original_y;
      if (counter > 1) y -= 4 * kTerrainStep;
    } else if (state == kStump && oneshot) {
      counter = 1 + static_cast<std::int64_t>(rng().UniformInt(2));
      const double poly[4][2] = {{x, y},
                                 {x + counter * kTerrainStep, y},
                                 {x + counter * kTerrainStep, y + counter * kTerrainStep},
                                 {x, y + counter * kTerrainStep}};
      polygon(poly);
    } else if (state == kStairs && oneshot) {
      stair_height = rng().Uniform01() > 0.5 ? +1 : -1;
      stair_width = 4 + static_cast<std::int64_t>(rng().UniformInt(1));
      stair_steps = 3 + static_cast<std::int64_t>(rng().UniformInt(2));
      original_y = y;
      for (std::int64_t s = 0; s < stair_steps; ++s) {
        const double poly[4][2] = {
            {x + (s * stair_width) * kTerrainStep, y + (s * stair_height) * kTerrainStep},
            {x + ((1 + s) * stair_width) * kTerrainStep, y + (s * stair_height) * kTerrainStep},
            {x + ((1 + s) * stair_width) * kTerrainStep,
             y + (-1 + s * stair_height) * kTerrainStep},
            {x + (s * stair_width) * kTerrainStep, y + (-1 + s * stair_height) * kTerrainStep},
        };
        polygon(poly);
      }
      counter = stair_steps * stair_width;
    } else if (state == kStairs && !oneshot) {
      const std::int64_t s = stair_steps * stair_width - counter - stair_height;
      const double n = static_cast<double>(s) / static_cast<double>(stair_width);
      y = original_y + (n * static_cast<double>(stair_height)) * kTerrainStep;
    }

    oneshot = false;
    terrain_y_.push_back(y);
    --counter;
    if (counter == 0) {
      counter = kTerrainGrass / 2 + static_cast<std::int64_t>(rng().UniformInt(kTerrainGrass / 2));
      if (state == kGrass && hardcore_) {
        state = 1 + static_cast<std::int64_t>(rng().UniformInt(kStates - 1));
      } else {
        state = kGrass;
      }
      oneshot = true;
    }
  }

  // The ground line: one static body per edge.
  for (int i = 0; i < kTerrainLength - 1; ++i) {
    b2EdgeShape edge;
    edge.Set(Vec(terrain_x_[i], terrain_y_[i]), Vec(terrain_x_[i + 1], terrain_y_[i + 1]));
    CreateTerrainBody(edge);
  }
  std::reverse(terrain_.begin(), terrain_.end());
}

void BipedalWalker::SkipCloudDraws() {
  // 10 clouds: a position, then an (x, y) jitter for each of 5 points.
  for (int draw = 0; draw < (kTerrainLength / 20) * (1 + 5 * 2); ++draw) rng().Uniform01();
}

void BipedalWalker::CreateWalker() {
  // The hull, pushed at random.
  const double init_x = kTerrainStep * kTerrainStartpad / 2;
  const double init_y = kTerrainHeight + 2 * kLegH;
  b2BodyDef hull_def;
  hull_def.type = b2_dynamicBody;
  hull_def.position = Vec(init_x, init_y);
  hull_ = world_->CreateBody(&hull_def);
  b2Vec2 hull_vertices[5];
  for (int k = 0; k < 5; ++k) {
    hull_vertices[k] = Vec(kHullPoly[k][0] / kScale, kHullPoly[k][1] / kScale);
  }
  b2PolygonShape hull_shape;
  hull_shape.Set(hull_vertices, 5);
  b2FixtureDef hull_fixture = SolidFixture(hull_shape, 5.0f, kWalkerBits, kGroundBits);
  hull_fixture.friction = 0.1f;
  hull_->CreateFixture(&hull_fixture);
  hull_->ApplyForceToCenter(Vec(rng().Uniform(-kInitialRandom, kInitialRandom), 0), true);

  // Each leg: an upper part on a hip joint, a lower part on a knee joint. Gymnasium's joint
  // definitions take the reference angle bodyB.angle - bodyA.angle.
  auto create_part = [this](double y, double angle, double half_width) {
    b2BodyDef def;
    def.type = b2_dynamicBody;
    def.position = Vec(kTerrainStep * kTerrainStartpad / 2, y);
    def.angle = static_cast<float>(angle);
    b2Body* body = world_->CreateBody(&def);
    b2PolygonShape shape;
    shape.SetAsBox(static_cast<float>(half_width), static_cast<float>(kLegH / 2));
    const b2FixtureDef fixture = SolidFixture(shape, 1.0f, kWalkerBits, kGroundBits);
    body->CreateFixture(&fixture);
    return body;
  };
  auto create_joint = [this](b2Body* a, b2Body* b, double anchor_a_y, double speed, double lower,
                             double upper) {
    b2RevoluteJointDef def;
    def.bodyA = a;
    def.bodyB = b;
    def.referenceAngle =
        static_cast<float>(static_cast<double>(b->GetAngle()) - static_cast<double>(a->GetAngle()));
    def.localAnchorA = Vec(0, anchor_a_y);
    def.localAnchorB = Vec(0, kLegH / 2);
    def.enableMotor = true;
    def.enableLimit = true;
    def.maxMotorTorque = static_cast<float>(kMotorsTorque);
    def.motorSpeed = static_cast<float>(speed);
    def.lowerAngle = static_cast<float>(lower);
    def.upperAngle = static_cast<float>(upper);
    return static_cast<b2RevoluteJoint*>(world_->CreateJoint(&def));
  };
  for (int side = 0; side < 2; ++side) {
    const int i = side == 0 ? -1 : +1;
    b2Body* upper = create_part(init_y - kLegH / 2 - kLegDown, i * 0.05, kLegW / 2);
    legs_[2 * side] = upper;
    joints_[2 * side] = create_joint(hull_, upper, kLegDown, i, -0.8, 1.1);
    b2Body* lower = create_part(init_y - kLegH * 3 / 2 - kLegDown, i * 0.05, 0.8 * kLegW / 2);
    legs_[2 * side + 1] = lower;
    joints_[2 * side + 1] = create_joint(upper, lower, -kLegH / 2, 1, -1.6, -0.1);
  }
  ground_contact_ = {};
}

void BipedalWalker::Reset(const EnvOutput& out) {
  DestroyBodies();
  replay_.Start(*world_, rng());
  world_->SetContactListener(&contact_detector_);
  game_over_ = false;
  has_prev_shaping_ = false;
  GenerateTerrain();
  SkipCloudDraws();
  CreateWalker();
  // Gymnasium's reset() returns the observation of a step of zero torques; its reward and flag
  // are dropped (the engine writes a reset's).
  constexpr float kZeros[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  double reward = 0.0;
  bool terminated = false;
  Advance(kZeros, EnvOutput{out.observation, &reward, &terminated, out.info});
}

void BipedalWalker::Step(const void* action, const EnvOutput& out) {
  replay_.episode.Record(action);
  Advance(static_cast<const float*>(action), out);
}

void BipedalWalker::SaveState(StateWriter& out) const { replay_.Save(out); }

void BipedalWalker::LoadState(StateReader& in) {
  KeptWorldReplay loaded = replay_;
  loaded.Load(in);
  // This env's world as the snapshot's episode found it, then that episode again: its reset
  // from the same stream, and the same actions (Reset and Step record them into replay_ again).
  DestroyBodies();
  RestoreWorldHistory(*world_, loaded.history);
  replay_ = loaded;
  float observation[24];
  double reward = 0.0;
  bool terminated = false;
  const EnvOutput scratch{observation, &reward, &terminated, nullptr};
  ReplayEpisode(*this, loaded.episode, [&] { Reset(scratch); }, scratch);
}

void BipedalWalker::Advance(const float* action, const EnvOutput& out) {
  // Motors: speed from the command's sign, torque from its clipped magnitude (float32, as NumPy
  // multiplies a Python int by a float32).
  constexpr double kSpeeds[4] = {kSpeedHip, kSpeedKnee, kSpeedHip, kSpeedKnee};
  float effort[4];
  for (int k = 0; k < 4; ++k) {
    effort[k] = std::clamp(std::abs(action[k]), 0.0f, 1.0f);
    joints_[k]->SetMotorSpeed(static_cast<float>(kSpeeds[k]) * SignF(action[k]));
    joints_[k]->SetMaxMotorTorque(static_cast<float>(kMotorsTorque) * effort[k]);
  }

  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);

  // Ten lidar rays, fanning out below the hull.
  const b2Vec2 pos = hull_->GetPosition();
  const b2Vec2 vel = hull_->GetLinearVelocity();
  float lidar[10];
  for (int i = 0; i < 10; ++i) {
    LidarCallback callback;
    const b2Vec2 end = Vec(pos.x + std::sin(1.5 * i / 10.0) * kLidarRange,
                           pos.y - std::cos(1.5 * i / 10.0) * kLidarRange);
    world_->RayCast(&callback, pos, end);
    lidar[i] = callback.fraction;
  }

  // The observation, in double precision until it is stored as float32.
  const double state[14] = {
      hull_->GetAngle(),
      2.0 * hull_->GetAngularVelocity() / kFps,
      0.3 * vel.x * (kViewportW / kScale) / kFps,
      0.3 * vel.y * (kViewportH / kScale) / kFps,
      joints_[0]->GetJointAngle(),
      joints_[0]->GetJointSpeed() / kSpeedHip,
      joints_[1]->GetJointAngle() + 1.0,
      joints_[1]->GetJointSpeed() / kSpeedKnee,
      ground_contact_[1] ? 1.0 : 0.0,
      joints_[2]->GetJointAngle(),
      joints_[2]->GetJointSpeed() / kSpeedHip,
      joints_[3]->GetJointAngle() + 1.0,
      joints_[3]->GetJointSpeed() / kSpeedKnee,
      ground_contact_[3] ? 1.0 : 0.0,
  };
  float* obs = out.Observation<float>();
  for (int k = 0; k < 14; ++k) obs[k] = static_cast<float>(state[k]);
  for (int k = 0; k < 10; ++k) obs[14 + k] = lidar[k];

  // Reward: progress minus head tilt, as a change of potential (double), minus the motors' cost.
  // NumPy 2 casts the double to float32 at the first cost (a float32), and sums in float32.
  double shaping = 130 * static_cast<double>(pos.x) / kScale;
  shaping -= 5.0 * std::abs(state[0]);
  const double progress = has_prev_shaping_ ? shaping - prev_shaping_ : 0.0;
  has_prev_shaping_ = true;
  prev_shaping_ = shaping;
  const float cost_per_unit = static_cast<float>(0.00035 * kMotorsTorque);
  float reward = static_cast<float>(progress);
  for (float value : effort) reward -= cost_per_unit * value;
  double final_reward = reward;

  // Falling (the hull touching the ground) or walking backwards off the start ends the episode
  // at -100; reaching the far end ends it too.
  bool terminated = false;
  if (game_over_ || pos.x < 0) {
    final_reward = -100;
    terminated = true;
  }
  if (pos.x > (kTerrainLength - kTerrainGrass) * kTerrainStep) terminated = true;
  *out.reward = final_reward;
  *out.terminated = terminated;
}

}  // namespace envfleet::box2d
