#include "envfleet/core/work_queue.h"

#include <stdexcept>

namespace envfleet {

void WorkQueue::PushLocked(int value) {
  if (count_ == items_.size()) throw std::logic_error("WorkQueue is full");
  items_[(head_ + count_) % items_.size()] = value;
  ++count_;
  approximate_count_.store(count_, std::memory_order_release);
}

void WorkQueue::Push(int value) { PushAll(&value, 1); }

void WorkQueue::PushAll(const int* values, std::size_t count) {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = 0; i < count; ++i) PushLocked(values[i]);
    wake = sleepers_ > 0;
  }
  // Only sleeping consumers need a system call; spinning ones see the count change.
  if (wake) not_empty_.notify_all();
}

bool WorkQueue::Pop(int* value, AdaptiveSpin& spin) {
  // When the queue is empty, spin first: under load the next item is usually microseconds away.
  // Yield while spinning: the caller that will push it may be waiting for this core. A pop that
  // finds an item at once reads no clock (CartPole's envs step in about 100 ns).
  auto available = [this] { return approximate_count_.load(std::memory_order_acquire) > 0; };
  const bool waits = !available();
  const auto started = waits ? AdaptiveSpin::Clock::now() : AdaptiveSpin::Clock::time_point();
  if (waits) spin.Spin<SpinMode::kYield>(started, available);

  std::unique_lock<std::mutex> lock(mutex_);
  while (count_ == 0 && !closed_) {
    ++sleepers_;
    not_empty_.wait(lock);
    --sleepers_;
  }
  if (waits) spin.Learn(started);
  if (closed_) return false;
  *value = items_[head_];
  head_ = (head_ + 1) % items_.size();
  --count_;
  approximate_count_.store(count_, std::memory_order_release);
  return true;
}

bool WorkQueue::TryPop(int* value) {
  if (approximate_count_.load(std::memory_order_acquire) == 0) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  if (count_ == 0 || closed_) return false;
  *value = items_[head_];
  head_ = (head_ + 1) % items_.size();
  --count_;
  approximate_count_.store(count_, std::memory_order_release);
  return true;
}

void WorkQueue::Close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
}

}  // namespace envfleet
