#include "envfleet/core/batch.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace envfleet {
namespace {

// Rows of every field start on a 64-byte boundary (a cache line, and enough for SIMD loads).
constexpr std::size_t kAlignment = 64;

std::size_t AlignUp(std::size_t n) { return (n + kAlignment - 1) / kAlignment * kAlignment; }

}  // namespace

BatchLayout::BatchLayout(const EnvSpec& spec, bool with_final, int capacity, bool with_stats)
    : capacity_(capacity),
      num_info_(static_cast<int>(spec.info.size())),
      with_final_(with_final),
      with_stats_(with_stats) {
  auto add = [this](std::string name, const ArraySpec& array) {
    fields_.push_back({std::move(name), array.dtype, array.shape, array.NumBytes(), 0});
  };
  auto add_scalar = [this](std::string name, DType dtype) {
    fields_.push_back({std::move(name), dtype, {}, DTypeSize(dtype), 0});
  };

  // The fixed fields, in the order of the k* indices.
  add("obs", spec.observation);
  add_scalar("reward", DType::kFloat64);
  add_scalar("terminated", DType::kBool);
  add_scalar("truncated", DType::kBool);
  add_scalar("env_id", DType::kInt32);
  add_scalar("elapsed_step", DType::kInt32);
  for (const InfoSpec& info : spec.info) add("info:" + info.name, info.array);

  // SAME_STEP mode's copies of the last observation and info of an ending episode.
  if (with_final) {
    add("final_obs", spec.observation);
    add_scalar("_final_obs", DType::kBool);
    add_scalar("final_elapsed_step", DType::kInt32);
    for (const InfoSpec& info : spec.info) add("final_info:" + info.name, info.array);
  }

  // The statistics of the episodes that ended on this row's step (PoolOptions::episode_stats).
  if (with_stats) {
    add_scalar("episode_r", DType::kFloat64);
    add_scalar("episode_l", DType::kInt64);
    add_scalar("episode_t", DType::kFloat64);
    add_scalar("_episode", DType::kBool);
  }

  // Field-major placement, each field aligned.
  for (BatchField& field : fields_) {
    field.offset = total_bytes_;
    total_bytes_ += AlignUp(field.row_bytes * static_cast<std::size_t>(capacity));
  }
  if (total_bytes_ == 0) total_bytes_ = kAlignment;
}

Batch::Batch(std::shared_ptr<const BatchLayout> layout, std::shared_ptr<BatchRecycler> home)
    : layout_(std::move(layout)), home_(std::move(home)) {
  data_ =
      static_cast<std::byte*>(::operator new(layout_->total_bytes(), std::align_val_t{kAlignment}));
  // Zeroed once, so rows an env leaves unwritten never expose stale heap memory.
  std::memset(data_, 0, layout_->total_bytes());
  for (const BatchField& field : layout_->fields()) {
    places_.push_back({data_ + field.offset, field.row_bytes});
  }
}

Batch::~Batch() { ::operator delete(data_, std::align_val_t{kAlignment}); }

EnvOutput Batch::Output(int row, void** info_pointers) {
  for (int i = 0; i < layout_->num_info(); ++i) {
    info_pointers[i] = At<void>(BatchLayout::kFirstInfo + i, row);
  }
  return {At<void>(BatchLayout::kObs, row), At<double>(BatchLayout::kReward, row),
          At<bool>(BatchLayout::kTerminated, row), info_pointers};
}

EnvOutput Batch::FinalOutput(int row, void** info_pointers) {
  for (int i = 0; i < layout_->num_info(); ++i) {
    info_pointers[i] = At<void>(layout_->first_final_info() + i, row);
  }
  return {At<void>(layout_->final_obs(), row), nullptr, nullptr, info_pointers};
}

void Batch::Recycle(Batch* batch) {
  if (batch == nullptr) return;
  // Keep the recycler alive across Return(): the batch may be freed inside it.
  std::shared_ptr<BatchRecycler> home = batch->home_;
  home->Return(batch);
}

BatchRecycler::~BatchRecycler() { Close(); }

BatchHandle BatchRecycler::Acquire() {
  Batch* batch = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_.empty()) {
      batch = idle_.back();
      idle_.pop_back();
    }
  }
  // Allocate outside the lock when the free list is empty.
  if (batch == nullptr) {
    batch = new Batch(layout_, shared_from_this());
    allocated_.fetch_add(1);
  }
  batch->rows_done().store(0, std::memory_order_relaxed);
  batch->set_rows(layout_->capacity());
  return BatchHandle(batch);
}

void BatchRecycler::Return(Batch* batch) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!closed_) {
      idle_.push_back(batch);
      return;
    }
  }
  allocated_.fetch_sub(1);
  delete batch;
}

void BatchRecycler::Close() {
  std::vector<Batch*> idle;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    idle.swap(idle_);
  }
  // Idle batches hold a reference to this recycler: freeing them breaks that cycle.
  for (Batch* batch : idle) {
    allocated_.fetch_sub(1);
    delete batch;
  }
}

}  // namespace envfleet
