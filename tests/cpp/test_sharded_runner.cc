// ShardedRunner on its own: every index runs exactly once whatever the team and request sizes
// (a stress run with a checksum), and a thread done with its shard takes the unclaimed chunks of
// a slow one; in parts, every part of every row runs once, in order and never two at once, and a
// thread done with its rows takes the rows of a blocked one between their parts. A request is
// over when its work is: the caller does not wait for a worker that has not woken, and takes the
// rows of one that has not joined.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "check.h"
#include "envfleet/core/sharded_runner.h"

namespace envfleet::test {
namespace {

TEST(ShardedRunnerRunsEveryIndexOnce) {
  std::mt19937 gen(11);
  for (int threads : {1, 2, 3, 4, 7}) {
    ShardedRunner runner(threads, /*affinity_offset=*/-1);
    for (int request = 0; request < 300; ++request) {
      const int n = static_cast<int>(gen() % 200);
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(n));
      std::atomic<std::int64_t> checksum{0};
      runner.Run(n, [&](int thread, int begin, int end) {
        CHECK(thread >= 0 && thread < threads && 0 <= begin && begin < end && end <= n);
        for (int i = begin; i < end; ++i) {
          runs[static_cast<std::size_t>(i)].fetch_add(1);
          checksum.fetch_add(i);
        }
      });
      for (const auto& count : runs) CHECK_EQ(count.load(), 1);
      CHECK_EQ(checksum.load(), static_cast<std::int64_t>(n) * (n - 1) / 2);
    }
  }
}

TEST(ShardedRunnerMovesTheChunksOfASlowShard) {
  // Two threads, 8 indices: shard 1 is 4..7. The first of its indices to start waits until the
  // three others have run, which only the other thread can do, by taking their chunks.
  ShardedRunner runner(2, /*affinity_offset=*/-1);
  std::vector<int> ran_on(8, -1);
  std::atomic<int> blocked_index{-1};
  std::atomic<int> others_done{0};
  runner.Run(8, [&](int thread, int begin, int end) {
    for (int i = begin; i < end; ++i) {
      int none = -1;
      if (i >= 4 && blocked_index.compare_exchange_strong(none, i)) {
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (others_done.load() < 3 && std::chrono::steady_clock::now() < give_up) {
          std::this_thread::yield();
        }
      } else if (i >= 4) {
        others_done.fetch_add(1);
      }
      ran_on[static_cast<std::size_t>(i)] = thread;
    }
  });
  CHECK_EQ(others_done.load(), 3);
  const int blocked = blocked_index.load();
  for (int i = 4; i < 8; ++i) {
    if (i != blocked) CHECK(ran_on[static_cast<std::size_t>(i)] != ran_on[blocked]);
  }
}

TEST(RunInPartsRunsEveryPartOnceInOrderAndNeverTwoAtOnce) {
  std::mt19937 gen(12);
  for (int threads : {1, 2, 3, 4, 7}) {
    ShardedRunner runner(threads, /*affinity_offset=*/-1);
    for (int request = 0; request < 300; ++request) {
      // Rows of 1 to 6 parts; some parts spin a little, so that threads run out of rows at
      // different times and take others'.
      const int n = static_cast<int>(gen() % 100);
      std::vector<int> parts(static_cast<std::size_t>(n));
      for (int& count : parts) count = 1 + static_cast<int>(gen() % 6);
      std::vector<std::atomic<int>> next_part(static_cast<std::size_t>(n));
      std::vector<std::atomic<bool>> running(static_cast<std::size_t>(n));
      std::atomic<std::int64_t> checksum{0};
      std::int64_t expected_checksum = 0;
      for (int row = 0; row < n; ++row) {
        for (int part = 0; part < parts[row]; ++part) expected_checksum += row * 8 + part;
      }
      runner.RunInParts(n, [&](int thread, int row, int part) {
        CHECK(thread >= 0 && thread < threads && 0 <= row && row < n);
        const auto r = static_cast<std::size_t>(row);
        CHECK(!running[r].exchange(true));
        CHECK_EQ(part, next_part[r].load());
        for (int spin = 0; spin < (row * 7 + part) % 5 * 200; ++spin) CpuRelax();
        checksum.fetch_add(row * 8 + part);
        next_part[r].store(part + 1);
        running[r].store(false);
        return part + 1 == parts[r];
      });
      for (int row = 0; row < n; ++row) {
        CHECK_EQ(next_part[static_cast<std::size_t>(row)].load(), parts[row]);
      }
      CHECK_EQ(checksum.load(), expected_checksum);
    }
  }
}

TEST(RunInPartsMovesTheRowsOfABlockedThreadBetweenTheirParts) {
  // Two threads, 8 rows of 4 parts. Part 2 of row 5 waits until every other row has finished.
  // The thread running it is blocked there with the rest of its rows half done; only the other
  // thread can finish them, by taking them between two of their parts.
  constexpr int kRows = 8;
  constexpr int kParts = 4;
  constexpr int kBlockedRow = 5;
  ShardedRunner runner(2, /*affinity_offset=*/-1);
  std::vector<std::vector<int>> ran_on(kRows, std::vector<int>(kParts, -1));
  std::atomic<int> others_finished{0};
  int finished_while_blocked = -1;
  runner.RunInParts(kRows, [&](int thread, int row, int part) {
    if (row == kBlockedRow && part == 2) {
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (others_finished.load() < kRows - 1 && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::yield();
      }
      finished_while_blocked = others_finished.load();
    }
    ran_on[row][part] = thread;
    const bool finished = part + 1 == kParts;
    if (finished && row != kBlockedRow) others_finished.fetch_add(1);
    return finished;
  });
  // The other rows finished while one thread was stuck, so the other thread finished them; the
  // blocked thread's rows had parts left (its rows advance together), so some moved mid-row.
  CHECK_EQ(finished_while_blocked, kRows - 1);
  int moved_mid_row = 0;
  for (const std::vector<int>& threads : ran_on) {
    if (std::find(threads.begin(), threads.end(), 1 - threads[0]) != threads.end()) {
      ++moved_mid_row;
    }
  }
  CHECK(moved_mid_row > 0);
}

TEST(ARequestDoesNotWaitForWorkersThatHoldNoWork) {
  // Sleeping workers (kBlock) take microseconds to wake; the caller runs each one-index request
  // itself in less, and returns without waiting for the worker to see it.
  constexpr int kRequests = 2000;
  ShardedRunner runner(2, /*affinity_offset=*/-1, WaitPolicy::kBlock);
  std::vector<int> runs(1, 0);
  for (int request = 0; request < kRequests; ++request) {
    runner.Run(1, [&](int, int begin, int end) {
      for (int i = begin; i < end; ++i) ++runs[static_cast<std::size_t>(i)];
    });
  }
  CHECK_EQ(runs[0], kRequests);
  CHECK(runner.requests_joined(1) < static_cast<std::uint64_t>(kRequests));
}

TEST(RunInPartsTakesTheRowsOfAWorkerThatHasNotJoined) {
  // Two rows of three parts, one per thread's shard; the worker sleeps (kBlock). In requests it
  // has not joined by the time the caller is done with row 0, the caller takes row 1 too, which
  // it never could while a thread holding one row kept it.
  constexpr int kRequests = 500;
  ShardedRunner runner(2, /*affinity_offset=*/-1, WaitPolicy::kBlock);
  int caller_ran_both = 0;
  for (int request = 0; request < kRequests; ++request) {
    std::vector<std::vector<int>> ran_on(2, std::vector<int>(3, -1));
    runner.RunInParts(2, [&](int thread, int row, int part) {
      ran_on[static_cast<std::size_t>(row)][static_cast<std::size_t>(part)] = thread;
      return part == 2;
    });
    for (const std::vector<int>& threads : ran_on) {
      for (int thread : threads) CHECK(thread == 0 || thread == 1);
    }
    if (ran_on[1] == std::vector<int>{0, 0, 0}) ++caller_ran_both;
  }
  CHECK(caller_ran_both > 0);
}

}  // namespace
}  // namespace envfleet::test
