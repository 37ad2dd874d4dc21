// WorkQueue: the bounded multi-producer multi-consumer queue of env ids that feeds async mode.
//
// Producers: any thread calling Push (the Pool's caller). Consumers: the async worker threads.
// Capacity: fixed at construction; the Pool sizes it to num_envs and never has more than one
// entry per env in flight, so Push never finds it full (it throws std::logic_error if it does).
// Ordering: FIFO. Blocking: Pop spins (yielding the core) for as long as its consumer's recent
// waits lasted (AdaptiveSpin, at most kMaxSpin), then sleeps on a condition variable until an
// item arrives or the queue is closed. Shutdown: Close() wakes every blocked Pop,
// which then returns false; items still queued are dropped. Thread-safety: every method is safe
// from any thread.
#ifndef ENVFLEET_CORE_WORK_QUEUE_H_
#define ENVFLEET_CORE_WORK_QUEUE_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include "envfleet/core/spin.h"

namespace envfleet {

class WorkQueue {
 public:
  explicit WorkQueue(std::size_t capacity) : items_(capacity) {}

  // Appends `value`. Never blocks.
  void Push(int value);
  // Appends `count` values under one lock (one wake-up per call, not per value).
  void PushAll(const int* values, std::size_t count);

  // Takes the oldest value into `*value`; blocks while empty. Returns false once closed. `spin` is
  // the calling consumer's own: it learns how long this consumer waits.
  bool Pop(int* value, AdaptiveSpin& spin);

  // Takes the oldest value into `*value` if there is one; never blocks. False when empty or closed.
  bool TryPop(int* value);
  // Wakes all blocked consumers; later Pops return false. Idempotent.
  void Close();

 private:
  void PushLocked(int value);

  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::vector<int> items_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  int sleepers_ = 0;
  bool closed_ = false;
  // Mirrors count_ so spinning consumers can poll without the lock.
  std::atomic<std::size_t> approximate_count_{0};
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_WORK_QUEUE_H_
