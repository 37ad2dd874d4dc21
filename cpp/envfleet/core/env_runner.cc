#include "envfleet/core/env_runner.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <system_error>
#include <thread>
#include <utility>

#include "envfleet/core/rng.h"

namespace envfleet {
namespace {

std::string EnvError(int env_id, const char* what, const char* during) {
  return "env " + std::to_string(env_id) + " raised during " + during + ": " + what;
}

// Writes a faulted row: zero observation and reward, a truncated episode, no final data.
void WriteFaultedRow(Batch* batch, int row) {
  const BatchLayout& layout = batch->layout();
  std::memset(batch->At<void>(BatchLayout::kObs, row), 0,
              layout.fields()[BatchLayout::kObs].row_bytes);
  *batch->At<double>(BatchLayout::kReward, row) = 0.0;
  *batch->At<bool>(BatchLayout::kTerminated, row) = false;
  *batch->At<bool>(BatchLayout::kTruncated, row) = true;
}

// Starts the episode statistics of a new game (PoolOptions::episode_stats).
void StartGame(EnvRunner::Slot& slot) {
  slot.game_return = 0.0;
  slot.game_length = 0;
  slot.game_start = std::chrono::steady_clock::now();
}

// A row with no finished game.
void ClearStats(Batch* batch, int row) {
  const BatchLayout& layout = batch->layout();
  *batch->At<double>(layout.episode_return(), row) = 0.0;
  *batch->At<std::int64_t>(layout.episode_length(), row) = 0;
  *batch->At<double>(layout.episode_time(), row) = 0.0;
  *batch->At<bool>(layout.episode_mask(), row) = false;
}

// Clears the SAME_STEP final fields of a row whose episode did not end.
void ClearFinal(Batch* batch, int row) {
  const BatchLayout& layout = batch->layout();
  for (int f = layout.final_obs(); f < static_cast<int>(layout.fields().size()); ++f) {
    std::memset(batch->At<void>(f, row), 0, layout.fields()[f].row_bytes);
  }
}

}  // namespace

EnvRunner::EnvRunner(const EnvType& type, const Config& config, Settings settings)
    : settings_(std::move(settings)), type_options_(type.options), config_values_(config.values()) {
  MakeEnvs(type, config, settings_.num_threads, settings_.stream_seeds);
  step_parts_ = std::max(1, slots_[0].env->StepParts());
  pending_actions_.resize(settings_.action_bytes * slots_.size());
}

void EnvRunner::MakeEnvs(const EnvType& type, const Config& config, int num_threads,
                         const std::vector<std::uint64_t>& stream_seeds) {
  // Envs are claimed one at a time by the calling thread and up to num_threads - 1 helpers: an
  // Atari env loads and starts its ROM in tens of milliseconds.
  const int n = settings_.num_envs;
  slots_.resize(static_cast<std::size_t>(n));
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  auto make = [&] {
    for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      try {
        slots_[i].env = type.make_env(config);
        slots_[i].env->Seed(stream_seeds.empty() ? StreamSeed(42, i) : stream_seeds[i]);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < num_threads; ++t) {
    try {
      helpers.emplace_back(make);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones started and the caller make the rest
    }
  }
  make();
  for (std::thread& helper : helpers) helper.join();

  // The failure of the lowest env index, as if the envs had been made in order.
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

void EnvRunner::WriteCommon(const Slot& slot, int env_id, Batch* batch, int row) const {
  *batch->At<std::int32_t>(BatchLayout::kEnvId, row) = env_id;
  *batch->At<std::int32_t>(BatchLayout::kElapsedStep, row) = slot.elapsed_step;
}

void EnvRunner::RecordStats(Slot& slot, double reward, bool done, Batch* batch, int row) const {
  slot.game_return += slot.env->UnclippedReward(reward);
  ++slot.game_length;
  if (!done || !slot.env->EpisodeEndsGame()) {
    ClearStats(batch, row);
    return;
  }
  // The game is over: report it; the next reset starts a new one.
  const BatchLayout& layout = batch->layout();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - slot.game_start).count();
  *batch->At<double>(layout.episode_return(), row) = slot.game_return;
  *batch->At<std::int64_t>(layout.episode_length(), row) = slot.game_length;
  *batch->At<double>(layout.episode_time(), row) = std::round(seconds * 1e6) / 1e6;
  *batch->At<bool>(layout.episode_mask(), row) = true;
  slot.game_over = true;
}

void EnvRunner::RunReset(int env_id, Batch* batch, int row, EnvErrors* errors, bool requested) {
  Slot& slot = slots_[env_id];
  void* info[kMaxInfo];
  const EnvOutput out = batch->Output(row, info);
  try {
    // Reseed if the request carried a seed, then start the episode.
    if (slot.reseed) {
      slot.env->Seed(slot.stream_seed);
      slot.reseed = false;
    }
    if (requested) slot.env->OnResetRequested();
    if (slot.reconfigure) {
      std::map<std::string, OptionValue> values = config_values_;
      for (const auto& [name, value] : slot.own_options) values[name] = value;
      slot.env->Reconfigure(Config::Make(type_options_, values));
      slot.reconfigure = false;
    }
    slot.env->Reset(out);
    slot.episode_over = false;
    // A reset the caller asks for, or one after a game ended, starts a new game.
    if (requested || slot.game_over) {
      StartGame(slot);
      slot.game_over = false;
    }
  } catch (const std::exception& e) {
    errors->Record(row, env_id, EnvError(env_id, e.what(), "reset"));
    slot.episode_over = true;
    slot.game_over = true;
  }
  if (settings_.episode_stats) ClearStats(batch, row);
  // A reset row: reward 0, both flags false, step count 0.
  slot.elapsed_step = 0;
  *out.reward = 0.0;
  *out.terminated = false;
  *batch->At<bool>(BatchLayout::kTruncated, row) = false;
  if (batch->layout().with_final()) ClearFinal(batch, row);
  if (slot.episode_over) WriteFaultedRow(batch, row);
  WriteCommon(slot, env_id, batch, row);
}

void EnvRunner::RunStep(int env_id, const void* action, Batch* batch, int row, EnvErrors* errors) {
  for (int part = 0; !RunStepPart(env_id, action, batch, row, errors, part); ++part) {
  }
}

bool EnvRunner::RunStepPart(int env_id, const void* action, Batch* batch, int row,
                            EnvErrors* errors, int part) {
  Slot& slot = slots_[env_id];

  // NEXT_STEP (and any env that threw): a finished episode is reset in place of the step.
  if (slot.episode_over) {
    RunReset(env_id, batch, row, errors, /*requested=*/false);
    return true;
  }

  void* info[kMaxInfo];
  const EnvOutput out = batch->Output(row, info);
  bool* truncated = batch->At<bool>(BatchLayout::kTruncated, row);
  try {
    // The env's own step, or this part of it; after the last, the engine adds the time limit.
    if (step_parts_ == 1) {
      slot.env->Step(action, out);
    } else {
      slot.env->StepPart(part, action, out);
      if (part + 1 < step_parts_) return false;
    }
    ++slot.elapsed_step;
    *truncated =
        settings_.max_episode_steps > 0 && slot.elapsed_step >= settings_.max_episode_steps;
    const bool done = *out.terminated || *truncated;
    if (settings_.episode_stats) RecordStats(slot, *out.reward, done, batch, row);

    if (!batch->layout().with_final()) {
      slot.episode_over = done;
    } else if (!done) {
      ClearFinal(batch, row);
    } else {
      // SAME_STEP: keep the last observation and info, then reset into the row.
      const BatchLayout& layout = batch->layout();
      std::memcpy(batch->At<void>(layout.final_obs(), row), out.observation,
                  layout.fields()[BatchLayout::kObs].row_bytes);
      for (int i = 0; i < layout.num_info(); ++i) {
        std::memcpy(batch->At<void>(layout.first_final_info() + i, row), info[i],
                    layout.fields()[BatchLayout::kFirstInfo + i].row_bytes);
      }
      *batch->At<bool>(layout.final_mask(), row) = true;
      *batch->At<std::int32_t>(layout.final_elapsed_step(), row) = slot.elapsed_step;
      slot.env->Reset(out);
      slot.elapsed_step = 0;
      if (slot.game_over) {
        StartGame(slot);
        slot.game_over = false;
      }
    }
  } catch (const std::exception& e) {
    errors->Record(row, env_id, EnvError(env_id, e.what(), "step"));
    slot.episode_over = true;
    slot.game_over = true;
    if (batch->layout().with_final()) ClearFinal(batch, row);
    if (settings_.episode_stats) ClearStats(batch, row);
    WriteFaultedRow(batch, row);
  }
  WriteCommon(slot, env_id, batch, row);
  return true;
}

void EnvRunner::SetPending(int env_id, Request request, const void* action,
                           const std::uint64_t* stream_seed) {
  Slot& slot = slots_[env_id];
  slot.request = request;
  if (action != nullptr) {
    std::memcpy(&pending_actions_[settings_.action_bytes * static_cast<std::size_t>(env_id)],
                action, settings_.action_bytes);
  }
  if (stream_seed != nullptr) {
    slot.reseed = true;
    slot.stream_seed = *stream_seed;
  }
}

void EnvRunner::RunPending(int env_id, Batch* batch, int row, EnvErrors* errors) {
  if (slots_[env_id].request == Request::kReset) {
    RunReset(env_id, batch, row, errors, /*requested=*/true);
  } else {
    RunStep(env_id, &pending_actions_[settings_.action_bytes * static_cast<std::size_t>(env_id)],
            batch, row, errors);
  }
}

void EnvRunner::AbandonEnvs() {
  for (Slot& slot : slots_) slot.env.release();
}

}  // namespace envfleet
