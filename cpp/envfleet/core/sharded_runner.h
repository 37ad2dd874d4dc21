// ShardedRunner: the fork-join thread team behind sync mode.
//
// Run(n, fn) splits [0, n) into `num_threads` contiguous shards and calls fn(shard, begin, end)
// once per non-empty shard: shard 0 on the calling thread, the others on the team's worker threads,
// and returns when every shard is done. Contiguous shards keep each worker on neighbouring envs
// (cache locality) and cost one wake-up per worker per call, not one queue operation per env.
//
// Producers: one caller at a time (the Pool serialises its callers). Blocking: workers spin for
// kSpinBudget after their last shard, then sleep on a futex (std::atomic::wait) until the next
// Run(), so an idle team burns no CPU; the caller waits for the last shard the same way.
// Shutdown: Close() (also run by the destructor) wakes and joins every worker; idempotent. `fn`
// must not throw (the Pool catches each env's exceptions itself).
#ifndef ENVFLEET_CORE_SHARDED_RUNNER_H_
#define ENVFLEET_CORE_SHARDED_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "envfleet/core/function_ref.h"

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

  // Calls fn(shard, begin, end) over the shards of [0, n) and blocks until all have returned.
  void Run(int n, const FunctionRef<void(int, int, int)>& fn);

  void Close();

 private:
  void WorkerLoop(int shard);
  void RunShard(int shard);

  const int num_threads_;
  std::vector<std::thread> workers_;
  // The job of the current generation; written by the caller before it bumps generation_.
  const FunctionRef<void(int, int, int)>* job_ = nullptr;
  int job_size_ = 0;
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> shards_left_{0};
  std::atomic<bool> stopping_{false};
  bool closed_ = false;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SHARDED_RUNNER_H_
