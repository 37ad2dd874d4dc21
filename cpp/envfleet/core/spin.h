// SpinUntil: the short busy-wait every engine wake-up tries before it sleeps.
//
// Spinning for a few microseconds catches the next request of a tight stepping loop without a
// system call; past that budget the caller sleeps (futex / condition variable), so idle pools burn
// no CPU. Thread-safety: a pure function of its predicate.
#ifndef ENVFLEET_CORE_SPIN_H_
#define ENVFLEET_CORE_SPIN_H_

#include <chrono>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace envfleet {

// How long a waiter spins before sleeping.
inline constexpr std::chrono::microseconds kSpinBudget{20};

// How a waiter polls. kPause: a pause instruction between polls, the core stays with the waiter.
// kYield: after kPausePolls polls, the waiter yields the core between polls (the system call
// returns at once when no other thread wants the core). For waiters whose next work comes from a
// thread that may itself be waiting for a core: an async worker's next env arrives only when the
// Python caller runs, and with as many workers as cores, a pausing worker holds the core the
// caller needs (docs/concurrency.md has the measurements).
enum class SpinMode { kPause, kYield };
inline constexpr int kPausePolls = 256;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Polls `done` until it returns true or the spin budget is spent; returns its last answer.
template <SpinMode kMode = SpinMode::kPause, typename Predicate>
bool SpinUntil(Predicate done) {
  // Check the clock only every 64 polls: reading it costs more than a poll.
  const auto deadline = std::chrono::steady_clock::now() + kSpinBudget;
  for (int polls = 1;; ++polls) {
    if (done()) return true;
    if (kMode == SpinMode::kYield && polls > kPausePolls) {
      std::this_thread::yield();
    } else {
      CpuRelax();
    }
    if (polls % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return done();
  }
}

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SPIN_H_
