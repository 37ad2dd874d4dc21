// ShardedRunner on its own: every index runs exactly once whatever the team and request sizes
// (a stress run with a checksum), and a thread done with its shard takes the unclaimed chunks of
// a slow one.
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

}  // namespace
}  // namespace envfleet::test
