// Multi-threaded behaviour of the Pool and its WorkQueue: determinism across thread counts, an
// async stress run checked by per-env counters and a checksum, shutdown while threads are blocked.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include "check.h"
#include "envfleet/core/work_queue.h"
#include "pool_fixture.h"

namespace envfleet::test {
namespace {

// Every observation, reward and flag of `steps` sync steps with fixed random actions, each step
// in `step_parts` parts, by threads that wait as `policy` says.
std::vector<double> SyncTrajectory(int num_threads, int steps, int step_parts = 1,
                                   WaitPolicy policy = WaitPolicy::kAuto) {
  PoolOptions options = PoolSize(16, 0, num_threads);
  options.wait_policy = policy;
  // A sleeping step makes every request expensive enough to be sharded over the threads.
  auto pool = MakeCountingPool(options, {{"episode_length", std::int64_t{4}},
                                         {"step_sleep_us", std::int64_t{20}},
                                         {"step_parts", std::int64_t{step_parts}}});
  const std::vector<int> ids = AllIds(16);
  std::mt19937 gen(5);
  std::vector<double> trajectory;
  BatchHandle b = pool->Reset(ids.data(), 16, nullptr);
  for (int step = 0; step < steps; ++step) {
    std::vector<std::int64_t> actions(16);
    for (auto& a : actions) a = static_cast<std::int64_t>(gen() % 4);
    b = pool->Step(actions.data(), ids.data(), 16);
    for (int r = 0; r < 16; ++r) {
      for (int k = 0; k < 3; ++k) trajectory.push_back(Obs(*b, r, k));
      trajectory.push_back(Reward(*b, r));
      trajectory.push_back(Terminated(*b, r));
      trajectory.push_back(EnvId(*b, r));
    }
  }
  return trajectory;
}

TEST(SameTrajectoriesWhateverTheThreadCountOrStepParts) {
  const std::vector<double> one = SyncTrajectory(1, 30);
  CHECK(one == SyncTrajectory(2, 30));
  CHECK(one == SyncTrajectory(4, 30));
  // In parts (the CountingEnv throws if a part comes out of order), inline and over threads.
  CHECK(one == SyncTrajectory(1, 30, /*step_parts=*/3));
  CHECK(one == SyncTrajectory(2, 30, /*step_parts=*/3));
  CHECK(one == SyncTrajectory(4, 30, /*step_parts=*/3));
  // Threads that always spin or always sleep, and automatic waits on a contended process.
  for (WaitPolicy policy : {WaitPolicy::kSpin, WaitPolicy::kBlock}) {
    CHECK(one == SyncTrajectory(2, 30, 1, policy));
    CHECK(one == SyncTrajectory(2, 30, 3, policy));
  }
  MarkContended(ContentionClock::now() + std::chrono::seconds(1));
  CHECK(one == SyncTrajectory(2, 30, 3, WaitPolicy::kAuto));
}

// 3000 async batches of envs whose threads wait as `policy` says, every row checked against the
// env's own counter and a checksum.
void AsyncStress(WaitPolicy policy) {
  constexpr int kEnvs = 24;
  constexpr int kBatch = 6;
  constexpr int kEpisode = 7;
  PoolOptions options = PoolSize(kEnvs, kBatch, 4);
  options.wait_policy = policy;
  auto pool = MakeCountingPool(
      options, {{"episode_length", std::int64_t{kEpisode}}, {"step_sleep_us", std::int64_t{1}}});
  const std::vector<int> all = AllIds(kEnvs);
  pool->SendReset(all.data(), kEnvs, nullptr);

  // Each env's expected count, and checksums of what was observed and what was expected.
  std::vector<int> expected_count(kEnvs, 0);
  std::vector<int> served(kEnvs, 0);
  std::int64_t observed_sum = 0;
  std::int64_t expected_sum = 0;
  for (int round = 0; round < 3000; ++round) {
    BatchHandle b = pool->Recv();
    CHECK_EQ(b->rows(), kBatch);
    std::vector<int> ids(kBatch);
    std::vector<bool> seen(kEnvs, false);
    for (int r = 0; r < kBatch; ++r) {
      const int id = EnvId(*b, r);
      CHECK(id >= 0 && id < kEnvs && !seen[id]);
      seen[id] = true;
      ids[r] = id;
      ++served[id];
      // The row's count follows the env's own history (NEXT_STEP: after the end comes 0).
      CHECK_EQ(static_cast<int>(Obs(*b, r, 0)), expected_count[id]);
      CHECK_EQ(Elapsed(*b, r), expected_count[id]);
      CHECK_EQ(Terminated(*b, r), expected_count[id] == kEpisode);
      observed_sum += static_cast<std::int64_t>(Obs(*b, r, 0));
      expected_sum += expected_count[id];
      expected_count[id] = expected_count[id] == kEpisode ? 0 : expected_count[id] + 1;
    }
    const std::vector<std::int64_t> actions(kBatch, 1);
    pool->SendStep(actions.data(), ids.data(), kBatch);
  }
  CHECK_EQ(observed_sum, expected_sum);
  for (int n : served) CHECK(n > 0);
  CHECK_EQ(pool->in_flight(), kBatch * (kEnvs / kBatch));
}

TEST(AsyncStressServesEveryEnvWithConsistentCounters) {
  for (WaitPolicy policy : {WaitPolicy::kAuto, WaitPolicy::kSpin, WaitPolicy::kBlock}) {
    AsyncStress(policy);
  }
}

TEST(AsyncRejectsResendingAnEnvInFlightAndRecvWithTooFewInFlight) {
  PoolOptions options = PoolSize(4, 2, 2);
  auto pool = MakeCountingPool(options);
  const std::vector<int> first = {0};
  pool->SendReset(first.data(), 1, nullptr);
  CHECK_THROWS(std::logic_error, pool->SendReset(first.data(), 1, nullptr));
  CHECK_THROWS(std::logic_error, pool->Recv());
  const std::vector<int> second = {2};
  pool->SendReset(second.data(), 1, nullptr);
  BatchHandle b = pool->Recv();
  CHECK((EnvId(*b, 0) == 0 && EnvId(*b, 1) == 2) || (EnvId(*b, 0) == 2 && EnvId(*b, 1) == 0));
}

TEST(CloseWakesAndJoinsBlockedWorkers) {
  // Async workers block on the empty queue; sync workers sleep on their futex; whatever the policy.
  for (WaitPolicy policy : {WaitPolicy::kAuto, WaitPolicy::kSpin, WaitPolicy::kBlock}) {
    for (int batch : {2, 0}) {
      PoolOptions options = PoolSize(4, batch, 4);
      options.wait_policy = policy;
      auto pool = MakeCountingPool(options);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // past the spin budget
      pool->Close();
      CHECK(pool->closed());
    }
  }
}

TEST(IdlePoolsBurnNoCpu) {
  // After a tight stepping loop has taught every wait to spin (steps of 200 us), a pool left
  // idle spins for at most kMaxSpin and then sleeps: 100 ms of idleness costs almost no CPU.
  for (int batch : {0, 2}) {
    PoolOptions options = PoolSize(4, batch, 2);
    auto pool = MakeCountingPool(options, {{"step_sleep_us", std::int64_t{200}}});
    const std::vector<int> all = AllIds(4);
    const std::vector<std::int64_t> actions(4, 1);
    const int recvs = batch == 0 ? 1 : 2;
    pool->SendReset(all.data(), 4, nullptr);
    for (int r = 0; r < recvs; ++r) pool->Recv();
    for (int step = 0; step < 50; ++step) {
      pool->SendStep(actions.data(), all.data(), 4);
      for (int r = 0; r < recvs; ++r) pool->Recv();
    }

    std::this_thread::sleep_for(10 * kMaxSpin);  // every spin is over
    const std::clock_t cpu_before = std::clock();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const double idle_cpu_ms =
        1000.0 * static_cast<double>(std::clock() - cpu_before) / CLOCKS_PER_SEC;
    CHECK(idle_cpu_ms < 10.0);
  }
}

TEST(CloseWhileEnvsAreStillRunning) {
  PoolOptions options = PoolSize(8, 2, 2);
  auto pool = MakeCountingPool(options, {{"step_sleep_us", std::int64_t{2000}}});
  const std::vector<int> all = AllIds(8);
  pool->SendReset(all.data(), 8, nullptr);
  for (int i = 0; i < 4; ++i) {
    BatchHandle b = pool->Recv();
    std::vector<int> ids = {EnvId(*b, 0), EnvId(*b, 1)};
    const std::vector<std::int64_t> actions = {0, 0};
    pool->SendStep(actions.data(), ids.data(), 2);
  }
  pool->Close();  // returns once the running steps finish; queued ones are dropped
  CHECK_THROWS(std::runtime_error, pool->Recv());
}

TEST(AsyncEnvExceptionIsRaisedByTheRecvOfItsBatch) {
  PoolOptions options = PoolSize(4, 2, 2);
  auto pool = MakeCountingPool(options, {{"fail_at_step", std::int64_t{0}}});
  const std::vector<int> all = AllIds(4);
  pool->SendReset(all.data(), 4, nullptr);
  BatchHandle a = pool->Recv();
  BatchHandle b = pool->Recv();
  std::vector<int> ids = {EnvId(*a, 0), EnvId(*a, 1)};
  const std::vector<std::int64_t> actions = {0, 0};
  pool->SendStep(actions.data(), ids.data(), 2);
  CHECK_THROWS(std::runtime_error, pool->Recv());
  // The pool is still usable: the envs can be sent again (and are reset instead of stepped).
  pool->SendStep(actions.data(), ids.data(), 2);
  BatchHandle c = pool->Recv();
  CHECK_EQ(Elapsed(*c, 0), 0);
}

TEST(OnePoolFromTwoThreadsAtOnceIsAnError) {
  int id = -1;
  auto pool = PoolWithOneSlowStepInFlight(/*step_sleep_us=*/100000, /*action=*/0, &id);
  // Thread A waits in Recv() for the 100 ms step; thread B's call is refused meanwhile.
  std::thread a([&] { pool->Recv(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  CHECK_THROWS(std::logic_error, pool->Recv());
  a.join();
}

TEST(WorkQueueStressDeliversEveryItemOnce) {
  constexpr int kProducers = 3;
  constexpr int kConsumers = 3;
  constexpr int kPerProducer = 20000;
  WorkQueue queue(64);
  std::atomic<std::int64_t> consumed_sum{0};
  std::atomic<int> consumed{0};
  std::atomic<int> capacity_left{64};  // producers never overfill, as the Pool guarantees

  std::vector<std::thread> threads;
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&] {
      int value;
      AdaptiveSpin spin;
      while (queue.Pop(&value, spin)) {
        consumed_sum += value;
        consumed.fetch_add(1);
        capacity_left.fetch_add(1);
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        // Take a unit of capacity before pushing.
        int left = capacity_left.load();
        while (left == 0 || !capacity_left.compare_exchange_weak(left, left - 1)) {
          std::this_thread::yield();
          left = capacity_left.load();
        }
        queue.Push(p * kPerProducer + i);
      }
    });
  }
  for (auto& t : producers) t.join();
  while (consumed.load() < kProducers * kPerProducer) std::this_thread::yield();
  queue.Close();
  for (auto& t : threads) t.join();

  const std::int64_t n = kProducers * kPerProducer;
  CHECK_EQ(consumed_sum.load(), n * (n - 1) / 2);
}

TEST(WorkQueueCloseWakesBlockedConsumers) {
  WorkQueue queue(4);
  std::atomic<int> returned{0};
  std::vector<std::thread> consumers;
  for (int c = 0; c < 3; ++c) {
    consumers.emplace_back([&] {
      int value;
      AdaptiveSpin spin;
      CHECK(!queue.Pop(&value, spin));
      returned.fetch_add(1);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK_EQ(returned.load(), 0);
  queue.Close();
  for (auto& t : consumers) t.join();
  CHECK_EQ(returned.load(), 3);
}

}  // namespace
}  // namespace envfleet::test
