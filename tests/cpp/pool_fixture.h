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

}  // namespace envfleet::test

#endif  // ENVFLEET_TESTS_CPP_POOL_FIXTURE_H_
