#include "envfleet/core/async_runner.h"

#include <algorithm>
#include <utility>

#include "envfleet/core/affinity.h"
#include "envfleet/core/futex.h"

namespace envfleet {

AsyncRunner::AsyncRunner(int num_envs, int batch_size, int num_threads, int affinity_offset,
                         WaitPolicy wait_policy, std::shared_ptr<BatchRecycler> recycler, RunFn run)
    : batch_size_(batch_size),
      recycler_(std::move(recycler)),
      run_(std::move(run)),
      queue_(std::make_unique<WorkQueue>(static_cast<std::size_t>(num_envs))),
      wait_policy_(wait_policy),
      take_spin_(wait_policy) {
  const int ring_size = (num_envs + batch_size - 1) / batch_size + 1;
  for (int i = 0; i < ring_size; ++i) ring_.push_back(recycler_->Acquire());
  ring_errors_.resize(static_cast<std::size_t>(ring_size));
  for (int t = 0; t < num_threads; ++t) {
    workers_.emplace_back([this] { WorkerLoop(); });
    if (affinity_offset >= 0) PinThread(workers_.back(), affinity_offset + t);
  }
}

AsyncRunner::~AsyncRunner() { Close(); }

void AsyncRunner::Push(const int* env_ids, int n) {
  queue_->PushAll(env_ids, static_cast<std::size_t>(n));
}

BatchHandle AsyncRunner::Take(std::chrono::nanoseconds max_wait, EnvErrors* errors) {
  // Wait until the next batch of the ring is full: spin, then sleep on its counter.
  const std::size_t index = next_take_ % ring_.size();
  std::atomic<int>& rows_done = ring_[index]->rows_done();
  auto full = [&] { return rows_done.load(std::memory_order_acquire) >= batch_size_; };
  // While the batch fills, the caller runs queued envs itself rather than spin on a core the
  // workers need (nothing is pushed during Take, so the ring cannot overflow).
  int queued_env_id;
  while (!full() && queue_->TryPop(&queued_env_id)) RunQueued(queued_env_id);
  using Clock = AdaptiveSpin::Clock;
  const auto started = Clock::now();
  const bool forever = max_wait >= Clock::time_point::max() - started;
  const Clock::time_point deadline = forever ? Clock::time_point::max() : started + max_wait;
  if (!take_spin_.Spin(started, full, max_wait)) {
    // Sleep until the worker completing the batch wakes us (it does when receiver_sleeping_ is
    // set: the seq_cst store/load pairs here and in RunQueued mean one side always sees the other),
    // or until max_wait is over.
    receiver_sleeping_.store(true);
    for (int done = rows_done.load(); done < batch_size_; done = rows_done.load()) {
      const auto now = Clock::now();
      if (now >= deadline) {
        receiver_sleeping_.store(false, std::memory_order_relaxed);
        take_spin_.Learn(started);
        return BatchHandle();
      }
      // At most a second per sleep: a lost wake-up could never stall a receiver for longer.
      FutexWaitFor(&rows_done, done,
                   std::min<std::chrono::nanoseconds>(deadline - now, std::chrono::seconds(1)));
    }
    receiver_sleeping_.store(false, std::memory_order_relaxed);
  }
  take_spin_.Learn(started);

  // Take the batch and put a fresh one in its place before any env can be pushed again: this
  // ordering is what makes one spare batch in the ring enough.
  BatchHandle result = std::move(ring_[index]);
  ring_[index] = recycler_->Acquire();
  ++next_take_;
  std::lock_guard<std::mutex> lock(ring_error_mutex_);
  errors->Merge(std::move(ring_errors_[index]));
  return result;
}

void AsyncRunner::WorkerLoop() {
  int env_id;
  AdaptiveSpin spin(wait_policy_);
  while (queue_->Pop(&env_id, spin)) RunQueued(env_id);
}

void AsyncRunner::RunQueued(int env_id) {
  // Claim the next row of the output stream.
  const std::uint64_t batch_size = static_cast<std::uint64_t>(batch_size_);
  const std::uint64_t ticket = next_ticket_.fetch_add(1, std::memory_order_acq_rel);
  const std::size_t index = (ticket / batch_size) % ring_.size();
  const int row = static_cast<int>(ticket % batch_size);
  Batch* batch = ring_[index].get();

  // Run the env's request into it.
  EnvErrors errors;
  run_(env_id, batch, row, &errors);
  if (!errors.empty()) {
    std::lock_guard<std::mutex> lock(ring_error_mutex_);
    ring_errors_[index].Merge(std::move(errors));
  }

  // The last row of a batch wakes the receiver if it sleeps (seq_cst: see Take()).
  if (batch->rows_done().fetch_add(1) + 1 == batch_size_ && receiver_sleeping_.load()) {
    FutexWakeAll(&batch->rows_done());
  }
}

void AsyncRunner::Close() {
  if (queue_) queue_->Close();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  ring_.clear();
}

}  // namespace envfleet
