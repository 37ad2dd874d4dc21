// StateWriter and StateReader: the bytes of an env snapshot (Pool::Snapshot), written and read
// back in the same order.
//
// A snapshot is opaque bytes: the engine writes its header and its per-env bookkeeping, then the
// env writes its own state (Env::SaveState) and reads it back in the same order (Env::LoadState).
// Values are stored as their in-memory bytes (snapshots move between processes and machines of
// the same build and byte order; the header records the byte order). Arrays carry their length,
// so a reader checks what it expects. Thread-safety: a writer or reader belongs to the one thread
// using it. Ownership: a writer owns its bytes; a reader only views bytes its caller keeps alive.
// Errors: every read past the end, or of an array of another length, throws
// std::invalid_argument ("snapshot is truncated or corrupt").
#ifndef ENVFLEET_CORE_SNAPSHOT_H_
#define ENVFLEET_CORE_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace envfleet {

class StateWriter {
 public:
  // One value of a trivially copyable type.
  template <typename T>
  void Put(const T& value) {
    static_assert(std::is_trivially_copyable_v<T>);
    PutRaw(&value, sizeof(T));
  }

  // `n` values, after their count.
  template <typename T>
  void PutArray(const T* values, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<std::uint64_t>(n);
    PutRaw(values, n * sizeof(T));
  }

  template <typename T>
  void PutVector(const std::vector<T>& values) {
    PutArray(values.data(), values.size());
  }

  void PutString(std::string_view text) { PutArray(text.data(), text.size()); }

  std::string& bytes() { return bytes_; }

 private:
  void PutRaw(const void* data, std::size_t size) {
    bytes_.append(static_cast<const char*>(data), size);
  }

  std::string bytes_;
};

class StateReader {
 public:
  explicit StateReader(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  T Get() {
    static_assert(std::is_trivially_copyable_v<T>);
    T value;
    GetRaw(&value, sizeof(T));
    return value;
  }

  // Exactly `n` values, written by PutArray with the same count.
  template <typename T>
  void GetArray(T* values, std::size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (Get<std::uint64_t>() != n) Corrupt();
    GetRaw(values, n * sizeof(T));
  }

  // Values written by PutArray or PutVector, however many.
  template <typename T>
  std::vector<T> GetVector() {
    const std::uint64_t n = Get<std::uint64_t>();
    if (n > (bytes_.size() - offset_) / sizeof(T)) Corrupt();
    std::vector<T> values(n);
    GetRaw(values.data(), n * sizeof(T));
    return values;
  }

  std::string GetString() {
    const std::vector<char> chars = GetVector<char>();
    return std::string(chars.begin(), chars.end());
  }

  std::size_t remaining() const { return bytes_.size() - offset_; }
  // Whether the unread bytes start with `prefix`; if so, they are skipped.
  bool SkipPrefix(std::string_view prefix) {
    if (bytes_.substr(offset_, prefix.size()) != prefix) return false;
    offset_ += prefix.size();
    return true;
  }

  // Whether every byte has been read (a reader checks this at the end).
  bool done() const { return offset_ == bytes_.size(); }
  void ExpectDone() const {
    if (!done()) Corrupt();
  }

  [[noreturn]] static void Corrupt() {
    throw std::invalid_argument("snapshot is truncated or corrupt");
  }

 private:
  void GetRaw(void* data, std::size_t size) {
    if (size > bytes_.size() - offset_) Corrupt();
    if (size > 0) std::memcpy(data, bytes_.data() + offset_, size);
    offset_ += size;
  }

  std::string_view bytes_;
  std::size_t offset_ = 0;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SNAPSHOT_H_
