// EnvRunner on its own, without a pool: one env's request into one row. NEXT_STEP's reset in
// place of a step, SAME_STEP's final fields (the last observation and elapsed_step, the reset
// observation in the row), the time limit, a faulted row with the failure recorded, and a pending
// request (its action copied when set) run later.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "check.h"
#include "envfleet/core/batch.h"
#include "envfleet/core/env_runner.h"
#include "envfleet/testing/counting_env.h"
#include "pool_fixture.h"

namespace envfleet::test {
namespace {

struct Runner {
  EnvType type = testing::CountingEnvType();
  EnvSpec spec;
  std::shared_ptr<const BatchLayout> layout;
  std::shared_ptr<BatchRecycler> recycler;
  std::unique_ptr<EnvRunner> envs;

  Runner(int num_envs, bool same_step, int max_episode_steps,
         std::map<std::string, OptionValue> options = {}) {
    const Config config = Config::Make(type.options, options);
    spec = type.make_spec(config);
    layout = std::make_shared<BatchLayout>(spec, same_step, num_envs, /*episode_stats=*/false);
    recycler = std::make_shared<BatchRecycler>(layout);
    EnvRunner::Settings settings;
    settings.num_envs = num_envs;
    settings.num_threads = 2;
    settings.max_episode_steps = max_episode_steps;
    settings.action_bytes = spec.action.NumBytes();
    envs = std::make_unique<EnvRunner>(type, config, std::move(settings));
  }
  // A recycler and its free batches hold each other until Close() (as Pool does at the end).
  ~Runner() { recycler->Close(); }
};

TEST(EnvRunnerStepsAResetEnvAndResetsItInPlaceOfTheStepAfterTheEnd) {
  Runner r(2, /*same_step=*/false, /*max_episode_steps=*/0, {{"episode_length", std::int64_t{2}}});
  BatchHandle batch = r.recycler->Acquire();
  EnvErrors errors;
  r.envs->RunReset(1, batch.get(), 0, &errors, /*requested=*/true);
  CHECK_EQ(Obs(*batch, 0, 0), 0.0);
  CHECK_EQ(EnvId(*batch, 0), 1);
  const std::int64_t action = 3;
  for (int step = 1; step <= 2; ++step) {
    r.envs->RunStep(1, &action, batch.get(), 1, &errors);
    CHECK_EQ(Obs(*batch, 1, 0), static_cast<double>(step));
    CHECK_EQ(Obs(*batch, 1, 1), 3.0);
    CHECK_EQ(Elapsed(*batch, 1), step);
  }
  CHECK(Terminated(*batch, 1));
  CHECK(r.envs->slot(1).episode_over);
  // The next step is a reset: count 0, reward 0, both flags false.
  r.envs->RunStep(1, &action, batch.get(), 1, &errors);
  CHECK_EQ(Obs(*batch, 1, 0), 0.0);
  CHECK_EQ(Reward(*batch, 1), 0.0);
  CHECK(!Terminated(*batch, 1) && !Truncated(*batch, 1));
  CHECK_EQ(Elapsed(*batch, 1), 0);
  CHECK(errors.empty());
}

TEST(EnvRunnerSameStepKeepsTheFinalObservationAndResetsIntoTheRow) {
  Runner r(1, /*same_step=*/true, /*max_episode_steps=*/0, {{"episode_length", std::int64_t{2}}});
  BatchHandle batch = r.recycler->Acquire();
  const BatchLayout& layout = *r.layout;
  EnvErrors errors;
  r.envs->RunReset(0, batch.get(), 0, &errors, true);
  const std::int64_t action = 2;
  r.envs->RunStep(0, &action, batch.get(), 0, &errors);
  CHECK(!*batch->At<bool>(layout.final_mask(), 0));
  r.envs->RunStep(0, &action, batch.get(), 0, &errors);
  // The ending step: the row holds the reset observation, the final fields the last one.
  CHECK(*batch->At<bool>(layout.final_mask(), 0));
  CHECK(Terminated(*batch, 0));
  CHECK_EQ(batch->At<double>(layout.final_obs(), 0)[0], 2.0);
  CHECK_EQ(*batch->At<std::int32_t>(layout.final_elapsed_step(), 0), 2);
  CHECK_EQ(Obs(*batch, 0, 0), 0.0);
  CHECK_EQ(Elapsed(*batch, 0), 0);
  CHECK(!r.envs->slot(0).episode_over);
  // The step after continues the new episode; the final fields are cleared.
  r.envs->RunStep(0, &action, batch.get(), 0, &errors);
  CHECK_EQ(Obs(*batch, 0, 0), 1.0);
  CHECK(!*batch->At<bool>(layout.final_mask(), 0));
  CHECK(errors.empty());
}

TEST(EnvRunnerAddsTheTimeLimit) {
  Runner r(1, false, /*max_episode_steps=*/3);
  BatchHandle batch = r.recycler->Acquire();
  EnvErrors errors;
  r.envs->RunReset(0, batch.get(), 0, &errors, true);
  const std::int64_t action = 0;
  for (int step = 1; step <= 3; ++step) {
    r.envs->RunStep(0, &action, batch.get(), 0, &errors);
    CHECK_EQ(Truncated(*batch, 0), step == 3);
  }
  CHECK(r.envs->slot(0).episode_over);
}

TEST(EnvRunnerRecordsAFailureAndWritesAFaultedRow) {
  Runner r(2, false, 0, {{"fail_at_step", std::int64_t{0}}});
  BatchHandle batch = r.recycler->Acquire();
  EnvErrors errors;
  r.envs->RunReset(0, batch.get(), 0, &errors, true);
  const std::int64_t action = 1;
  r.envs->RunStep(0, &action, batch.get(), 1, &errors);
  CHECK_EQ(errors.failures.size(), std::size_t{1});
  CHECK_EQ(errors.failures[0].row, 1);
  CHECK_EQ(errors.failures[0].env_id, 0);
  CHECK(errors.failures[0].message.rfind("env 0 raised during step: ", 0) == 0);
  CHECK_EQ(Obs(*batch, 1, 0), 0.0);
  CHECK_EQ(Reward(*batch, 1), 0.0);
  CHECK(!Terminated(*batch, 1) && Truncated(*batch, 1));
  CHECK(r.envs->slot(0).episode_over);
  // ThrowIfAny hands the batch over inside the fault.
  bool thrown = false;
  try {
    errors.ThrowIfAny(batch);
  } catch (const EnvFault& fault) {
    thrown = true;
    CHECK(fault.env_ids() == std::vector<int>{0});
    CHECK(static_cast<bool>(fault.batch()));
  }
  CHECK(thrown && errors.empty());
}

TEST(EnvRunnerRunsThePendingRequestWithTheActionCopiedWhenSet) {
  Runner r(2, false, 0);
  BatchHandle batch = r.recycler->Acquire();
  EnvErrors errors;
  r.envs->SetPending(0, EnvRunner::Request::kReset, nullptr, nullptr);
  r.envs->RunPending(0, batch.get(), 0, &errors);
  std::int64_t action = 2;
  r.envs->SetPending(0, EnvRunner::Request::kStep, &action, nullptr);
  action = 1;  // the pending copy is what runs
  r.envs->RunPending(0, batch.get(), 1, &errors);
  CHECK_EQ(Obs(*batch, 1, 0), 1.0);
  CHECK_EQ(Obs(*batch, 1, 1), 2.0);
  // A reset with a stream seed draws the same number as another env seeded the same.
  const std::uint64_t seed = 77;
  r.envs->SetPending(0, EnvRunner::Request::kReset, nullptr, &seed);
  r.envs->SetPending(1, EnvRunner::Request::kReset, nullptr, &seed);
  r.envs->RunPending(0, batch.get(), 0, &errors);
  r.envs->RunPending(1, batch.get(), 1, &errors);
  CHECK_EQ(Obs(*batch, 0, 2), Obs(*batch, 1, 2));
  CHECK(errors.empty());
}

}  // namespace
}  // namespace envfleet::test
