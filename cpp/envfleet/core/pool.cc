#include "envfleet/core/pool.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

#include "envfleet/core/affinity.h"
#include "envfleet/core/futex.h"
#include "envfleet/core/rng.h"
#include "envfleet/core/spin.h"

namespace envfleet {
namespace {

// Requests cheaper than this run inline on the caller. About the cost of a hand-off to a spinning
// worker; at 10 us, CartPole x1024 sat on the boundary and flipped between inline and sharded.
constexpr double kInlineBudgetNs = 4000.0;

// Upper bound on an env's info arrays (sizes a stack array of row pointers).
constexpr std::size_t kMaxInfo = 64;

std::string EnvError(int env_id, const char* what, const char* during) {
  return "env " + std::to_string(env_id) + " raised during " + during + ": " + what;
}

// Counts the fork()s this process has gone through (in the child); a pool made before a fork sees
// a different count in the child.
std::atomic<std::uint64_t> fork_generation{0};

std::uint64_t CurrentForkGeneration() {
  static std::once_flag registered;
  std::call_once(registered,
                 [] { pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); }); });
  return fork_generation.load(std::memory_order_relaxed);
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

// Snapshot header: the format and the byte order of the values that follow.
constexpr char kSnapshotMagic[8] = {'E', 'F', 'S', 'N', 'A', 'P', '0', '1'};
constexpr std::uint32_t kByteOrderMark = 0x01020304;

// An option's value as text, exact (reals with 17 significant digits).
std::string OptionText(const OptionValue& value) {
  auto real = [](double x) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.17g", x);
    return std::string(text);
  };
  return std::visit(
      [&](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          return v ? "True" : "False";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return real(v);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return "'" + v + "'";
        } else {
          std::string text = "[";
          for (std::size_t i = 0; i < v.size(); ++i) text += (i ? ", " : "") + real(v[i]);
          return text + "]";
        }
      },
      value);
}

}  // namespace

// Rejects a second thread entering the pool while a call runs.
class Pool::CallGuard {
 public:
  explicit CallGuard(std::atomic<bool>& busy) : busy_(busy) {
    if (busy_.exchange(true, std::memory_order_acquire)) {
      throw std::logic_error("this pool is being used from two threads at once");
    }
  }
  ~CallGuard() { busy_.store(false, std::memory_order_release); }
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;

 private:
  std::atomic<bool>& busy_;
};

void Pool::EnvErrors::Record(int row, int env_id, std::string message) {
  failures.push_back({row, env_id, std::move(message)});
}

void Pool::EnvErrors::Merge(EnvErrors&& other) {
  for (Failure& failure : other.failures) failures.push_back(std::move(failure));
  other = EnvErrors();
}

void Pool::EnvErrors::ThrowIfAny(BatchHandle& batch) {
  if (empty()) return;
  // Threads record in any order; the message names the first row's env, then lists them all.
  std::sort(failures.begin(), failures.end(),
            [](const Failure& a, const Failure& b) { return a.row < b.row; });
  std::string message = std::move(failures.front().message);
  std::vector<int> ids;
  for (const Failure& failure : failures) ids.push_back(failure.env_id);
  if (ids.size() > 1) {
    message += " (envs that raised:";
    for (int id : ids) {
      message += ' ';
      message += std::to_string(id);
    }
    message += ")";
  }
  *this = EnvErrors();
  throw EnvFault(message, std::move(ids), std::move(batch));
}

Pool::Pool(const EnvType& type, const Config& config, PoolOptions options)
    : options_(std::move(options)),
      fork_generation_(CurrentForkGeneration()),
      recv_spin_(options_.wait_policy) {
  // Pool options, each checked with a message naming it.
  PoolOptions& o = options_;
  if (o.num_envs < 1) {
    throw std::invalid_argument("num_envs must be >= 1, got " + std::to_string(o.num_envs));
  }
  if (o.batch_size == 0) o.batch_size = o.num_envs;
  if (o.batch_size < 1 || o.batch_size > o.num_envs) {
    throw std::invalid_argument("batch_size must be in [1, num_envs=" + std::to_string(o.num_envs) +
                                "], got " + std::to_string(o.batch_size));
  }
  if (o.num_threads < 0) {
    throw std::invalid_argument("num_threads must be >= 0, got " + std::to_string(o.num_threads));
  }
  if (o.max_episode_steps < 0) {
    throw std::invalid_argument("max_episode_steps must be >= 0, got " +
                                std::to_string(o.max_episode_steps));
  }
  if (!o.stream_seeds.empty() && static_cast<int>(o.stream_seeds.size()) != o.num_envs) {
    throw std::invalid_argument("expected one seed per env (" + std::to_string(o.num_envs) +
                                "), got " + std::to_string(o.stream_seeds.size()));
  }

  // The spec, and the pool-level defaults it supplies.
  spec_ = type.make_spec(config);
  type_id_ = type.id;
  type_options_ = type.options;
  config_values_ = config.values();
  reset_options_ = type.reset_options;
  for (const auto& [name, value] : config.values()) {
    option_texts_.emplace_back(name, OptionText(value));
  }
  {
    StateWriter header;
    for (char c : kSnapshotMagic) header.Put(c);
    header.Put(kByteOrderMark);
    header.PutString(type_id_);
    header.Put<std::uint64_t>(option_texts_.size());
    for (const auto& [name, text] : option_texts_) {
      header.PutString(name);
      header.PutString(text);
    }
    snapshot_header_ = std::move(header.bytes());
  }
  if (spec_.info.size() > kMaxInfo) throw std::invalid_argument("too many info arrays");
  if (o.max_episode_steps == 0) o.max_episode_steps = spec_.max_episode_steps;
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  num_threads_ =
      o.num_threads == 0 ? std::min(o.num_envs, hardware) : std::min(o.num_threads, o.num_envs);
  action_bytes_ = spec_.action.NumBytes();

  // The envs, each on its own stream.
  MakeEnvs(type, config);
  step_parts_ = std::max(1, slots_[0].env->StepParts());
  id_stamps_.assign(o.num_envs, 0);
  all_env_ids_.resize(o.num_envs);
  for (int i = 0; i < o.num_envs; ++i) all_env_ids_[i] = i;
  never_reset_ = o.num_envs;

  // Output batches: a whole request in sync mode, batch_size rows in async mode.
  const bool same_step = o.autoreset_mode == AutoresetMode::kSameStep;
  layout_ = std::make_shared<BatchLayout>(spec_, same_step, o.batch_size, o.episode_stats);
  recycler_ = std::make_shared<BatchRecycler>(layout_);

  if (!is_async()) {
    runner_ =
        std::make_unique<ShardedRunner>(num_threads_, o.thread_affinity_offset, o.wait_policy);
    return;
  }

  // Async mode: per-env action slots, the output ring, the queue and its workers. The ring holds
  // one batch more than can be in flight at once (see Recv()).
  action_slots_.resize(action_bytes_ * static_cast<std::size_t>(o.num_envs));
  const int ring_size = (o.num_envs + o.batch_size - 1) / o.batch_size + 1;
  for (int i = 0; i < ring_size; ++i) ring_.push_back(recycler_->Acquire());
  ring_errors_.resize(ring_size);
  queue_ = std::make_unique<WorkQueue>(static_cast<std::size_t>(o.num_envs));
  for (int t = 0; t < num_threads_; ++t) {
    async_workers_.emplace_back([this] { AsyncWorkerLoop(); });
    if (o.thread_affinity_offset >= 0) {
      PinThread(async_workers_.back(), o.thread_affinity_offset + t);
    }
  }
}

void Pool::MakeEnvs(const EnvType& type, const Config& config) {
  // Envs are claimed one at a time by the calling thread and up to num_threads_ - 1 helpers: an
  // Atari env loads and starts its ROM in tens of milliseconds.
  const int n = options_.num_envs;
  slots_.resize(n);
  std::vector<std::exception_ptr> failures(n);
  std::atomic<int> next{0};
  auto make = [&] {
    for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      try {
        slots_[i].env = type.make_env(config);
        slots_[i].env->Seed(options_.stream_seeds.empty() ? StreamSeed(42, i)
                                                          : options_.stream_seeds[i]);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < num_threads_; ++t) {
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

Pool::~Pool() { Shutdown(); }

void Pool::CheckOpen() const {
  if (closed_) throw std::runtime_error("this pool is closed");
  if (fork_generation_ != fork_generation.load(std::memory_order_relaxed)) {
    throw std::runtime_error(
        "this pool was made by the parent process before fork(); its threads do not exist in "
        "this process: make a new pool here");
  }
}

void Pool::CheckEnvIds(const int* env_ids, int n) {
  // The pool's own list of all ids needs no range or repetition check.
  if (env_ids == all_env_ids_.data() && n == options_.num_envs) {
    if (in_flight_count_ > 0) {
      for (int id = 0; id < n; ++id) {
        if (slots_[id].in_flight) {
          throw std::logic_error("env " + std::to_string(id) +
                                 " is in flight: recv() its result before sending it again");
        }
      }
    }
    return;
  }
  // A fresh stamp per call marks the ids seen, so no per-call clearing is needed.
  if (++id_stamp_ == 0) {
    std::fill(id_stamps_.begin(), id_stamps_.end(), 0);
    id_stamp_ = 1;
  }
  for (int r = 0; r < n; ++r) {
    const int id = env_ids[r];
    if (id < 0 || id >= options_.num_envs) {
      throw std::out_of_range("env_id " + std::to_string(id) + " is out of range [0, " +
                              std::to_string(options_.num_envs) + ")");
    }
    if (id_stamps_[id] == id_stamp_) {
      throw std::invalid_argument("env_id " + std::to_string(id) + " is repeated");
    }
    id_stamps_[id] = id_stamp_;
    if (slots_[id].in_flight) {
      throw std::logic_error("env " + std::to_string(id) +
                             " is in flight: recv() its result before sending it again");
    }
  }
}

void Pool::CheckSteppable(const int* env_ids, int n) const {
  // Only envs never reset, or ended envs with autoreset disabled, can fail this check.
  if (never_reset_ == 0 && options_.autoreset_mode != AutoresetMode::kDisabled) return;
  for (int r = 0; r < n; ++r) {
    const EnvSlot& slot = slots_[env_ids[r]];
    if (!slot.was_reset) {
      throw std::logic_error("env " + std::to_string(env_ids[r]) +
                             " has not been reset: call reset() before step()");
    }
    if (slot.episode_over && options_.autoreset_mode == AutoresetMode::kDisabled) {
      throw std::logic_error("env " + std::to_string(env_ids[r]) +
                             "'s episode has ended and autoreset is disabled: reset it first");
    }
  }
}

void Pool::CheckActions(const void* actions, int n) const {
  const ArraySpec& action = spec_.action;
  const std::size_t count = action.NumElements() * static_cast<std::size_t>(n);
  const std::size_t per_env = std::max<std::size_t>(1, action.NumElements());

  // Discrete actions must name an action; continuous ones must be finite.
  if (action.IsDiscrete()) {
    const auto* values = static_cast<const std::int64_t*>(actions);
    for (std::size_t i = 0; i < count; ++i) {
      if (values[i] < 0 || values[i] >= action.num_values) {
        throw std::invalid_argument("action " + std::to_string(values[i]) + " of row " +
                                    std::to_string(i / per_env) + " is out of range [0, " +
                                    std::to_string(action.num_values) + ")");
      }
    }
  } else if (action.dtype == DType::kFloat32 || action.dtype == DType::kFloat64) {
    for (std::size_t i = 0; i < count; ++i) {
      const double value = action.dtype == DType::kFloat32 ? static_cast<const float*>(actions)[i]
                                                           : static_cast<const double*>(actions)[i];
      if (!std::isfinite(value)) {
        throw std::invalid_argument("action of row " + std::to_string(i / per_env) + " is " +
                                    (std::isnan(value) ? "NaN" : "infinite"));
      }
    }
  }
}

void Pool::MarkReset(const int* env_ids, int n) {
  if (never_reset_ == 0) return;
  for (int r = 0; r < n; ++r) {
    EnvSlot& slot = slots_[env_ids[r]];
    if (!slot.was_reset) {
      slot.was_reset = true;
      --never_reset_;
    }
  }
}

void Pool::WriteCommon(const EnvSlot& slot, int env_id, Batch* batch, int row) {
  *batch->At<std::int32_t>(BatchLayout::kEnvId, row) = env_id;
  *batch->At<std::int32_t>(BatchLayout::kElapsedStep, row) = slot.elapsed_step;
}

// Starts the episode statistics of a new game (PoolOptions::episode_stats).
static void StartGame(double* game_return, std::int64_t* game_length,
                      std::chrono::steady_clock::time_point* game_start) {
  *game_return = 0.0;
  *game_length = 0;
  *game_start = std::chrono::steady_clock::now();
}

void Pool::ClearStats(Batch* batch, int row) {
  const BatchLayout& layout = batch->layout();
  *batch->At<double>(layout.episode_return(), row) = 0.0;
  *batch->At<std::int64_t>(layout.episode_length(), row) = 0;
  *batch->At<double>(layout.episode_time(), row) = 0.0;
  *batch->At<bool>(layout.episode_mask(), row) = false;
}

void Pool::RecordStats(EnvSlot& slot, double reward, bool done, Batch* batch, int row) {
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

// Clears the SAME_STEP final fields of a row whose episode did not end.
static void ClearFinal(Batch* batch, int row) {
  const BatchLayout& layout = batch->layout();
  for (int f = layout.final_obs(); f < static_cast<int>(layout.fields().size()); ++f) {
    std::memset(batch->At<void>(f, row), 0, layout.fields()[f].row_bytes);
  }
}

void Pool::RunReset(int env_id, Batch* batch, int row, EnvErrors* errors, bool requested) {
  EnvSlot& slot = slots_[env_id];
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
      StartGame(&slot.game_return, &slot.game_length, &slot.game_start);
      slot.game_over = false;
    }
  } catch (const std::exception& e) {
    errors->Record(row, env_id, EnvError(env_id, e.what(), "reset"));
    slot.episode_over = true;
    slot.game_over = true;
  }
  if (options_.episode_stats) ClearStats(batch, row);
  // A reset row: reward 0, both flags false, step count 0.
  slot.elapsed_step = 0;
  *out.reward = 0.0;
  *out.terminated = false;
  *batch->At<bool>(BatchLayout::kTruncated, row) = false;
  if (batch->layout().with_final()) ClearFinal(batch, row);
  if (slot.episode_over) WriteFaultedRow(batch, row);
  WriteCommon(slot, env_id, batch, row);
}

void Pool::RunStep(int env_id, const void* action, Batch* batch, int row, EnvErrors* errors) {
  for (int part = 0; !RunStepPart(env_id, action, batch, row, errors, part); ++part) {
  }
}

bool Pool::RunStepPart(int env_id, const void* action, Batch* batch, int row, EnvErrors* errors,
                       int part) {
  EnvSlot& slot = slots_[env_id];

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
    *truncated = options_.max_episode_steps > 0 && slot.elapsed_step >= options_.max_episode_steps;
    const bool done = *out.terminated || *truncated;
    if (options_.episode_stats) RecordStats(slot, *out.reward, done, batch, row);

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
        StartGame(&slot.game_return, &slot.game_length, &slot.game_start);
        slot.game_over = false;
      }
    }
  } catch (const std::exception& e) {
    errors->Record(row, env_id, EnvError(env_id, e.what(), "step"));
    slot.episode_over = true;
    slot.game_over = true;
    if (batch->layout().with_final()) ClearFinal(batch, row);
    if (options_.episode_stats) ClearStats(batch, row);
    WriteFaultedRow(batch, row);
  }
  WriteCommon(slot, env_id, batch, row);
  return true;
}

void Pool::RecordCost(std::chrono::steady_clock::duration elapsed, int envs) {
  if (envs <= 0) return;
  const double sample = std::chrono::duration<double, std::nano>(elapsed).count() / envs;
  ns_per_env_call_ = ns_per_env_call_ == 0.0 ? sample : 0.9 * ns_per_env_call_ + 0.1 * sample;
}

bool Pool::RunsInline(int n) const {
  return num_threads_ == 1 || n * ns_per_env_call_ < kInlineBudgetNs;
}

void Pool::Execute(int n, const FunctionRef<void(int, int, int)>& fn) {
  using Clock = std::chrono::steady_clock;

  // Cheap requests run inline, timed to keep the cost estimate current.
  if (RunsInline(n)) {
    const auto start = Clock::now();
    fn(0, 0, n);
    RecordCost(Clock::now() - start, n);
    return;
  }

  // Others are sharded; the caller's chunks provide the cost sample.
  runner_->Run(n, [&](int thread, int begin, int end) {
    if (thread != 0) return fn(thread, begin, end);
    const auto start = Clock::now();
    fn(thread, begin, end);
    RecordCost(Clock::now() - start, end - begin);
  });
}

void Pool::ExecuteInParts(int n, const FunctionRef<bool(int, int, int)>& fn) {
  using Clock = std::chrono::steady_clock;

  // Cheap requests run inline as Execute() runs them, each row's parts one after another.
  if (RunsInline(n)) {
    Execute(n, [&](int thread, int begin, int end) {
      for (int row = begin; row < end; ++row) {
        for (int part = 0; !fn(thread, row, part); ++part) {
        }
      }
    });
    return;
  }

  // Others run part by part over the team; the whole request, times the threads that shared it,
  // provides the cost sample.
  const auto start = Clock::now();
  runner_->RunInParts(n, fn);
  RecordCost((Clock::now() - start) * num_threads_, n);
}

BatchHandle Pool::RunSync(Request request, const void* actions, const int* env_ids, int n,
                          const std::uint64_t* stream_seeds) {
  BatchHandle batch = recycler_->Acquire();
  batch->set_rows(n);
  if (request == Request::kReset) MarkReset(env_ids, n);
  if (stream_seeds != nullptr) {
    for (int r = 0; r < n; ++r) {
      slots_[env_ids[r]].reseed = true;
      slots_[env_ids[r]].stream_seed = stream_seeds[r];
    }
  }

  // One error record per thread (a thread runs chunks of rows, in any order).
  thread_errors_.resize(static_cast<std::size_t>(num_threads_));
  Batch* out = batch.get();
  if (request == Request::kStep && step_parts_ > 1) {
    // Envs that step in parts: the threads finish within about one part of each other.
    ExecuteInParts(n, [&](int thread, int row, int part) {
      return RunStepPart(env_ids[row], ActionRow(actions, row), out, row,
                         &thread_errors_[static_cast<std::size_t>(thread)], part);
    });
  } else {
    Execute(n, [&](int thread, int begin, int end) {
      EnvErrors& errors = thread_errors_[static_cast<std::size_t>(thread)];
      for (int r = begin; r < end; ++r) {
        if (request == Request::kReset) {
          RunReset(env_ids[r], out, r, &errors, /*requested=*/true);
        } else {
          RunStep(env_ids[r], ActionRow(actions, r), out, r, &errors);
        }
      }
    });
  }

  // Failures are raised with the whole batch, in row order.
  EnvErrors all;
  for (EnvErrors& errors : thread_errors_) all.Merge(std::move(errors));
  all.ThrowIfAny(batch);
  return batch;
}

BatchHandle Pool::Reset(const int* env_ids, int n, const std::uint64_t* stream_seeds) {
  CallGuard guard(in_call_);
  CheckOpen();
  if (is_async()) throw std::logic_error("Reset() is for sync mode; use SendReset() and Recv()");
  if (stashed_) throw std::logic_error("a sent request is waiting: recv() it first");
  CheckEnvIds(env_ids, n);
  return RunSync(Request::kReset, nullptr, env_ids, n, stream_seeds);
}

BatchHandle Pool::Step(const void* actions, const int* env_ids, int n) {
  CallGuard guard(in_call_);
  CheckOpen();
  if (is_async()) throw std::logic_error("Step() is for sync mode; use SendStep() and Recv()");
  if (stashed_) throw std::logic_error("a sent request is waiting: recv() it first");
  CheckEnvIds(env_ids, n);
  CheckSteppable(env_ids, n);
  CheckActions(actions, n);
  return RunSync(Request::kStep, actions, env_ids, n, nullptr);
}

void Pool::SendReset(const int* env_ids, int n, const std::uint64_t* stream_seeds) {
  Send(Request::kReset, nullptr, env_ids, n, stream_seeds);
}

void Pool::SendStep(const void* actions, const int* env_ids, int n) {
  Send(Request::kStep, actions, env_ids, n, nullptr);
}

void Pool::Send(Request request, const void* actions, const int* env_ids, int n,
                const std::uint64_t* stream_seeds) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(env_ids, n);
  if (request == Request::kStep) {
    CheckSteppable(env_ids, n);
    CheckActions(actions, n);
  }

  // Sync mode: run now, keep the result for Recv().
  if (!is_async()) {
    if (stashed_) throw std::logic_error("a sent request is waiting: recv() it first");
    stashed_ = RunSync(request, actions, env_ids, n, stream_seeds);
    in_flight_count_ = n;
    return;
  }

  // Async mode: each env's request goes into its slot, then its id into the queue.
  if (request == Request::kReset) MarkReset(env_ids, n);
  for (int r = 0; r < n; ++r) {
    EnvSlot& slot = slots_[env_ids[r]];
    slot.request = request;
    slot.in_flight = true;
    if (actions != nullptr) {
      std::memcpy(&action_slots_[action_bytes_ * static_cast<std::size_t>(env_ids[r])],
                  ActionRow(actions, r), action_bytes_);
    }
    if (stream_seeds != nullptr) {
      slot.reseed = true;
      slot.stream_seed = stream_seeds[r];
    }
  }
  in_flight_count_ += n;
  queue_->PushAll(env_ids, static_cast<std::size_t>(n));
}

BatchHandle Pool::Recv() { return Recv(std::chrono::nanoseconds::max()); }

BatchHandle Pool::Recv(std::chrono::nanoseconds max_wait) {
  CallGuard guard(in_call_);
  CheckOpen();

  // Sync mode: the result of the last Send.
  if (!is_async()) {
    if (!stashed_) throw std::logic_error("recv() called with nothing in flight: send() first");
    in_flight_count_ = 0;
    return std::move(stashed_);
  }

  const int batch_size = options_.batch_size;
  if (in_flight_count_ < batch_size) {
    throw std::logic_error("recv() needs batch_size=" + std::to_string(batch_size) +
                           " envs in flight, but " + std::to_string(in_flight_count_) +
                           " are: send() more first");
  }

  // Wait until the next batch of the ring is full: spin, then sleep on its counter.
  const std::size_t index = next_recv_batch_ % ring_.size();
  std::atomic<int>& rows_done = ring_[index]->rows_done();
  auto full = [&] { return rows_done.load(std::memory_order_acquire) >= batch_size; };
  // While the batch fills, the caller runs queued envs itself rather than spin on a core the
  // workers need (no env can be sent during Recv, so the ring cannot overflow).
  int queued_env_id;
  while (!full() && queue_->TryPop(&queued_env_id)) RunQueued(queued_env_id);
  using Clock = AdaptiveSpin::Clock;
  const auto started = Clock::now();
  const bool forever = max_wait >= Clock::time_point::max() - started;
  const Clock::time_point deadline = forever ? Clock::time_point::max() : started + max_wait;
  if (!recv_spin_.Spin(started, full, max_wait)) {
    // Sleep until the worker completing the batch wakes us (it does when receiver_sleeping_ is
    // set: the seq_cst store/load pairs here and in RunQueued mean one side always sees the other),
    // or until max_wait is over.
    receiver_sleeping_.store(true);
    for (int done = rows_done.load(); done < batch_size; done = rows_done.load()) {
      const auto now = Clock::now();
      if (now >= deadline) {
        receiver_sleeping_.store(false, std::memory_order_relaxed);
        recv_spin_.Learn(started);
        return BatchHandle();
      }
      // At most a second per sleep: a lost wake-up could never stall a receiver for longer.
      FutexWaitFor(&rows_done, done,
                   std::min<std::chrono::nanoseconds>(deadline - now, std::chrono::seconds(1)));
    }
    receiver_sleeping_.store(false, std::memory_order_relaxed);
  }
  recv_spin_.Learn(started);

  // Take the batch and put a fresh one in its place before any env can be sent again: this
  // ordering is what makes one spare batch in the ring enough.
  BatchHandle result = std::move(ring_[index]);
  ring_[index] = recycler_->Acquire();
  ++next_recv_batch_;
  EnvErrors errors;
  {
    std::lock_guard<std::mutex> lock(ring_error_mutex_);
    errors.Merge(std::move(ring_errors_[index]));
  }

  // The returned envs may be sent again.
  for (int r = 0; r < batch_size; ++r) {
    slots_[*result->At<std::int32_t>(BatchLayout::kEnvId, r)].in_flight = false;
  }
  in_flight_count_ -= batch_size;
  errors.ThrowIfAny(result);
  return result;
}

void Pool::AsyncWorkerLoop() {
  int env_id;
  AdaptiveSpin spin(options_.wait_policy);
  while (queue_->Pop(&env_id, spin)) RunQueued(env_id);
}

void Pool::RunQueued(int env_id) {
  // Claim the next row of the output stream.
  const std::uint64_t batch_size = static_cast<std::uint64_t>(options_.batch_size);
  const std::uint64_t ticket = next_ticket_.fetch_add(1, std::memory_order_acq_rel);
  const std::size_t index = (ticket / batch_size) % ring_.size();
  const int row = static_cast<int>(ticket % batch_size);
  Batch* batch = ring_[index].get();

  // Run the env's request into it.
  EnvErrors errors;
  EnvSlot& slot = slots_[env_id];
  if (slot.request == Request::kReset) {
    RunReset(env_id, batch, row, &errors, /*requested=*/true);
  } else {
    const void* action = &action_slots_[action_bytes_ * static_cast<std::size_t>(env_id)];
    RunStep(env_id, action, batch, row, &errors);
  }
  if (!errors.empty()) {
    std::lock_guard<std::mutex> lock(ring_error_mutex_);
    ring_errors_[index].Merge(std::move(errors));
  }

  // The last row of a batch wakes the receiver if it sleeps (seq_cst: see Recv()).
  if (batch->rows_done().fetch_add(1) + 1 == static_cast<int>(batch_size) &&
      receiver_sleeping_.load()) {
    FutexWakeAll(&batch->rows_done());
  }
}

std::vector<double> Pool::GetState(int env_id) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(&env_id, 1);
  return slots_[env_id].env->GetState();
}

void Pool::SetState(int env_id, const std::vector<double>& state) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(&env_id, 1);
  slots_[env_id].env->SetState(state);
}

void Pool::RenderBatch(const int* env_ids, int n, std::uint8_t* rgb) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(env_ids, n);
  std::size_t picture_bytes = 1;
  for (const std::int64_t extent : spec_.render_shape) {
    picture_bytes *= static_cast<std::size_t>(extent);
  }

  // Each row renders on its own; what an env throws is kept for its row.
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(n));
  auto render_rows = [&](int /*thread*/, int begin, int end) {
    for (int row = begin; row < end; ++row) {
      try {
        slots_[env_ids[row]].env->Render(rgb + picture_bytes * static_cast<std::size_t>(row));
      } catch (...) {
        failures[static_cast<std::size_t>(row)] = std::current_exception();
      }
    }
  };
  if (runner_ && num_threads_ > 1 && n > 1) {
    runner_->Run(n, render_rows);
  } else {
    render_rows(0, 0, n);
  }

  // The lowest row's failure propagates.
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

void Pool::ForEachRow(int n, const FunctionRef<void(int)>& fn) {
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(n));
  auto rows = [&](int /*thread*/, int begin, int end) {
    for (int row = begin; row < end; ++row) {
      try {
        fn(row);
      } catch (...) {
        failures[static_cast<std::size_t>(row)] = std::current_exception();
      }
    }
  };
  if (runner_ && num_threads_ > 1 && n > 1) {
    runner_->Run(n, rows);
  } else {
    rows(0, 0, n);
  }
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

std::string Pool::SnapshotOf(int env_id) const {
  const EnvSlot& slot = slots_[env_id];
  StateWriter out;
  // The header: what a pool must be to take it.
  out.bytes() = snapshot_header_;
  // The engine's bookkeeping of the env, its random stream, then the env's own state.
  out.Put<std::int32_t>(slot.elapsed_step);
  out.Put(slot.was_reset);
  out.Put(slot.episode_over);
  out.Put(slot.game_return);
  out.Put(slot.game_length);
  out.Put(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - slot.game_start).count());
  out.Put(slot.game_over);
  out.Put(slot.env->random_stream());
  slot.env->SaveState(out);
  return std::move(out.bytes());
}

void Pool::CheckSnapshot(StateReader& in) const {
  // The usual case: this pool's own header, byte for byte. Otherwise the fields say what differs.
  if (in.SkipPrefix(snapshot_header_)) return;
  char magic[sizeof(kSnapshotMagic)] = {};
  const bool long_enough = in.remaining() >= sizeof(magic);
  if (long_enough) {
    for (char& c : magic) c = in.Get<char>();
  }
  if (!long_enough || std::memcmp(magic, kSnapshotMagic, sizeof(magic)) != 0) {
    throw std::invalid_argument("not an envfleet snapshot (or one of another envfleet version)");
  }
  if (in.Get<std::uint32_t>() != kByteOrderMark) {
    throw std::invalid_argument("the snapshot was taken on a machine of another byte order");
  }
  const std::string task = in.GetString();
  if (task != type_id_) {
    throw std::invalid_argument("the snapshot is of task '" + task + "', this pool's is '" +
                                type_id_ + "'");
  }
  std::vector<std::pair<std::string, std::string>> options(in.Get<std::uint64_t>());
  for (auto& [name, text] : options) {
    name = in.GetString();
    text = in.GetString();
  }
  if (options != option_texts_) {
    std::string differences;
    for (const auto& [name, text] : option_texts_) {
      auto it = std::find_if(options.begin(), options.end(),
                             [&](const auto& option) { return option.first == name; });
      const std::string theirs = it == options.end() ? "(none)" : it->second;
      if (theirs != text) {
        differences += (differences.empty() ? "" : ", ") + name + "=" + theirs +
                       " in the snapshot, " + text + " here";
      }
    }
    throw std::invalid_argument("the snapshot of " + task +
                                " was taken with other options: " + differences);
  }
}

void Pool::LoadSnapshot(int env_id, const std::string& snapshot) {
  EnvSlot& slot = slots_[env_id];
  StateReader in(snapshot);
  CheckSnapshot(in);
  try {
    slot.elapsed_step = in.Get<std::int32_t>();
    in.Get<bool>();  // was_reset: set by Restore() on the caller's thread
    slot.episode_over = in.Get<bool>();
    slot.game_return = in.Get<double>();
    slot.game_length = in.Get<std::int64_t>();
    slot.game_start = std::chrono::steady_clock::now() -
                      std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                          std::chrono::duration<double>(in.Get<double>()));
    slot.game_over = in.Get<bool>();
    slot.env->set_random_stream(in.Get<Rng>());
    // The env's options travel in its own state; values set for a reset not yet done are dropped.
    slot.own_options.clear();
    slot.reconfigure = false;
    slot.env->LoadState(in);
    in.ExpectDone();
  } catch (...) {
    // Half loaded: the env starts over on its next step.
    slot.episode_over = true;
    slot.game_over = true;
    throw;
  }
}

void Pool::SetEnvOptions(const int* env_ids, int n,
                         const std::vector<std::map<std::string, OptionValue>>& values) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(env_ids, n);
  if (static_cast<int>(values.size()) != n) {
    throw std::invalid_argument("expected one set of options per env");
  }
  // Every name and value is checked (Config::Make checks types) before any env changes.
  std::vector<std::map<std::string, OptionValue>> merged(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    for (const auto& [name, value] : values[r]) {
      if (std::find(reset_options_.begin(), reset_options_.end(), name) == reset_options_.end()) {
        std::string allowed;
        for (const std::string& option : reset_options_) {
          allowed += (allowed.empty() ? "" : ", ") + option;
        }
        throw std::invalid_argument(
            "option '" + name + "' of " + type_id_ + " cannot change at reset; " +
            (allowed.empty() ? "it has no options that can" : "those that can: " + allowed));
      }
    }
    merged[r] = slots_[env_ids[r]].own_options;
    for (const auto& [name, value] : values[r]) merged[r][name] = value;
    std::map<std::string, OptionValue> all = config_values_;
    for (const auto& [name, value] : merged[r]) all[name] = value;
    const Config checked = Config::Make(type_options_, all);
    for (auto& [name, value] : merged[r]) value = checked.values().at(name);
  }
  for (int r = 0; r < n; ++r) {
    EnvSlot& slot = slots_[env_ids[r]];
    slot.own_options = std::move(merged[r]);
    slot.reconfigure = true;
  }
}

std::vector<std::string> Pool::Snapshot(const int* env_ids, int n) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(env_ids, n);
  std::vector<std::string> snapshots(static_cast<std::size_t>(n));
  ForEachRow(n, [&](int row) { snapshots[row] = SnapshotOf(env_ids[row]); });
  return snapshots;
}

void Pool::Restore(const std::string* snapshots, const int* env_ids, int n) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(env_ids, n);
  // Every header first: a snapshot of another task or options changes no env.
  std::vector<bool> was_reset(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    StateReader in(snapshots[r]);
    try {
      CheckSnapshot(in);
      in.Get<std::int32_t>();
      was_reset[r] = in.Get<bool>();
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("snapshot " + std::to_string(r) + " (for env " +
                                  std::to_string(env_ids[r]) + "): " + e.what());
    }
  }
  for (int r = 0; r < n; ++r) {
    EnvSlot& slot = slots_[env_ids[r]];
    if (slot.was_reset != was_reset[r]) never_reset_ += slot.was_reset ? 1 : -1;
    slot.was_reset = was_reset[r];
  }
  ForEachRow(n, [&](int row) {
    try {
      LoadSnapshot(env_ids[row], snapshots[row]);
    } catch (const std::exception& e) {
      throw std::invalid_argument("env " + std::to_string(env_ids[row]) +
                                  ": the snapshot cannot be loaded: " + e.what());
    }
  });
}

void Pool::Fork(int source, const int* env_ids, int n) {
  CallGuard guard(in_call_);
  CheckOpen();
  CheckEnvIds(&source, 1);
  CheckEnvIds(env_ids, n);
  const std::string snapshot = SnapshotOf(source);
  const bool was_reset = slots_[source].was_reset;
  for (int r = 0; r < n; ++r) {
    EnvSlot& slot = slots_[env_ids[r]];
    if (slot.was_reset != was_reset) never_reset_ += slot.was_reset ? 1 : -1;
    slot.was_reset = was_reset;
  }
  ForEachRow(n, [&](int row) {
    try {
      LoadSnapshot(env_ids[row], snapshot);
    } catch (const std::exception& e) {
      throw std::invalid_argument("env " + std::to_string(env_ids[row]) + ": the fork of env " +
                                  std::to_string(source) + " cannot be loaded: " + e.what());
    }
  });
}

void Pool::Close() {
  CallGuard guard(in_call_);
  Shutdown();
}

void Pool::Shutdown() {
  if (closed_) return;
  if (fork_generation_ != fork_generation.load(std::memory_order_relaxed)) {
    AbandonAfterFork();
    return;
  }
  closed_ = true;

  // Stop and join every thread first: nothing touches the envs or batches after this.
  if (runner_) runner_->Close();
  if (queue_) queue_->Close();
  for (std::thread& worker : async_workers_) worker.join();
  async_workers_.clear();

  // Then free the envs and every batch the pool still holds.
  stashed_.reset();
  ring_.clear();
  slots_.clear();
  recycler_->Close();
}

void Pool::AbandonAfterFork() {
  // The threads exist only in the parent, and any lock they held at the fork stays held here:
  // joining, destroying or locking anything would hang. Everything is released unfreed instead
  // (its memory is this process's copy of the parent's).
  closed_ = true;
  new std::vector<std::thread>(std::move(async_workers_));
  runner_.release();
  queue_.release();
  for (EnvSlot& slot : slots_) slot.env.release();
  for (BatchHandle& batch : ring_) batch.release();
  stashed_.release();
  new std::shared_ptr<BatchRecycler>(std::move(recycler_));
}

}  // namespace envfleet
