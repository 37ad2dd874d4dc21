#include "envfleet/core/sharded_runner.h"

#include <algorithm>

#include "envfleet/core/affinity.h"
#include "envfleet/core/futex.h"

namespace envfleet {
namespace {

// Chunks per shard: small enough that the last chunks even out the threads' finishing times,
// large enough that claiming (one atomic add) stays negligible next to the envs' own work.
constexpr int kChunksPerShard = 8;

// PartRow::holder values besides a thread index: a part of the row is running (added to the
// index), or the row has finished.
constexpr int kRunning = 1 << 16;
constexpr int kFinished = -1;

// The admission word: generation << 32 | kOpen | workers inside.
constexpr std::uint64_t kOpen = std::uint64_t{1} << 31;
constexpr std::uint64_t kInsideMask = kOpen - 1;

std::uint32_t GenerationOf(std::uint64_t admission) {
  return static_cast<std::uint32_t>(admission >> 32);
}

// How long CloseRequest() polls for a worker to leave before it sleeps between looks.
constexpr std::chrono::microseconds kLeavePause{20};

}  // namespace

ShardedRunner::ShardedRunner(int num_threads, int affinity_offset, WaitPolicy wait_policy)
    : num_threads_(num_threads < 1 ? 1 : num_threads),
      wait_policy_(wait_policy),
      shards_(std::make_unique<Shard[]>(static_cast<std::size_t>(num_threads_))),
      held_rows_(std::make_unique<HeldRows[]>(static_cast<std::size_t>(num_threads_))),
      caller_spin_(wait_policy) {
  for (int thread = 1; thread < num_threads_; ++thread) {
    workers_.emplace_back([this, thread] { WorkerLoop(thread); });
    if (affinity_offset >= 0) PinThread(workers_.back(), affinity_offset + thread - 1);
  }
}

ShardedRunner::~ShardedRunner() { Close(); }

void ShardedRunner::CloseRequest() {
  // Clear kOpen once no worker is inside the last request. One still inside has no work left
  // there (every row is done) and is on its way out; the acquire pairs with its leaving, so
  // nothing it read of the request is rewritten under it.
  std::uint64_t word = admission_.load(std::memory_order_acquire);
  const auto started = AdaptiveSpin::Clock::now();
  for (;;) {
    if ((word & kInsideMask) != 0) {
      // Rare: the worker was switched out on its way out. Poll, then let it have a core.
      if (AdaptiveSpin::Clock::now() - started < kLeavePause) {
        CpuRelax();
      } else {
        std::this_thread::sleep_for(kLeavePause);
      }
      word = admission_.load(std::memory_order_acquire);
    } else if (admission_.compare_exchange_weak(word, word & ~kOpen, std::memory_order_acquire,
                                                std::memory_order_acquire)) {
      return;
    }
  }
}

void ShardedRunner::OpenRequest() {
  // The request written while closed is published by the admission word (release); the bump of
  // generation_ wakes the sleeping workers.
  request_generation_ = generation_.load(std::memory_order_relaxed) + 1;
  admission_.store((std::uint64_t{request_generation_} << 32) | kOpen, std::memory_order_release);
  generation_.store(request_generation_);
  if (sleeping_workers_.load() > 0) FutexWakeAll(&generation_);
}

bool ShardedRunner::JoinRequest(int thread) {
  // Enter the open request (acquire: its fields are then visible and stay as they are until this
  // worker leaves); none when it is closed.
  std::uint64_t word = admission_.load(std::memory_order_acquire);
  do {
    if ((word & kOpen) == 0) return false;
  } while (!admission_.compare_exchange_weak(word, word + 1, std::memory_order_acquire,
                                             std::memory_order_acquire));
  Shard& shard = shards_[thread];
  shard.joined_generation.store(GenerationOf(word), std::memory_order_relaxed);
  shard.joined.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void ShardedRunner::LeaveRequest() { admission_.fetch_sub(1, std::memory_order_release); }

void ShardedRunner::RowsDone(int rows) {
  // The rows' results are visible to the caller that sees 0 (seq_cst: see WaitForRows()).
  if (rows_left_.fetch_sub(rows) == rows && caller_sleeping_.load()) FutexWakeAll(&rows_left_);
}

void ShardedRunner::WaitForRows() {
  // Spin first (as the policy allows), then sleep until the last row is done. The caller says it
  // sleeps before its last look at the count, and the thread doing the last row looks at that
  // after its decrement (seq_cst both): one of them sees the other, so no wake-up is lost.
  const auto started = AdaptiveSpin::Clock::now();
  auto all_done = [this] { return rows_left_.load(std::memory_order_acquire) == 0; };
  if (!caller_spin_.Spin(started, all_done)) {
    caller_sleeping_.store(true);
    for (int left = rows_left_.load(); left != 0; left = rows_left_.load()) {
      FutexWait(&rows_left_, left);
    }
    caller_sleeping_.store(false, std::memory_order_relaxed);
  }
  caller_spin_.Learn(started);
}

void ShardedRunner::SetShards(int n) {
  for (int thread = 0; thread < num_threads_; ++thread) {
    const std::int64_t begin = static_cast<std::int64_t>(n) * thread / num_threads_;
    shards_[thread].next.store(static_cast<int>(begin), std::memory_order_relaxed);
    shards_[thread].end =
        static_cast<int>(static_cast<std::int64_t>(n) * (thread + 1) / num_threads_);
  }
}

void ShardedRunner::Run(int n, const FunctionRef<void(int, int, int)>& fn) {
  // Write the request while it is closed, then open it to the workers.
  CloseRequest();
  job_ = &fn;
  parts_job_ = nullptr;
  chunk_ = std::max(1, n / (num_threads_ * kChunksPerShard));
  SetShards(n);
  rows_left_.store(n, std::memory_order_relaxed);
  OpenRequest();

  // The caller works meanwhile: shard 0, then whatever the workers have not claimed.
  RunChunks(0);
  WaitForRows();
}

void ShardedRunner::RunChunks(int thread) {
  // The thread's own shard first, then the others' in turn, a chunk at a time.
  for (int k = 0; k < num_threads_; ++k) {
    Shard& shard = shards_[(thread + k) % num_threads_];
    for (;;) {
      const int begin = shard.next.fetch_add(chunk_, std::memory_order_relaxed);
      if (begin >= shard.end) break;
      const int end = std::min(begin + chunk_, shard.end);
      (*job_)(thread, begin, end);
      RowsDone(end - begin);
    }
  }
}

void ShardedRunner::RunInParts(int n, const FunctionRef<bool(int, int, int)>& fn) {
  // Write the request while it is closed: every row starts at part 0, held by the thread whose
  // shard it is in.
  CloseRequest();
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
  rows_left_.store(n, std::memory_order_relaxed);
  OpenRequest();

  // The caller advances its own rows meanwhile, then takes others' while there are any to take.
  RunParts(0);
  WaitForRows();
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
        RowsDone(1);
        held[i] = held.back();
        held.pop_back();
      } else {
        ++i;
      }
    }

    // All finished: take rows from another thread, or stop when there are none to take.
    if (!TakeRows(thread, held)) return;
  }
}

bool ShardedRunner::TakeRows(int thread, std::vector<int>& held) {
  // A worker that has not joined the request runs none of its rows: take them all. Otherwise take
  // half of the busiest thread's, if it holds two or more; the most any running thread holds never
  // grows (a taker gets half of what its victim had), so once none holds two there is nothing to
  // take, and the one row a thread holds is its to finish.
  for (;;) {
    int victim = -1;
    int most = 1;
    bool whole = false;
    for (int t = 0; t < num_threads_; ++t) {
      if (t == thread) continue;
      const int count = shards_[t].held.load(std::memory_order_relaxed);
      const bool absent = t != 0 && shards_[t].joined_generation.load(std::memory_order_relaxed) !=
                                        request_generation_;
      if (absent && count > 0) {
        victim = t;
        most = count;
        whole = true;
        break;
      }
      if (count > most) {
        victim = t;
        most = count;
      }
    }
    if (victim < 0) return false;

    // Those rows, each between two of its parts (one running now is skipped). The exchange
    // (acquire) pairs with the victim's hand-back of the row.
    const int wanted = whole ? most : most / 2;
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
    if (taken == 0) continue;  // the victim finished, joined or moved its rows: look again
    shards_[victim].held.fetch_sub(taken, std::memory_order_relaxed);
    shards_[thread].held.fetch_add(taken, std::memory_order_relaxed);
    return true;
  }
}

void ShardedRunner::WorkerLoop(int thread) {
  std::uint32_t seen = 0;
  AdaptiveSpin spin(wait_policy_);
  for (;;) {
    // Wait for a new request: spin (as the policy allows), then sleep on the futex.
    const auto started = AdaptiveSpin::Clock::now();
    auto posted = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!spin.Spin(started, posted)) {
      // Counted as sleeping before the last look (seq_cst, paired with OpenRequest()).
      sleeping_workers_.fetch_add(1);
      while (generation_.load() == seen) FutexWait(&generation_, seen);
      sleeping_workers_.fetch_sub(1, std::memory_order_relaxed);
    }
    spin.Learn(started);
    seen = generation_.load(std::memory_order_acquire);
    if (stopping_.load(std::memory_order_acquire)) return;

    // Join the request that is open now (a later one than woke this worker, if it woke late;
    // none if the caller is between two), and do its work until none is left for this thread.
    if (!JoinRequest(thread)) continue;
    seen = shards_[thread].joined_generation.load(std::memory_order_relaxed);
    if (parts_job_ != nullptr) {
      RunParts(thread);
    } else {
      RunChunks(thread);
    }
    LeaveRequest();
  }
}

void ShardedRunner::Close() {
  if (closed_) return;
  closed_ = true;
  // A generation bump with stopping_ set ends every worker's loop.
  stopping_.store(true, std::memory_order_release);
  generation_.fetch_add(1);
  FutexWakeAll(&generation_);
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

}  // namespace envfleet
