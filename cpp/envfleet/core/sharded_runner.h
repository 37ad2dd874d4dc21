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

  void Close();

 private:
  // The next unclaimed index of one shard and its end, on a cache line of its own.
  struct alignas(64) Shard {
    std::atomic<int> next{0};
    int end = 0;
  };

  void WorkerLoop(int thread);
  // Runs chunks of the thread's own shard, then of the others, until none is left.
  void RunChunks(int thread);

  const int num_threads_;
  std::vector<std::thread> workers_;
  // The job of the current generation; written by the caller before it bumps generation_.
  const FunctionRef<void(int, int, int)>* job_ = nullptr;
  int chunk_ = 1;
  std::unique_ptr<Shard[]> shards_;
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> workers_busy_{0};
  std::atomic<bool> stopping_{false};
  // The caller's wait for the last worker of a Run().
  AdaptiveSpin caller_spin_;
  bool closed_ = false;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SHARDED_RUNNER_H_
