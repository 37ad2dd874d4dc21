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
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

namespace envfleet {
namespace {

// Counts the fork()s this process has gone through (in the child); a pool made before a fork sees
// a different count in the child.
std::atomic<std::uint64_t> fork_generation{0};

std::uint64_t CurrentForkGeneration() {
  static std::once_flag registered;
  std::call_once(registered,
                 [] { pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); }); });
  return fork_generation.load(std::memory_order_relaxed);
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

Pool::CallerScope::CallerScope(Pool& pool) : pool_(pool) {
  const std::thread::id self = std::this_thread::get_id();
  std::thread::id holder;
  outermost_ = pool_.caller_.compare_exchange_strong(holder, self, std::memory_order_acquire);
  if (!outermost_ && holder != self) {
    throw std::logic_error("this pool is being used from two threads at once");
  }
}

Pool::CallerScope::~CallerScope() {
  if (outermost_) pool_.caller_.store(std::thread::id(), std::memory_order_release);
}

Pool::Pool(const EnvType& type, const Config& config, PoolOptions options)
    : options_(std::move(options)), fork_generation_(CurrentForkGeneration()) {
  // Pool options, each checked with a message naming it.
  PoolOptions& o = options_;
  if (o.num_envs < 1) {
    throw std::invalid_argument("num_envs must be >= 1, got " + std::to_string(o.num_envs));
  }
  if (o.num_envs > kMaxNumEnvs) {
    throw std::invalid_argument("num_envs must be <= " + std::to_string(kMaxNumEnvs) + ", got " +
                                std::to_string(o.num_envs));
  }
  if (o.batch_size == 0) o.batch_size = o.num_envs;
  if (o.batch_size < 1) {
    throw std::invalid_argument("batch_size must be >= 1, got " + std::to_string(o.batch_size));
  }
  if (o.batch_size > o.num_envs) {
    throw std::invalid_argument("batch_size (" + std::to_string(o.batch_size) +
                                ") must not exceed num_envs (" + std::to_string(o.num_envs) + ")");
  }
  if (o.num_threads < 0) {
    throw std::invalid_argument("num_threads must be >= 0, got " + std::to_string(o.num_threads));
  }
  if (o.thread_affinity_offset < -1) {
    throw std::invalid_argument("thread_affinity_offset must be >= -1, got " +
                                std::to_string(o.thread_affinity_offset));
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
  if (spec_.info.size() > EnvRunner::kMaxInfo) throw std::invalid_argument("too many info arrays");
  if (o.max_episode_steps == 0) o.max_episode_steps = spec_.max_episode_steps;
  const int hardware = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  num_threads_ =
      o.num_threads == 0 ? std::min(o.num_envs, hardware) : std::min(o.num_threads, o.num_envs);
  action_bytes_ = spec_.action.NumBytes();

  // The envs, each on its own stream.
  EnvRunner::Settings settings;
  settings.num_envs = o.num_envs;
  settings.num_threads = num_threads_;
  settings.max_episode_steps = o.max_episode_steps;
  settings.episode_stats = o.episode_stats;
  settings.stream_seeds = o.stream_seeds;
  settings.action_bytes = action_bytes_;
  envs_ = std::make_unique<EnvRunner>(type, config, std::move(settings));
  id_stamps_.assign(o.num_envs, 0);
  all_env_ids_.resize(o.num_envs);
  for (int i = 0; i < o.num_envs; ++i) all_env_ids_[i] = i;
  never_reset_ = o.num_envs;

  // Output batches: a whole request in sync mode, batch_size rows in async mode.
  const bool same_step = o.autoreset_mode == AutoresetMode::kSameStep;
  layout_ = std::make_shared<BatchLayout>(spec_, same_step, o.batch_size, o.episode_stats);
  recycler_ = std::make_shared<BatchRecycler>(layout_);

  if (!is_async()) {
    sync_ = std::make_unique<SyncRunner>(num_threads_, o.thread_affinity_offset, o.wait_policy);
    return;
  }
  async_ = std::make_unique<AsyncRunner>(
      o.num_envs, o.batch_size, num_threads_, o.thread_affinity_offset, o.wait_policy, recycler_,
      [this](int env_id, Batch* batch, int row, EnvErrors* errors) {
        envs_->RunPending(env_id, batch, row, errors);
      });
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
        if (envs_->slot(id).in_flight) {
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
    if (envs_->slot(id).in_flight) {
      throw std::logic_error("env " + std::to_string(id) +
                             " is in flight: recv() its result before sending it again");
    }
  }
}

void Pool::CheckSteppable(const int* env_ids, int n) const {
  // Only envs never reset, or ended envs with autoreset disabled, can fail this check.
  if (never_reset_ == 0 && options_.autoreset_mode != AutoresetMode::kDisabled) return;
  for (int r = 0; r < n; ++r) {
    const EnvSlot& slot = envs_->slot(env_ids[r]);
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
    EnvSlot& slot = envs_->slot(env_ids[r]);
    if (!slot.was_reset) {
      slot.was_reset = true;
      --never_reset_;
    }
  }
}

BatchHandle Pool::RunSync(Request request, const void* actions, const int* env_ids, int n,
                          const std::uint64_t* stream_seeds) {
  BatchHandle batch = recycler_->Acquire();
  batch->set_rows(n);
  if (request == Request::kReset) MarkReset(env_ids, n);
  if (stream_seeds != nullptr) {
    for (int r = 0; r < n; ++r) {
      envs_->slot(env_ids[r]).reseed = true;
      envs_->slot(env_ids[r]).stream_seed = stream_seeds[r];
    }
  }

  // One error record per thread (a thread runs chunks of rows, in any order).
  thread_errors_.resize(static_cast<std::size_t>(num_threads_));
  Batch* out = batch.get();
  if (request == Request::kStep && envs_->step_parts() > 1) {
    // Envs that step in parts: the threads finish within about one part of each other.
    sync_->RunInParts(n, [&](int thread, int row, int part) {
      return envs_->RunStepPart(env_ids[row], ActionRow(actions, row), out, row,
                                &thread_errors_[static_cast<std::size_t>(thread)], part);
    });
  } else {
    sync_->Run(n, [&](int thread, int begin, int end) {
      EnvErrors& errors = thread_errors_[static_cast<std::size_t>(thread)];
      for (int r = begin; r < end; ++r) {
        if (request == Request::kReset) {
          envs_->RunReset(env_ids[r], out, r, &errors, /*requested=*/true);
        } else {
          envs_->RunStep(env_ids[r], ActionRow(actions, r), out, r, &errors);
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
  CallerScope scope(*this);
  CheckOpen();
  if (is_async()) throw std::logic_error("Reset() is for sync mode; use SendReset() and Recv()");
  if (sent_result_) throw std::logic_error("a sent request is waiting: recv() it first");
  CheckEnvIds(env_ids, n);
  return RunSync(Request::kReset, nullptr, env_ids, n, stream_seeds);
}

BatchHandle Pool::Step(const void* actions, const int* env_ids, int n) {
  CallerScope scope(*this);
  CheckOpen();
  if (is_async()) throw std::logic_error("Step() is for sync mode; use SendStep() and Recv()");
  if (sent_result_) throw std::logic_error("a sent request is waiting: recv() it first");
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
  CallerScope scope(*this);
  CheckOpen();
  CheckEnvIds(env_ids, n);
  if (request == Request::kStep) {
    CheckSteppable(env_ids, n);
    CheckActions(actions, n);
  }

  // Sync mode: run now, keep the result for Recv().
  if (!is_async()) {
    if (sent_result_) throw std::logic_error("a sent request is waiting: recv() it first");
    sent_result_ = RunSync(request, actions, env_ids, n, stream_seeds);
    in_flight_count_ = n;
    return;
  }

  // Async mode: each env's request goes into its slot, then its id into the queue.
  if (request == Request::kReset) MarkReset(env_ids, n);
  for (int r = 0; r < n; ++r) {
    envs_->SetPending(env_ids[r], request, actions != nullptr ? ActionRow(actions, r) : nullptr,
                      stream_seeds != nullptr ? &stream_seeds[r] : nullptr);
    envs_->slot(env_ids[r]).in_flight = true;
  }
  in_flight_count_ += n;
  async_->Push(env_ids, n);
}

BatchHandle Pool::Recv() { return Recv(std::chrono::nanoseconds::max()); }

BatchHandle Pool::Recv(std::chrono::nanoseconds max_wait) {
  CallerScope scope(*this);
  CheckOpen();

  // Sync mode: the result of the last Send.
  if (!is_async()) {
    if (!sent_result_) throw std::logic_error("recv() called with nothing in flight: send() first");
    in_flight_count_ = 0;
    return std::move(sent_result_);
  }

  const int batch_size = options_.batch_size;
  if (in_flight_count_ < batch_size) {
    throw std::logic_error("recv() needs batch_size=" + std::to_string(batch_size) +
                           " envs in flight, but " + std::to_string(in_flight_count_) +
                           " are: send() more first");
  }

  EnvErrors errors;
  BatchHandle result = async_->Take(max_wait, &errors);
  if (!result) return result;

  // The returned envs may be sent again.
  for (int r = 0; r < batch_size; ++r) {
    envs_->slot(*result->At<std::int32_t>(BatchLayout::kEnvId, r)).in_flight = false;
  }
  in_flight_count_ -= batch_size;
  errors.ThrowIfAny(result);
  return result;
}

std::vector<double> Pool::GetState(int env_id) {
  CallerScope scope(*this);
  CheckOpen();
  CheckEnvIds(&env_id, 1);
  return envs_->slot(env_id).env->GetState();
}

void Pool::SetState(int env_id, const std::vector<double>& state) {
  CallerScope scope(*this);
  CheckOpen();
  CheckEnvIds(&env_id, 1);
  // The state's size, checked here once for every env (the spec's state_layout).
  if (!spec_.state_layout.empty()) {
    std::size_t expected = 0;
    std::string parts;
    for (const StatePart& part : spec_.state_layout) {
      expected += static_cast<std::size_t>(part.size);
      parts += (parts.empty() ? "" : ", ") + part.name;
    }
    if (state.size() != expected) {
      throw std::invalid_argument(type_id_ + " state has " + std::to_string(expected) +
                                  " values (" + parts + "), got " + std::to_string(state.size()));
    }
  }
  envs_->slot(env_id).env->SetState(state);
}

void Pool::RenderBatch(const int* env_ids, int n, std::uint8_t* rgb) {
  CallerScope scope(*this);
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
        envs_->slot(env_ids[row]).env->Render(rgb + picture_bytes * static_cast<std::size_t>(row));
      } catch (...) {
        failures[static_cast<std::size_t>(row)] = std::current_exception();
      }
    }
  };
  if (sync_) {
    sync_->RunSpread(n, render_rows);
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
  if (sync_) {
    sync_->RunSpread(n, rows);
  } else {
    rows(0, 0, n);
  }
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
}

std::string Pool::SnapshotOf(int env_id) const {
  const EnvSlot& slot = envs_->slot(env_id);
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
  EnvSlot& slot = envs_->slot(env_id);
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
  CallerScope scope(*this);
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
    merged[r] = envs_->slot(env_ids[r]).own_options;
    for (const auto& [name, value] : values[r]) merged[r][name] = value;
    std::map<std::string, OptionValue> all = envs_->config_values();
    for (const auto& [name, value] : merged[r]) all[name] = value;
    const Config checked = Config::Make(envs_->type_options(), all);
    for (auto& [name, value] : merged[r]) value = checked.values().at(name);
  }
  for (int r = 0; r < n; ++r) {
    EnvSlot& slot = envs_->slot(env_ids[r]);
    slot.own_options = std::move(merged[r]);
    slot.reconfigure = true;
  }
}

std::vector<std::string> Pool::Snapshot(const int* env_ids, int n) {
  CallerScope scope(*this);
  CheckOpen();
  CheckEnvIds(env_ids, n);
  std::vector<std::string> snapshots(static_cast<std::size_t>(n));
  ForEachRow(n, [&](int row) { snapshots[row] = SnapshotOf(env_ids[row]); });
  return snapshots;
}

void Pool::Restore(const std::string* snapshots, const int* env_ids, int n) {
  CallerScope scope(*this);
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
    EnvSlot& slot = envs_->slot(env_ids[r]);
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
  CallerScope scope(*this);
  CheckOpen();
  if (source < 0 || source >= options_.num_envs) {
    throw std::out_of_range("source env " + std::to_string(source) + " is out of range [0, " +
                            std::to_string(options_.num_envs) + ")");
  }
  CheckEnvIds(&source, 1);
  CheckEnvIds(env_ids, n);
  const std::string snapshot = SnapshotOf(source);
  const bool was_reset = envs_->slot(source).was_reset;
  for (int r = 0; r < n; ++r) {
    EnvSlot& slot = envs_->slot(env_ids[r]);
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
  CallerScope scope(*this);
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
  if (sync_) sync_->Close();
  if (async_) async_->Close();

  // Then free the envs and every batch the pool still holds.
  sent_result_.reset();
  async_.reset();
  envs_.reset();
  recycler_->Close();
}

void Pool::AbandonAfterFork() {
  // The threads exist only in the parent, and any lock they held at the fork stays held here:
  // joining, destroying or locking anything would hang. Everything is released unfreed instead
  // (its memory is this process's copy of the parent's).
  closed_ = true;
  sync_.release();
  async_.release();
  envs_->AbandonEnvs();
  envs_.release();
  sent_result_.release();
  new std::shared_ptr<BatchRecycler>(std::move(recycler_));
}

}  // namespace envfleet
