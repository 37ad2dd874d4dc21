// ShardedRunner: the fork-join thread team behind sync mode.
//
// Run(n, fn) splits [0, n) into `num_threads` contiguous shards, one per thread: the calling thread
// takes shard 0, worker k shard k. Each thread claims its shard in chunks, in order, and calls
// fn(thread, begin, end) per chunk; a thread whose shard is used up claims the remaining chunks of
// the others (an atomic cursor per shard), so an env that is slow this step (a Humanoid in
// contact, an Atari game resetting) does not leave the other threads idle. When steps cost the
// same, every thread finishes its own shard and no chunk moves: each env stays on one thread,
// its state in that core's cache. Chunks are about an eighth of a shard. Returns when every chunk
// is done. `thread` identifies the calling thread (0 for the caller), for per-thread state.
//
// RunInParts(n, fn) is for rows whose work is a sequence of parts (an env step split into its
// physics steps or their halves, Env::StepParts): fn(thread, row, part) runs one part and returns
// true after the row's last. Each thread holds the rows of its shard and advances them together,
// one part of each in turn. A thread whose rows are finished takes half the rows of the thread
// holding the most, between two of their parts, so the threads finish within about one part of each
// other instead of one whole row. A row's parts run in order, never two at once; a row changes
// threads only between parts, through an acquire/release hand-over, so its state needs no locking.
// Returns when every row has finished.
//
// Producers: one caller at a time (the Pool serialises its callers). Blocking: workers spin after
// their last chunk for as long as their recent waits for the next Run() lasted (AdaptiveSpin, at
// most kMaxSpin), then sleep on a futex (std::atomic::wait), so an idle team burns no CPU; the
// caller waits for the last worker the same way.
// Shutdown: Close() (also run by the destructor) wakes and joins every worker; idempotent. `fn`
// must not throw (the Pool catches each env's exceptions itself).
#ifndef ENVFLEET_CORE_SHARDED_RUNNER_H_
#define ENVFLEET_CORE_SHARDED_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "envfleet/core/function_ref.h"
#include "envfleet/core/spin.h"

namespace envfleet {

class ShardedRunner {
 public:
  // Starts num_threads - 1 workers. With affinity_offset >= 0, worker k is pinned to CPU
  // (affinity_offset + k) modulo the CPU count (the caller is never pinned).
  ShardedRunner(int num_threads, int affinity_offset);
  ~ShardedRunner();
  ShardedRunner(const ShardedRunner&) = delete;
  ShardedRunner& operator=(const ShardedRunner&) = delete;

  int num_threads() const { return num_threads_; }

  // Calls fn(thread, begin, end) over chunks covering [0, n) and blocks until all have returned.
  void Run(int n, const FunctionRef<void(int, int, int)>& fn);

  // Calls fn(thread, row, part) for part 0, 1, ... of every row in [0, n) until it returns true,
  // and blocks until every row has finished.
  void RunInParts(int n, const FunctionRef<bool(int, int, int)>& fn);

  void Close();

 private:
  // One thread's shard, on a cache line of its own: Run()'s next unclaimed index and the end;
  // RunInParts()'s count of the unfinished rows the thread holds.
  struct alignas(64) Shard {
    std::atomic<int> next{0};
    int end = 0;
    std::atomic<int> held{0};
  };
  // A row of RunInParts(): who holds it (a thread index, plus kRunning while a part runs, or
  // kFinished) and its next part, written only by the thread that has it running.
  struct alignas(64) PartRow {
    std::atomic<int> holder{0};
    int next_part = 0;
  };
  // The rows a thread holds during RunInParts(), apart from the other threads' lists.
  struct alignas(64) HeldRows {
    std::vector<int> rows;
  };

  // Splits [0, n) into one contiguous shard per thread.
  void SetShards(int n);
  // Starts the workers on the job just published, and waits until the last has finished it.
  void ReleaseWorkers();
  void WaitForWorkers();
  void WorkerLoop(int thread);
  // Runs chunks of the thread's own shard, then of the others, until none is left.
  void RunChunks(int thread);
  // Advances the rows the thread holds; when they are finished, takes rows from others; returns
  // when no thread holds two rows or more (the one row another thread holds is its to finish).
  void RunParts(int thread);
  // Takes half the rows of the thread holding the most, if it holds two or more; returns false
  // when no thread does.
  bool TakeRows(int thread, std::vector<int>& held);

  const int num_threads_;
  std::vector<std::thread> workers_;
  // The job of the current generation, one of the two; written by the caller before it bumps
  // generation_.
  const FunctionRef<void(int, int, int)>* job_ = nullptr;
  const FunctionRef<bool(int, int, int)>* parts_job_ = nullptr;
  int chunk_ = 1;
  std::unique_ptr<Shard[]> shards_;
  // RunInParts(): the rows (grown as needed), their count, and each thread's list of them.
  std::unique_ptr<PartRow[]> part_rows_;
  int part_rows_capacity_ = 0;
  int part_rows_count_ = 0;
  std::unique_ptr<HeldRows[]> held_rows_;
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> workers_busy_{0};
  std::atomic<bool> stopping_{false};
  // The caller's wait for the last worker of a Run() or RunInParts().
  AdaptiveSpin caller_spin_;
  bool closed_ = false;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SHARDED_RUNNER_H_
