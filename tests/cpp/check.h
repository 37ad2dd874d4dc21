// A minimal test harness for the engine's C++ tests: CHECK macros and a test registry.
//
// Each test file defines TESTs; main() (in test_main.cc) runs them all, prints one line per test
// and exits non-zero on any failure. Thread-safety: CHECK may be called from worker threads; a
// failure is recorded atomically and reported by the running test.
#ifndef ENVFLEET_TESTS_CPP_CHECK_H_
#define ENVFLEET_TESTS_CPP_CHECK_H_

#include <atomic>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace envfleet::test {

struct TestCase {
  const char* name;
  std::function<void()> body;
};

inline std::vector<TestCase>& Registry() {
  static std::vector<TestCase> tests;
  return tests;
}

inline std::atomic<int>& Failures() {
  static std::atomic<int> failures{0};
  return failures;
}

struct Registrar {
  Registrar(const char* name, std::function<void()> body) {
    Registry().push_back({name, std::move(body)});
  }
};

inline void Fail(const char* file, int line, const std::string& message) {
  Failures().fetch_add(1);
  std::ostringstream out;
  out << file << ":" << line << ": CHECK failed: " << message << "\n";
  std::cerr << out.str();
}

// Runs `body` and reports whether it threw an exception of type E.
template <typename E, typename Body>
bool Throws(Body&& body) {
  try {
    body();
  } catch (const E&) {
    return true;
  } catch (...) {
    return false;
  }
  return false;
}

}  // namespace envfleet::test

#define TEST(name)                                                         \
  static void name();                                                      \
  static const ::envfleet::test::Registrar name##_registrar(#name, &name); \
  static void name()

#define CHECK(condition)                                                      \
  do {                                                                        \
    if (!(condition)) ::envfleet::test::Fail(__FILE__, __LINE__, #condition); \
  } while (0)

#define CHECK_EQ(a, b)                                                                   \
  do {                                                                                   \
    const auto& check_a_ = (a);                                                          \
    const auto& check_b_ = (b);                                                          \
    if (!(check_a_ == check_b_)) {                                                       \
      std::ostringstream check_out_;                                                     \
      check_out_ << #a << " == " << #b << " (" << check_a_ << " vs " << check_b_ << ")"; \
      ::envfleet::test::Fail(__FILE__, __LINE__, check_out_.str());                      \
    }                                                                                    \
  } while (0)

#define CHECK_THROWS(exception_type, statement) \
  CHECK(::envfleet::test::Throws<exception_type>([&] { statement; }))

#endif  // ENVFLEET_TESTS_CPP_CHECK_H_
