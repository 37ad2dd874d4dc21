// Helpers shared by the Pool tests: a CountingEnv pool and readers for result rows.
#ifndef ENVFLEET_TESTS_CPP_POOL_FIXTURE_H_
#define ENVFLEET_TESTS_CPP_POOL_FIXTURE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "envfleet/core/pool.h"
#include "envfleet/testing/counting_env.h"

namespace envfleet::test {

inline std::unique_ptr<Pool> MakeCountingPool(PoolOptions options,
                                              std::map<std::string, OptionValue> env_options = {}) {
  const EnvType type = testing::CountingEnvType();
  return std::make_unique<Pool>(type, Config::Make(type.options, env_options), std::move(options));
}

// Options of a pool of `num_envs` envs on `num_threads` workers; `batch_size` > 0 makes it async.
inline PoolOptions PoolSize(int num_envs, int batch_size, int num_threads) {
  PoolOptions options;
  options.num_envs = num_envs;
  options.batch_size = batch_size;
  options.num_threads = num_threads;
  return options;
}

inline std::vector<int> AllIds(int n) {
  std::vector<int> ids(n);
  std::iota(ids.begin(), ids.end(), 0);
  return ids;
}

// Observation element `k` (0: count, 1: last action, 2: reset draw) of row `row`.
inline double Obs(Batch& batch, int row, int k) {
  return batch.At<double>(BatchLayout::kObs, row)[k];
}
inline double Reward(Batch& batch, int row) { return *batch.At<double>(BatchLayout::kReward, row); }
inline bool Terminated(Batch& batch, int row) {
  return *batch.At<bool>(BatchLayout::kTerminated, row);
}
inline bool Truncated(Batch& batch, int row) {
  return *batch.At<bool>(BatchLayout::kTruncated, row);
}
inline int EnvId(Batch& batch, int row) {
  return *batch.At<std::int32_t>(BatchLayout::kEnvId, row);
}
inline int Elapsed(Batch& batch, int row) {
  return *batch.At<std::int32_t>(BatchLayout::kElapsedStep, row);
}

// An async pool of two Counting envs (batch 1, one worker) whose steps sleep `step_sleep_us`,
// with both resets received and one env's step (of `action`) sent: that step is in flight when
// this returns. `*env_id` is the env it was sent to.
inline std::unique_ptr<Pool> PoolWithOneSlowStepInFlight(std::int64_t step_sleep_us,
                                                         std::int64_t action, int* env_id) {
  auto pool = MakeCountingPool(PoolSize(2, 1, 1), {{"step_sleep_us", step_sleep_us}});
  const std::vector<int> all = AllIds(2);
  pool->SendReset(all.data(), 2, nullptr);
  pool->Recv();
  BatchHandle b = pool->Recv();
  *env_id = EnvId(*b, 0);
  pool->SendStep(&action, env_id, 1);
  return pool;
}

}  // namespace envfleet::test

#endif  // ENVFLEET_TESTS_CPP_POOL_FIXTURE_H_
