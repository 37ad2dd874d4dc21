// b2Timer without the clock: envfleet builds Box2D with this file in place of its
// Common/b2Timer.cpp.
//
// Box2D 2.3 times each b2World::Step and its islands with b2Timer (gettimeofday on Linux) only to
// fill b2World::GetProfile(), which nothing in envfleet reads; the calls cost about 4% of a
// LunarLander step. Here the timer reads 0 ms: no simulated quantity depends on it.
#include <Box2D/Common/b2Timer.h>

b2Timer::b2Timer() { Reset(); }

void b2Timer::Reset() {
  m_start_sec = 0;
  m_start_msec = 0;
}

float32 b2Timer::GetMilliseconds() const { return 0.0f; }
