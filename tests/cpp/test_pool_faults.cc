// Faults and waits: an env that throws (sync inline, sync sharded, in parts, async), an env that
// cannot be made, Recv() with a time limit, and Close() from a second thread.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "envfleet/testing/counting_env.h"
#include "pool_fixture.h"

namespace envfleet::test {
namespace {

constexpr std::int64_t kFailAt = 3;

// A Counting pool whose envs throw from Step() (the first part) when their count is kFailAt.
std::unique_ptr<Pool> FaultyPool(PoolOptions options, std::int64_t step_sleep_us = 0,
                                 std::int64_t step_parts = 1) {
  return MakeCountingPool(options, {{"fail_at_step", kFailAt},
                                    {"episode_length", std::int64_t{100}},
                                    {"step_sleep_us", step_sleep_us},
                                    {"step_parts", step_parts}});
}

// Steps all envs of a sync pool in which only env `faulty` is at the failing count, and checks
// the fault and every row of the batch it carries; then checks the failed env restarts.
void CheckSyncFault(Pool& pool, int faulty) {
  const int n = pool.num_envs();
  const std::vector<int> ids = AllIds(n);
  const std::vector<std::int64_t> actions(n, 2);
  pool.Reset(ids.data(), n, nullptr);
  pool.SetState(faulty, {static_cast<double>(kFailAt)});

  bool raised = false;
  try {
    pool.Step(actions.data(), ids.data(), n);
  } catch (const EnvFault& fault) {
    raised = true;
    CHECK(std::string(fault.what()).find("env " + std::to_string(faulty) + " raised during step") !=
          std::string::npos);
    CHECK(fault.env_ids() == std::vector<int>{faulty});
    Batch& batch = *fault.batch();
    CHECK_EQ(batch.rows(), n);
    for (int r = 0; r < n; ++r) {
      CHECK_EQ(EnvId(batch, r), r);
      if (r == faulty) {
        CHECK_EQ(Obs(batch, r, 0), 0.0);
        CHECK_EQ(Reward(batch, r), 0.0);
        CHECK(Truncated(batch, r));
        CHECK(!Terminated(batch, r));
      } else {
        CHECK_EQ(Obs(batch, r, 0), 1.0);  // the other envs' results are normal
        CHECK_EQ(Obs(batch, r, 1), 2.0);
        CHECK_EQ(Reward(batch, r), 1.0);
        CHECK(!Truncated(batch, r));
      }
    }
  }
  CHECK(raised);

  // The pool goes on: the failed env is reset, the others take their second step.
  BatchHandle next = pool.Step(actions.data(), ids.data(), n);
  for (int r = 0; r < n; ++r) {
    CHECK_EQ(Obs(*next, r, 0), r == faulty ? 0.0 : 2.0);
    CHECK_EQ(Elapsed(*next, r), r == faulty ? 0 : 2);
  }
}

TEST(SyncFaultInlineCarriesTheWholeBatch) {
  PoolOptions options = PoolSize(4, 0, 1);
  auto pool = FaultyPool(options);
  CheckSyncFault(*pool, 2);
}

// CheckSyncFault on 4 envs and 2 threads whose steps are slow enough that, after the first
// (measured) request, every request is spread over both threads: env 3 is in shard 1, which the
// worker thread starts on.
void CheckShardedSyncFault(std::int64_t step_sleep_us, std::int64_t step_parts) {
  PoolOptions options = PoolSize(4, 0, 2);
  auto pool = FaultyPool(options, step_sleep_us, step_parts);
  const std::vector<int> ids = AllIds(4);
  const std::vector<std::int64_t> actions(4, 0);
  pool->Reset(ids.data(), 4, nullptr);
  pool->Step(actions.data(), ids.data(), 4);
  CheckSyncFault(*pool, 3);
}

TEST(SyncFaultOnAWorkerThreadCarriesTheWholeBatch) {
  CheckShardedSyncFault(/*step_sleep_us=*/500, /*step_parts=*/1);
}

TEST(SyncFaultInTheFirstPartOfAStepEndsThatStep) {
  // Had the engine run the failed step's later parts, the env would have thrown again ("part 1,
  // expected 0") and been listed twice.
  CheckShardedSyncFault(/*step_sleep_us=*/200, /*step_parts=*/3);
}

TEST(FaultsOfSeveralEnvsAreAllListed) {
  PoolOptions options = PoolSize(3, 0, 1);
  auto pool = FaultyPool(options);
  const std::vector<int> ids = AllIds(3);
  pool->Reset(ids.data(), 3, nullptr);
  pool->SetState(0, {static_cast<double>(kFailAt)});
  pool->SetState(2, {static_cast<double>(kFailAt)});
  const std::vector<std::int64_t> actions(3, 0);
  bool raised = false;
  try {
    pool->Step(actions.data(), ids.data(), 3);
  } catch (const EnvFault& fault) {
    raised = true;
    CHECK((fault.env_ids() == std::vector<int>{0, 2}));
    CHECK(std::string(fault.what()).find("envs that raised: 0 2") != std::string::npos);
  }
  CHECK(raised);
}

TEST(ResetFaultIsReportedAndRetriedOnTheNextStep) {
  PoolOptions options = PoolSize(2, 0, 1);
  auto pool = MakeCountingPool(options, {{"fail_on_reset", true}});
  const std::vector<int> ids = AllIds(2);
  bool raised = false;
  try {
    pool->Reset(ids.data(), 2, nullptr);
  } catch (const EnvFault& fault) {
    raised = std::string(fault.what()).find("env 0 raised during reset") != std::string::npos &&
             Truncated(*fault.batch(), 1);
  }
  CHECK(raised);
  const std::vector<std::int64_t> actions(2, 0);
  CHECK_THROWS(EnvFault, pool->Step(actions.data(), ids.data(), 2));
}

// Async: runs batches until one raises; checks its rows and that every env can be sent again.
void CheckAsyncFault(int num_threads) {
  PoolOptions options = PoolSize(6, 3, num_threads);
  auto pool = FaultyPool(options, /*step_sleep_us=*/50);
  const std::vector<int> all = AllIds(6);
  pool->SendReset(all.data(), 6, nullptr);
  std::vector<int> counts(6, 0);  // each env's count, as the batches report it
  int faults = 0;
  for (int batch_index = 0; batch_index < 40; ++batch_index) {
    std::vector<int> ids;
    try {
      BatchHandle b = pool->Recv();
      for (int r = 0; r < 3; ++r) {
        ids.push_back(EnvId(*b, r));
        // Every normal row continues its env's count (a reset row restarts it at 0).
        const int count = static_cast<int>(Obs(*b, r, 0));
        CHECK(count == 0 || count == counts[ids.back()] + 1);
        counts[ids.back()] = count;
      }
    } catch (const EnvFault& fault) {
      ++faults;
      Batch& b = *fault.batch();
      for (int r = 0; r < 3; ++r) {
        const int id = EnvId(b, r);
        ids.push_back(id);
        const bool failed =
            std::find(fault.env_ids().begin(), fault.env_ids().end(), id) != fault.env_ids().end();
        // A failed env was at kFailAt; its row is the faulted one.
        CHECK(!failed || (counts[id] == kFailAt && Truncated(b, r) && Obs(b, r, 0) == 0.0));
        if (!failed) {
          const int count = static_cast<int>(Obs(b, r, 0));
          CHECK(count == 0 || count == counts[id] + 1);
          counts[id] = count;
        } else {
          counts[id] = -1;  // its next row is a reset (count 0)
        }
      }
    }
    CHECK_EQ(pool->in_flight(), 3);
    const std::vector<std::int64_t> actions(3, 1);
    pool->SendStep(actions.data(), ids.data(), 3);
  }
  CHECK(faults >= 2);  // each env passes kFailAt every kFailAt + 2 of its requests
}

TEST(AsyncFaultWithOneWorker) { CheckAsyncFault(1); }
TEST(AsyncFaultWithTwoWorkers) { CheckAsyncFault(2); }

TEST(RecvWithATimeLimitReturnsNothingUntilTheBatchIsComplete) {
  int id = -1;
  auto pool = PoolWithOneSlowStepInFlight(/*step_sleep_us=*/300000, /*action=*/3, &id);
  // The worker takes the 300 ms step at once; a 10 ms wait gives up and changes nothing.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  BatchHandle early = pool->Recv(std::chrono::milliseconds(10));
  CHECK(!early);
  CHECK_EQ(pool->in_flight(), 1);
  BatchHandle late = pool->Recv(std::chrono::seconds(30));
  CHECK(static_cast<bool>(late));
  CHECK_EQ(EnvId(*late, 0), id);
  CHECK_EQ(Obs(*late, 0, 1), 3.0);
  CHECK_EQ(pool->in_flight(), 0);
}

TEST(CloseFromASecondThreadDuringACallIsRefused) {
  int id = -1;
  auto pool = PoolWithOneSlowStepInFlight(/*step_sleep_us=*/100000, /*action=*/0, &id);
  std::thread receiver([&] { pool->Recv(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK_THROWS(std::logic_error, pool->Close());
  receiver.join();
  pool->Close();
  CHECK(pool->closed());
}

TEST(EnvsAreMadeOnEveryThreadAndTheFirstFailureIsRaised) {
  // A Counting type whose factory records the threads it runs on, and fails its 3rd and 6th call.
  EnvType type = testing::CountingEnvType();
  const auto make_counting = type.make_env;
  std::atomic<int> calls{0};
  std::mutex mutex;
  std::vector<std::thread::id> threads;
  type.make_env = [&](const Config& config) {
    {
      const std::lock_guard<std::mutex> lock(mutex);
      threads.push_back(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // long enough to share the work
    const int call = calls.fetch_add(1);
    if (call == 2 || call == 5) throw std::runtime_error("cannot make env " + std::to_string(call));
    return make_counting(config);
  };
  const Config config = Config::Make(type.options, {});
  PoolOptions options = PoolSize(16, 0, 4);

  // Every env made, on more than one thread, when none fails.
  calls = -100;  // no call reaches 2 or 5
  Pool pool(type, config, options);
  CHECK_EQ(calls.load(), -84);
  std::sort(threads.begin(), threads.end());
  CHECK(std::unique(threads.begin(), threads.end()) - threads.begin() > 1);

  // Two failing envs: the constructor joins its threads and raises one failure.
  calls = 0;
  std::string message;
  try {
    Pool failing(type, config, options);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK(message == "cannot make env 2" || message == "cannot make env 5");
  CHECK_EQ(calls.load(), 16);
}

}  // namespace
}  // namespace envfleet::test
