// Single-threaded semantics of the Pool, as exact values of a CountingEnv (episode_length 3).
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.h"
#include "pool_fixture.h"

namespace envfleet::test {
namespace {

PoolOptions SyncOptions(int num_envs, AutoresetMode mode) {
  PoolOptions options = PoolSize(num_envs, 0, 1);
  options.autoreset_mode = mode;
  return options;
}

const std::map<std::string, OptionValue> kLength3 = {{"episode_length", std::int64_t{3}}};

TEST(NextStepResetsOnTheStepAfterTheEnd) {
  auto pool = MakeCountingPool(SyncOptions(2, AutoresetMode::kNextStep), kLength3);
  const std::vector<int> ids = AllIds(2);
  const std::vector<std::int64_t> actions = {1, 2};
  pool->Reset(ids.data(), 2, nullptr);

  // Steps 1..3: the third terminates.
  for (int step = 1; step <= 3; ++step) {
    BatchHandle b = pool->Step(actions.data(), ids.data(), 2);
    CHECK_EQ(Obs(*b, 0, 0), step);
    CHECK_EQ(Obs(*b, 1, 1), 2.0);
    CHECK_EQ(Reward(*b, 0), step);
    CHECK_EQ(Terminated(*b, 0), step == 3);
    CHECK_EQ(Elapsed(*b, 1), step);
  }
  // The next step ignores the action and returns the reset observation, reward 0, flags false.
  BatchHandle b = pool->Step(actions.data(), ids.data(), 2);
  CHECK_EQ(Obs(*b, 0, 0), 0.0);
  CHECK_EQ(Obs(*b, 0, 1), 0.0);
  CHECK_EQ(Reward(*b, 0), 0.0);
  CHECK(!Terminated(*b, 0) && !Truncated(*b, 0));
  CHECK_EQ(Elapsed(*b, 0), 0);
  CHECK_EQ(*b->At<std::int32_t>(BatchLayout::kFirstInfo, 0), 2);  // reset_count
}

TEST(SameStepReturnsResetObservationAndKeepsTheFinalOne) {
  auto pool = MakeCountingPool(SyncOptions(1, AutoresetMode::kSameStep), kLength3);
  const int id = 0;
  const std::int64_t action = 3;
  pool->Reset(&id, 1, nullptr);
  pool->Step(&action, &id, 1);
  BatchHandle b = pool->Step(&action, &id, 1);
  CHECK(!*b->At<bool>(b->layout().final_mask(), 0));
  CHECK_EQ(b->At<double>(b->layout().final_obs(), 0)[0], 0.0);

  // The ending step: reward and flags of the step, observation of the reset.
  b = pool->Step(&action, &id, 1);
  CHECK_EQ(Reward(*b, 0), 3.0);
  CHECK(Terminated(*b, 0));
  CHECK_EQ(Obs(*b, 0, 0), 0.0);
  CHECK_EQ(Elapsed(*b, 0), 0);
  CHECK(*b->At<bool>(b->layout().final_mask(), 0));
  CHECK_EQ(b->At<double>(b->layout().final_obs(), 0)[0], 3.0);
  CHECK_EQ(*b->At<std::int32_t>(b->layout().final_elapsed_step(), 0), 3);
  CHECK_EQ(*b->At<std::int32_t>(b->layout().first_final_info(), 0), 1);  // reset_count before
  CHECK_EQ(*b->At<std::int32_t>(BatchLayout::kFirstInfo, 0), 2);         // reset_count after

  // The following step continues the new episode.
  b = pool->Step(&action, &id, 1);
  CHECK_EQ(Obs(*b, 0, 0), 1.0);
  CHECK(!*b->At<bool>(b->layout().final_mask(), 0));
}

TEST(DisabledRefusesToStepAFinishedEnvUntilReset) {
  auto pool = MakeCountingPool(SyncOptions(2, AutoresetMode::kDisabled), kLength3);
  const std::vector<int> ids = AllIds(2);
  const std::vector<std::int64_t> actions = {0, 0};
  pool->Reset(ids.data(), 2, nullptr);
  for (int step = 0; step < 3; ++step) pool->Step(actions.data(), ids.data(), 2);
  CHECK_THROWS(std::logic_error, pool->Step(actions.data(), ids.data(), 2));

  // Resetting env 0 alone makes it steppable; env 1 still is not.
  const int zero = 0;
  const int one = 1;
  pool->Reset(&zero, 1, nullptr);
  BatchHandle b = pool->Step(actions.data(), &zero, 1);
  CHECK_EQ(Obs(*b, 0, 0), 1.0);
  CHECK_THROWS(std::logic_error, pool->Step(actions.data(), &one, 1));
}

// One Counting env (3-step episodes, NEXT_STEP) with a time limit of `max_episode_steps`, reset.
std::unique_ptr<Pool> ResetOneEnvWithTimeLimit(int max_episode_steps) {
  PoolOptions options = SyncOptions(1, AutoresetMode::kNextStep);
  options.max_episode_steps = max_episode_steps;
  auto pool = MakeCountingPool(options, kLength3);
  const int id = 0;
  pool->Reset(&id, 1, nullptr);
  return pool;
}

// Steps the pool's env 0 `steps` times (action 0); returns the last step's results.
BatchHandle StepEnvZero(Pool& pool, int steps) {
  const int id = 0;
  const std::int64_t action = 0;
  for (int i = 1; i < steps; ++i) pool.Step(&action, &id, 1);
  return pool.Step(&action, &id, 1);
}

TEST(TruncationAndTerminationCanCoincide) {
  auto pool = ResetOneEnvWithTimeLimit(3);
  BatchHandle b = StepEnvZero(*pool, 3);
  CHECK(Terminated(*b, 0));
  CHECK(Truncated(*b, 0));
}

TEST(TruncationAloneAtTheTimeLimit) {
  auto pool = ResetOneEnvWithTimeLimit(2);
  BatchHandle b = StepEnvZero(*pool, 2);
  CHECK(!Terminated(*b, 0));
  CHECK(Truncated(*b, 0));
  b = StepEnvZero(*pool, 1);
  CHECK_EQ(Elapsed(*b, 0), 0);  // reset
}

TEST(PartialStepTouchesOnlyTheNamedEnvsInTheGivenOrder) {
  auto pool = MakeCountingPool(SyncOptions(4, AutoresetMode::kNextStep), kLength3);
  const std::vector<int> all = AllIds(4);
  pool->Reset(all.data(), 4, nullptr);
  const std::vector<int> some = {3, 1};
  const std::vector<std::int64_t> actions = {2, 1};
  BatchHandle b = pool->Step(actions.data(), some.data(), 2);
  CHECK_EQ(b->rows(), 2);
  CHECK_EQ(EnvId(*b, 0), 3);
  CHECK_EQ(EnvId(*b, 1), 1);
  CHECK_EQ(Obs(*b, 0, 1), 2.0);
  const std::vector<std::int64_t> zeros = {0, 0, 0, 0};
  b = pool->Step(zeros.data(), all.data(), 4);
  CHECK_EQ(Obs(*b, 0, 0), 1.0);
  CHECK_EQ(Obs(*b, 1, 0), 2.0);
  CHECK_EQ(Obs(*b, 3, 0), 2.0);
}

TEST(BadRequestsAreRejectedBeforeAnyEnvIsTouched) {
  auto pool = MakeCountingPool(SyncOptions(2, AutoresetMode::kNextStep));
  const std::vector<int> ids = AllIds(2);
  const std::vector<std::int64_t> actions = {0, 0};
  CHECK_THROWS(std::logic_error, pool->Step(actions.data(), ids.data(), 2));  // not reset
  pool->Reset(ids.data(), 2, nullptr);
  const std::vector<int> out_of_range = {0, 2};
  const std::vector<int> repeated = {1, 1};
  const std::vector<std::int64_t> bad_action = {0, 4};
  CHECK_THROWS(std::out_of_range, pool->Step(actions.data(), out_of_range.data(), 2));
  CHECK_THROWS(std::invalid_argument, pool->Step(actions.data(), repeated.data(), 2));
  CHECK_THROWS(std::invalid_argument, pool->Step(bad_action.data(), ids.data(), 2));
  CHECK_THROWS(std::logic_error, pool->Recv());
  // None of them stepped an env.
  BatchHandle b = pool->Step(actions.data(), ids.data(), 2);
  CHECK_EQ(Obs(*b, 0, 0), 1.0);
  CHECK_EQ(Obs(*b, 1, 0), 1.0);
}

TEST(BadOptionsAreRejected) {
  PoolOptions options;
  options.num_envs = 0;
  CHECK_THROWS(std::invalid_argument, MakeCountingPool(options));
  options.num_envs = 2;
  options.batch_size = 3;
  CHECK_THROWS(std::invalid_argument, MakeCountingPool(options));
  options.batch_size = 0;
  CHECK_THROWS(std::invalid_argument, MakeCountingPool(options, {{"nope", true}}));
  CHECK_THROWS(std::invalid_argument, MakeCountingPool(options, {{"episode_length", 1.5}}));
}

TEST(SeedsGiveReproducibleAndDistinctStreams) {
  auto draws = [](std::uint64_t seed) {
    PoolOptions options = SyncOptions(3, AutoresetMode::kNextStep);
    options.stream_seeds = {StreamSeed(seed, 0), StreamSeed(seed, 1), StreamSeed(seed, 2)};
    auto pool = MakeCountingPool(options);
    const std::vector<int> ids = AllIds(3);
    BatchHandle b = pool->Reset(ids.data(), 3, nullptr);
    return std::vector<double>{Obs(*b, 0, 2), Obs(*b, 1, 2), Obs(*b, 2, 2)};
  };
  CHECK(draws(7) == draws(7));
  const std::vector<double> a = draws(7);
  const std::vector<double> b = draws(8);
  for (double x : a) {
    for (double y : b) CHECK(x != y);
  }
  CHECK(a[0] != a[1] && a[1] != a[2]);
}

TEST(ResetWithSeedRestartsTheStream) {
  auto pool = MakeCountingPool(SyncOptions(1, AutoresetMode::kNextStep));
  const int id = 0;
  const std::uint64_t seed = 123;
  const double first = Obs(*pool->Reset(&id, 1, &seed), 0, 2);
  const double second = Obs(*pool->Reset(&id, 1, nullptr), 0, 2);
  const double again = Obs(*pool->Reset(&id, 1, &seed), 0, 2);
  CHECK(first != second);
  CHECK_EQ(first, again);
}

TEST(BatchesAreRecycledOnlyAfterRelease) {
  auto pool = MakeCountingPool(SyncOptions(2, AutoresetMode::kNextStep));
  const std::vector<int> ids = AllIds(2);
  const std::vector<std::int64_t> actions = {0, 0};
  BatchHandle kept = pool->Reset(ids.data(), 2, nullptr);
  Batch* kept_address = kept.get();
  // While `kept` is held, every step gets another batch; released ones are reused.
  for (int i = 0; i < 10; ++i) {
    BatchHandle b = pool->Step(actions.data(), ids.data(), 2);
    CHECK(b.get() != kept_address);
  }
  CHECK_EQ(Obs(*kept, 0, 0), 0.0);
}

TEST(EnvExceptionsReachTheCallerAndThePoolStaysUsable) {
  auto pool = MakeCountingPool(SyncOptions(2, AutoresetMode::kNextStep),
                               {{"fail_at_step", std::int64_t{1}}});
  const std::vector<int> ids = AllIds(2);
  const std::vector<std::int64_t> actions = {0, 0};
  pool->Reset(ids.data(), 2, nullptr);
  pool->Step(actions.data(), ids.data(), 2);
  bool raised = false;
  try {
    pool->Step(actions.data(), ids.data(), 2);
  } catch (const std::runtime_error& e) {
    raised = std::string(e.what()).find("env 0 raised during step") != std::string::npos;
  }
  CHECK(raised);
  // The failed envs are reset on their next step.
  BatchHandle b = pool->Step(actions.data(), ids.data(), 2);
  CHECK_EQ(Obs(*b, 0, 0), 0.0);
  CHECK_EQ(Elapsed(*b, 1), 0);
}

TEST(CallsAfterCloseThrowAndCloseIsIdempotent) {
  auto pool = MakeCountingPool(SyncOptions(2, AutoresetMode::kNextStep));
  const std::vector<int> ids = AllIds(2);
  BatchHandle kept = pool->Reset(ids.data(), 2, nullptr);
  pool->Close();
  pool->Close();
  CHECK_THROWS(std::runtime_error, pool->Reset(ids.data(), 2, nullptr));
  CHECK_EQ(Obs(*kept, 1, 0), 0.0);  // a held batch outlives the pool's close
}

// Episode statistics: (return, length, mask) of row `row`.
struct Stats {
  double r;
  std::int64_t l;
  bool ended;
};
Stats StatsOf(Batch& b, int row) {
  const BatchLayout& layout = b.layout();
  return {*b.At<double>(layout.episode_return(), row),
          *b.At<std::int64_t>(layout.episode_length(), row),
          *b.At<bool>(layout.episode_mask(), row)};
}

TEST(EpisodeStatsCoverTheWholeGameWithUnclippedRewards) {
  // Two lives of 3 steps, rewards clipped to 1: the game returns 2 x (1 + 2 + 3) = 12 in 6 steps,
  // reported on the end of the second life; NEXT_STEP's reset steps count for nothing.
  PoolOptions options = SyncOptions(2, AutoresetMode::kNextStep);
  options.episode_stats = true;
  auto pool = MakeCountingPool(
      options,
      {{"episode_length", std::int64_t{3}}, {"lives", std::int64_t{2}}, {"reward_clip", true}});
  CHECK(pool->layout().with_stats());
  const std::vector<int> ids = AllIds(2);
  const std::vector<std::int64_t> actions = {1, 2};
  BatchHandle b = pool->Reset(ids.data(), 2, nullptr);
  CHECK(!StatsOf(*b, 0).ended);
  for (int step = 1; step <= 15; ++step) {
    b = pool->Step(actions.data(), ids.data(), 2);
    const Stats stats = StatsOf(*b, 1);
    CHECK_EQ(Reward(*b, 1), Elapsed(*b, 1) == 0 ? 0.0 : 1.0);
    CHECK_EQ(stats.ended, step == 7 || step == 15);
    CHECK_EQ(stats.r, stats.ended ? 12.0 : 0.0);
    CHECK_EQ(stats.l, stats.ended ? 6 : 0);
  }
}

TEST(EpisodeStatsWithManyThreadsMatchOneThread) {
  // The statistics are per-env state: the same under any sharding (and race-free under TSan).
  std::vector<double> returns[2];
  for (int threads : {1, 4}) {
    PoolOptions options = SyncOptions(16, AutoresetMode::kSameStep);
    options.num_threads = threads;
    options.episode_stats = true;
    auto pool = MakeCountingPool(options,
                                 {{"episode_length", std::int64_t{4}}, {"lives", std::int64_t{3}}});
    const std::vector<int> ids = AllIds(16);
    const std::vector<std::int64_t> actions(16, 1);
    pool->Reset(ids.data(), 16, nullptr);
    for (int step = 1; step <= 30; ++step) {
      BatchHandle b = pool->Step(actions.data(), ids.data(), 16);
      for (int row = 0; row < 16; ++row) {
        const Stats stats = StatsOf(*b, row);
        CHECK_EQ(stats.ended, step % 12 == 0);
        returns[threads == 4].push_back(stats.r);
        if (stats.ended) CHECK_EQ(stats.l, 12);
      }
    }
  }
  CHECK(returns[0] == returns[1]);
}

TEST(SnapshotsRestoreForkAcrossPoolsAndThreads) {
  // A pool of 8 envs on 4 threads steps, snapshots, steps on; a pool of another seed restores the
  // snapshots in reverse order (env i gets a's env 7 - i) and must give the same rows for 40
  // steps.
  PoolOptions options = SyncOptions(8, AutoresetMode::kNextStep);
  options.num_threads = 4;
  options.episode_stats = true;
  const std::map<std::string, OptionValue> env_options = {{"episode_length", std::int64_t{7}},
                                                          {"lives", std::int64_t{2}}};
  auto a = MakeCountingPool(options, env_options);
  options.stream_seeds.assign(8, 12345);
  auto b = MakeCountingPool(options, env_options);
  const std::vector<int> ids = AllIds(8);
  const std::vector<int> reversed(ids.rbegin(), ids.rend());
  std::vector<std::int64_t> actions(8);
  a->Reset(ids.data(), 8, nullptr);
  for (int step = 0; step < 5; ++step) {
    for (int i = 0; i < 8; ++i) actions[i] = (step + i) % 4;
    a->Step(actions.data(), ids.data(), 8);
  }
  const std::vector<std::string> snapshots = a->Snapshot(ids.data(), 8);
  const std::vector<std::string> backwards(snapshots.rbegin(), snapshots.rend());
  b->Restore(backwards.data(), ids.data(), 8);
  for (int step = 0; step < 40; ++step) {
    for (int i = 0; i < 8; ++i) actions[i] = (3 * step + i) % 4;
    BatchHandle x = a->Step(actions.data(), ids.data(), 8);
    // Row r of b's request is env 7 - r, the copy of a's env r: it gets a's row r action.
    BatchHandle y = b->Step(actions.data(), reversed.data(), 8);
    for (int row = 0; row < 8; ++row) {
      for (int k = 0; k < 3; ++k) CHECK_EQ(Obs(*x, row, k), Obs(*y, row, k));
      CHECK_EQ(Reward(*x, row), Reward(*y, row));
      CHECK_EQ(Elapsed(*x, row), Elapsed(*y, row));
      CHECK_EQ(StatsOf(*x, row).l, StatsOf(*y, row).l);
    }
  }

  // Fork: env 3 into all others; then every row equals env 3's.
  a->Fork(3, ids.data(), 8);
  const std::vector<std::int64_t> same(8, 2);
  for (int step = 0; step < 10; ++step) {
    BatchHandle x = a->Step(same.data(), ids.data(), 8);
    for (int row = 0; row < 8; ++row) CHECK_EQ(Obs(*x, row, 2), Obs(*x, 3, 2));
  }

  // Another task's options are refused before any env changes.
  auto other = MakeCountingPool(SyncOptions(8, AutoresetMode::kNextStep));
  CHECK_THROWS(std::invalid_argument, other->Restore(snapshots.data(), ids.data(), 8));
}

}  // namespace
}  // namespace envfleet::test
