#include "envfleet/python/family_module.h"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "envfleet/core/pool.h"
#include "envfleet/core/rng.h"
#ifdef ENVFLEET_WITH_XLA
#include "envfleet/python/xla_ffi.h"
#endif

namespace py = pybind11;

namespace envfleet::python {
namespace {

// ---- Arguments: Python values to engine values -------------------------------------------------

// One keyword option's Python value as an OptionValue (bool before int: bool is an int in Python).
OptionValue ToOptionValue(const std::string& name, const py::handle& value) {
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) {
    int overflow = 0;
    const long long integer = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
    if (overflow != 0) {
      throw py::value_error("option '" + name +
                            "' is out of the int64 range: " + std::string(py::str(value)));
    }
    return static_cast<std::int64_t>(integer);
  }
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::sequence>(value)) return value.cast<std::vector<double>>();
  throw py::type_error("option '" + name + "' has unsupported type " +
                       std::string(py::str(py::type::of(value).attr("__name__"))));
}

std::map<std::string, OptionValue> ToOptionValues(const py::dict& options) {
  std::map<std::string, OptionValue> values;
  for (const auto& [key, value] : options) {
    const std::string name = key.cast<std::string>();
    values[name] = ToOptionValue(name, value);
  }
  return values;
}

py::object FromOptionValue(const OptionValue& value) {
  return std::visit([](const auto& v) -> py::object { return py::cast(v); }, value);
}

// A Python seed (non-negative int below 2**64) as uint64.
std::uint64_t ToSeed(const py::handle& seed) {
  if (!py::isinstance<py::int_>(seed) || py::isinstance<py::bool_>(seed)) {
    throw py::type_error("a seed must be an int, got " +
                         std::string(py::str(py::type::of(seed).attr("__name__"))));
  }
  const unsigned long long value = PyLong_AsUnsignedLongLong(seed.ptr());
  if (value == static_cast<unsigned long long>(-1) && PyErr_Occurred()) {
    PyErr_Clear();
    throw py::value_error("a seed must be in [0, 2**64), got " + std::string(py::str(seed)));
  }
  return value;
}

// The env ids of a request: the pool's own list of all ids, or the caller's converted.
struct EnvIds {
  const int* data;
  int size;
  std::vector<int> storage;

  std::vector<int> ToVector() const { return std::vector<int>(data, data + size); }
};

// None means all envs; otherwise an int array-like, 1-D. The engine checks the ids (range,
// repetition); here an id that does not fit the engine's int is refused in the engine's words.
EnvIds ToEnvIds(const py::object& env_id, const Pool& pool) {
  if (env_id.is_none()) return {pool.all_env_ids(), pool.num_envs(), {}};
  py::array array = py::array::ensure(env_id);
  if (!array) throw py::type_error("env_id must be an int array, a list of ints or None");
  const char kind = array.dtype().kind();
  if (array.size() > 0 && kind != 'i' && kind != 'u') {
    throw py::type_error("env_id must hold integers, got dtype " +
                         std::string(py::str(array.dtype())));
  }
  if (array.ndim() > 1) throw py::value_error("env_id must be 1-D");
  EnvIds ids{nullptr, 0, {}};
  auto read = [&](const auto* values, py::ssize_t n) {
    ids.storage.reserve(static_cast<std::size_t>(n));
    for (py::ssize_t i = 0; i < n; ++i) {
      const std::int64_t id = values[i];
      if (id < std::numeric_limits<int>::min() || id > std::numeric_limits<int>::max()) {
        throw py::index_error("env_id " + std::to_string(id) + " is out of range [0, " +
                              std::to_string(pool.num_envs()) + ")");
      }
      ids.storage.push_back(static_cast<int>(id));
    }
  };
  // int32 ids (recv()'s info["env_id"]) are read in place; other integer dtypes are converted.
  if (array.dtype().equal(py::dtype::of<std::int32_t>()) && (array.flags() & py::array::c_style)) {
    read(static_cast<const std::int32_t*>(array.data()), array.size());
  } else {
    auto values =
        py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
    read(values.data(), values.size());
  }
  ids.data = ids.storage.data();
  ids.size = static_cast<int>(ids.storage.size());
  return ids;
}

// Stream seeds for the envs `ids`: an int seed s gives env i StreamSeed(s, i); a sequence gives
// ids[r] StreamSeed(seeds[r], 0), so a one-env pool seeded s and [s] agree.
std::vector<std::uint64_t> ToStreamSeeds(const py::object& seed, const std::vector<int>& ids) {
  std::vector<std::uint64_t> streams(ids.size());
  if (py::isinstance<py::int_>(seed) && !py::isinstance<py::bool_>(seed)) {
    const std::uint64_t base = ToSeed(seed);
    for (std::size_t r = 0; r < ids.size(); ++r) streams[r] = StreamSeed(base, ids[r]);
    return streams;
  }
  if (!py::isinstance<py::sequence>(seed) || py::isinstance<py::str>(seed)) {
    throw py::type_error("seed must be None, an int or a sequence of ints");
  }
  const py::sequence seeds = seed.cast<py::sequence>();
  if (seeds.size() != ids.size()) {
    throw py::value_error("expected " + std::to_string(ids.size()) + " seeds (one per env), got " +
                          std::to_string(seeds.size()));
  }
  for (std::size_t r = 0; r < ids.size(); ++r) streams[r] = StreamSeed(ToSeed(seeds[r]), 0);
  return streams;
}

AutoresetMode ToAutoresetMode(const std::string& mode) {
  if (mode == "next_step") return AutoresetMode::kNextStep;
  if (mode == "same_step") return AutoresetMode::kSameStep;
  if (mode == "disabled") return AutoresetMode::kDisabled;
  throw py::value_error("autoreset_mode must be 'next_step', 'same_step' or 'disabled', got '" +
                        mode + "'");
}

WaitPolicy ToWaitPolicy(const std::string& policy) {
  if (policy == "auto") return WaitPolicy::kAuto;
  if (policy == "spin") return WaitPolicy::kSpin;
  if (policy == "block") return WaitPolicy::kBlock;
  throw py::value_error("wait_policy must be 'auto', 'spin' or 'block', got '" + policy + "'");
}

const char* WaitPolicyName(WaitPolicy policy) {
  switch (policy) {
    case WaitPolicy::kSpin:
      return "spin";
    case WaitPolicy::kBlock:
      return "block";
    case WaitPolicy::kAuto:
      break;
  }
  return "auto";
}

// ---- Specs: engine values to Python values ------------------------------------------------------

py::tuple ShapeTuple(const std::vector<std::int64_t>& shape) {
  py::tuple tuple(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) tuple[i] = shape[i];
  return tuple;
}

// Bounds broadcast to the array's shape, as float64.
py::array_t<double> Bounds(const ArraySpec& spec, const std::vector<double>& values) {
  py::array_t<double> bounds(spec.shape);
  double* data = bounds.mutable_data();
  for (std::size_t i = 0; i < spec.NumElements(); ++i) {
    data[i] = values.size() == 1 ? values[0] : values.at(i);
  }
  return bounds;
}

py::dict DescribeArray(const ArraySpec& spec) {
  py::dict d;
  d["dtype"] = DTypeName(spec.dtype);
  d["shape"] = ShapeTuple(spec.shape);
  d["low"] = Bounds(spec, spec.low);
  d["high"] = Bounds(spec, spec.high);
  d["num_values"] = spec.num_values;
  return d;
}

py::dict DescribeSpec(const EnvType& type, const EnvSpec& spec) {
  py::dict d;
  d["id"] = type.id;
  d["observation"] = DescribeArray(spec.observation);
  d["action"] = DescribeArray(spec.action);
  py::dict info;
  for (const InfoSpec& entry : spec.info) info[py::str(entry.name)] = DescribeArray(entry.array);
  d["info"] = info;
  d["observation_key"] = spec.observation_key;
  d["observation_info"] = py::cast(spec.observation_info);
  d["max_episode_steps"] = spec.max_episode_steps;
  d["reward_threshold"] = spec.reward_threshold ? py::cast(*spec.reward_threshold) : py::none();
  py::list state_layout;
  for (const StatePart& part : spec.state_layout)
    state_layout.append(py::make_tuple(part.name, part.size));
  d["state_layout"] = state_layout;
  py::list observation_layout;
  for (const ObservationPart& part : spec.observation_layout)
    observation_layout.append(py::make_tuple(part.name, ShapeTuple(part.shape)));
  d["observation_layout"] = observation_layout;
  d["render_shape"] = ShapeTuple(spec.render_shape);
  d["render_fps"] = spec.render_fps;
  py::dict options;
  for (const Option& option : type.options) {
    options[py::str(option.name)] = FromOptionValue(option.default_value);
  }
  d["options"] = options;
  d["reset_options"] = type.reset_options;
  return d;
}

// ---- Results: batches as numpy arrays -----------------------------------------------------------

// The most axes a batch field has, its row axis included.
constexpr int kMaxViewDims = 8;

// How one batch field is shown to numpy: dtype, and shape / strides with the row axis first (its
// length, shape[0], is the batch's row count, filled in per batch).
struct FieldView {
  py::dtype dtype;
  int ndim;
  std::array<Py_intptr_t, kMaxViewDims> shape;
  std::array<Py_intptr_t, kMaxViewDims> strides;
};

// A numpy array of `rows` rows of field `view` at `data`, kept alive by `owner`. It calls numpy's
// constructor directly, with the shape and strides on the stack: py::array's constructor copies
// them into four heap vectors, and an env step makes about ten of these arrays.
py::array MakeView(const FieldView& view, py::ssize_t rows, void* data, const py::object& owner) {
  std::array<Py_intptr_t, kMaxViewDims> shape = view.shape;
  shape[0] = rows;
  const auto& api = py::detail::npy_api::get();
  // NewFromDescr steals the dtype reference and SetBaseObject the owner reference.
  PyObject* array =
      api.PyArray_NewFromDescr_(api.PyArray_Type_, view.dtype.inc_ref().ptr(), view.ndim,
                                shape.data(), const_cast<Py_intptr_t*>(view.strides.data()), data,
                                py::detail::npy_api::NPY_ARRAY_WRITEABLE_, nullptr);
  if (array == nullptr) throw py::error_already_set();
  auto result = py::reinterpret_steal<py::array>(array);
  if (api.PyArray_SetBaseObject_(array, owner.inc_ref().ptr()) != 0) throw py::error_already_set();
  return result;
}

// How the batches of one layout are shown to Python: numpy views of each field (no copy), and
// the result tuple step() / recv() return. Made once per pool (and, for an EnvFault, from the
// fault's batch). Needs the GIL.
class ResultViews {
 public:
  explicit ResultViews(const BatchLayout& layout) {
    for (const BatchField& field : layout.fields()) {
      const int ndim = static_cast<int>(field.shape.size()) + 1;
      if (ndim > kMaxViewDims) {
        throw std::logic_error("batch field " + field.name + " has more than " +
                               std::to_string(kMaxViewDims - 1) + " axes");
      }
      // Rows are row_bytes apart; within a row the field is C-contiguous.
      FieldView view{py::dtype(DTypeName(field.dtype)), ndim, {}, {}};
      view.strides[0] = static_cast<Py_intptr_t>(field.row_bytes);
      Py_intptr_t stride = static_cast<Py_intptr_t>(DTypeSize(field.dtype));
      for (int axis = ndim - 1; axis > 0; --axis) {
        view.shape[axis] = static_cast<Py_intptr_t>(field.shape[axis - 1]);
        view.strides[axis] = stride;
        stride *= view.shape[axis];
      }
      field_views_.push_back(std::move(view));
      keys_.emplace_back(field.name.substr(field.name.find(':') + 1));
    }
  }

  // (obs, reward, terminated, truncated, info) viewing `batch`, which one capsule owns.
  py::tuple ResultTuple(BatchHandle batch) const {
    Batch* raw = batch.release();
    const py::capsule owner(raw, [](void* p) { Batch::Recycle(static_cast<Batch*>(p)); });
    const py::ssize_t rows = raw->rows();
    auto view = [&](int f) { return MakeView(field_views_[f], rows, raw->At<void>(f, 0), owner); };

    // The env's own info arrays, then the engine's.
    const BatchLayout& layout = raw->layout();
    py::dict info;
    info[keys_[BatchLayout::kEnvId]] = view(BatchLayout::kEnvId);
    info[keys_[BatchLayout::kElapsedStep]] = view(BatchLayout::kElapsedStep);
    for (int i = 0; i < layout.num_info(); ++i) {
      info[keys_[BatchLayout::kFirstInfo + i]] = view(BatchLayout::kFirstInfo + i);
    }

    // SAME_STEP: the final observation and info, with gymnasium's "_" masks.
    if (layout.with_final()) {
      const py::array mask = view(layout.final_mask());
      py::dict final_info;
      final_info["env_id"] = info["env_id"];
      final_info["elapsed_step"] = view(layout.final_elapsed_step());
      for (int i = 0; i < layout.num_info(); ++i) {
        final_info[keys_[layout.first_final_info() + i]] = view(layout.first_final_info() + i);
      }
      for (const auto& item : py::list(final_info.attr("keys")())) {
        final_info[py::str("_") + py::str(item)] = mask;
      }
      info["final_obs"] = view(layout.final_obs());
      info["_final_obs"] = mask;
      info["final_info"] = final_info;
      info["_final_info"] = mask;
    }

    // Episode statistics, in gymnasium's RecordEpisodeStatistics layout, when a game ended.
    if (layout.with_stats()) {
      const bool* ended = raw->At<bool>(layout.episode_mask(), 0);
      if (std::find(ended, ended + rows, true) != ended + rows) {
        py::dict episode;
        episode["r"] = view(layout.episode_return());
        episode["l"] = view(layout.episode_length());
        episode["t"] = view(layout.episode_time());
        info["episode"] = episode;
        info["_episode"] = view(layout.episode_mask());
      }
    }
    return py::make_tuple(view(BatchLayout::kObs), view(BatchLayout::kReward),
                          view(BatchLayout::kTerminated), view(BatchLayout::kTruncated), info);
  }

 private:
  std::vector<FieldView> field_views_;
  std::vector<py::str> keys_;
};

// ---- The Pool class
// ------------------------------------------------------------------------------

class PyPool {
 public:
  PyPool(const EnvType& type, const py::dict& options, int num_envs, int batch_size,
         int num_threads, int max_episode_steps, const std::string& autoreset_mode,
         int thread_affinity_offset, const std::string& wait_policy, const py::object& seed,
         bool episode_stats)
      : type_(type) {
    // Convert everything while holding the GIL.
    const Config config = Config::Make(type.options, ToOptionValues(options));
    PoolOptions pool_options;
    pool_options.num_envs = num_envs;
    pool_options.batch_size = batch_size;
    pool_options.num_threads = num_threads;
    pool_options.max_episode_steps = max_episode_steps;
    pool_options.autoreset_mode = ToAutoresetMode(autoreset_mode);
    pool_options.thread_affinity_offset = thread_affinity_offset;
    pool_options.wait_policy = ToWaitPolicy(wait_policy);
    pool_options.episode_stats = episode_stats;
    // (num_envs is the engine's to check; without envs there are no seeds to derive.)
    if (!seed.is_none() && num_envs >= 1) {
      std::vector<int> all(num_envs);
      for (int i = 0; i < num_envs; ++i) all[i] = i;
      pool_options.stream_seeds = ToStreamSeeds(seed, all);
    }

    // Making the envs can take a while: without the GIL.
    {
      py::gil_scoped_release release;
      pool_ = std::make_unique<Pool>(type_, config, std::move(pool_options));
    }
    description_ = DescribeSpec(type_, pool_->spec());
    action_dtype_ = py::dtype(DTypeName(pool_->spec().action.dtype));
    views_ = std::make_unique<ResultViews>(pool_->layout());
  }

  py::dict spec() const { return description_; }
  int num_envs() const { return pool_->num_envs(); }
  int batch_size() const { return pool_->batch_size(); }
  int num_threads() const { return pool_->num_threads(); }
  const char* wait_policy() const { return WaitPolicyName(pool_->options().wait_policy); }
  int max_episode_steps() const { return pool_->max_episode_steps(); }
  bool is_async() const { return pool_->is_async(); }
  bool episode_stats() const { return pool_->options().episode_stats; }
  bool closed() const { return pool_->closed(); }
  int in_flight() const { return pool_->in_flight(); }

  // The batch layout's fields in order, as (name, dtype, per-row shape): what recv() returns,
  // for xla()'s result specs.
  py::list batch_fields() const {
    py::list fields;
    for (const BatchField& field : pool_->layout().fields()) {
      fields.append(py::make_tuple(field.name, DTypeName(field.dtype), ShapeTuple(field.shape)));
    }
    return fields;
  }

  // The engine pool's address, which names it to the XLA handlers (xla_ffi.h).
  std::uint64_t xla_address() const { return reinterpret_cast<std::uintptr_t>(pool_.get()); }

  py::tuple Reset(const py::object& env_id, const py::object& seed) {
    const Pool::CallerScope scope(*pool_);
    DoSendReset(env_id, seed);
    py::tuple result = DoRecv(py::none());
    return py::make_tuple(result[0], result[4]);
  }

  py::tuple Step(const py::object& actions, const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    if (pool_->is_async()) {
      DoSendStep(actions, env_id);
      return DoRecv(py::none());
    }
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    const py::array action_array = ToActions(actions, ids.size);
    BatchHandle batch;
    {
      py::gil_scoped_release release;
      batch = pool_->Step(action_array.data(), ids.data, ids.size);
    }
    return views_->ResultTuple(std::move(batch));
  }

  void SendStep(const py::object& actions, const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    DoSendStep(actions, env_id);
  }

  void SendReset(const py::object& env_id, const py::object& seed) {
    const Pool::CallerScope scope(*pool_);
    DoSendReset(env_id, seed);
  }

  py::tuple Recv(const py::object& timeout) {
    const Pool::CallerScope scope(*pool_);
    return DoRecv(timeout);
  }

  py::array_t<double> GetState(const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    const std::vector<int> ids = ToEnvIds(env_id, *pool_).ToVector();
    std::vector<std::vector<double>> states;
    for (int id : ids) states.push_back(pool_->GetState(id));
    const py::ssize_t width = states.empty() ? 0 : static_cast<py::ssize_t>(states[0].size());
    py::array_t<double> result({static_cast<py::ssize_t>(ids.size()), width});
    for (std::size_t r = 0; r < states.size(); ++r) {
      std::copy(states[r].begin(), states[r].end(), result.mutable_data(r, 0));
    }
    return result;
  }

  py::array_t<std::uint8_t> Render(const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    return DoRender(env_id);
  }

  void SetState(const py::array_t<double, py::array::c_style | py::array::forcecast>& states,
                const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    DoSetState(states, env_id);
  }

  // Snapshots (pool.h): one bytes object per env, saved and loaded without the GIL.
  py::list Snapshot(const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    std::vector<std::string> snapshots;
    {
      py::gil_scoped_release release;
      snapshots = pool_->Snapshot(ids.data, ids.size);
    }
    py::list result;
    for (const std::string& snapshot : snapshots) result.append(py::bytes(snapshot));
    return result;
  }

  void Restore(const py::object& snapshots, const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    if (!py::isinstance<py::sequence>(snapshots) || py::isinstance<py::bytes>(snapshots)) {
      throw py::type_error("snapshots must be a sequence of bytes (what snapshot() returns)");
    }
    const py::sequence items = snapshots.cast<py::sequence>();
    if (items.size() != static_cast<std::size_t>(ids.size)) {
      throw py::value_error("expected " + std::to_string(ids.size) +
                            " snapshots (one per env), got " + std::to_string(items.size()));
    }
    std::vector<std::string> data;
    data.reserve(items.size());
    for (const py::handle item : items) {
      if (!py::isinstance<py::bytes>(item)) {
        throw py::type_error("a snapshot must be bytes, got " +
                             std::string(py::str(py::type::of(item).attr("__name__"))));
      }
      data.push_back(item.cast<std::string>());
    }
    py::gil_scoped_release release;
    pool_->Restore(data.data(), ids.data, ids.size);
  }

  // Per-env options: env_ids[r] takes options[r] (a dict) at its next reset.
  void SetEnvOptions(const py::object& env_id, const py::list& options) {
    const Pool::CallerScope scope(*pool_);
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    if (options.size() != static_cast<std::size_t>(ids.size)) {
      throw py::value_error("expected one dict of options per env (" + std::to_string(ids.size) +
                            "), got " + std::to_string(options.size()));
    }
    std::vector<std::map<std::string, OptionValue>> values;
    for (const py::handle item : options) values.push_back(ToOptionValues(item.cast<py::dict>()));
    py::gil_scoped_release release;
    pool_->SetEnvOptions(ids.data, ids.size, values);
  }

  void Fork(int source, const py::object& env_id) {
    const Pool::CallerScope scope(*pool_);
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    py::gil_scoped_release release;
    pool_->Fork(source, ids.data, ids.size);
  }

  void Close() {
    const Pool::CallerScope scope(*pool_);
    py::gil_scoped_release release;
    pool_->Close();
  }

 private:
  void DoSendStep(const py::object& actions, const py::object& env_id) {
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    // Without env_id an async send steps every env; a batch of actions needs recv()'s env ids.
    std::string shape_hint;
    if (env_id.is_none() && pool_->is_async()) {
      shape_hint = ": without env_id, send() steps all " + std::to_string(pool_->num_envs()) +
                   " envs; to step the " + std::to_string(pool_->batch_size()) +
                   " envs recv() returned, pass env_id=info[\"env_id\"]";
    }
    const py::array action_array = ToActions(actions, ids.size, shape_hint);
    py::gil_scoped_release release;
    pool_->SendStep(action_array.data(), ids.data, ids.size);
  }

  void DoSendReset(const py::object& env_id, const py::object& seed) {
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    std::vector<std::uint64_t> seeds;
    if (!seed.is_none()) seeds = ToStreamSeeds(seed, ids.ToVector());
    py::gil_scoped_release release;
    pool_->SendReset(ids.data, ids.size, seeds.empty() ? nullptr : seeds.data());
  }

  // Waits in slices of kSignalCheckInterval without the GIL; between slices, a pending signal's
  // handler runs (Ctrl-C raises KeyboardInterrupt here) and the timeout is checked.
  py::tuple DoRecv(const py::object& timeout) {
    using Clock = std::chrono::steady_clock;
    Clock::time_point deadline = Clock::time_point::max();
    if (!timeout.is_none()) {
      if (!py::isinstance<py::int_>(timeout) && !py::isinstance<py::float_>(timeout)) {
        throw py::type_error("timeout must be None or a number of seconds, got " +
                             std::string(py::str(py::type::of(timeout).attr("__name__"))));
      }
      const double seconds = timeout.cast<double>();
      if (!(seconds >= 0.0) || seconds > 1e9) {
        throw py::value_error("timeout must be in [0, 1e9] seconds, got " +
                              std::string(py::str(timeout)));
      }
      deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(seconds));
    }
    for (;;) {
      const auto now = Clock::now();
      const std::chrono::nanoseconds slice =
          deadline == Clock::time_point::max()
              ? kSignalCheckInterval
              : std::max(std::chrono::nanoseconds(0),
                         std::min<std::chrono::nanoseconds>(kSignalCheckInterval, deadline - now));
      BatchHandle batch;
      {
        py::gil_scoped_release release;
        batch = pool_->Recv(slice);
      }
      if (batch) return views_->ResultTuple(std::move(batch));
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (Clock::now() >= deadline) {
        PyErr_SetString(PyExc_TimeoutError,
                        ("recv() timed out after " + std::string(py::str(timeout)) +
                         " s: the next batch of " + std::to_string(pool_->batch_size()) +
                         " results is not complete (it stays in flight; recv() again to get it)")
                            .c_str());
        throw py::error_already_set();
      }
    }
  }

  py::array_t<std::uint8_t> DoRender(const py::object& env_id) {
    const std::vector<std::int64_t>& shape = pool_->spec().render_shape;
    if (shape.empty())
      throw py::value_error(description_["id"].cast<std::string>() + " cannot render");
    const EnvIds ids = ToEnvIds(env_id, *pool_);
    py::array_t<std::uint8_t> result(
        {static_cast<py::ssize_t>(ids.size), shape[0], shape[1], shape[2]});
    std::uint8_t* data = result.mutable_data();
    // One call renders every picture into the array, on the pool's threads, without the GIL.
    py::gil_scoped_release release;
    pool_->RenderBatch(ids.data, ids.size, data);
    return result;
  }

  void DoSetState(const py::array_t<double, py::array::c_style | py::array::forcecast>& states,
                  const py::object& env_id) {
    const std::vector<int> ids = ToEnvIds(env_id, *pool_).ToVector();
    if (states.ndim() != 2 || states.shape(0) != static_cast<py::ssize_t>(ids.size())) {
      throw py::value_error("states must have shape (" + std::to_string(ids.size()) +
                            ", state_size)");
    }
    for (std::size_t r = 0; r < ids.size(); ++r) {
      const double* row = states.data(r, 0);
      pool_->SetState(ids[r], std::vector<double>(row, row + states.shape(1)));
    }
  }

  // How often a waiting recv() looks for signals (Ctrl-C).
  static constexpr std::chrono::milliseconds kSignalCheckInterval{20};

  // Actions as a C-contiguous array of the spec's dtype with shape (n, *action_shape);
  // `shape_hint` ends the message of a wrong shape.
  py::array ToActions(const py::object& actions, std::size_t n,
                      const std::string& shape_hint = "") const {
    const ArraySpec& spec = pool_->spec().action;
    py::array array = py::array::ensure(actions);
    if (!array) throw py::type_error("actions must be a numpy array or array-like");

    // The dtype must be of a kind that converts without losing meaning.
    const py::dtype dtype = array.dtype();
    const char kind = dtype.kind();
    const bool integral = kind == 'i' || kind == 'u';
    if (spec.IsDiscrete() ? !integral : !(integral || kind == 'f')) {
      throw py::type_error(std::string("actions must be ") +
                           (spec.IsDiscrete() ? "integers" : "real numbers") + " (" +
                           DTypeName(spec.dtype) + "), got dtype " + std::string(py::str(dtype)));
    }

    // The shape must be (n, *action_shape).
    std::vector<py::ssize_t> expected{static_cast<py::ssize_t>(n)};
    expected.insert(expected.end(), spec.shape.begin(), spec.shape.end());
    const std::vector<py::ssize_t> got(array.shape(), array.shape() + array.ndim());
    if (got != expected) {
      throw py::value_error("actions must have shape " + std::string(py::str(py::cast(expected))) +
                            ", got " + std::string(py::str(py::cast(got))) + shape_hint);
    }

    // Convert only when needed.
    if (dtype.is(action_dtype_) || dtype.equal(action_dtype_)) {
      if (array.flags() & py::array::c_style) return array;
    }
    return py::array::ensure(array.attr("astype")(action_dtype_, py::arg("order") = "C"));
  }

  EnvType type_;
  std::unique_ptr<Pool> pool_;
  py::dict description_;
  // The action spec's dtype, which step() and send() convert actions to.
  py::dtype action_dtype_;
  std::unique_ptr<ResultViews> views_;
};

}  // namespace

void DefineFamilyModule(py::module_& module, std::vector<EnvType> types) {
  // Engine exceptions are translated by pybind11 (std::invalid_argument to ValueError,
  // std::out_of_range to IndexError, others to RuntimeError), EnvFault here: it becomes
  // envfleet.errors.EnvError with the fault's env ids and its batch as a result tuple.
  py::register_local_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const EnvFault& fault) {
      BatchHandle& batch = fault.batch();
      const py::tuple result = ResultViews(batch->layout()).ResultTuple(std::move(batch));
      const py::object error_type = py::module_::import("envfleet.errors").attr("EnvError");
      const py::object error = error_type(fault.what(), py::cast(fault.env_ids()), result);
      PyErr_SetObject(error_type.ptr(), error.ptr());
    }
  });

  auto registry = std::make_shared<std::map<std::string, EnvType>>();
  for (EnvType& type : types) (*registry)[type.id] = std::move(type);
  auto find = [registry](const std::string& task_id) -> const EnvType& {
    auto it = registry->find(task_id);
    if (it == registry->end()) throw py::value_error("unknown task id '" + task_id + "'");
    return it->second;
  };

  module.def(
      "env_ids",
      [registry] {
        std::vector<std::string> ids;
        for (const auto& entry : *registry) ids.push_back(entry.first);
        return ids;
      },
      "The task ids this module defines.");
  module.def(
      "describe",
      [find](const std::string& task_id, const py::dict& options) {
        const EnvType& type = find(task_id);
        return DescribeSpec(type,
                            type.make_spec(Config::Make(type.options, ToOptionValues(options))));
      },
      py::arg("task_id"), py::arg("options") = py::dict(),
      "The spec of `task_id` made with `options`, as plain Python values.");
  module.def(
      "xla_handlers",
      []() -> py::dict {
#ifdef ENVFLEET_WITH_XLA
        return XlaHandlers();
#else
        throw std::runtime_error(
            "xla() is unavailable: this build of envfleet has no XLA handlers (jaxlib's FFI "
            "headers were not found when it was built; see docs/development.md)");
#endif
      },
      "The XLA FFI handlers of xla(): {'recv': capsule, 'send': capsule}; RuntimeError in a "
      "build without jaxlib's headers.");

  py::class_<PyPool>(module, "Pool", py::module_local())
      .def(py::init([find](const std::string& task_id, const py::dict& options, int num_envs,
                           int batch_size, int num_threads, int max_episode_steps,
                           const std::string& autoreset_mode, int thread_affinity_offset,
                           const std::string& wait_policy, const py::object& seed,
                           bool episode_stats) {
             return std::make_unique<PyPool>(
                 find(task_id), options, num_envs, batch_size, num_threads, max_episode_steps,
                 autoreset_mode, thread_affinity_offset, wait_policy, seed, episode_stats);
           }),
           py::arg("task_id"), py::arg("options"), py::arg("num_envs"), py::arg("batch_size"),
           py::arg("num_threads"), py::arg("max_episode_steps"), py::arg("autoreset_mode"),
           py::arg("thread_affinity_offset"), py::arg("wait_policy"), py::arg("seed"),
           py::arg("episode_stats") = false)
      .def_property_readonly("spec", &PyPool::spec)
      .def_property_readonly("num_envs", &PyPool::num_envs)
      .def_property_readonly("batch_size", &PyPool::batch_size)
      .def_property_readonly("num_threads", &PyPool::num_threads)
      .def_property_readonly("wait_policy", &PyPool::wait_policy)
      .def_property_readonly("max_episode_steps", &PyPool::max_episode_steps)
      .def_property_readonly("is_async", &PyPool::is_async)
      .def_property_readonly("episode_stats", &PyPool::episode_stats)
      .def_property_readonly("closed", &PyPool::closed)
      .def_property_readonly("in_flight", &PyPool::in_flight)
      .def_property_readonly("batch_fields", &PyPool::batch_fields)
      .def_property_readonly("xla_address", &PyPool::xla_address)
      .def("reset", &PyPool::Reset, py::arg("env_id") = py::none(), py::arg("seed") = py::none())
      .def("step", &PyPool::Step, py::arg("actions"), py::arg("env_id") = py::none())
      .def("send_step", &PyPool::SendStep, py::arg("actions"), py::arg("env_id") = py::none())
      .def("send_reset", &PyPool::SendReset, py::arg("env_id") = py::none(),
           py::arg("seed") = py::none())
      .def("recv", &PyPool::Recv, py::arg("timeout") = py::none())
      .def("get_state", &PyPool::GetState, py::arg("env_id") = py::none())
      .def("set_state", &PyPool::SetState, py::arg("states"), py::arg("env_id") = py::none())
      .def("render", &PyPool::Render, py::arg("env_id") = py::none())
      .def("snapshot", &PyPool::Snapshot, py::arg("env_id") = py::none())
      .def("restore", &PyPool::Restore, py::arg("snapshots"), py::arg("env_id") = py::none())
      .def("fork", &PyPool::Fork, py::arg("source_env"), py::arg("env_id"))
      .def("set_env_options", &PyPool::SetEnvOptions, py::arg("env_id"), py::arg("options"))
      .def("close", &PyPool::Close);
}

}  // namespace envfleet::python
