// CarRacing: drive a rear-wheel-drive car round a track generated at random for each episode,
// seen from above in 96x96 RGB pictures.
//
// Aligned with Gymnasium 1.2's CarRacing (gymnasium/envs/box2d/car_racing.py and
// car_dynamics.py) on the same Box2D 2.3: the same track generation (12 random checkpoints, the
// same walk, retries and red-white borders, in double precision), the same static sensor tiles
// and car (hull, four wheels on motorised revolute joints) created in the same order in one
// b2World kept for the env's life (the last episode's bodies destroyed first, in Gymnasium's
// order), the same tire model in double precision with Box2D's float32 inputs, the same friction
// detector (tile rewards, lap completion, tiles recoloured on contact) and the same random draws in
// the same order (domain-randomised colours, then 24 per track attempt). The observation is
// Gymnasium's "state_pixels" picture: drawn at 1000x800 by envfleet's rasteriser
// (envfleet/raster) with pygame's pixel rules, the dashboard drawn after the flip, then shrunk
// to 96x96 with pygame's smoothscale arithmetic. The one part drawn differently is the score's
// digits (Gymnasium renders them with a TrueType font; envfleet draws its own in the same black
// box): see docs/box2d.md. Render() is Gymnasium's "rgb_array" picture (600x400, skid marks
// included). Actions: float32 (steer in [-1, 1], gas, brake in [0, 1]) or, with
// `continuous=false`, Discrete(5) (nothing, right, left, gas, brake). Info: `lap_finished`, as
// Gymnasium gives it on the step that terminates (true: lap complete; false: off the playfield),
// false on every other step. Reset option `randomize` (Gymnasium's per-reset
// options["randomize"], with domain_randomize): false keeps the last episode's colours for that
// one reset. Snapshots replay the episode (the colours, then KeptWorldReplay: the world's
// history as the reset found it, the reset's random stream after the colours, the actions since;
// the replay draws no pictures). Thread-safety: one instance per thread, as every Env; each env
// owns its b2World. Drawing uses a per-thread 1000x800 scratch picture.
#ifndef ENVFLEET_BOX2D_CAR_RACING_H_
#define ENVFLEET_BOX2D_CAR_RACING_H_

#include <Box2D/Box2D.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "envfleet/box2d/pybox2d.h"
#include "envfleet/box2d/replay.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::box2d {

class CarRacing : public Env {
 public:
  explicit CarRacing(const Config& config);
  ~CarRacing() override;

  static OptionList Options();
  static EnvSpec Spec(const Config& config);
  // `randomize` changes per env at reset (EnvType::reset_options); unlike other reset options it
  // holds for the one reset it is given with, as Gymnasium's reset(options={"randomize": ...}).
  static std::vector<std::string> ResetOptions() { return {"randomize"}; }
  void Reconfigure(const Config& config) override {
    randomize_next_ = config.Get<bool>("randomize");
  }

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;
  void Render(std::uint8_t* rgb) const override;
  void SaveState(StateWriter& out) const override;
  void LoadState(StateReader& in) override;

 private:
  // What a body's user data points at: a road tile or a wheel (the hull has none).
  struct Tagged {
    bool is_tile = false;
  };
  struct Tile : Tagged {
    b2Body* body = nullptr;
    std::array<double, 3> color{};
    bool visited = false;
    int index = 0;
  };
  // A skid mark: a polyline of wheel positions.
  struct Particle {
    bool grass = false;
    std::vector<std::array<double, 2>> points;
  };
  struct Wheel : Tagged {
    b2Body* body = nullptr;
    b2RevoluteJoint* joint = nullptr;
    double gas = 0.0;
    double brake = 0.0;
    double steer = 0.0;
    double phase = 0.0;
    double omega = 0.0;
    int tiles = 0;  // road tiles touching the wheel
    bool skid_started = false;
    std::shared_ptr<Particle> skid_particle;
  };
  // One polygon of the road picture: a tile (drawn in its current colour) or a border stripe.
  struct RoadPolygon {
    std::array<std::array<double, 2>, 4> vertices;
    int tile = -1;
    std::array<double, 3> color{};
  };
  // A point of the generated track: (checkpoint angle, heading, x, y).
  struct TrackPoint {
    double alpha, beta, x, y;
  };

  // Gymnasium's FrictionDetector (ContactCallback): tiles touched by a wheel are visited (reward,
  // lap completion) and take the road's colour; wheels count the tiles under them.
  void OnContact(b2Contact* contact, bool begin);
  void PickColors();
  bool CreateTrack();
  void CreateCar(double angle, double x, double y);
  void Destroy();
  // The part of Gymnasium's reset() after the colours: track, car, step(None).
  void StartEpisode(std::uint8_t* observation);
  void ApplyAction(const void* action);
  void CarStep(double dt);
  // One step of Gymnasium's step() after the action: tires, physics, clock, observation (none
  // drawn for a null `observation`: a snapshot's replay).
  void Advance(std::uint8_t* observation);
  // Gymnasium's _render: the 1000x800 picture, shrunk to `width` x `height` into `rgb`.
  void Draw(std::uint8_t* rgb, int width, int height, bool skid_marks) const;

  const bool continuous_;
  const bool domain_randomize_;
  const double lap_complete_percent_;
  // Whether a reset draws new colours (domain_randomize only): the make() value, or the value a
  // reset was given (Reconfigure) for that reset only.
  const bool randomize_default_;
  bool randomize_next_;
  // Whether colours were drawn yet (Gymnasium draws them once in its constructor).
  bool colors_drawn_ = false;

  ContactCallback<CarRacing> friction_detector_{this, &CarRacing::OnContact};
  std::unique_ptr<b2World> world_;
  std::array<double, 3> road_color_{};
  std::array<double, 3> bg_color_{};
  std::array<double, 3> grass_color_{};
  std::vector<TrackPoint> track_;
  std::vector<std::unique_ptr<Tile>> tiles_;
  std::vector<RoadPolygon> road_polygons_;
  b2Body* hull_ = nullptr;
  std::array<Wheel, 4> wheels_;
  std::deque<std::shared_ptr<Particle>> particles_;
  double reward_ = 0.0;
  double prev_reward_ = 0.0;
  int tile_visited_count_ = 0;
  double t_ = 0.0;
  bool new_lap_ = false;
  // The current episode's recipe (at construction: a new world's history, no episode).
  KeptWorldReplay replay_;
};

}  // namespace envfleet::box2d

#endif  // ENVFLEET_BOX2D_CAR_RACING_H_
