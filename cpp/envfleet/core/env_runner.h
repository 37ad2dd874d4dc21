// EnvRunner: the pool's envs, and how one env's request becomes one row of a result batch.
//
// It makes and seeds the envs (on up to num_threads threads at once), keeps each env's slot (the
// engine's bookkeeping of it: elapsed_step, whether its episode is over, its episode statistics,
// its pending request, its per-env options) and runs one env's reset or step into a given row:
// the env writes its outputs straight into the row, then the runner adds what the engine owns:
// the time limit (truncated, elapsed_step), the NEXT_STEP reset in place of a step after an
// episode ended, SAME_STEP's final fields (the last observation and info, kept before the
// ending step resets the env into the row), the episode statistics and env_id. An env that throws
// is recorded in the request's EnvErrors and its row written as a faulted one (zero observation
// and reward, truncated), see pool.h, "Errors inside envs".
//
// Thread-safety: RunReset / RunStep / RunStepPart / RunPending of *different* envs may run on
// different threads at once; one env is run by one thread at a time, and the thread that runs it
// owns its slot meanwhile (the hand-over between threads is the caller's acquire/release). The
// fields of a slot marked "caller" are the pool caller's, touched only between requests.
// Ownership: owns the envs and their slots; writes into batches it is handed, owns none.
// Blocking: never waits; it runs env code, which may take long.
#ifndef ENVFLEET_CORE_ENV_RUNNER_H_
#define ENVFLEET_CORE_ENV_RUNNER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "envfleet/core/batch.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_fault.h"
#include "envfleet/core/env_type.h"

namespace envfleet {

class EnvRunner {
 public:
  enum class Request : std::uint8_t { kReset, kStep };

  // The most info arrays an env may have (sizes a stack array of row pointers).
  static constexpr std::size_t kMaxInfo = 64;

  // Per-env bookkeeping, owned by whichever thread runs that env.
  struct Slot {
    std::unique_ptr<Env> env;
    int elapsed_step = 0;
    // Episode statistics of the current game (PoolOptions::episode_stats).
    double game_return = 0.0;
    std::int64_t game_length = 0;
    std::chrono::steady_clock::time_point game_start;
    bool game_over = true;      // the next reset starts a new game
    bool was_reset = false;     // caller: a reset was requested at least once
    bool episode_over = false;  // the last step ended the episode (or the env threw)
    bool in_flight = false;     // caller: async, sent and not yet returned by Recv()
    // The request RunPending() runs (async mode), and the seed its reset takes.
    Request request = Request::kStep;
    bool reseed = false;
    std::uint64_t stream_seed = 0;
    // Per-env options (Pool::SetEnvOptions): the env's own values, and whether its next reset
    // must reconfigure it with them.
    std::map<std::string, OptionValue> own_options;
    bool reconfigure = false;
  };

  struct Settings {
    int num_envs = 1;
    // The threads that may make envs at once (the caller is one of them).
    int num_threads = 1;
    // Episodes are truncated after this many steps; 0: never.
    int max_episode_steps = 0;
    // Write the episode statistics fields (the layout must have them).
    bool episode_stats = false;
    // The seed of each env's stream; empty: StreamSeed(42, i).
    std::vector<std::uint64_t> stream_seeds;
    // The bytes of one env's action (the spec's ArraySpec::NumBytes()).
    std::size_t action_bytes = 0;
  };

  // Makes and seeds settings.num_envs envs of `type` with `config`; if an env cannot be made, the
  // exception of the lowest env index propagates (after every helper thread has joined).
  EnvRunner(const EnvType& type, const Config& config, Settings settings);
  EnvRunner(const EnvRunner&) = delete;
  EnvRunner& operator=(const EnvRunner&) = delete;

  int num_envs() const { return static_cast<int>(slots_.size()); }
  // Env::StepParts() of the envs (1: whole steps).
  int step_parts() const { return step_parts_; }
  std::size_t action_bytes() const { return settings_.action_bytes; }
  Slot& slot(int env_id) { return slots_[static_cast<std::size_t>(env_id)]; }
  const Slot& slot(int env_id) const { return slots_[static_cast<std::size_t>(env_id)]; }
  // The type's options and the config's values the envs were made with (for per-env options).
  const OptionList& type_options() const { return type_options_; }
  const std::map<std::string, OptionValue>& config_values() const { return config_values_; }

  // Runs one env's request into `row` of `batch`. Never throws: a failure is recorded in
  // `errors` and the row is written as a faulted one.
  // `requested`: the caller asked for this reset (Env::OnResetRequested() runs first); false for
  // the NEXT_STEP autoreset.
  void RunReset(int env_id, Batch* batch, int row, EnvErrors* errors, bool requested);
  void RunStep(int env_id, const void* action, Batch* batch, int row, EnvErrors* errors);
  // Part `part` of RunStep() (Env::StepPart); returns true once the row is written: after the
  // last part, or at once for a reset in place of the step or a failure.
  bool RunStepPart(int env_id, const void* action, Batch* batch, int row, EnvErrors* errors,
                   int part);

  // Pending requests (async mode). SetPending records, on the caller's thread, what the env is to
  // run next: a requested reset (with a new stream seed when `stream_seed` is not null) or a step
  // of `action` (action_bytes() bytes, copied). RunPending runs it, on any thread.
  void SetPending(int env_id, Request request, const void* action,
                  const std::uint64_t* stream_seed);
  void RunPending(int env_id, Batch* batch, int row, EnvErrors* errors);

  // After fork(): releases every env without destroying it (see Pool, "Fork").
  void AbandonEnvs();

 private:
  void MakeEnvs(const EnvType& type, const Config& config, int num_threads,
                const std::vector<std::uint64_t>& stream_seeds);
  void WriteCommon(const Slot& slot, int env_id, Batch* batch, int row) const;
  // Episode statistics: a step's update (after its last part; `done`: the step ended the
  // episode) that reports a finished game into the row.
  void RecordStats(Slot& slot, double reward, bool done, Batch* batch, int row) const;

  Settings settings_;
  OptionList type_options_;
  std::map<std::string, OptionValue> config_values_;
  int step_parts_ = 1;
  std::vector<Slot> slots_;
  // The pending action of each env (async mode): num_envs rows of action_bytes().
  std::vector<std::byte> pending_actions_;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ENV_RUNNER_H_
