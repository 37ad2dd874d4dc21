// BipedalWalker: teach a two-legged walker to cross rough terrain (with `hardcore`, also
// stumps, pits and stairs) by driving its hip and knee motors.
//
// Aligned with Gymnasium 1.2's BipedalWalker (gymnasium/envs/box2d/bipedal_walker.py) on the same
// Box2D 2.3: one b2World for the env's life, as Gymnasium keeps one, whose bodies are destroyed in
// Gymnasium's order and created again in its order at every reset; the same terrain generator and
// random draws in the same order (terrain, the clouds Gymnasium draws for its pictures, the initial
// push); the same reset (which ends with one step of zero torques). The observation is 24 float32
// values (hull angle and angular velocity, velocity, the four joints' angles and speeds, two
// ground contacts, ten lidar fractions); the action is four float32 motor commands in [-1, 1]
// (speed sign and torque fraction, each clipped as Gymnasium clips them, in float32 as NumPy
// computes them). The reward is Gymnasium's float32 sum (NumPy 2 turns it float32 when the
// motor costs are subtracted). Snapshots replay the episode (KeptWorldReplay: the world's history
// as the reset found it, the reset's random stream, the actions since). Thread-safety: one instance
// per thread, as every Env; each env owns its b2World.
#ifndef ENVFLEET_BOX2D_BIPEDAL_WALKER_H_
#define ENVFLEET_BOX2D_BIPEDAL_WALKER_H_

#include <Box2D/Box2D.h>

#include <array>
#include <memory>
#include <vector>

#include "envfleet/box2d/pybox2d.h"
#include "envfleet/box2d/replay.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet::box2d {

class BipedalWalker : public Env {
 public:
  explicit BipedalWalker(const Config& config);
  ~BipedalWalker() override;

  static OptionList Options();
  static EnvSpec Spec(const Config& config);

  void Reset(const EnvOutput& out) override;
  void Step(const void* action, const EnvOutput& out) override;
  void SaveState(StateWriter& out) const override;
  void LoadState(StateReader& in) override;

 private:
  // Gymnasium's LidarCallback: the fraction of the last ground fixture the ray reported.
  class LidarCallback : public b2RayCastCallback {
   public:
    float ReportFixture(b2Fixture* fixture, const b2Vec2& point, const b2Vec2& normal,
                        float fraction) override;
    float fraction = 1.0f;
  };

  // Gymnasium's ContactDetector (ContactCallback): the hull touching the ground ends the game;
  // lower legs on the ground.
  void OnContact(b2Contact* contact, bool begin);
  // Destroys the last episode's bodies in Gymnasium's order (_destroy).
  void DestroyBodies();
  void GenerateTerrain();
  // Gymnasium draws its clouds' shapes at every reset; the draws are made, the clouds not kept.
  void SkipCloudDraws();
  void CreateWalker();
  // One step of Gymnasium's step() with the four motor commands `action`.
  void Advance(const float* action, const EnvOutput& out);
  // A static body with one fixture of `shape` (Gymnasium's fd_polygon / fd_edge).
  b2Body* CreateTerrainBody(const b2Shape& shape);

  const bool hardcore_;

  std::unique_ptr<b2World> world_;
  ContactCallback<BipedalWalker> contact_detector_{this, &BipedalWalker::OnContact};
  // Terrain bodies in Gymnasium's `self.terrain` order (reversed after generation).
  std::vector<b2Body*> terrain_;
  std::vector<double> terrain_x_;
  std::vector<double> terrain_y_;
  b2Body* hull_ = nullptr;
  // Legs in Gymnasium's order: left upper, left lower, right upper, right lower.
  std::array<b2Body*, 4> legs_ = {};
  std::array<b2RevoluteJoint*, 4> joints_ = {};
  std::array<bool, 4> ground_contact_ = {};
  bool game_over_ = false;
  bool has_prev_shaping_ = false;
  double prev_shaping_ = 0.0;
  // The current episode's recipe (at construction: a new world's history, no episode).
  KeptWorldReplay replay_{4 * sizeof(float)};
};

}  // namespace envfleet::box2d

#endif  // ENVFLEET_BOX2D_BIPEDAL_WALKER_H_
