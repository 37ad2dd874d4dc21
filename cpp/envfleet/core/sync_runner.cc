#include "envfleet/core/sync_runner.h"

namespace envfleet {
namespace {

// Requests cheaper than this run inline on the caller. About the cost of a hand-off to a spinning
// worker; at 10 us, CartPole x1024 sat on the boundary and flipped between inline and sharded.
constexpr double kInlineBudgetNs = 4000.0;

}  // namespace

void SyncRunner::RecordCost(std::chrono::steady_clock::duration elapsed, int rows) {
  if (rows <= 0) return;
  const double sample = std::chrono::duration<double, std::nano>(elapsed).count() / rows;
  ns_per_row_ = ns_per_row_ == 0.0 ? sample : 0.9 * ns_per_row_ + 0.1 * sample;
}

bool SyncRunner::RunsInline(int n) const {
  return team_.num_threads() == 1 || n * ns_per_row_ < kInlineBudgetNs;
}

void SyncRunner::Run(int n, const FunctionRef<void(int, int, int)>& fn) {
  using Clock = std::chrono::steady_clock;

  // Cheap requests run inline, timed to keep the cost estimate current.
  if (RunsInline(n)) {
    const auto start = Clock::now();
    fn(0, 0, n);
    RecordCost(Clock::now() - start, n);
    return;
  }

  // Others are sharded; the caller's chunks provide the cost sample.
  team_.Run(n, [&](int thread, int begin, int end) {
    if (thread != 0) return fn(thread, begin, end);
    const auto start = Clock::now();
    fn(thread, begin, end);
    RecordCost(Clock::now() - start, end - begin);
  });
}

void SyncRunner::RunInParts(int n, const FunctionRef<bool(int, int, int)>& fn) {
  using Clock = std::chrono::steady_clock;

  // Cheap requests run inline as Run() runs them, each row's parts one after another.
  if (RunsInline(n)) {
    Run(n, [&](int thread, int begin, int end) {
      for (int row = begin; row < end; ++row) {
        for (int part = 0; !fn(thread, row, part); ++part) {
        }
      }
    });
    return;
  }

  // Others run part by part over the team; the whole request, times the threads that shared it,
  // provides the cost sample.
  const auto start = Clock::now();
  team_.RunInParts(n, fn);
  RecordCost((Clock::now() - start) * team_.num_threads(), n);
}

void SyncRunner::RunSpread(int n, const FunctionRef<void(int, int, int)>& fn) {
  if (team_.num_threads() > 1 && n > 1) {
    team_.Run(n, fn);
  } else {
    fn(0, 0, n);
  }
}

}  // namespace envfleet
