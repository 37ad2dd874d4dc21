#include "envfleet/core/sharded_runner.h"

#include <algorithm>

#include "envfleet/core/affinity.h"

namespace envfleet {
namespace {

// Chunks per shard: small enough that the last chunks even out the threads' finishing times,
// large enough that claiming (one atomic add) stays negligible next to the envs' own work.
constexpr int kChunksPerShard = 8;

// PartRow::holder values besides a thread index: a part of the row is running (added to the
// index), or the row has finished.
constexpr int kRunning = 1 << 16;
constexpr int kFinished = -1;

}  // namespace

ShardedRunner::ShardedRunner(int num_threads, int affinity_offset)
    : num_threads_(num_threads < 1 ? 1 : num_threads),
      shards_(std::make_unique<Shard[]>(static_cast<std::size_t>(num_threads_))),
      held_rows_(std::make_unique<HeldRows[]>(static_cast<std::size_t>(num_threads_))) {
  for (int thread = 1; thread < num_threads_; ++thread) {
    workers_.emplace_back([this, thread] { WorkerLoop(thread); });
    if (affinity_offset >= 0) PinThread(workers_.back(), affinity_offset + thread - 1);
  }
}

ShardedRunner::~ShardedRunner() { Close(); }

void ShardedRunner::SetShards(int n) {
  for (int thread = 0; thread < num_threads_; ++thread) {
    const std::int64_t begin = static_cast<std::int64_t>(n) * thread / num_threads_;
    shards_[thread].next.store(static_cast<int>(begin), std::memory_order_relaxed);
    shards_[thread].end =
        static_cast<int>(static_cast<std::int64_t>(n) * (thread + 1) / num_threads_);
  }
}

void ShardedRunner::ReleaseWorkers() {
  // The job is published by the new generation (release); every worker has one to finish.
  workers_busy_.store(num_threads_ - 1, std::memory_order_relaxed);
  generation_.fetch_add(1, std::memory_order_release);
  generation_.notify_all();
}

void ShardedRunner::WaitForWorkers() {
  // Spin first, then sleep until the last worker notifies.
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

void ShardedRunner::Run(int n, const FunctionRef<void(int, int, int)>& fn) {
  // Publish the job and its shards, then release the workers.
  job_ = &fn;
  parts_job_ = nullptr;
  chunk_ = std::max(1, n / (num_threads_ * kChunksPerShard));
  SetShards(n);
  ReleaseWorkers();

  // The caller works meanwhile: shard 0, then whatever the workers have not claimed.
  RunChunks(0);
  WaitForWorkers();
}

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

void ShardedRunner::RunInParts(int n, const FunctionRef<bool(int, int, int)>& fn) {
  // Every row starts at part 0, held by the thread whose shard it is in.
  parts_job_ = &fn;
  job_ = nullptr;
  if (n > part_rows_capacity_) {
    part_rows_ = std::make_unique<PartRow[]>(static_cast<std::size_t>(n));
    part_rows_capacity_ = n;
  }
  part_rows_count_ = n;
  SetShards(n);
  for (int thread = 0; thread < num_threads_; ++thread) {
    Shard& shard = shards_[thread];
    const int begin = shard.next.load(std::memory_order_relaxed);
    for (int row = begin; row < shard.end; ++row) {
      part_rows_[row].holder.store(thread, std::memory_order_relaxed);
      part_rows_[row].next_part = 0;
    }
    shard.held.store(shard.end - begin, std::memory_order_relaxed);
  }
  ReleaseWorkers();

  // The caller advances its own rows meanwhile; once no thread is left with two rows, what
  // remains is the workers' last rows.
  RunParts(0);
  WaitForWorkers();
}

void ShardedRunner::RunParts(int thread) {
  // The rows of the thread's shard, as RunInParts() assigned them.
  std::vector<int>& held = held_rows_[thread].rows;
  held.clear();
  for (int row = shards_[thread].next.load(std::memory_order_relaxed); row < shards_[thread].end;
       ++row) {
    held.push_back(row);
  }

  for (;;) {
    // Rounds of one part of each held row, until none is left. Marking the row running (acquire)
    // keeps other threads off it and makes its last part's writes visible, whichever thread ran
    // that; a row another thread has taken since is dropped from the list.
    std::size_t i = 0;
    while (!held.empty()) {
      if (i == held.size()) i = 0;
      PartRow& row = part_rows_[held[i]];
      int expected = thread;
      if (!row.holder.compare_exchange_strong(
              expected, thread + kRunning, std::memory_order_acquire, std::memory_order_relaxed)) {
        held[i] = held.back();
        held.pop_back();
        continue;
      }
      const bool finished = (*parts_job_)(thread, held[i], row.next_part++);
      // Hand the row back (release): finished, or ready for its next part on any thread.
      row.holder.store(finished ? kFinished : thread, std::memory_order_release);
      if (finished) {
        shards_[thread].held.fetch_sub(1, std::memory_order_relaxed);
        held[i] = held.back();
        held.pop_back();
      } else {
        ++i;
      }
    }

    // All finished: take half of the busiest thread's rows, or stop when none has two.
    if (!TakeRows(thread, held)) return;
  }
}

bool ShardedRunner::TakeRows(int thread, std::vector<int>& held) {
  // The most any thread holds never grows (a taker gets half of what its victim had), so once
  // no thread holds two rows there will be nothing to take.
  for (;;) {
    int victim = -1;
    int most = 1;
    for (int t = 0; t < num_threads_; ++t) {
      const int count = shards_[t].held.load(std::memory_order_relaxed);
      if (t != thread && count > most) {
        victim = t;
        most = count;
      }
    }
    if (victim < 0) return false;

    // Half its rows, each between two of its parts (the one running now is skipped). The
    // exchange (acquire) pairs with the victim's hand-back of the row.
    const int wanted = most / 2;
    int taken = 0;
    for (int row = 0; row < part_rows_count_ && taken < wanted; ++row) {
      std::atomic<int>& holder = part_rows_[row].holder;
      int expected = victim;
      if (holder.load(std::memory_order_relaxed) == victim &&
          holder.compare_exchange_strong(expected, thread, std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
        held.push_back(row);
        ++taken;
      }
    }
    if (taken == 0) continue;  // the victim finished or moved its rows meanwhile: look again
    shards_[victim].held.fetch_sub(taken, std::memory_order_relaxed);
    shards_[thread].held.fetch_add(taken, std::memory_order_relaxed);
    return true;
  }
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

    // Do the job until nothing is left for this thread, and wake the caller if this was the
    // last busy worker.
    if (parts_job_ != nullptr) {
      RunParts(thread);
    } else {
      RunChunks(thread);
    }
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
