#include "envfleet/core/affinity.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace envfleet {

void PinThread(std::thread& thread, int cpu) {
#if defined(__linux__)
  const unsigned int num_cpus = std::thread::hardware_concurrency();
  if (num_cpus == 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(static_cast<unsigned int>(cpu) % num_cpus, &set);
  pthread_setaffinity_np(thread.native_handle(), sizeof(set), &set);
#else
  (void)thread;
  (void)cpu;
#endif
}

}  // namespace envfleet
