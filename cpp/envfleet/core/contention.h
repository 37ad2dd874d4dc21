// Contention: whether this process's threads are waiting for cores that other threads hold.
//
// Linux counts, per thread, the time it spent runnable but not running (the second field of
// /proc/thread-self/schedstat, "run_delay") and the times it was switched out while it could still
// run (involuntary context switches, getrusage(RUSAGE_THREAD); a yield that hands the core to
// another runnable thread counts as one). On a machine with idle cores both stay near zero; with
// more runnable threads than cores (busy processes, a learner's threads, another pool) a thread
// waits a large share of the time for a core, or is switched out every scheduler slice.
// Waiting threads report their own counts as they finish a wait, at most once per
// kContentionSample each; a report that the thread waited kContendedShare of the time since its
// previous report, or was switched out kContendedSwitches times, marks the process contended for
// kContentionHold. WaitPolicy::kAuto waits (spin.h) read the mark: spin while the machine has idle
// cores, sleep at once while it does not. docs/concurrency.md has the measurements.
//
// Thread-safety: every function may be called from any thread; the mark is one atomic and each
// thread's own counts are thread-local. Blocking: never; ReportContention makes at most two
// system calls (it keeps the thread's schedstat file open).
#ifndef ENVFLEET_CORE_CONTENTION_H_
#define ENVFLEET_CORE_CONTENTION_H_

#include <chrono>

namespace envfleet {

using ContentionClock = std::chrono::steady_clock;

// How often one thread reads its counts, at most.
inline constexpr std::chrono::milliseconds kContentionSample{20};
// The share of wall time spent waiting for a core that marks the process contended. An idle
// machine's wake-up latencies come to well under 1%; a thread sharing its core waits about half.
inline constexpr double kContendedShare = 0.05;
// Involuntary switches between two reads that mark the process contended (one is chance).
inline constexpr long kContendedSwitches = 2;
// How long one contended report holds the mark.
inline constexpr std::chrono::milliseconds kContentionHold{200};

// Reads the calling thread's counts if its last read is older than kContentionSample, and marks
// the process contended if they say so.
void ReportContention(ContentionClock::time_point now);

// Whether the process is marked contended at `now`.
bool Contended(ContentionClock::time_point now);

// Marks the process contended until `until` (tests; ReportContention's own mark).
void MarkContended(ContentionClock::time_point until);

}  // namespace envfleet

#endif  // ENVFLEET_CORE_CONTENTION_H_
