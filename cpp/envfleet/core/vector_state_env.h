// VectorStateEnv: an Env whose whole state is the vector GetState() returns, so that its snapshot
// is that vector.
//
// For envs with no state beyond GetState() (no options that change at reset, buffers or counters
// of their own): SaveState() writes GetState() and LoadState() reads it back through SetState().
// An env whose snapshot holds more overrides both, calling these first and then saving the rest.
// The env still implements GetState() and SetState(); this class only says how snapshots use them.
// Thread-safety, ownership, blocking: as Env (one thread at a time; the env owns its state;
// nothing blocks).
#ifndef ENVFLEET_CORE_VECTOR_STATE_ENV_H_
#define ENVFLEET_CORE_VECTOR_STATE_ENV_H_

#include "envfleet/core/env.h"
#include "envfleet/core/snapshot.h"

namespace envfleet {

class VectorStateEnv : public Env {
 public:
  void SaveState(StateWriter& out) const override { out.PutVector(GetState()); }
  void LoadState(StateReader& in) override { SetState(in.GetVector<double>()); }
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_VECTOR_STATE_ENV_H_
