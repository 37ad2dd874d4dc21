// FutexWait / FutexWaitFor / FutexWakeAll: sleeps on a 32-bit atomic, with or without a timeout,
// and their wake-up. Linux futexes on the atomic's own word.
//
// std::atomic::wait has no timeout (Recv(max_wait) needs one, so that a caller such as the Python
// binding can wait in slices and handle Ctrl-C between them), and it yields the core a few times
// before it sleeps (see FutexWait). A waker that knows nobody sleeps skips the system call: each
// user keeps its own count of sleepers, set before its last look at the word (seq_cst on both
// sides, so that the sleeper or the waker sees the other).
// Thread-safety: any thread may wait or wake. Blocking: a wait sleeps until woken, until the word
// no longer holds `expected`, until a signal arrives or until `timeout`; callers re-check their
// condition after it returns (spurious returns are allowed).
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

// The futex word of a 32-bit atomic (int or std::uint32_t).
template <typename T>
int* FutexAddress(std::atomic<T>* word) {
  static_assert(sizeof(std::atomic<T>) == sizeof(int), "futexes need a plain 32-bit word");
  return reinterpret_cast<int*>(word);
}

template <typename T>
void FutexWaitFor(std::atomic<T>* word, T expected, std::chrono::nanoseconds timeout) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec relative{};
  relative.tv_sec = static_cast<time_t>(seconds.count());
  relative.tv_nsec = static_cast<long>((timeout - seconds).count());
  syscall(SYS_futex, FutexAddress(word), FUTEX_WAIT_PRIVATE, static_cast<int>(expected), &relative,
          nullptr, 0);
}

// Sleeps until woken (or the word no longer holds `expected`). Unlike std::atomic::wait, it does
// not yield the core first: a sched_yield pushes the thread's deadline back under Linux's EEVDF
// scheduler, and a thread that yields between every two steps falls behind busy processes.
template <typename T>
void FutexWait(std::atomic<T>* word, T expected) {
  syscall(SYS_futex, FutexAddress(word), FUTEX_WAIT_PRIVATE, static_cast<int>(expected), nullptr,
          nullptr, 0);
}

template <typename T>
void FutexWakeAll(std::atomic<T>* word) {
  syscall(SYS_futex, FutexAddress(word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace envfleet

#endif  // ENVFLEET_CORE_FUTEX_H_
