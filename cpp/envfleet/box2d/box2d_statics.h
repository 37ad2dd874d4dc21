// PrepareBox2dStatics: fills Box2D's process-wide lookup table once, before envs run in parallel.
//
// Box2D 2.3's first b2BlockAllocator (every b2World owns one) fills the static table
// b2BlockAllocator::s_blockSizeLookup without synchronisation, and a pool makes its envs on
// several threads at once. Every Box2D env's constructor calls this first: the function-local
// static runs the first construction exactly once, and C++ makes concurrent callers wait for it;
// afterwards the table is only read. (Box2D's profiling counters, b2_gjkCalls and b2_toiCalls,
// stay unsynchronised global increments that nothing reads; see docs/box2d.md.)
// Thread-safety: safe to call from any thread.
#ifndef ENVFLEET_BOX2D_BOX2D_STATICS_H_
#define ENVFLEET_BOX2D_BOX2D_STATICS_H_

#include <Box2D/Box2D.h>

namespace envfleet::box2d {

inline void PrepareBox2dStatics() { static const b2BlockAllocator first_allocator; }

}  // namespace envfleet::box2d

#endif  // ENVFLEET_BOX2D_BOX2D_STATICS_H_
