// SyncRunner: how sync mode runs one request of n envs, inline or over the thread team.
//
// Run(n, fn) calls fn(thread, begin, end) over [0, n): inline on the caller (thread 0, one chunk,
// no hand-off at all) when the request is cheaper than a hand-off, else over the ShardedRunner
// team (see sharded_runner.h). What is cheap is measured: a running average of the cost of one
// row, sampled from the inline runs and from the caller's own chunks. RunInParts(n, fn) does the
// same for rows whose work comes in parts (fn(thread, row, part) returns true after the row's
// last part): inline, each row's parts one after another, or ShardedRunner::RunInParts.
// RunSpread(n, fn) always uses the team when it has more than one thread and n > 1 (for work
// that costs far more than the steps the average measures: pictures, snapshots).
//
// Producers: one caller at a time (the Pool serialises its callers); `fn` must not throw.
// Ownership: owns the team. Blocking: returns when every row is done; waiting follows the
// team's WaitPolicy. Shutdown: Close() (also the destructor) joins the team; idempotent.
#ifndef ENVFLEET_CORE_SYNC_RUNNER_H_
#define ENVFLEET_CORE_SYNC_RUNNER_H_

#include <chrono>

#include "envfleet/core/function_ref.h"
#include "envfleet/core/sharded_runner.h"
#include "envfleet/core/spin.h"

namespace envfleet {

class SyncRunner {
 public:
  SyncRunner(int num_threads, int affinity_offset, WaitPolicy wait_policy)
      : team_(num_threads, affinity_offset, wait_policy) {}

  int num_threads() const { return team_.num_threads(); }

  void Run(int n, const FunctionRef<void(int, int, int)>& fn);
  void RunInParts(int n, const FunctionRef<bool(int, int, int)>& fn);
  void RunSpread(int n, const FunctionRef<void(int, int, int)>& fn);

  // Whether a request of n rows runs inline, by the measured cost of a row.
  bool RunsInline(int n) const;

  void Close() { team_.Close(); }

 private:
  void RecordCost(std::chrono::steady_clock::duration elapsed, int rows);

  ShardedRunner team_;
  double ns_per_row_ = 0.0;  // running average; 0 until measured
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SYNC_RUNNER_H_
