// Runs every registered TEST of this binary (or those named on the command line).
#include <cstring>
#include <iostream>

#include "check.h"

int main(int argc, char** argv) {
  int passed = 0;
  int failed = 0;
  for (const auto& test : envfleet::test::Registry()) {
    // Optional filter: run only tests named on the command line.
    bool selected = argc == 1;
    for (int i = 1; i < argc; ++i) selected |= std::strcmp(argv[i], test.name) == 0;
    if (!selected) continue;

    const int before = envfleet::test::Failures().load();
    try {
      test.body();
    } catch (const std::exception& e) {
      envfleet::test::Fail(__FILE__, __LINE__, std::string("unexpected exception: ") + e.what());
    }
    const bool ok = envfleet::test::Failures().load() == before;
    std::cout << (ok ? "[ PASS ] " : "[ FAIL ] ") << test.name << std::endl;
    (ok ? passed : failed) += 1;
  }
  std::cout << passed << " passed, " << failed << " failed" << std::endl;
  return failed == 0 ? 0 : 1;
}
