// EpisodeReplay: what a Box2D env's snapshot holds, and how a restore rebuilds the env from it.
//
// Box2D 2.3 cannot save or load a b2World (contacts, warm-start impulses, the broad phase's
// tree), and a world rebuilt from body positions and velocities would not continue bit for bit.
// So a Box2D env's snapshot is its episode's recipe: the env's random stream as its reset found
// it, the world's history that the episode's results depend on (WorldHistory), and every action
// since the reset. A restore resets the env with that stream and history and steps it again with
// the same actions, without drawing pictures: the replay is Box2D's own arithmetic on the same
// inputs, so it ends in the very state the snapshot was taken in. Its cost is the episode so far:
// a snapshot grows by one action per step, and a restore takes about the physics time of the
// steps since the reset.
//
// Thread-safety: an EpisodeReplay (a KeptWorldReplay) belongs to its env (one thread at a time).
// Ownership: it owns its actions; CaptureWorldHistory / RestoreWorldHistory and ReplayEpisode only
// use the world and env they are given.
#ifndef ENVFLEET_BOX2D_REPLAY_H_
#define ENVFLEET_BOX2D_REPLAY_H_

#include <Box2D/Box2D.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "envfleet/core/env.h"
#include "envfleet/core/rng.h"
#include "envfleet/core/snapshot.h"

namespace envfleet::box2d {

// What a b2World kept for an env's life (BipedalWalker's, CarRacing's, as Gymnasium keeps one)
// carries from earlier episodes into a new one, once the last episode's bodies are destroyed:
// - the broad phase's tree node pool: the new bodies' proxies take their ids from its free list,
//   whose order earlier episodes set; the ids order the new contact pairs, hence the contacts,
//   hence the solver's order of constraints, hence the last bits of every result;
// - the inverse of the last time step (b2World::m_inv_dt0, the warm-starting ratio's base).
// Everything else in the world starts the episode empty.
struct WorldHistory {
  // The free tree nodes in the order the free list hands them out (every node: the tree is empty
  // between episodes, so its length is the pool's capacity).
  std::vector<std::int32_t> free_nodes;
  float inv_dt0 = 0.0f;

  void Save(StateWriter& out) const;
  // Reads what Save() wrote; std::invalid_argument unless free_nodes is a permutation of the
  // node ids.
  void Load(StateReader& in);
};

// The history of `world`, whose broad phase must hold no proxy (std::logic_error otherwise).
WorldHistory CaptureWorldHistory(const b2World& world);
// Gives `world` (holding no proxy, std::logic_error otherwise) that history: a node pool of the
// same capacity with the same free list, and the same last time step.
void RestoreWorldHistory(b2World& world, const WorldHistory& history);

class EpisodeReplay {
 public:
  // `action_bytes`: the size of one action as Step() receives it.
  explicit EpisodeReplay(std::size_t action_bytes) : action_bytes_(action_bytes) {}

  // A reset starts an episode: the random stream as the reset's draws start from.
  void Start(const Rng& rng) {
    started_ = true;
    rng_ = rng;
    actions_.clear();
  }
  // One action of Step(), as it was given.
  void Record(const void* action) {
    const auto* bytes = static_cast<const std::uint8_t*>(action);
    actions_.insert(actions_.end(), bytes, bytes + action_bytes_);
  }

  bool started() const { return started_; }
  const Rng& rng() const { return rng_; }
  std::size_t steps() const { return actions_.size() / action_bytes_; }
  const void* action(std::size_t step) const { return actions_.data() + step * action_bytes_; }

  void Save(StateWriter& out) const;
  // Reads what Save() wrote (std::invalid_argument for bytes that do not fit).
  void Load(StateReader& in);

 private:
  std::size_t action_bytes_;
  bool started_ = false;
  Rng rng_;
  std::vector<std::uint8_t> actions_;
};

// The replay of an episode in a b2World that its env keeps for its life (BipedalWalker's,
// CarRacing's): the world's history as the episode's reset found it, then the EpisodeReplay.
struct KeptWorldReplay {
  // `action_bytes`: as EpisodeReplay's.
  explicit KeptWorldReplay(std::size_t action_bytes) : episode(action_bytes) {}

  // A reset starts an episode in `world`, emptied of the last episode's bodies (std::logic_error
  // otherwise), from the random stream `rng`.
  void Start(const b2World& world, const Rng& rng) {
    history = CaptureWorldHistory(world);
    episode.Start(rng);
  }

  void Save(StateWriter& out) const {
    history.Save(out);
    episode.Save(out);
  }
  // Reads what Save() wrote (std::invalid_argument for bytes that do not fit).
  void Load(StateReader& in) {
    history.Load(in);
    episode.Load(in);
  }

  WorldHistory history;
  EpisodeReplay episode;
};

// The end of a LoadState: runs the snapshot's episode `episode` again on `env`, whose random
// stream the engine has set to the snapshot's. It sets the env's stream to the one the episode's
// reset started from, calls `start()`, which begins the episode as the reset did (Reset(scratch);
// CarRacing: its reset's part after the colours, which the snapshot holds), then
// env.Step(action, scratch) for every recorded action; the env records them again into its own
// replay, so `episode` must be a copy, not that replay. Does nothing for an episode never started
// (the engine resets the env before any step). Throws std::invalid_argument unless the replay
// ends on the snapshot's stream (it drew what the original drew).
void ReplayEpisode(Env& env, const EpisodeReplay& episode, const std::function<void()>& start,
                   const EnvOutput& scratch);

}  // namespace envfleet::box2d

#endif  // ENVFLEET_BOX2D_REPLAY_H_
