// SyncRunner on its own: every row runs exactly once whether the request runs inline or over
// the team; a request measured as cheap runs inline on the caller (thread 0, one chunk), an
// expensive one is sharded; RunSpread uses the team whatever the cost; in parts, every part of
// every row runs once and in order.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "check.h"
#include "envfleet/core/sync_runner.h"

namespace envfleet::test {
namespace {

TEST(SyncRunnerRunsCheapRequestsInlineAndExpensiveOnesOverTheTeam) {
  SyncRunner runner(2, -1, WaitPolicy::kAuto);
  // Cheap rows: after the first (measured) request, the whole request is one inline chunk.
  for (int request = 0; request < 5; ++request) {
    std::vector<int> runs(16, 0);
    int chunks = 0;
    runner.Run(16, [&](int thread, int begin, int end) {
      CHECK_EQ(thread, 0);
      ++chunks;
      for (int i = begin; i < end; ++i) ++runs[i];
    });
    CHECK_EQ(chunks, 1);
    for (int count : runs) CHECK_EQ(count, 1);
  }
  CHECK(runner.RunsInline(16));
  // Rows of a millisecond each are far over the budget: the next request is sharded.
  runner.Run(4, [&](int, int begin, int end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(end - begin));
  });
  CHECK(!runner.RunsInline(4));
  std::vector<std::atomic<int>> runs(8);
  runner.Run(8, [&](int, int begin, int end) {
    for (int i = begin; i < end; ++i) runs[i].fetch_add(1);
  });
  for (const auto& count : runs) CHECK_EQ(count.load(), 1);
}

TEST(SyncRunnerSpreadsOverTheTeamWhateverTheCost) {
  SyncRunner runner(2, -1, WaitPolicy::kAuto);
  // Cheap rows, which Run() would do inline in one chunk: RunSpread shards them (in chunks,
  // whichever thread of the team takes each).
  for (int request = 0; request < 3; ++request) {
    runner.Run(64, [](int, int, int) {});
  }
  CHECK(runner.RunsInline(64));
  std::vector<std::atomic<int>> runs(64);
  std::atomic<int> chunks{0};
  runner.RunSpread(64, [&](int, int begin, int end) {
    chunks.fetch_add(1);
    for (int i = begin; i < end; ++i) runs[i].fetch_add(1);
  });
  for (const auto& count : runs) CHECK_EQ(count.load(), 1);
  CHECK(chunks.load() > 1);
}

TEST(SyncRunnerRunsEveryPartOfEveryRowInOrder) {
  SyncRunner runner(2, -1, WaitPolicy::kAuto);
  for (int request = 0; request < 20; ++request) {
    std::vector<int> next_part(10, 0);
    runner.RunInParts(10, [&](int, int row, int part) {
      CHECK_EQ(next_part[row], part);
      ++next_part[row];
      return part == 2;
    });
    for (int parts : next_part) CHECK_EQ(parts, 3);
  }
}

}  // namespace
}  // namespace envfleet::test
