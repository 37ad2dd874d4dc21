// WaitPolicy and AdaptiveSpin: how long every engine wait polls before it sleeps.
//
// WaitPolicy is chosen per pool (PoolOptions::wait_policy), in the spirit of OMP_WAIT_POLICY:
// kSpin polls as AdaptiveSpin learns (below) for the lowest latency on a machine the pool has to
// itself; kBlock sleeps at once, so a waiting thread never holds a core another thread wants;
// kAuto, the default, spins as kSpin while the machine has idle cores and sleeps as kBlock while
// this process's threads are being switched out for others (contention.h). docs/concurrency.md
// has the measurements that chose the default.
//
// A wait whose event comes within microseconds to a few hundred microseconds (a worker waiting
// for the next step of a tight stepping loop, the caller waiting for the last env of a step) is
// cheapest spun out: waking a sleeping thread costs tens of microseconds, more on a virtual
// machine. A wait whose event comes milliseconds later (a training loop running its network
// between steps) should sleep almost at once, so an idle pool burns no CPU. Each wait site keeps
// a decaying peak of its recent waits and polls for twice that, up to kMaxSpin; when its waits
// run longer than kMaxSpin it polls only kSpinBudget. Past the first stretch of a wait (see
// SpinMode) each poll yields the core, so a long spin gives way to any thread that wants it.
//
// Thread-safety: an AdaptiveSpin belongs to one waiting thread at a time (a worker's own, or the
// pool caller's); it is not shared between concurrent waiters. Blocking: Spin() returns after the
// budget at the latest; the caller then sleeps by its own means and calls Learn() once awake.
#ifndef ENVFLEET_CORE_SPIN_H_
#define ENVFLEET_CORE_SPIN_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

#include "envfleet/core/contention.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace envfleet {

enum class WaitPolicy : std::uint8_t { kAuto, kSpin, kBlock };

// The shortest spin of any spinning wait, and the stretch a kPause waiter holds the core before
// yielding.
inline constexpr std::chrono::microseconds kSpinBudget{20};
// The longest spin: a wait site whose waits last longer sleeps after kSpinBudget.
inline constexpr std::chrono::microseconds kMaxSpin{1000};

// How a waiter polls at first. kPause: a pause instruction between polls for the first
// kSpinBudget, the core stays with the waiter (the event is usually a few microseconds away and
// no other thread wants the core). kYield: after kPausePolls polls, every poll yields the core
// (the system call returns at once when no other thread wants it). For waiters whose next work
// comes from a thread that may itself be waiting for a core: an async worker's next env arrives
// only when the Python caller runs, and with as many workers as cores, a pausing worker holds the
// core the caller needs (docs/concurrency.md has the measurements).
enum class SpinMode { kPause, kYield };
inline constexpr int kPausePolls = 256;

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class AdaptiveSpin {
 public:
  using Clock = ContentionClock;

  explicit AdaptiveSpin(WaitPolicy policy = WaitPolicy::kAuto) : policy_(policy) {}

  WaitPolicy policy() const { return policy_; }

  // Polls `done` from `started` (the wait's start, Clock::now()) until it returns true or the
  // budget (at most `limit`) is spent; returns its last answer. A wait that must not spin (the
  // policy) looks once.
  template <SpinMode kMode = SpinMode::kPause, typename Predicate>
  bool Spin(Clock::time_point started, Predicate done,
            std::chrono::nanoseconds limit = std::chrono::nanoseconds::max()) const {
    if (!Spins(started)) return done();
    const Clock::time_point pause_until = started + kSpinBudget;
    const Clock::time_point deadline = started + std::min(budget(), limit);
    // The clock is read every 64 polls only: reading it costs more than a poll.
    bool yielding = false;
    for (int polls = 1;; ++polls) {
      if (done()) return true;
      if (yielding || (kMode == SpinMode::kYield && polls > kPausePolls)) {
        std::this_thread::yield();
      } else {
        CpuRelax();
      }
      if (polls % 64 == 0) {
        const Clock::time_point now = Clock::now();
        if (now >= deadline) return done();
        yielding = yielding || now >= pause_until;
      }
    }
  }

  // Learns from a wait that began at `started` and has just ended, after any sleep; under kAuto,
  // also reports this thread's switches (ReportContention).
  void Learn(Clock::time_point started) {
    const Clock::time_point now = Clock::now();
    Learn(now - started);
    if (policy_ == WaitPolicy::kAuto) ReportContention(now);
  }

  void Learn(std::chrono::nanoseconds waited) {
    // A decaying peak: a longer wait is taken at once, shorter ones pull it down by an eighth.
    // Waits are capped at twice kMaxSpin, so one long pause (a training update, an idle pool)
    // is forgotten within a few waits once the stepping loop resumes.
    waited = std::min<std::chrono::nanoseconds>(waited, 2 * kMaxSpin);
    typical_ = waited >= typical_ ? waited : typical_ - (typical_ - waited) / 8;
  }

  // Whether a wait starting at `now` polls at all: never under kBlock, not while the process is
  // contended under kAuto.
  bool Spins(Clock::time_point now) const {
    return policy_ == WaitPolicy::kSpin || (policy_ == WaitPolicy::kAuto && !Contended(now));
  }

  // How long the next polling wait polls: twice the typical wait, between kSpinBudget and
  // kMaxSpin, or kSpinBudget when waits outlast kMaxSpin (the event will not come in time).
  std::chrono::nanoseconds budget() const {
    if (typical_ > kMaxSpin) return kSpinBudget;
    return std::clamp<std::chrono::nanoseconds>(2 * typical_, kSpinBudget, kMaxSpin);
  }

 private:
  std::chrono::nanoseconds typical_{0};
  WaitPolicy policy_;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SPIN_H_
