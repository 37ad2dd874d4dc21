#include "envfleet/core/contention.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>

namespace envfleet {
namespace {

// The end of the contended mark, in ContentionClock nanoseconds since its epoch (0: never).
std::atomic<std::int64_t> contended_until_ns{0};

std::int64_t Nanoseconds(ContentionClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// The calling thread's counts and when they were read; its schedstat file, kept open.
struct ThreadCounts {
  ThreadCounts() : schedstat(open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)) {}
  ~ThreadCounts() {
    if (schedstat >= 0) close(schedstat);
  }
  ThreadCounts(const ThreadCounts&) = delete;
  ThreadCounts& operator=(const ThreadCounts&) = delete;

  int schedstat;
  bool read = false;
  ContentionClock::time_point read_at{};
  std::int64_t run_delay_ns = 0;
  long involuntary = 0;
};

// Nanoseconds the thread has waited for a core ("run_delay"), or -1 where Linux does not say.
std::int64_t RunDelayNs(int schedstat) {
  if (schedstat < 0) return -1;
  char text[96];
  const ssize_t size = pread(schedstat, text, sizeof(text) - 1, 0);
  if (size <= 0) return -1;
  text[size] = '\0';
  // "<time on cpu> <run_delay> <timeslices>"
  char* end = nullptr;
  std::strtoll(text, &end, 10);
  return std::strtoll(end, nullptr, 10);
}

}  // namespace

void ReportContention(ContentionClock::time_point now) {
  thread_local ThreadCounts last;
  if (last.read && now - last.read_at < kContentionSample) return;

  // This thread's counts; a failed read changes nothing.
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return;
  const std::int64_t run_delay_ns = RunDelayNs(last.schedstat);

  // Waiting for a core, or being switched out, since the previous read marks the process.
  if (last.read) {
    const double waited = static_cast<double>(run_delay_ns - last.run_delay_ns);
    const double elapsed = static_cast<double>(Nanoseconds(now) - Nanoseconds(last.read_at));
    const bool waited_long = run_delay_ns >= 0 && waited >= kContendedShare * elapsed;
    const bool switched_out = usage.ru_nivcsw - last.involuntary >= kContendedSwitches;
    if (waited_long || switched_out) MarkContended(now + kContentionHold);
  }
  last.read = true;
  last.read_at = now;
  last.run_delay_ns = run_delay_ns;
  last.involuntary = usage.ru_nivcsw;
}

bool Contended(ContentionClock::time_point now) {
  return Nanoseconds(now) < contended_until_ns.load(std::memory_order_relaxed);
}

void MarkContended(ContentionClock::time_point until) {
  // The later end wins.
  const std::int64_t end = Nanoseconds(until);
  std::int64_t current = contended_until_ns.load(std::memory_order_relaxed);
  while (current < end &&
         !contended_until_ns.compare_exchange_weak(current, end, std::memory_order_relaxed)) {
  }
}

}  // namespace envfleet
