#include "envfleet/box2d/car_racing.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numbers>
#include <span>
#include <string>

#include "envfleet/box2d/box2d_statics.h"
#include "envfleet/raster/canvas.h"
#include "envfleet/raster/smooth_scale.h"

namespace envfleet::box2d {
namespace {

using raster::Canvas;
using raster::Point;
using raster::Rgb;
using raster::RotateRad;

// Gymnasium's constants, with its expressions (Python evaluates them in double precision).
constexpr double kPi = std::numbers::pi;
constexpr int kStateW = 96;
constexpr int kStateH = 96;
constexpr int kVideoW = 600;
constexpr int kVideoH = 400;
constexpr int kWindowW = 1000;
constexpr int kWindowH = 800;
constexpr double kScale = 6.0;
constexpr double kTrackRad = 900 / kScale;
constexpr double kPlayfield = 2000 / kScale;
constexpr double kFps = 50;
constexpr double kZoom = 2.7;
constexpr double kTrackDetailStep = 21 / kScale;
constexpr double kTrackTurnRate = 0.31;
constexpr double kTrackWidth = 40 / kScale;
constexpr double kBorder = 8 / kScale;
constexpr int kBorderMinCount = 4;
constexpr double kGrassDim = kPlayfield / 20.0;
const double kMaxShapeDim =
    std::max({kGrassDim, kTrackWidth, kTrackDetailStep}) * std::sqrt(2.0) * kZoom * kScale;
constexpr int kCheckpoints = 12;

// car_dynamics.py.
constexpr double kSize = 0.02;
constexpr double kEnginePower = 100000000 * kSize * kSize;
constexpr double kWheelMomentOfInertia = 4000 * kSize * kSize;
constexpr double kFrictionLimit = 1000000 * kSize * kSize;
constexpr double kWheelR = 27;
constexpr double kWheelW = 14;
constexpr double kWheelPos[4][2] = {{-55, +80}, {+55, +80}, {-55, -82}, {+55, -82}};
constexpr double kHullPoly1[4][2] = {{-60, +130}, {+60, +130}, {+60, +110}, {-60, +110}};
constexpr double kHullPoly2[4][2] = {{-15, +120}, {+15, +120}, {+20, +20}, {-20, 20}};
constexpr double kHullPoly3[8][2] = {{+25, +20}, {+50, -10}, {+50, -40}, {+20, -90},
                                     {-20, -90}, {-50, -40}, {-50, -10}, {-25, +20}};
constexpr double kHullPoly4[4][2] = {{-50, -120}, {+50, -120}, {+50, -90}, {-50, -90}};
constexpr Rgb kWheelColor{0, 0, 0};
constexpr Rgb kWheelWhite{77, 77, 77};
constexpr Rgb kMudColor{102, 102, 0};
// int(c * 255) of the hull's (0.8, 0.0, 0.0).
const Rgb kHullColor{static_cast<std::uint8_t>(0.8 * 255), 0, 0};

double Sign(double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }

// Python's index i of a list of length n, negative values counting from the end.
std::size_t Wrap(long i, std::size_t n) {
  return static_cast<std::size_t>(i < 0 ? i + static_cast<long>(n) : i);
}

// A colour as pygame converts a float RGB triple (truncation).
Rgb ToRgb(const std::array<double, 3>& color) {
  return {static_cast<std::uint8_t>(color[0]), static_cast<std::uint8_t>(color[1]),
          static_cast<std::uint8_t>(color[2])};
}

// Seven-segment digits for the score (Gymnasium renders "%04i" with pygame's default font; these
// are envfleet's own, in the same place): segments a-g as bits 0-6.
constexpr std::uint8_t kSegments[10] = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};

void DrawScore(Canvas& canvas, double reward) {
  char text[32];
  std::snprintf(text, sizeof(text), "%04d", static_cast<int>(reward));
  const int length = static_cast<int>(std::strlen(text));
  constexpr int kAdvance = 23;
  constexpr int kGlyphW = 17;
  constexpr int kGlyphH = 30;
  constexpr int kStroke = 4;
  const int left = 60 - length * kAdvance / 2;
  const int top = 750 - 21 + 9;
  auto bar = [&](int x0, int y0, int x1, int y1) {
    const Point box[4] = {{double(x0), double(y0)},
                          {double(x1), double(y0)},
                          {double(x1), double(y1)},
                          {double(x0), double(y1)}};
    canvas.DrawPolygon(box, Rgb{255, 255, 255});
  };
  for (int k = 0; k < length; ++k) {
    const int x = left + k * kAdvance + 3;
    const int mid = top + kGlyphH / 2;
    if (text[k] == '-') {
      bar(x, mid - kStroke / 2, x + kGlyphW - 6, mid + kStroke / 2 - 1);
      continue;
    }
    const std::uint8_t segments = kSegments[text[k] - '0'];
    const int right = x + kGlyphW - 1;
    const int bottom = top + kGlyphH - 1;
    if (segments & 0x01) bar(x, top, right, top + kStroke - 1);
    if (segments & 0x02) bar(right - kStroke + 1, top, right, mid);
    if (segments & 0x04) bar(right - kStroke + 1, mid, right, bottom);
    if (segments & 0x08) bar(x, bottom - kStroke + 1, right, bottom);
    if (segments & 0x10) bar(x, mid, x + kStroke - 1, bottom);
    if (segments & 0x20) bar(x, top, x + kStroke - 1, mid);
    if (segments & 0x40) bar(x, mid - kStroke / 2, right, mid + kStroke / 2 - 1);
  }
}

}  // namespace

void CarRacing::OnContact(b2Contact* contact, bool begin) {
  auto* u1 = static_cast<Tagged*>(contact->GetFixtureA()->GetBody()->GetUserData());
  auto* u2 = static_cast<Tagged*>(contact->GetFixtureB()->GetBody()->GetUserData());
  Tile* tile = nullptr;
  Tagged* other = nullptr;
  if (u1 != nullptr && u1->is_tile) {
    tile = static_cast<Tile*>(u1);
    other = u2;
  }
  if (u2 != nullptr && u2->is_tile) {
    tile = static_cast<Tile*>(u2);
    other = u1;
  }
  if (tile == nullptr) return;
  // The tile takes the road's colour (its stripe of lighter shades is gone once touched).
  tile->color = road_color_;
  if (other == nullptr || other->is_tile) return;
  auto* wheel = static_cast<Wheel*>(other);
  if (!begin) {
    --wheel->tiles;
    return;
  }
  ++wheel->tiles;
  if (tile->visited) return;
  tile->visited = true;
  const double track_length = static_cast<double>(track_.size());
  reward_ += 1000.0 / track_length;
  ++tile_visited_count_;
  // The lap is complete when enough of the track was visited.
  if (tile->index == 0 &&
      static_cast<double>(tile_visited_count_) / track_length > lap_complete_percent_) {
    new_lap_ = true;
  }
}

CarRacing::CarRacing(const Config& config)
    : continuous_(config.Get<bool>("continuous")),
      domain_randomize_(config.Get<bool>("domain_randomize")),
      lap_complete_percent_(config.Get<double>("lap_complete_percent")),
      randomize_default_(config.Get<bool>("randomize")),
      randomize_next_(randomize_default_),
      replay_(continuous_ ? 3 * sizeof(float) : sizeof(std::int64_t)) {
  PrepareBox2dStatics();
  world_ = std::make_unique<b2World>(b2Vec2(0.0f, 0.0f));
  world_->SetContactListener(&friction_detector_);
  road_color_ = {102, 102, 102};
  bg_color_ = {102, 204, 102};
  grass_color_ = {102, 230, 102};
  replay_.history = CaptureWorldHistory(*world_);
}

CarRacing::~CarRacing() {
  // The world's destruction reports no contacts; nothing else to undo.
  world_->SetContactListener(nullptr);
}

OptionList CarRacing::Options() {
  return {
      {"continuous", true, "float actions (steer, gas, brake) instead of 5 discrete ones"},
      {"lap_complete_percent", 0.95,
       "the share of the track's tiles to visit before reaching the start ends the lap"},
      {"domain_randomize", false, "random road, background and grass colours at every reset"},
      {"randomize", true,
       "with domain_randomize, whether a reset draws new colours (Gymnasium's "
       "reset(options={'randomize': ...})): as a reset option, for that reset only"},
  };
}

EnvSpec CarRacing::Spec(const Config& config) {
  EnvSpec spec;
  spec.observation = ArraySpec::Box(DType::kUInt8, {kStateH, kStateW, 3}, {0.0}, {255.0});
  spec.action = config.Get<bool>("continuous")
                    ? ArraySpec::Box(DType::kFloat32, {3}, {-1.0, 0.0, 0.0}, {1.0, 1.0, 1.0})
                    : ArraySpec::Discrete(5);
  // Gymnasium's info["lap_finished"], given when an episode terminates; false on other steps.
  spec.info = {{"lap_finished", ArraySpec::Box(DType::kBool, {}, {0.0}, {1.0})}};
  spec.render_shape = {kVideoH, kVideoW, 3};
  spec.render_fps = static_cast<int>(kFps);
  return spec;
}

void CarRacing::PickColors() {
  // Gymnasium's _reinit_colors: uniform(0, 210, size=3) twice, then integers(3).
  for (double& value : road_color_) value = rng().Uniform(0, 210);
  for (double& value : bg_color_) value = rng().Uniform(0, 210);
  grass_color_ = bg_color_;
  grass_color_[rng().UniformInt(3)] += 20;
}

bool CarRacing::CreateTrack() {
  double start_alpha = 0.0;
  std::array<std::array<double, 3>, kCheckpoints> checkpoints;
  for (int c = 0; c < kCheckpoints; ++c) {
    const double noise = rng().Uniform(0, 2 * kPi * 1 / kCheckpoints);
    double alpha = 2 * kPi * c / kCheckpoints + noise;
    double rad = rng().Uniform(kTrackRad / 3, kTrackRad);
    if (c == 0) {
      alpha = 0;
      rad = 1.5 * kTrackRad;
    }
    if (c == kCheckpoints - 1) {
      alpha = 2 * kPi * c / kCheckpoints;
      start_alpha = 2 * kPi * (-0.5) / kCheckpoints;
      rad = 1.5 * kTrackRad;
    }
    checkpoints[c] = {alpha, rad * std::cos(alpha), rad * std::sin(alpha)};
  }
  road_polygons_.clear();

  // Walk from checkpoint to checkpoint.
  double x = 1.5 * kTrackRad, y = 0, beta = 0;
  int dest_i = 0;
  int laps = 0;
  std::vector<TrackPoint> track;
  int no_freeze = 2500;
  bool visited_other_side = false;
  while (true) {
    double alpha = std::atan2(y, x);
    if (visited_other_side && alpha > 0) {
      ++laps;
      visited_other_side = false;
    }
    if (alpha < 0) {
      visited_other_side = true;
      alpha += 2 * kPi;
    }
    double dest_x = 0, dest_y = 0;
    while (true) {
      bool failed = true;
      while (true) {
        const auto& dest = checkpoints[dest_i % kCheckpoints];
        dest_x = dest[1];
        dest_y = dest[2];
        if (alpha <= dest[0]) {
          failed = false;
          break;
        }
        ++dest_i;
        if (dest_i % kCheckpoints == 0) break;
      }
      if (!failed) break;
      alpha -= 2 * kPi;
    }
    const double r1x = std::cos(beta);
    const double r1y = std::sin(beta);
    const double p1x = -r1y;
    const double p1y = r1x;
    const double dest_dx = dest_x - x;
    const double dest_dy = dest_y - y;
    double proj = r1x * dest_dx + r1y * dest_dy;
    while (beta - alpha > 1.5 * kPi) beta -= 2 * kPi;
    while (beta - alpha < -1.5 * kPi) beta += 2 * kPi;
    const double prev_beta = beta;
    proj *= kScale;
    if (proj > 0.3) beta -= std::min(kTrackTurnRate, std::abs(0.001 * proj));
    if (proj < -0.3) beta += std::min(kTrackTurnRate, std::abs(0.001 * proj));
    x += p1x * kTrackDetailStep;
    y += p1y * kTrackDetailStep;
    track.push_back({alpha, prev_beta * 0.5 + beta * 0.5, x, y});
    if (laps > 4) break;
    if (--no_freeze == 0) break;
  }

  // The closed loop: between the last two passes through the start, the first lap ignored.
  long i1 = -1, i2 = -1;
  long i = static_cast<long>(track.size());
  while (true) {
    --i;
    if (i == 0) return false;
    const bool pass_through_start =
        track[i].alpha > start_alpha && track[i - 1].alpha <= start_alpha;
    if (pass_through_start && i2 == -1) {
      i2 = i;
    } else if (pass_through_start && i1 == -1) {
      i1 = i;
      break;
    }
  }
  // track[i1 : i2 - 1], as Python slices it.
  const long n_points = static_cast<long>(track.size());
  const long stop = std::clamp(i2 - 1, 0L, n_points);
  std::vector<TrackPoint> loop;
  for (long k = i1; k < stop; ++k) loop.push_back(track[k]);
  if (loop.empty()) return false;
  track = std::move(loop);

  const double first_beta = track[0].beta;
  const double first_perp_x = std::cos(first_beta);
  const double first_perp_y = std::sin(first_beta);
  const double gap_x = first_perp_x * (track[0].x - track.back().x);
  const double gap_y = first_perp_y * (track[0].y - track.back().y);
  if (std::sqrt(gap_x * gap_x + gap_y * gap_y) > kTrackDetailStep) return false;

  // Red-white borders on hard turns.
  const std::size_t n = track.size();
  std::vector<bool> border(n, false);
  for (std::size_t k = 0; k < n; ++k) {
    bool good = true;
    double oneside = 0;
    for (int neg = 0; neg < kBorderMinCount; ++neg) {
      const double beta1 = track[Wrap(static_cast<long>(k) - neg - 0, n)].beta;
      const double beta2 = track[Wrap(static_cast<long>(k) - neg - 1, n)].beta;
      good = good && std::abs(beta1 - beta2) > kTrackTurnRate * 0.2;
      oneside += Sign(beta1 - beta2);
    }
    good = good && std::abs(oneside) == kBorderMinCount;
    border[k] = good;
  }
  for (std::size_t k = 0; k < n; ++k) {
    for (int neg = 0; neg < kBorderMinCount; ++neg) {
      const std::size_t at = Wrap(static_cast<long>(k) - neg, n);
      border[at] = border[at] || border[k];
    }
  }

  // The tiles: static sensor bodies, one quadrilateral each.
  for (std::size_t k = 0; k < n; ++k) {
    const TrackPoint& p1 = track[k];
    const TrackPoint& p2 = track[Wrap(static_cast<long>(k) - 1, n)];
    const std::array<double, 2> road1_l = {p1.x - kTrackWidth * std::cos(p1.beta),
                                           p1.y - kTrackWidth * std::sin(p1.beta)};
    const std::array<double, 2> road1_r = {p1.x + kTrackWidth * std::cos(p1.beta),
                                           p1.y + kTrackWidth * std::sin(p1.beta)};
    const std::array<double, 2> road2_l = {p2.x - kTrackWidth * std::cos(p2.beta),
                                           p2.y - kTrackWidth * std::sin(p2.beta)};
    const std::array<double, 2> road2_r = {p2.x + kTrackWidth * std::cos(p2.beta),
                                           p2.y + kTrackWidth * std::sin(p2.beta)};
    const std::array<std::array<double, 2>, 4> vertices = {road1_l, road1_r, road2_r, road2_l};
    b2Vec2 shape_vertices[4];
    for (int v = 0; v < 4; ++v) shape_vertices[v] = Vec(vertices[v][0], vertices[v][1]);
    b2PolygonShape shape;
    shape.Set(shape_vertices, 4);
    b2FixtureDef fixture;
    fixture.shape = &shape;
    b2BodyDef body_def;
    body_def.type = b2_staticBody;
    auto tile = std::make_unique<Tile>();
    tile->is_tile = true;
    tile->body = world_->CreateBody(&body_def);
    tile->body->CreateFixture(&fixture);
    tile->body->SetUserData(static_cast<Tagged*>(tile.get()));
    const double shade = 0.01 * static_cast<double>(k % 3) * 255;
    for (int c = 0; c < 3; ++c) tile->color[c] = road_color_[c] + shade;
    tile->visited = false;
    tile->index = static_cast<int>(k);
    tile->body->GetFixtureList()->SetSensor(true);
    road_polygons_.push_back({vertices, static_cast<int>(k), {}});
    tiles_.push_back(std::move(tile));
    if (border[k]) {
      const double side = Sign(p2.beta - p1.beta);
      const std::array<double, 2> b1_l = {p1.x + side * kTrackWidth * std::cos(p1.beta),
                                          p1.y + side * kTrackWidth * std::sin(p1.beta)};
      const std::array<double, 2> b1_r = {
          p1.x + side * (kTrackWidth + kBorder) * std::cos(p1.beta),
          p1.y + side * (kTrackWidth + kBorder) * std::sin(p1.beta)};
      const std::array<double, 2> b2_l = {p2.x + side * kTrackWidth * std::cos(p2.beta),
                                          p2.y + side * kTrackWidth * std::sin(p2.beta)};
      const std::array<double, 2> b2_r = {
          p2.x + side * (kTrackWidth + kBorder) * std::cos(p2.beta),
          p2.y + side * (kTrackWidth + kBorder) * std::sin(p2.beta)};
      const std::array<double, 3> color =
          k % 2 == 0 ? std::array<double, 3>{255, 255, 255} : std::array<double, 3>{255, 0, 0};
      road_polygons_.push_back({{b1_l, b1_r, b2_r, b2_l}, -1, color});
    }
  }
  track_ = std::move(track);
  return true;
}

void CarRacing::CreateCar(double angle, double x, double y) {
  auto polygon = [](b2PolygonShape& shape, const auto& points, double scale) {
    b2Vec2 vertices[8];
    int count = 0;
    for (const auto& point : points) vertices[count++] = Vec(point[0] * scale, point[1] * scale);
    shape.Set(vertices, count);
  };
  b2BodyDef hull_def;
  hull_def.type = b2_dynamicBody;
  hull_def.position = Vec(x, y);
  hull_def.angle = static_cast<float>(angle);
  hull_ = world_->CreateBody(&hull_def);
  b2PolygonShape hull_shapes[4];
  polygon(hull_shapes[0], kHullPoly1, kSize);
  polygon(hull_shapes[1], kHullPoly2, kSize);
  polygon(hull_shapes[2], kHullPoly3, kSize);
  polygon(hull_shapes[3], kHullPoly4, kSize);
  for (const b2PolygonShape& shape : hull_shapes) {
    b2FixtureDef fixture;
    fixture.shape = &shape;
    fixture.density = 1.0f;
    hull_->CreateFixture(&fixture);
  }
  const double wheel_poly[4][2] = {
      {-kWheelW, +kWheelR}, {+kWheelW, +kWheelR}, {+kWheelW, -kWheelR}, {-kWheelW, -kWheelR}};
  for (int k = 0; k < 4; ++k) {
    const double wx = kWheelPos[k][0];
    const double wy = kWheelPos[k][1];
    const double front_k = 1.0;
    Wheel& wheel = wheels_[k];
    wheel = Wheel{};
    b2BodyDef wheel_def;
    wheel_def.type = b2_dynamicBody;
    wheel_def.position = Vec(x + wx * kSize, y + wy * kSize);
    wheel_def.angle = static_cast<float>(angle);
    wheel.body = world_->CreateBody(&wheel_def);
    b2Vec2 vertices[4];
    for (int v = 0; v < 4; ++v) {
      vertices[v] = Vec(wheel_poly[v][0] * front_k * kSize, wheel_poly[v][1] * front_k * kSize);
    }
    b2PolygonShape shape;
    shape.Set(vertices, 4);
    const b2FixtureDef fixture = SolidFixture(shape, 0.1f, 0x0020, 0x001);
    wheel.body->CreateFixture(&fixture);

    b2RevoluteJointDef joint;
    joint.bodyA = hull_;
    joint.bodyB = wheel.body;
    joint.localAnchorA = Vec(wx * kSize, wy * kSize);
    joint.localAnchorB = Vec(0, 0);
    joint.enableMotor = true;
    joint.enableLimit = true;
    joint.maxMotorTorque = static_cast<float>(180 * 900 * kSize * kSize);
    joint.motorSpeed = 0.0f;
    joint.lowerAngle = -0.4f;
    joint.upperAngle = +0.4f;
    joint.referenceAngle = static_cast<float>(static_cast<double>(wheel.body->GetAngle()) -
                                              static_cast<double>(hull_->GetAngle()));
    wheel.joint = static_cast<b2RevoluteJoint*>(world_->CreateJoint(&joint));
    wheel.body->SetUserData(static_cast<Tagged*>(&wheel));
  }
  particles_.clear();
}

void CarRacing::Destroy() {
  // Gymnasium's _destroy: the tiles in order, then the hull, then the wheels (the friction
  // detector hears the contacts end, as Gymnasium's does).
  if (tiles_.empty()) return;
  for (const auto& tile : tiles_) world_->DestroyBody(tile->body);
  world_->DestroyBody(hull_);
  hull_ = nullptr;
  for (Wheel& wheel : wheels_) world_->DestroyBody(wheel.body);
  tiles_.clear();
  for (Wheel& wheel : wheels_) wheel = Wheel{};
}

void CarRacing::Reset(const EnvOutput& out) {
  Destroy();
  // Gymnasium's reset redraws the colours unless options["randomize"] is false; its constructor
  // drew them once (from a stream not yet seeded): envfleet draws those at the first reset that
  // keeps colours, from the env's stream.
  const bool randomize = randomize_next_;
  randomize_next_ = randomize_default_;
  if (domain_randomize_ && (randomize || !colors_drawn_)) {
    PickColors();
    colors_drawn_ = true;
  }
  replay_.Start(*world_, rng());
  StartEpisode(out.Observation<std::uint8_t>());
  *out.Info<bool>(0) = false;
}

void CarRacing::StartEpisode(std::uint8_t* observation) {
  reward_ = 0.0;
  prev_reward_ = 0.0;
  tile_visited_count_ = 0;
  t_ = 0.0;
  new_lap_ = false;
  road_polygons_.clear();
  while (!CreateTrack()) {
  }
  CreateCar(track_[0].beta, track_[0].x, track_[0].y);
  // Gymnasium's reset() returns the observation of step(None): physics without an action.
  Advance(observation);
}

void CarRacing::SaveState(StateWriter& out) const {
  for (const auto* color : {&road_color_, &bg_color_, &grass_color_}) {
    out.PutArray(color->data(), color->size());
  }
  out.Put(colors_drawn_);
  replay_.Save(out);
}

void CarRacing::LoadState(StateReader& in) {
  std::array<std::array<double, 3>, 3> colors;
  for (auto& color : colors) in.GetArray(color.data(), color.size());
  const bool colors_drawn = in.Get<bool>();
  KeptWorldReplay loaded = replay_;
  loaded.Load(in);
  // This env's world as the snapshot's episode found it, its colours, then that episode again:
  // its reset from the same stream (after the colours, which the snapshot holds), and the same
  // actions (Step records them into replay_ again), drawing no pictures.
  Destroy();
  RestoreWorldHistory(*world_, loaded.history);
  replay_ = loaded;
  road_color_ = colors[0];
  bg_color_ = colors[1];
  grass_color_ = colors[2];
  colors_drawn_ = colors_drawn;
  randomize_next_ = randomize_default_;
  double reward = 0.0;
  bool terminated = false;
  bool lap_finished = false;
  void* info[1] = {&lap_finished};
  const EnvOutput scratch{nullptr, &reward, &terminated, info};
  auto start = [this] {
    replay_.episode.Start(rng());  // the world's history is the snapshot's, restored above
    StartEpisode(nullptr);
  };
  ReplayEpisode(*this, loaded.episode, start, scratch);
}

void CarRacing::ApplyAction(const void* action) {
  double steer, gas, brake;
  if (continuous_) {
    const float* values = static_cast<const float*>(action);
    steer = -static_cast<double>(values[0]);
    gas = values[1];
    brake = values[2];
  } else {
    const std::int64_t discrete = *static_cast<const std::int64_t*>(action);
    steer = -0.6 * (discrete == 1 ? 1.0 : 0.0) + 0.6 * (discrete == 2 ? 1.0 : 0.0);
    gas = 0.2 * (discrete == 3 ? 1.0 : 0.0);
    brake = 0.8 * (discrete == 4 ? 1.0 : 0.0);
  }
  wheels_[0].steer = steer;
  wheels_[1].steer = steer;
  // Rear-wheel drive: the throttle rises by at most 0.1 a step, and drops at once.
  gas = std::clamp(gas, 0.0, 1.0);
  for (int k = 2; k < 4; ++k) {
    double diff = gas - wheels_[k].gas;
    if (diff > 0.1) diff = 0.1;
    wheels_[k].gas += diff;
  }
  for (Wheel& wheel : wheels_) wheel.brake = brake;
}

void CarRacing::CarStep(double dt) {
  for (Wheel& w : wheels_) {
    // Steer each wheel.
    const double joint_angle = w.joint->GetJointAngle();
    const double direction = Sign(w.steer - joint_angle);
    const double val = std::abs(w.steer - joint_angle);
    w.joint->SetMotorSpeed(static_cast<float>(direction * std::min(50.0 * val, 3.0)));

    // Grass unless a tile is under the wheel.
    const bool grass = w.tiles == 0;
    const double friction_limit = grass ? kFrictionLimit * 0.6 : kFrictionLimit * 1.0;

    const b2Vec2 forw_f = w.body->GetWorldVector(b2Vec2(0.0f, 1.0f));
    const b2Vec2 side_f = w.body->GetWorldVector(b2Vec2(1.0f, 0.0f));
    const double forw[2] = {forw_f.x, forw_f.y};
    const double side[2] = {side_f.x, side_f.y};
    const b2Vec2 v = w.body->GetLinearVelocity();
    const double vf = forw[0] * v.x + forw[1] * v.y;
    const double vs = side[0] * v.x + side[1] * v.y;

    w.omega += dt * kEnginePower * w.gas / kWheelMomentOfInertia / (std::abs(w.omega) + 5.0);
    if (w.brake >= 0.9) {
      w.omega = 0;
    } else if (w.brake > 0) {
      constexpr double kBrakeForce = 15;
      const double brake_direction = -Sign(w.omega);
      double brake_val = kBrakeForce * w.brake;
      if (std::abs(brake_val) > std::abs(w.omega)) brake_val = std::abs(w.omega);
      w.omega += brake_direction * brake_val;
    }
    w.phase += w.omega * dt;

    const double vr = w.omega * (kWheelR * kSize);
    double f_force = -vf + vr;
    double p_force = -vs;
    f_force *= 205000 * kSize * kSize;
    p_force *= 205000 * kSize * kSize;
    double force = std::sqrt(f_force * f_force + p_force * p_force);

    // Skid marks (drawn by Render() only).
    if (std::abs(force) > 2.0 * friction_limit) {
      const b2Vec2 position = w.body->GetPosition();
      if (w.skid_particle && w.skid_particle->grass == grass &&
          w.skid_particle->points.size() < 30) {
        w.skid_particle->points.push_back({position.x, position.y});
      } else if (!w.skid_started) {
        w.skid_started = true;
      } else {
        // Gymnasium keeps the wheel's live position as the start: both ends are here now.
        auto particle = std::make_shared<Particle>();
        particle->grass = grass;
        particle->points = {{position.x, position.y}, {position.x, position.y}};
        particles_.push_back(particle);
        while (particles_.size() > 30) particles_.pop_front();
        w.skid_particle = std::move(particle);
        w.skid_started = false;
      }
    } else {
      w.skid_started = false;
      w.skid_particle.reset();
    }

    if (std::abs(force) > friction_limit) {
      f_force /= force;
      p_force /= force;
      force = friction_limit;
      f_force *= force;
      p_force *= force;
    }
    w.omega -= dt * f_force * (kWheelR * kSize) / kWheelMomentOfInertia;
    w.body->ApplyForceToCenter(
        Vec(p_force * side[0] + f_force * forw[0], p_force * side[1] + f_force * forw[1]), true);
  }
}

void CarRacing::Advance(std::uint8_t* observation) {
  CarStep(1.0 / kFps);
  world_->Step(static_cast<float>(1.0 / kFps), 6 * 30, 2 * 30);
  t_ += 1.0 / kFps;
  if (observation != nullptr) Draw(observation, kStateW, kStateH, false);
}

void CarRacing::Step(const void* action, const EnvOutput& out) {
  replay_.episode.Record(action);
  ApplyAction(action);
  Advance(out.Observation<std::uint8_t>());
  reward_ -= 0.1;
  double step_reward = reward_ - prev_reward_;
  prev_reward_ = reward_;
  bool terminated = false;
  bool lap_finished = false;
  if (tile_visited_count_ == static_cast<int>(track_.size()) || new_lap_) {
    terminated = true;
    lap_finished = true;
  }
  const b2Vec2 position = hull_->GetPosition();
  if (std::abs(static_cast<double>(position.x)) > kPlayfield ||
      std::abs(static_cast<double>(position.y)) > kPlayfield) {
    terminated = true;
    lap_finished = false;
    step_reward = -100;
  }
  *out.reward = step_reward;
  *out.terminated = terminated;
  *out.Info<bool>(0) = lap_finished;
}

void CarRacing::Render(std::uint8_t* rgb) const { Draw(rgb, kVideoW, kVideoH, true); }

void CarRacing::Draw(std::uint8_t* rgb, int width, int height, bool skid_marks) const {
  thread_local std::vector<std::uint8_t> surface;
  thread_local std::vector<std::uint8_t> scratch;
  surface.resize(static_cast<std::size_t>(3) * kWindowW * kWindowH);
  Canvas canvas(surface.data(), kWindowW, kWindowH, raster::Rows::kUpsideDown);

  // The camera follows the car, zooming in during the first second.
  const double angle = -static_cast<double>(hull_->GetAngle());
  const double zoom = 0.1 * kScale * std::max(1 - t_, 0.0) + kZoom * kScale * std::min(t_, 1.0);
  const b2Vec2 hull_position = hull_->GetPosition();
  const double scroll_x = -static_cast<double>(hull_position.x) * zoom;
  const double scroll_y = -static_cast<double>(hull_position.y) * zoom;
  const Point turned = RotateRad({scroll_x, scroll_y}, angle);
  const Point translation = {kWindowW / 2 + turned.x, kWindowH / 4 + turned.y};
  auto to_screen = [&](double x, double y) {
    const Point p = RotateRad({x, y}, angle);
    return Point{p.x * zoom + translation.x, p.y * zoom + translation.y};
  };
  auto colored_polygon = [&](std::span<const std::array<double, 2>> poly, Rgb color, bool clip) {
    Point screen[4];
    bool visible = !clip;
    for (std::size_t k = 0; k < poly.size(); ++k) {
      screen[k] = to_screen(poly[k][0], poly[k][1]);
      if (-kMaxShapeDim <= screen[k].x && screen[k].x <= kWindowW + kMaxShapeDim &&
          -kMaxShapeDim <= screen[k].y && screen[k].y <= kWindowH + kMaxShapeDim) {
        visible = true;
      }
    }
    if (!visible) return;
    const std::span<const Point> points(screen, poly.size());
    canvas.AaPolygon(points, color);
    canvas.FilledPolygon(points, color);
  };

  // Background, grass patches, road. pygame's new Surface is black; where the background covers
  // the whole window with a margin (after the first second's zoom), no black shows and the
  // clearing is skipped.
  const std::array<std::array<double, 2>, 4> field = {{{kPlayfield, kPlayfield},
                                                       {kPlayfield, -kPlayfield},
                                                       {-kPlayfield, -kPlayfield},
                                                       {-kPlayfield, kPlayfield}}};
  Point field_screen[4];
  for (int k = 0; k < 4; ++k) field_screen[k] = to_screen(field[k][0], field[k][1]);
  auto inside_field = [&](double x, double y) {
    int positive = 0;
    for (int k = 0; k < 4; ++k) {
      const Point& a = field_screen[k];
      const Point& b = field_screen[(k + 1) % 4];
      positive += (b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x) > 0 ? 1 : 0;
    }
    return positive == 0 || positive == 4;
  };
  constexpr double kMargin = 4;
  if (!(inside_field(-kMargin, -kMargin) && inside_field(kWindowW + kMargin, -kMargin) &&
        inside_field(kWindowW + kMargin, kWindowH + kMargin) &&
        inside_field(-kMargin, kWindowH + kMargin))) {
    std::fill(surface.begin(), surface.end(), 0);
  }
  colored_polygon(field, ToRgb(bg_color_), false);
  const Rgb grass_color = ToRgb(grass_color_);
  for (int x = -20; x < 20; x += 2) {
    for (int y = -20; y < 20; y += 2) {
      const std::array<std::array<double, 2>, 4> patch = {
          {{kGrassDim * x + kGrassDim, kGrassDim * y + 0},
           {kGrassDim * x + 0, kGrassDim * y + 0},
           {kGrassDim * x + 0, kGrassDim * y + kGrassDim},
           {kGrassDim * x + kGrassDim, kGrassDim * y + kGrassDim}}};
      colored_polygon(patch, grass_color, true);
    }
  }
  for (const RoadPolygon& polygon : road_polygons_) {
    const auto& color = polygon.tile >= 0 ? tiles_[polygon.tile]->color : polygon.color;
    colored_polygon(polygon.vertices, ToRgb(color), true);
  }

  // Skid marks, then the wheels and the hull (Box2D's float32 transforms of the shapes).
  if (skid_marks) {
    for (const auto& particle : particles_) {
      std::vector<Point> points;
      for (const auto& p : particle->points) points.push_back(to_screen(p[0], p[1]));
      canvas.DrawLines(points, 2, particle->grass ? kMudColor : kWheelColor);
    }
  }
  auto draw_body = [&](const b2Body* body, Rgb color, const Wheel* wheel) {
    const b2Transform& transform = body->GetTransform();
    for (const b2Fixture* f = body->GetFixtureList(); f != nullptr; f = f->GetNext()) {
      const auto* shape = static_cast<const b2PolygonShape*>(f->GetShape());
      Point path[b2_maxPolygonVertices];
      const int count = shape->GetVertexCount();
      for (int k = 0; k < count; ++k) {
        const b2Vec2 world = b2Mul(transform, shape->GetVertex(k));
        path[k] = to_screen(world.x, world.y);
      }
      canvas.DrawPolygon(std::span<const Point>(path, count), color);
      if (wheel == nullptr) continue;
      const double a1 = wheel->phase;
      const double a2 = wheel->phase + 1.2;
      const double s1 = std::sin(a1);
      const double s2 = std::sin(a2);
      double c1 = std::cos(a1);
      double c2 = std::cos(a2);
      if (s1 > 0 && s2 > 0) continue;
      if (s1 > 0) c1 = Sign(c1);
      if (s2 > 0) c2 = Sign(c2);
      const double white[4][2] = {{-kWheelW * kSize, +kWheelR * c1 * kSize},
                                  {+kWheelW * kSize, +kWheelR * c1 * kSize},
                                  {+kWheelW * kSize, +kWheelR * c2 * kSize},
                                  {-kWheelW * kSize, +kWheelR * c2 * kSize}};
      Point stripe[4];
      for (int k = 0; k < 4; ++k) {
        const b2Vec2 world = b2Mul(transform, Vec(white[k][0], white[k][1]));
        stripe[k] = to_screen(world.x, world.y);
      }
      canvas.DrawPolygon(stripe, kWheelWhite);
    }
  };
  for (const Wheel& wheel : wheels_) draw_body(wheel.body, kWheelColor, &wheel);
  draw_body(hull_, kHullColor, nullptr);

  // The dashboard, drawn after the flip: speed, four wheel speeds, steering, gyroscope.
  Canvas dashboard(surface.data(), kWindowW, kWindowH, raster::Rows::kAsDrawn);
  constexpr double kW = kWindowW;
  constexpr double kH = kWindowH;
  constexpr double s = kW / 40.0;
  constexpr double h = kH / 40.0;
  const Point bar[4] = {{kW, kH}, {kW, kH - 5 * h}, {0, kH - 5 * h}, {0, kH}};
  dashboard.DrawPolygon(bar, Rgb{0, 0, 0});
  auto vertical_ind = [&](double place, double val, Rgb color) {
    const Point points[4] = {{place * s, kH - (h + h * val)},
                             {(place + 1) * s, kH - (h + h * val)},
                             {(place + 1) * s, kH - h},
                             {(place + 0) * s, kH - h}};
    dashboard.DrawPolygon(points, color);
  };
  auto horiz_ind = [&](double place, double val, Rgb color) {
    const Point points[4] = {{(place + 0) * s, kH - 4 * h},
                             {(place + val) * s, kH - 4 * h},
                             {(place + val) * s, kH - 2 * h},
                             {(place + 0) * s, kH - 2 * h}};
    dashboard.DrawPolygon(points, color);
  };
  const b2Vec2 velocity = hull_->GetLinearVelocity();
  const double vx = velocity.x;
  const double vy = velocity.y;
  const double true_speed = std::sqrt(vx * vx + vy * vy);
  if (std::abs(true_speed) > 1e-4) vertical_ind(5, 0.02 * true_speed, Rgb{255, 255, 255});
  const Rgb wheel_colors[4] = {{0, 0, 255}, {0, 0, 255}, {51, 0, 255}, {51, 0, 255}};
  for (int k = 0; k < 4; ++k) {
    if (std::abs(wheels_[k].omega) > 1e-4) {
      vertical_ind(7 + k, 0.01 * wheels_[k].omega, wheel_colors[k]);
    }
  }
  const double steering = wheels_[0].joint->GetJointAngle();
  if (std::abs(steering) > 1e-4) horiz_ind(20, -10.0 * steering, Rgb{0, 255, 0});
  const double gyro = hull_->GetAngularVelocity();
  if (std::abs(gyro) > 1e-4) horiz_ind(30, -0.8 * gyro, Rgb{255, 0, 0});
  DrawScore(dashboard, reward_);

  raster::SmoothScaleDown(surface.data(), kWindowW, kWindowH, rgb, width, height, scratch);
}

}  // namespace envfleet::box2d
