// AsyncRunner on its own, with a run function that writes the env id into the row: every pushed
// id comes back exactly once, in batches of batch_size, however many workers and however the
// pushes and takes interleave; Take() gives up after max_wait without losing the batch; a
// recorded failure comes back with the batch holding its row; Close() joins the workers with ids
// still queued.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "check.h"
#include "envfleet/core/async_runner.h"
#include "envfleet/core/batch.h"
#include "envfleet/testing/counting_env.h"

namespace envfleet::test {
namespace {

std::shared_ptr<BatchRecycler> Recycler(int batch_size) {
  const EnvType type = testing::CountingEnvType();
  const EnvSpec spec = type.make_spec(Config::Make(type.options, {}));
  return std::make_shared<BatchRecycler>(
      std::make_shared<BatchLayout>(spec, /*same_step=*/false, batch_size, false));
}

// Closes the recycler at the end of a test, after the runner (declared later) has given its
// batches back: a recycler and its free batches hold each other until Close() (as Pool does).
struct CloseAtEnd {
  std::shared_ptr<BatchRecycler> recycler;
  ~CloseAtEnd() { recycler->Close(); }
};

void WriteId(int env_id, Batch* batch, int row, EnvErrors* /*errors*/) {
  *batch->At<std::int32_t>(BatchLayout::kEnvId, row) = env_id;
}

TEST(AsyncRunnerReturnsEveryPushedIdOnceInBatches) {
  std::mt19937 gen(5);
  for (int threads : {1, 2, 4}) {
    for (WaitPolicy policy : {WaitPolicy::kSpin, WaitPolicy::kBlock}) {
      const int num_envs = 12;
      const int batch_size = 4;
      const CloseAtEnd recycler{Recycler(batch_size)};
      AsyncRunner runner(num_envs, batch_size, threads, -1, policy, recycler.recycler, WriteId);
      std::vector<int> free_ids(num_envs);
      for (int i = 0; i < num_envs; ++i) free_ids[i] = i;
      std::vector<int> returned(num_envs, 0);
      std::vector<int> pushed(num_envs, 0);
      int in_flight = 0;
      for (int round = 0; round < 200; ++round) {
        // Push some of the free ids, then take batches while enough are in flight.
        std::shuffle(free_ids.begin(), free_ids.end(), gen);
        const int push = static_cast<int>(gen() % (free_ids.size() + 1));
        runner.Push(free_ids.data(), push);
        for (int k = 0; k < push; ++k) ++pushed[free_ids[k]];
        free_ids.erase(free_ids.begin(), free_ids.begin() + push);
        in_flight += push;
        while (in_flight >= batch_size && gen() % 2 == 0) {
          EnvErrors errors;
          BatchHandle batch = runner.Take(std::chrono::nanoseconds::max(), &errors);
          CHECK(static_cast<bool>(batch) && errors.empty());
          for (int r = 0; r < batch_size; ++r) {
            const int id = *batch->At<std::int32_t>(BatchLayout::kEnvId, r);
            ++returned[id];
            free_ids.push_back(id);
          }
          in_flight -= batch_size;
        }
      }
      // Each id came back once per push, but for the push still in flight.
      for (int id = 0; id < num_envs; ++id) {
        const bool free = std::find(free_ids.begin(), free_ids.end(), id) != free_ids.end();
        CHECK_EQ(returned[id], pushed[id] - (free ? 0 : 1));
      }
      CHECK_EQ(in_flight, num_envs - static_cast<int>(free_ids.size()));
      runner.Close();
    }
  }
}

TEST(AsyncRunnerTakeGivesUpAfterMaxWaitAndKeepsTheBatch) {
  std::atomic<bool> started{false};
  std::atomic<bool> release{false};
  const CloseAtEnd recycler{Recycler(2)};
  AsyncRunner runner(2, 2, 1, -1, WaitPolicy::kBlock, recycler.recycler,
                     [&](int env_id, Batch* batch, int row, EnvErrors* errors) {
                       if (env_id == 1) {
                         started.store(true);
                         while (!release.load()) std::this_thread::yield();
                       }
                       WriteId(env_id, batch, row, errors);
                     });
  // The worker takes env 1 and holds it; only then is env 0 queued.
  const int one = 1;
  const int zero = 0;
  runner.Push(&one, 1);
  while (!started.load()) std::this_thread::yield();
  runner.Push(&zero, 1);
  EnvErrors errors;
  // The worker holds env 1; the caller may run env 0 itself, but the batch cannot fill.
  CHECK(!runner.Take(std::chrono::milliseconds(20), &errors));
  release.store(true);
  BatchHandle batch = runner.Take(std::chrono::nanoseconds::max(), &errors);
  CHECK(static_cast<bool>(batch));
  std::vector<int> got{*batch->At<std::int32_t>(BatchLayout::kEnvId, 0),
                       *batch->At<std::int32_t>(BatchLayout::kEnvId, 1)};
  std::sort(got.begin(), got.end());
  CHECK(got == (std::vector<int>{0, 1}));
}

TEST(AsyncRunnerCarriesAFailureWithItsBatch) {
  const CloseAtEnd recycler{Recycler(2)};
  AsyncRunner runner(4, 2, 2, -1, WaitPolicy::kAuto, recycler.recycler,
                     [](int env_id, Batch* batch, int row, EnvErrors* errors) {
                       WriteId(env_id, batch, row, errors);
                       if (env_id == 3) errors->Record(row, env_id, "env 3 raised during step: x");
                     });
  const int ids[] = {0, 1, 2, 3};
  runner.Push(ids, 4);
  std::vector<int> failed;
  for (int b = 0; b < 2; ++b) {
    EnvErrors errors;
    BatchHandle batch = runner.Take(std::chrono::nanoseconds::max(), &errors);
    for (const EnvErrors::Failure& failure : errors.failures) {
      CHECK_EQ(*batch->At<std::int32_t>(BatchLayout::kEnvId, failure.row), failure.env_id);
      failed.push_back(failure.env_id);
    }
  }
  CHECK(failed == std::vector<int>{3});
}

TEST(AsyncRunnerClosesWithIdsStillQueued) {
  const CloseAtEnd recycler{Recycler(8)};
  AsyncRunner runner(8, 8, 2, -1, WaitPolicy::kBlock, recycler.recycler,
                     [](int env_id, Batch* batch, int row, EnvErrors* errors) {
                       std::this_thread::sleep_for(std::chrono::milliseconds(1));
                       WriteId(env_id, batch, row, errors);
                     });
  const int ids[] = {0, 1, 2, 3, 4, 5, 6, 7};
  runner.Push(ids, 8);
  runner.Close();
  runner.Close();  // idempotent
}

}  // namespace
}  // namespace envfleet::test
