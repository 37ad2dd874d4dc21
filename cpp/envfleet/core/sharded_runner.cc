#include "envfleet/core/sharded_runner.h"

#include <algorithm>

#include "envfleet/core/affinity.h"

namespace envfleet {
namespace {

// Chunks per shard: small enough that the last chunks even out the threads' finishing times,
// large enough that claiming (one atomic add) stays negligible next to the envs' own work.
constexpr int kChunksPerShard = 8;

}  // namespace

ShardedRunner::ShardedRunner(int num_threads, int affinity_offset)
    : num_threads_(num_threads < 1 ? 1 : num_threads),
      shards_(std::make_unique<Shard[]>(static_cast<std::size_t>(num_threads_))) {
  for (int thread = 1; thread < num_threads_; ++thread) {
    workers_.emplace_back([this, thread] { WorkerLoop(thread); });
    if (affinity_offset >= 0) PinThread(workers_.back(), affinity_offset + thread - 1);
  }
}

ShardedRunner::~ShardedRunner() { Close(); }

void ShardedRunner::RunChunks(int thread) {
  // The thread's own shard first, then the others' in turn, a chunk at a time.
  for (int k = 0; k < num_threads_; ++k) {
    Shard& shard = shards_[(thread + k) % num_threads_];
    for (;;) {
      const int begin = shard.next.fetch_add(chunk_, std::memory_order_relaxed);
      if (begin >= shard.end) break;
      (*job_)(thread, begin, std::min(begin + chunk_, shard.end));
    }
  }
}

void ShardedRunner::Run(int n, const FunctionRef<void(int, int, int)>& fn) {
  // Publish the job and its shards, then release the workers with a new generation.
  job_ = &fn;
  chunk_ = std::max(1, n / (num_threads_ * kChunksPerShard));
  for (int thread = 0; thread < num_threads_; ++thread) {
    const std::int64_t begin = static_cast<std::int64_t>(n) * thread / num_threads_;
    shards_[thread].next.store(static_cast<int>(begin), std::memory_order_relaxed);
    shards_[thread].end =
        static_cast<int>(static_cast<std::int64_t>(n) * (thread + 1) / num_threads_);
  }
  workers_busy_.store(num_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();

  // The caller works meanwhile: shard 0, then whatever the workers have not claimed.
  RunChunks(0);

  // Wait for the workers' last chunks: spin first, then sleep until the last one notifies.
  const auto started = AdaptiveSpin::Clock::now();
  auto all_done = [this] { return workers_busy_.load(std::memory_order_acquire) == 0; };
  if (!caller_spin_.Spin(started, all_done)) {
    for (int busy = workers_busy_.load(std::memory_order_acquire); busy != 0;
         busy = workers_busy_.load(std::memory_order_acquire)) {
      workers_busy_.wait(busy, std::memory_order_acquire);
    }
  }
  caller_spin_.Learn(started);
}

void ShardedRunner::WorkerLoop(int thread) {
  std::uint32_t seen = 0;
  AdaptiveSpin spin;
  for (;;) {
    // Wait for a new generation: spin, then sleep on the futex.
    const auto started = AdaptiveSpin::Clock::now();
    auto job_posted = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!spin.Spin(started, job_posted)) {
      while (!job_posted()) generation_.wait(seen, std::memory_order_acquire);
    }
    spin.Learn(started);
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load(std::memory_order_acquire)) return;

    // Do chunks until none is left, and wake the caller if this was the last busy worker.
    RunChunks(thread);
    if (workers_busy_.fetch_sub(1, std::memory_order_acq_rel) == 1) workers_busy_.notify_one();
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
