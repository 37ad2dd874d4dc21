// EnvFault and EnvErrors: how an exception thrown by an env reaches the caller of the pool.
//
// EnvErrors collects, on whichever thread ran the envs, the envs that threw during one request
// (or one thread's part of it, or one async batch): row, env id and message. ThrowIfAny() turns
// a non-empty record into one EnvFault carrying the request's complete result batch; its message
// names the env of the lowest row, then lists every env that threw. Thread-safety: an EnvErrors
// belongs to one thread at a time (callers merge per-thread records after joining, or under their
// own lock). EnvFault is immutable and copyable, as exceptions must be; copies share the batch.
// Ownership: EnvFault owns the batch until the catcher takes it with std::move(fault.batch()).
#ifndef ENVFLEET_CORE_ENV_FAULT_H_
#define ENVFLEET_CORE_ENV_FAULT_H_

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "envfleet/core/batch.h"

namespace envfleet {

// Thrown when envs raised during a request (see pool.h, "Errors inside envs"). Carries the
// request's complete result so the other envs' rows are not lost.
class EnvFault : public std::runtime_error {
 public:
  EnvFault(const std::string& message, std::vector<int> env_ids, BatchHandle batch)
      : std::runtime_error(message),
        env_ids_(std::move(env_ids)),
        batch_(std::make_shared<BatchHandle>(std::move(batch))) {}

  // The envs that threw, in row order; the message names the first.
  const std::vector<int>& env_ids() const { return env_ids_; }
  // The request's result; take it with std::move(fault.batch()).
  BatchHandle& batch() const { return *batch_; }

 private:
  std::vector<int> env_ids_;
  std::shared_ptr<BatchHandle> batch_;
};

// The envs that threw during one request (or one thread's part or async batch of it).
struct EnvErrors {
  struct Failure {
    int row;
    int env_id;
    std::string message;
  };
  std::vector<Failure> failures;  // in the order recorded

  bool empty() const { return failures.empty(); }
  void Record(int row, int env_id, std::string message);
  // Moves every failure of `other` here, leaving it empty.
  void Merge(EnvErrors&& other);
  // Throws EnvFault carrying `batch` if any env threw, naming them in row order; clears this.
  void ThrowIfAny(BatchHandle& batch);
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_ENV_FAULT_H_
