#include "envfleet/core/env_fault.h"

#include <algorithm>

namespace envfleet {

void EnvErrors::Record(int row, int env_id, std::string message) {
  failures.push_back({row, env_id, std::move(message)});
}

void EnvErrors::Merge(EnvErrors&& other) {
  for (Failure& failure : other.failures) failures.push_back(std::move(failure));
  other = EnvErrors();
}

void EnvErrors::ThrowIfAny(BatchHandle& batch) {
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

}  // namespace envfleet
