// Batch: one preallocated output buffer (every array of one step's result), and BatchRecycler:
// the free list that batches return to when their last reader lets go.
//
// A batch holds `capacity` rows of each field of its BatchLayout (observation, reward, flags,
// env_id, elapsed_step, each info array, in SAME_STEP mode the final observation / info, and with
// episode statistics the finished episodes' return, length and time) in
// one aligned allocation. Fields are laid out field-major, so each field is one contiguous
// [rows, *shape] array that numpy can view without a copy.
//
// Ownership: a BatchHandle owns a batch exclusively; destroying the handle returns the batch to
// its recycler's free list (or frees it once the recycler is closed). The Python bindings turn a
// handle into a capsule shared by all arrays of one result, so a batch is reused only after numpy
// has dropped every view of it: an array a user keeps is never overwritten.
// Thread-safety: BatchRecycler is safe to use from any thread (a mutex guards the free list);
// a Batch's contents are written by the engine's threads under the Pool's contract (pool.h).
#ifndef ENVFLEET_CORE_BATCH_H_
#define ENVFLEET_CORE_BATCH_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "envfleet/core/array_spec.h"
#include "envfleet/core/env.h"
#include "envfleet/core/env_spec.h"

namespace envfleet {

// One array of a batch: its name, element type, per-row shape and place in the allocation.
struct BatchField {
  std::string name;
  DType dtype;
  std::vector<std::int64_t> shape;
  std::size_t row_bytes = 0;
  std::size_t offset = 0;  // of row 0, from the start of the allocation
};

// The fields of every batch of one pool. Built once from the EnvSpec.
class BatchLayout {
 public:
  // Field names: "obs", "reward", "terminated", "truncated", "env_id", "elapsed_step", then
  // "info:<name>" per InfoSpec; with `with_final` also "final_obs", "_final_obs" (the mask),
  // "final_elapsed_step" and "final_info:<name>"; with `with_stats` then "episode_r" (float64),
  // "episode_l" (int64), "episode_t" (float64) and "_episode" (the mask; see
  // PoolOptions::episode_stats).
  BatchLayout(const EnvSpec& spec, bool with_final, int capacity, bool with_stats = false);

  // Indices of the fixed fields.
  static constexpr int kObs = 0;
  static constexpr int kReward = 1;
  static constexpr int kTerminated = 2;
  static constexpr int kTruncated = 3;
  static constexpr int kEnvId = 4;
  static constexpr int kElapsedStep = 5;
  static constexpr int kFirstInfo = 6;

  const std::vector<BatchField>& fields() const { return fields_; }
  int capacity() const { return capacity_; }
  std::size_t total_bytes() const { return total_bytes_; }
  int num_info() const { return num_info_; }
  bool with_final() const { return with_final_; }
  // Indices of the SAME_STEP fields (valid when with_final()).
  int final_obs() const { return kFirstInfo + num_info_; }
  int final_mask() const { return final_obs() + 1; }
  int final_elapsed_step() const { return final_obs() + 2; }
  int first_final_info() const { return final_obs() + 3; }
  bool with_stats() const { return with_stats_; }
  // Indices of the episode statistics fields (valid when with_stats()).
  int episode_return() const {
    return with_final_ ? first_final_info() + num_info_ : kFirstInfo + num_info_;
  }
  int episode_length() const { return episode_return() + 1; }
  int episode_time() const { return episode_return() + 2; }
  int episode_mask() const { return episode_return() + 3; }

 private:
  std::vector<BatchField> fields_;
  int capacity_;
  int num_info_;
  bool with_final_;
  bool with_stats_;
  std::size_t total_bytes_ = 0;
};

class BatchRecycler;

class Batch {
 public:
  Batch(std::shared_ptr<const BatchLayout> layout, std::shared_ptr<BatchRecycler> home);
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  const BatchLayout& layout() const { return *layout_; }

  // Row `row` of field `field`, typed.
  template <typename T>
  T* At(int field, int row) {
    const FieldPlace& place = places_[field];
    return reinterpret_cast<T*>(place.base + place.row_bytes * static_cast<std::size_t>(row));
  }

  // The row pointers an env writes into. `info_pointers` must hold num_info() entries and outlive
  // the returned EnvOutput's use.
  EnvOutput Output(int row, void** info_pointers);
  // The same for the SAME_STEP final fields (final_obs, final_info:*).
  EnvOutput FinalOutput(int row, void** info_pointers);

  // Number of valid rows (the leading dimension numpy sees).
  int rows() const { return rows_; }
  void set_rows(int rows) { rows_ = rows; }

  // Async mode bookkeeping: rows finished by workers (see pool.h).
  std::atomic<int>& rows_done() { return rows_done_; }

  std::byte* data() { return data_; }

  // Returns the batch to its recycler (or frees it); used by BatchHandle's deleter.
  static void Recycle(Batch* batch);

 private:
  // Where each field's row 0 is, and its row size: At() without a trip through the layout.
  struct FieldPlace {
    std::byte* base;
    std::size_t row_bytes;
  };

  std::shared_ptr<const BatchLayout> layout_;
  std::shared_ptr<BatchRecycler> home_;
  std::byte* data_;
  std::vector<FieldPlace> places_;
  int rows_ = 0;
  std::atomic<int> rows_done_{0};
};

struct BatchDeleter {
  void operator()(Batch* batch) const { Batch::Recycle(batch); }
};

// Exclusive ownership of a batch; destroying it recycles the batch.
using BatchHandle = std::unique_ptr<Batch, BatchDeleter>;

// The free list of one pool's batches.
class BatchRecycler : public std::enable_shared_from_this<BatchRecycler> {
 public:
  explicit BatchRecycler(std::shared_ptr<const BatchLayout> layout) : layout_(std::move(layout)) {}
  ~BatchRecycler();

  // A batch from the free list, or a new one when the list is empty. Its rows_done is reset to 0.
  BatchHandle Acquire();

  // Frees every idle batch and makes later returns free theirs instead of keeping them.
  // Outstanding handles stay valid. Idempotent.
  void Close();

  // Number of batches allocated and not yet freed (idle and outstanding): for tests.
  int allocated() const { return allocated_.load(); }

 private:
  friend class Batch;
  void Return(Batch* batch);

  std::shared_ptr<const BatchLayout> layout_;
  std::mutex mutex_;
  std::vector<Batch*> idle_;
  bool closed_ = false;
  std::atomic<int> allocated_{0};
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_BATCH_H_
