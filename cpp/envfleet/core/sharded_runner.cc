#include "envfleet/core/sharded_runner.h"

#include "envfleet/core/affinity.h"
#include "envfleet/core/spin.h"

namespace envfleet {

ShardedRunner::ShardedRunner(int num_threads, int affinity_offset)
    : num_threads_(num_threads < 1 ? 1 : num_threads) {
  for (int shard = 1; shard < num_threads_; ++shard) {
    workers_.emplace_back([this, shard] { WorkerLoop(shard); });
    if (affinity_offset >= 0) PinThread(workers_.back(), affinity_offset + shard - 1);
  }
}

ShardedRunner::~ShardedRunner() { Close(); }

void ShardedRunner::RunShard(int shard) {
  const std::int64_t n = job_size_;
  const int begin = static_cast<int>(n * shard / num_threads_);
  const int end = static_cast<int>(n * (shard + 1) / num_threads_);
  if (begin < end) (*job_)(shard, begin, end);
}

void ShardedRunner::Run(int n, const FunctionRef<void(int, int, int)>& fn) {
  // Publish the job, then release the workers with a new generation.
  job_ = &fn;
  job_size_ = n;
  shards_left_.store(num_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();

  // The caller works on shard 0 meanwhile.
  RunShard(0);

  // Wait for the workers' shards: spin first, then sleep until the last one notifies.
  auto all_done = [this] { return shards_left_.load(std::memory_order_acquire) == 0; };
  if (!SpinUntil(all_done)) {
    for (int left = shards_left_.load(std::memory_order_acquire); left != 0;
         left = shards_left_.load(std::memory_order_acquire)) {
      shards_left_.wait(left, std::memory_order_acquire);
    }
  }
}

void ShardedRunner::WorkerLoop(int shard) {
  std::uint32_t seen = 0;
  for (;;) {
    // Wait for a new generation: spin, then sleep on the futex.
    auto job_posted = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!SpinUntil(job_posted)) {
      while (!job_posted()) generation_.wait(seen, std::memory_order_acquire);
    }
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load(std::memory_order_acquire)) return;

    // Do this worker's shard, and wake the caller if it was the last one.
    RunShard(shard);
    if (shards_left_.fetch_sub(1, std::memory_order_acq_rel) == 1) shards_left_.notify_one();
  }
}

void ShardedRunner::Close() {
  if (closed_) return;
  closed_ = true;
  // A generation bump with stopping_ set ends every worker's loop.
  stopping_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

}  // namespace envfleet
