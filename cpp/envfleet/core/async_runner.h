// AsyncRunner: the work queue, worker threads and output ring behind async mode.
//
// Push() queues env ids (a bounded MPMC WorkQueue of capacity num_envs). Worker threads pop them;
// for each, the thread claims the next row of the stream of results with one atomic fetch_add
// (ticket t is row t % batch_size of batch t / batch_size) and calls run(env_id, batch, row,
// errors) to write that row. Batch k of the stream lives in ring slot k % ring size; the ring
// holds one batch more than can be in flight at once (num_envs / batch_size rounded up, plus
// one), so a worker never writes into a batch the caller has not taken yet. Take() waits until
// the next batch of the stream has all batch_size rows and hands it over (with the errors
// recorded for its rows), putting a fresh batch from the recycler in its slot before anything
// can be pushed again.
//
// Producers: one caller at a time, calling Push() and Take() (the Pool serialises its callers).
// The caller must never have more than num_envs ids queued or unreturned, and must call Take()
// only when at least batch_size ids are (otherwise it waits until max_wait). Consumers: the
// workers, and the caller inside Take(), which runs queued ids itself while the batch fills.
// Blocking: workers wait for ids as the WaitPolicy says (WorkQueue::Pop); Take() spins
// (AdaptiveSpin), then sleeps on a futex of the batch's row counter, which the worker finishing
// the batch wakes. Ownership: owns the queue, the workers and the ring's batches; `run` must
// outlive it and must not throw (it records an env's failure in `errors`).
// Shutdown: Close() (also run by the destructor) closes the queue and joins the workers; ids
// still queued are dropped. Idempotent.
#ifndef ENVFLEET_CORE_ASYNC_RUNNER_H_
#define ENVFLEET_CORE_ASYNC_RUNNER_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "envfleet/core/batch.h"
#include "envfleet/core/env_fault.h"
#include "envfleet/core/spin.h"
#include "envfleet/core/work_queue.h"

namespace envfleet {

class AsyncRunner {
 public:
  // Writes env `env_id`'s result into `row` of `batch`; records a failure in `errors`.
  using RunFn = std::function<void(int env_id, Batch* batch, int row, EnvErrors* errors)>;

  // Starts num_threads workers (with affinity_offset >= 0, worker t pinned to CPU
  // affinity_offset + t). Batches come from `recycler`, whose layout has batch_size rows.
  AsyncRunner(int num_envs, int batch_size, int num_threads, int affinity_offset,
              WaitPolicy wait_policy, std::shared_ptr<BatchRecycler> recycler, RunFn run);
  ~AsyncRunner();
  AsyncRunner(const AsyncRunner&) = delete;
  AsyncRunner& operator=(const AsyncRunner&) = delete;

  // Queues env_ids[0..n). Never blocks.
  void Push(const int* env_ids, int n);
  // The next batch of the stream once all its rows are written, and the failures of its rows
  // merged into `*errors`; an empty handle if it is not complete within max_wait (nothing
  // changes: a later Take() returns it).
  BatchHandle Take(std::chrono::nanoseconds max_wait, EnvErrors* errors);

  void Close();

 private:
  void WorkerLoop();
  // Runs one queued env into the next row of the stream (a worker, or the caller in Take()).
  void RunQueued(int env_id);

  const int batch_size_;
  std::shared_ptr<BatchRecycler> recycler_;
  RunFn run_;
  std::unique_ptr<WorkQueue> queue_;
  std::vector<std::thread> workers_;
  WaitPolicy wait_policy_;
  // The output ring: batch k of the stream of results lives in ring_[k % ring_.size()].
  std::vector<BatchHandle> ring_;
  std::vector<EnvErrors> ring_errors_;
  std::mutex ring_error_mutex_;
  std::atomic<std::uint64_t> next_ticket_{0};
  std::uint64_t next_take_ = 0;
  // Set while the caller sleeps in Take(): the worker finishing a batch then wakes it.
  std::atomic<bool> receiver_sleeping_{false};
  // The caller's wait in Take() for its batch to fill.
  AdaptiveSpin take_spin_;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ASYNC_RUNNER_H_
