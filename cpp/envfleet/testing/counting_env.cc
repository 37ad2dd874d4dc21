#include "envfleet/testing/counting_env.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

namespace envfleet::testing {
namespace {

class CountingEnv : public Env {
 public:
  explicit CountingEnv(const Config& config)
      : episode_length_(config.Get<std::int64_t>("episode_length")),
        fail_at_step_(config.Get<std::int64_t>("fail_at_step")),
        fail_on_reset_(config.Get<bool>("fail_on_reset")),
        step_sleep_us_(config.Get<std::int64_t>("step_sleep_us")),
        step_parts_(static_cast<int>(config.Get<std::int64_t>("step_parts"))),
        lives_(config.Get<std::int64_t>("lives")),
        reward_clip_(config.Get<bool>("reward_clip")),
        snapshots_(config.Get<bool>("snapshots")) {}

  void Reset(const EnvOutput& out) override {
    if (fail_on_reset_) throw std::runtime_error("CountingEnv was told to fail on reset");
    count_ = 0;
    next_part_ = 0;
    // A new game after the last life (or a reset the caller asked for), else the next life.
    lives_left_ = lives_left_ <= 1 ? lives_ : lives_left_ - 1;
    reset_draw_ = rng().Uniform01();
    ++reset_count_;
    Write(out, 0);
  }

  void Step(const void* action, const EnvOutput& out) override {
    for (int part = 0; part < step_parts_; ++part) StepPart(part, action, out);
  }

  int StepParts() const override { return step_parts_; }

  void StepPart(int part, const void* action, const EnvOutput& out) override {
    // The engine must run each part once, in order.
    if (part != next_part_) {
      throw std::logic_error("CountingEnv got step part " + std::to_string(part) + ", expected " +
                             std::to_string(next_part_));
    }

    // Optional misbehaviour first (a step that throws ends before its other parts).
    if (part == 0 && fail_at_step_ >= 0 && count_ == fail_at_step_) {
      throw std::runtime_error("CountingEnv was told to fail at step " +
                               std::to_string(fail_at_step_));
    }
    next_part_ = part + 1 == step_parts_ ? 0 : part + 1;
    if (step_sleep_us_ > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(step_sleep_us_ * (1 + count_ % 2)));
    }
    if (part + 1 < step_parts_) return;

    // Count, and end the episode at episode_length.
    ++count_;
    Write(out, *static_cast<const std::int64_t*>(action));
    *out.reward = reward_clip_ ? 1.0 : static_cast<double>(count_);
    *out.terminated = count_ >= episode_length_;
  }

  void OnResetRequested() override { lives_left_ = 0; }

  void SaveState(StateWriter& out) const override {
    if (!snapshots_) Env::SaveState(out);  // throws: "does not support snapshots"
    out.Put(count_);
    out.Put(next_part_);
    out.Put(reset_draw_);
    out.Put(reset_count_);
    out.Put(lives_left_);
  }
  void LoadState(StateReader& in) override {
    if (!snapshots_) Env::LoadState(in);
    count_ = in.Get<std::int64_t>();
    next_part_ = in.Get<int>();
    reset_draw_ = in.Get<double>();
    reset_count_ = in.Get<std::int32_t>();
    lives_left_ = in.Get<std::int64_t>();
  }
  double UnclippedReward(double /*reward*/) const override { return static_cast<double>(count_); }
  bool EpisodeEndsGame() const override { return lives_left_ <= 1; }

  std::vector<double> GetState() const override { return {static_cast<double>(count_)}; }
  void SetState(const std::vector<double>& state) override {
    count_ = static_cast<std::int64_t>(state.at(0));
  }

 private:
  void Write(const EnvOutput& out, std::int64_t action) const {
    double* obs = out.Observation<double>();
    obs[0] = static_cast<double>(count_);
    obs[1] = static_cast<double>(action);
    obs[2] = reset_draw_;
    *out.Info<std::int32_t>(0) = reset_count_;
  }

  const std::int64_t episode_length_;
  const std::int64_t fail_at_step_;
  const bool fail_on_reset_;
  const std::int64_t step_sleep_us_;
  const int step_parts_;
  std::int64_t count_ = 0;
  int next_part_ = 0;
  double reset_draw_ = 0.0;
  std::int32_t reset_count_ = 0;
  const std::int64_t lives_;
  const bool reward_clip_;
  const bool snapshots_;
  std::int64_t lives_left_ = 0;  // episodes left in this game, this one included
};

}  // namespace

EnvType CountingEnvType() {
  EnvType type;
  type.id = "Counting-v0";
  type.options = {
      {"episode_length", std::int64_t{5}, "steps until the episode terminates"},
      {"fail_at_step", std::int64_t{-1}, "Step() throws when the count equals this (-1: never)"},
      {"fail_on_reset", false, "Reset() throws"},
      {"step_sleep_us", std::int64_t{0}, "Step() sleeps this long, or twice it on odd counts"},
      {"step_parts", std::int64_t{1}, "parts of a step (Env::StepParts); each part sleeps"},
      {"lives", std::int64_t{1}, "episodes per game (as Atari's episodic_life), for statistics"},
      {"reward_clip", false, "the reward is 1 (Env::UnclippedReward: the step count)"},
      {"snapshots", true, "false: SaveState() and LoadState() throw, as an env without them"},
  };
  type.make_spec = [](const Config& config) {
    if (config.Get<std::int64_t>("episode_length") < 1) {
      throw std::invalid_argument("episode_length must be >= 1");
    }
    if (config.Get<std::int64_t>("lives") < 1) throw std::invalid_argument("lives must be >= 1");
    if (config.Get<std::int64_t>("step_parts") < 1) {
      throw std::invalid_argument("step_parts must be >= 1");
    }
    EnvSpec spec;
    spec.observation = ArraySpec::Unbounded(DType::kFloat64, {3});
    spec.action = ArraySpec::Discrete(4);
    spec.state_layout = {{"count", 1}};
    spec.info = {{"reset_count", ArraySpec::Unbounded(DType::kInt32, {})}};
    spec.max_episode_steps = 100;
    return spec;
  };
  type.make_env = [](const Config& config) { return std::make_unique<CountingEnv>(config); };
  return type;
}

}  // namespace envfleet::testing
