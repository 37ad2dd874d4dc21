// FutexWaitFor / FutexWakeAll: a sleep on a 32-bit atomic that ends at a timeout, and its wake-up.
//
// std::atomic::wait has no timeout; Recv(max_wait) needs one so that a caller (the Python binding)
// can wait in slices and handle Ctrl-C between them. Linux futexes on the atomic's own word.
// Thread-safety: any thread may wait or wake. Blocking: FutexWaitFor sleeps until woken, until the
// word no longer holds `expected`, until a signal arrives or until `timeout`; callers re-check
// their condition after it returns (spurious returns are allowed).
#ifndef ENVFLEET_CORE_FUTEX_H_
#define ENVFLEET_CORE_FUTEX_H_

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <ctime>

namespace envfleet {

static_assert(sizeof(std::atomic<int>) == sizeof(int), "futexes need a plain 32-bit word");

inline void FutexWaitFor(std::atomic<int>* word, int expected, std::chrono::nanoseconds timeout) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec relative{};
  relative.tv_sec = static_cast<time_t>(seconds.count());
  relative.tv_nsec = static_cast<long>((timeout - seconds).count());
  syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAIT_PRIVATE, expected, &relative, nullptr,
          0);
}

inline void FutexWakeAll(std::atomic<int>* word) {
  syscall(SYS_futex, reinterpret_cast<int*>(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr,
          0);
}

}  // namespace envfleet

#endif  // ENVFLEET_CORE_FUTEX_H_
