// LunarLander: fire a lander's main and side engines to land it softly on the pad between two
// flags, on terrain drawn at random for each episode.
//
// Aligned with Gymnasium 1.2's LunarLander (gymnasium/envs/box2d/lunar_lander.py) on the same
// Box2D 2.3: the same bodies, fixtures and joint created in the same order in a new b2World per
// episode, the same forces and impulses (computed in double precision as Python does, handed to
// Box2D as float32 as SWIG does), the same random draws in the same order (terrain heights, the
// initial push, wind and turbulence phases, and two dispersion draws per step), and the same
// reset (which ends with one no-op step). The observation is (x, y, vx, vy, angle, angular
// velocity, left leg contact, right leg contact) as float32; actions are Discrete(4) (no-op, left
// engine, main engine, right engine) or, with `continuous`, float32 (main, lateral) in [-1, 1].
// No particles are simulated: Gymnasium creates them only when rendering, and they do not touch
// the lander. Snapshots replay the episode (EpisodeReplay: the reset's random stream and the
// actions since; the world is made new at every reset, so nothing else carries over).
// Thread-safety: one instance per thread, as every Env; each env owns its b2World.
#ifndef ENVFLEET_BOX2D_LUNAR_LANDER_H_
#define ENVFLEET_BOX2D_LUNAR_LANDER_H_

#include <Box2D/Box2D.h>

#include <cstdint>
#include <memory>

#include "envfleet/box2d/pybox2d.h"
#include "envfleet/box2d/replay.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::box2d {

class LunarLander : public Env {
 public:
  explicit LunarLander(const Config& config);
  ~LunarLander() override;

  static OptionList Options();
  // Throws std::invalid_argument unless -12 < gravity < 0 (Gymnasium's assertion).
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;
  void SaveState(StateWriter& out) const override;
  void LoadState(StateReader& in) override;

 private:
  // The engines' throttles of one step: main in {0} or [0.5, 1], side in {0} or [0.5, 1] with
  // direction -1 (left engine) or +1 (right engine).
  struct Throttle {
    double main = 0.0;
    double side = 0.0;
    double direction = 0.0;
  };

  // Gymnasium's ContactDetector (ContactCallback): the lander touching anything ends the game;
  // legs on the ground.
  void OnContact(b2Contact* contact, bool begin);
  Throttle ThrottleOf(const void* action) const;
  // One step of Gymnasium's step(): wind, engines, physics, observation, reward, termination.
  void Advance(const Throttle& throttle, const EnvOutput& out);
  void BuildWorld();

  const bool continuous_;
  const double gravity_;
  const bool enable_wind_;
  const double wind_power_;
  const double turbulence_power_;

  ContactCallback<LunarLander> contact_detector_{this, &LunarLander::OnContact};
  std::unique_ptr<b2World> world_;
  b2Body* lander_ = nullptr;
  b2Body* legs_[2] = {nullptr, nullptr};
  bool leg_contact_[2] = {false, false};
  bool game_over_ = false;
  double helipad_y_ = 0.0;
  std::int64_t wind_idx_ = 0;
  std::int64_t torque_idx_ = 0;
  bool has_prev_shaping_ = false;
  double prev_shaping_ = 0.0;
  EpisodeReplay replay_;
};

}  // namespace envfleet::box2d

#endif  // ENVFLEET_BOX2D_LUNAR_LANDER_H_
