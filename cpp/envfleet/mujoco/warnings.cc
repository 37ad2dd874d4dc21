#include "envfleet/mujoco/warnings.h"

#include <mujoco/mujoco.h>

#include <cstdio>

namespace envfleet::mujoco {
namespace {

// How many QuietWarnings this thread holds.
thread_local int quiet_depth = 0;

void PrintWarning(const char* text) {
  if (quiet_depth > 0) return;
  std::fprintf(stderr, "MuJoCo warning: %s\n", text);
}

}  // namespace

void InstallWarningHandler() {
  if (mju_user_warning == nullptr) mju_user_warning = PrintWarning;
}

QuietWarnings::QuietWarnings() { ++quiet_depth; }

QuietWarnings::~QuietWarnings() { --quiet_depth; }

}  // namespace envfleet::mujoco
