// Pool: N envs of one type stepped in parallel, every result written into one output batch.
//
// THE CONCURRENCY CONTRACT (the one place it is written down; docs/concurrency.md explains it)
//
// Callers. A Pool has one caller at a time: the thread calling its public methods. A second thread
// entering while a call is running (Close() included) gets std::logic_error ("used from two
// threads at once"), never a data race. Each method holds a CallerScope for its duration; a
// caller may hold a longer one around several calls (the Python binding holds one per Python
// call, across the slices of a waiting recv()). The Python bindings release the GIL around every
// call.
// Separate pools are independent: any number of threads may each use their own.
//
// The mechanisms, each described where it lives: EnvRunner (env_runner.h) owns the envs and runs
// one env's request into one row (time limit, autoreset, SAME_STEP's final fields, episode
// statistics, faulted rows); SyncRunner (sync_runner.h) runs a sync request inline or over the
// ShardedRunner team (sharded_runner.h); AsyncRunner (async_runner.h) is async mode's queue,
// workers and output ring. Pool checks each call, keeps the per-env bookkeeping of the caller
// (reset, in flight), and composes them.
//
// Sync mode (batch_size == num_envs). Reset() and Step() run the requested envs and return when
// all are done. The request is split into contiguous shards, one per thread, and the calling
// thread works on shard 0; a thread done with its shard takes chunks of the others' still
// unclaimed. Steps of envs that step in parts (Env::StepParts) are run part by part instead, and
// a thread done with its rows takes rows of another between two of their parts, so the threads
// finish together. When the whole request is cheaper than a hand-off (measured), it runs inline
// on the caller with no hand-off at all. Row r of the result is env_ids[r].
// SendStep()/SendReset() in sync mode run the request at once and keep the result for the next
// Recv().
//
// Async mode (batch_size < num_envs). SendStep()/SendReset() record each env's request (its
// action copied), mark the env in flight, queue it and return at once. Worker threads run queued
// envs; each finished env takes the next row of the output stream. Recv() returns the first
// batch_size envs to finish, in finishing order, with their ids in "env_id", and blocks until that
// many have finished: while envs are queued, the calling thread runs them as the workers do; then
// it spins (AdaptiveSpin), then sleeps on a futex. An env is in flight from its send until the
// Recv() that returns it; sending it again before then is an error.
// Recv() with fewer than batch_size envs in flight is an error (it would wait forever).
// Recv(max_wait) gives up after max_wait and returns an empty handle, changing nothing: the batch
// is returned by a later Recv(). The Python binding waits in such slices, with the GIL released,
// and checks for signals between them (Ctrl-C) and for its own timeout (TimeoutError).
//
// Waiting (PoolOptions::wait_policy, spin.h). Every thread of the pool that waits (a worker for
// the next request, the caller for the last shard or an async batch) either polls for a while or
// sleeps on a futex. kSpin polls as long as that wait usually lasts (at most kMaxSpin, yielding the
// core after kSpinBudget): the lowest latency on a machine the pool has to itself. kBlock sleeps at
// once: a waiting thread never holds a core that another thread (a learner, another process)
// wants. kAuto, the default, spins as kSpin while the machine has idle cores and sleeps as kBlock
// while the process is marked contended: its threads are being switched out for others
// (contention.h). Whatever the policy, a running thread does the work of one that is not: sync
// requests are claimed in chunks (or, in parts, taken between parts), so a descheduled worker
// holds back at most the env it is in; in async mode the caller runs queued envs itself. The
// policy changes no result, only who waits how.
//
// Ordering and determinism. Each env owns its Rng, seeded from StreamSeed(seed, env index), and is
// stepped by one thread at a time, so the same seeds and actions give the same trajectories
// whatever num_threads is. Only async mode's row order depends on timing.
//
// Construction. The constructor makes and seeds the envs on up to num_threads threads at once
// (EnvType::make_env allows that) and joins them before it returns or starts any worker; if an env
// cannot be made, the exception of the lowest env index propagates.
//
// Validation. The engine is the one layer that checks each fact of a request (the bindings only
// convert values). Every Step/Send checks, before any env is touched: the pool is open; env ids
// are in range (std::out_of_range) and not repeated (std::invalid_argument); each env has been
// reset and, with autoreset DISABLED, has not ended its episode; discrete actions are in range and
// continuous ones finite: not NaN, not infinite (std::invalid_argument).
//
// Errors inside envs. An exception thrown by an env's Reset() or Step() is caught on the thread
// that ran it; the other envs of the request still run. The call that returns the result
// (Step()/Reset(), a sync-mode Send, or in async mode the Recv() whose batch holds that env's row)
// then throws EnvFault: its message names the first env that threw ("env 3 raised during step:
// ..."), env_ids() lists every env that threw, and batch() is the complete result, every row
// written: the other envs' rows are their normal results; a failed env's row has a zero
// observation and reward, terminated false and truncated true (its episode was cut short). No env
// is left in flight. The env that threw is reset on its next step (NEXT_STEP and SAME_STEP) or
// must be reset first (DISABLED). The pool stays usable: an env fault never closes it.
//
// Episode statistics (PoolOptions::episode_stats). Each env's slot accumulates, on the thread
// that runs the env, the unclipped reward (Env::UnclippedReward) and the step count of the
// current game, from the reset that started it: a reset the caller asked for, or an autoreset
// after an end with Env::EpisodeEndsGame() (an autoreset after a lost life under episodic_life
// continues the game and its statistics). The row of the step that ends a game gets its return
// (episode_r), its length in steps (episode_l; NEXT_STEP's reset steps are not steps) and its
// wall time in seconds since that reset, rounded to the microsecond (episode_t), with _episode
// true; every other row (resets, steps that end no game, faulted envs) gets zeros and false. No
// lock and no shared state: the statistics are per-env state like elapsed_step.
//
// Snapshots. Snapshot() returns, per env, opaque bytes: a header (format, byte order, the task
// id and the env options it was made with), the engine's bookkeeping of the env (elapsed_step,
// whether it was reset, whether its episode is over, the episode statistics of its game), its
// random stream and the env's own state (Env::SaveState). Restore() checks every header before it
// touches any env (std::invalid_argument naming the task or the options that differ), then loads
// the envs, which continue exactly as the envs the snapshots were taken from: the same actions
// give bit-identical results. Fork() is Snapshot() of one env and Restore() of that snapshot into
// others. The envs must not be in flight. In sync mode the envs are saved and loaded in parallel on
// the thread team (as RenderBatch); in async mode, on the calling thread. A failure of one env's
// Env::LoadState leaves that env to be reset on its next step and propagates after the others are
// loaded. An env's snapshot holds its random stream: envs forked from one continue with the same
// random numbers (reset them with a seed to separate them).
//
// Fork. A pool belongs to the process that made it: after fork() the child's copy refuses every
// call (std::runtime_error naming fork()) and its Close() abandons the parent's threads and envs
// without touching them; the child can make pools of its own. The parent's pool is unaffected.
//
// Shutdown. Close() stops and joins every thread (waking any that sleep) and frees idle batches;
// batches still held by the caller stay valid until released. It is idempotent and runs in the
// destructor; every other call after it throws std::runtime_error.
//
// Output buffers. Every result is a BatchHandle: exclusive ownership of a preallocated batch that
// returns to the free list when released (see batch.h), so the steady state allocates nothing.
#ifndef ENVFLEET_CORE_POOL_H_
#define ENVFLEET_CORE_POOL_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "envfleet/core/async_runner.h"
#include "envfleet/core/batch.h"
#include "envfleet/core/config.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_fault.h"
#include "envfleet/core/env_runner.h"
#include "envfleet/core/env_spec.h"
#include "envfleet/core/env_type.h"
#include "envfleet/core/function_ref.h"
#include "envfleet/core/spin.h"
#include "envfleet/core/sync_runner.h"

namespace envfleet {

// What happens after an episode ends (the names of gymnasium.vector.AutoresetMode).
enum class AutoresetMode {
  // The next step of that env ignores its action and returns the reset observation, reward 0,
  // terminated and truncated false.
  kNextStep,
  // The ending step itself resets the env and returns the reset observation; the last observation
  // and info go to "final_obs" / "final_info:*" with the mask "_final_obs".
  kSameStep,
  // Stepping an env whose episode has ended is an error until it is reset.
  kDisabled,
};

// The most envs one pool may hold (a bound that catches a mistyped size before it allocates).
constexpr int kMaxNumEnvs = 1 << 20;

struct PoolOptions {
  int num_envs = 1;
  // 0: num_envs (sync mode). Otherwise 1 <= batch_size <= num_envs.
  int batch_size = 0;
  // 0: min(num_envs, hardware threads).
  int num_threads = 0;
  // Episodes are truncated after this many steps; 0: the spec's max_episode_steps.
  int max_episode_steps = 0;
  AutoresetMode autoreset_mode = AutoresetMode::kNextStep;
  // < 0: threads are not pinned.
  int thread_affinity_offset = -1;
  // How every thread of the pool waits (see "Waiting" above and spin.h).
  WaitPolicy wait_policy = WaitPolicy::kAuto;
  // The seed of each env's stream (see StreamSeed); empty: StreamSeed(42, i).
  std::vector<std::uint64_t> stream_seeds;
  // Episode statistics (see "Episode statistics" above): the batches get the fields episode_r,
  // episode_l, episode_t and _episode.
  bool episode_stats = false;
};

class Pool {
 public:
  // Marks the calling thread as the pool's one caller while it lives (see "Callers"). Scopes
  // nest on the thread that holds the outermost one; another thread's throws std::logic_error.
  class CallerScope {
   public:
    explicit CallerScope(Pool& pool);
    ~CallerScope();
    CallerScope(const CallerScope&) = delete;
    CallerScope& operator=(const CallerScope&) = delete;

   private:
    Pool& pool_;
    bool outermost_;
  };

  // Makes num_envs envs of `type` with `config` and starts the threads. Throws
  // std::invalid_argument for invalid options (naming the option: num_envs in [1, kMaxNumEnvs],
  // batch_size in [1, num_envs] or 0, num_threads >= 0, max_episode_steps >= 0,
  // thread_affinity_offset >= -1).
  Pool(const EnvType& type, const Config& config, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  const EnvSpec& spec() const { return spec_; }
  const PoolOptions& options() const { return options_; }
  bool is_async() const { return options_.batch_size < options_.num_envs; }
  int num_envs() const { return options_.num_envs; }
  int batch_size() const { return options_.batch_size; }
  int num_threads() const { return num_threads_; }
  int max_episode_steps() const { return options_.max_episode_steps; }
  const BatchLayout& layout() const { return *layout_; }

  // Sync mode. Resets env_ids[0..n) (reseeding env_ids[r] with stream_seeds[r] when stream_seeds
  // is not null) or steps them with actions (n rows laid out as the action spec), and returns the
  // batch whose row r is env_ids[r].
  BatchHandle Reset(const int* env_ids, int n, const std::uint64_t* stream_seeds);
  BatchHandle Step(const void* actions, const int* env_ids, int n);

  // Async mode (also allowed in sync mode, where they run at once; see the contract above).
  void SendReset(const int* env_ids, int n, const std::uint64_t* stream_seeds);
  void SendStep(const void* actions, const int* env_ids, int n);
  // Waits for the next batch; with max_wait, returns an empty handle if it is not complete by
  // then (nothing changes; a later Recv() returns it).
  BatchHandle Recv();
  BatchHandle Recv(std::chrono::nanoseconds max_wait);

  // The ids 0 .. num_envs - 1. Requests passing this array (with n == num_envs) skip the per-id
  // range and repetition checks.
  const int* all_env_ids() const { return all_env_ids_.data(); }

  // Number of envs sent and not yet returned by Recv().
  int in_flight() const { return in_flight_count_; }

  // State access of one env that is not in flight (Env::GetState / SetState). SetState checks
  // the state's size against the spec's state_layout (std::invalid_argument), for every family.
  std::vector<double> GetState(int env_id);
  void SetState(int env_id, const std::vector<double>& state);
  // The pictures of envs env_ids[0..n) (none in flight; Env::Render) into `rgb`: picture r, of
  // env_ids[r], at rgb + r * (the bytes of one render_shape picture). Sync mode renders them on
  // the thread team in parallel, always sharded (a picture costs far more than the steps whose
  // cost decides what runs inline); async mode renders them on the calling thread, as the workers
  // may be stepping other envs. Every env is rendered even if some throw; then the exception of
  // the lowest row propagates.
  void RenderBatch(const int* env_ids, int n, std::uint8_t* rgb);

  // Per-env options (EnvType::reset_options): env_ids[r] takes `values[r]` (option name -> value)
  // at its next reset, on top of the pool's config and its own earlier values. Checked before any
  // env changes: std::invalid_argument naming an option that is not one of the type's reset
  // options (and listing those), or a value of the wrong type. The envs must not be in flight.
  void SetEnvOptions(const int* env_ids, int n,
                     const std::vector<std::map<std::string, OptionValue>>& values);

  // Snapshots of envs env_ids[0..n) (see "Snapshots" above), in that order.
  std::vector<std::string> Snapshot(const int* env_ids, int n);
  // Loads snapshots[r] into env_ids[r], for r in [0, n).
  void Restore(const std::string* snapshots, const int* env_ids, int n);
  // Copies env `source` into env_ids[0..n) (a snapshot of it restored into each); a source out
  // of range throws std::out_of_range ("source env ...").
  void Fork(int source, const int* env_ids, int n);

  // Stops the threads and frees the envs (see "Shutdown"); throws std::logic_error while another
  // thread is inside a call.
  void Close();
  bool closed() const { return closed_; }

 private:
  using Request = EnvRunner::Request;
  using EnvSlot = EnvRunner::Slot;

  // Snapshots: one env's bytes, the header check (throws std::invalid_argument), and one load.
  std::string SnapshotOf(int env_id) const;
  void CheckSnapshot(StateReader& in) const;
  void LoadSnapshot(int env_id, const std::string& snapshot);
  // Runs fn(row) for rows [0, n): over the thread team in sync mode, else on the caller; every
  // row runs even if some throw, then the lowest row's exception propagates.
  void ForEachRow(int n, const FunctionRef<void(int)>& fn);

  // Close(), without the caller check (the destructor's).
  void Shutdown();
  // After fork(): drops every member without touching it (see "Fork").
  void AbandonAfterFork();
  void CheckOpen() const;
  void CheckEnvIds(const int* env_ids, int n);
  void CheckActions(const void* actions, int n) const;
  void CheckSteppable(const int* env_ids, int n) const;
  // Records, on the caller's thread, that these envs have been asked to reset.
  void MarkReset(const int* env_ids, int n);

  // Sync mode: runs the request on the caller and the thread team, returns its batch.
  BatchHandle RunSync(Request request, const void* actions, const int* env_ids, int n,
                      const std::uint64_t* stream_seeds);
  // Async mode (or a sync-mode send): checks and queues the request.
  void Send(Request request, const void* actions, const int* env_ids, int n,
            const std::uint64_t* stream_seeds);

  const void* ActionRow(const void* actions, int row) const {
    return static_cast<const std::byte*>(actions) + action_bytes_ * static_cast<std::size_t>(row);
  }

  EnvSpec spec_;
  PoolOptions options_;
  // What a snapshot's header must match: the task id and the env options, (name, value) in
  // order, each value as text.
  std::string type_id_;
  std::vector<std::pair<std::string, std::string>> option_texts_;
  // The header every snapshot of this pool starts with (written once, compared as bytes).
  std::string snapshot_header_;
  // The type's reset options (SetEnvOptions).
  std::vector<std::string> reset_options_;
  int num_threads_ = 1;
  std::size_t action_bytes_ = 0;
  std::unique_ptr<EnvRunner> envs_;
  std::shared_ptr<const BatchLayout> layout_;
  std::shared_ptr<BatchRecycler> recycler_;
  // The thread inside a call (CallerScope); none between calls.
  std::atomic<std::thread::id> caller_{};
  bool closed_ = false;
  // The fork generation of the process that made this pool (see "Fork").
  std::uint64_t fork_generation_ = 0;
  int in_flight_count_ = 0;
  std::vector<int> all_env_ids_;
  // Envs never reset yet: while > 0, steps check each env.
  int never_reset_ = 0;
  // Scratch for duplicate-id detection: stamp per env of the call that last saw it.
  std::vector<std::uint32_t> id_stamps_;
  std::uint32_t id_stamp_ = 0;

  // Sync mode: the team, the result of a Send kept for Recv(), and one error record per thread.
  std::unique_ptr<SyncRunner> sync_;
  BatchHandle sent_result_;
  std::vector<EnvErrors> thread_errors_;

  // Async mode: the queue, workers and output ring.
  std::unique_ptr<AsyncRunner> async_;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_POOL_H_
