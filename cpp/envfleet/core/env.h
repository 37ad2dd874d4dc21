// Env: one environment instance, and EnvOutput: the row of an output batch it writes into.
//
// An Env owns its simulator state and its Rng. The engine calls Reset() and Step() and hands each
// call the EnvOutput of the batch row that the results go to, so an env writes its observation,
// reward, `terminated` flag and info values straight into the arrays numpy will see: there is no
// intermediate copy. The engine, not the env, keeps the episode step count, time-limit truncation
// and autoreset.
//
// Thread-safety: an Env is used by one thread at a time (the engine never steps one env from two
// threads at once), so an env needs no locking of its own; different envs run concurrently.
// Errors: an env reports a failure by throwing; the engine carries the exception to the caller.
#ifndef ENVFLEET_CORE_ENV_H_
#define ENVFLEET_CORE_ENV_H_

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "envfleet/core/config.h"
#include "envfleet/core/rng.h"
#include "envfleet/core/snapshot.h"

namespace envfleet {

// Pointers into one row of an output batch: what an env writes on Reset() and Step().
struct EnvOutput {
  void* observation;
  double* reward;
  bool* terminated;
  // One pointer per InfoSpec of the env's EnvSpec, in the same order.
  void* const* info;

  template <typename T>
  T* Observation() const {
    return static_cast<T*>(observation);
  }

  template <typename T>
  T* Info(std::size_t index) const {
    return static_cast<T*>(info[index]);
  }
};

class Env {
 public:
  virtual ~Env() = default;

  // Restarts this env's random stream. The engine calls it before the first Reset() and when the
  // caller passes a seed; Reset() itself continues the stream.
  void Seed(std::uint64_t seed) { rng_.Seed(seed); }

  // Starts a new episode: writes the first observation and the info values into `out`.
  // `out.reward` and `out.terminated` are written by the engine.
  virtual void Reset(const EnvOutput& out) = 0;

  // Called just before Reset() when the caller asked for the reset (reset(), send_reset()), and
  // not when the engine autoresets after an episode ended. Envs whose game outlives one episode
  // (Atari with episodic_life) start the whole game over on the next Reset(). Default: nothing.
  virtual void OnResetRequested() {}

  // Advances one step with `action`, an array laid out as the EnvSpec's action spec (already
  // validated: discrete values in range, no NaN). Writes observation, reward, terminated and info.
  virtual void Step(const void* action, const EnvOutput& out) = 0;

  // Steps in parts (optional). An env whose step is a sequence of parts of similar cost (MuJoCo's
  // physics steps, or their halves) says how many; in multi-threaded sync mode the engine then runs
  // StepPart(0, action, out), ..., StepPart(StepParts() - 1, action, out), in order and never two
  // at once, possibly on different threads, so that the threads of a step finish together
  // (ShardedRunner::RunInParts). Together the parts must do exactly what Step() does; the last
  // writes the outputs. Envs of one pool must agree on the count. Default: one part, Step().
  virtual int StepParts() const { return 1; }
  virtual void StepPart(int /*part*/, const void* action, const EnvOutput& out) {
    Step(action, out);
  }

  // Episode statistics (PoolOptions::episode_stats). UnclippedReward(): the reward of the last
  // Step() as the game scores it, given `reward`, what Step() wrote (default: `reward`; an env that
  // clips rewards returns the value before clipping). EpisodeEndsGame(): whether the episode the
  // last Step() ended also ends what the statistics cover, i.e. whether the next Reset() starts
  // over (default true; false for Atari's lost life under episodic_life, whose next Reset()
  // continues the game). Called on the env's thread right after Step().
  virtual double UnclippedReward(double reward) const { return reward; }
  virtual bool EpisodeEndsGame() const { return true; }

  // The simulator state as a flat vector of doubles (for tests and snapshots), and its inverse.
  // SetState() takes a vector of the length GetState() returns. Envs without state access keep
  // these defaults, which throw std::logic_error.
  virtual std::vector<double> GetState() const {
    throw std::logic_error("this env does not support state access");
  }
  virtual void SetState(const std::vector<double>& /*state*/) {
    throw std::logic_error("this env does not support state access");
  }

  // Takes up new values of the type's reset options (EnvType::reset_options): `config` is the
  // env's whole config, the pool's with this env's own values. Called on the env's thread just
  // before the Reset() that starts the episode they hold for. An env whose type declares reset
  // options implements it (and saves those values in its snapshots); the default throws
  // std::logic_error.
  virtual void Reconfigure(const Config& /*config*/) {
    throw std::logic_error("this env has no options that change at reset");
  }

  // Snapshots (Pool::Snapshot, Pool::Restore). SaveState() writes everything this env needs to
  // continue exactly as it would have: simulator state, preprocessing buffers, counters, but not
  // its random stream or the engine's bookkeeping (elapsed_step, flags), which the engine saves
  // itself. LoadState() reads the same values back, in the same order, into an env made with the
  // same config (throwing std::invalid_argument for bytes that do not fit, via StateReader).
  // Envs without snapshots keep these defaults, which throw std::logic_error.
  virtual void SaveState(StateWriter& /*out*/) const {
    throw std::logic_error("this env does not support snapshots");
  }
  virtual void LoadState(StateReader& /*in*/) {
    throw std::logic_error("this env does not support snapshots");
  }

  // The env's random stream, for snapshots.
  const Rng& random_stream() const { return rng_; }
  void set_random_stream(const Rng& rng) { rng_ = rng; }

  // Writes the current picture as RGB bytes shaped as the EnvSpec's render_shape (height, width,
  // 3). Envs that cannot render keep this default, which throws std::logic_error.
  virtual void Render(std::uint8_t* /*rgb*/) const {
    throw std::logic_error("this env cannot render");
  }

 protected:
  Rng& rng() { return rng_; }

 private:
  Rng rng_;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ENV_H_
