// PinThread: binds a thread to one CPU, for pools made with thread_affinity_offset >= 0.
//
// Thread-safety: callable from any thread for any joinable std::thread. A failure to pin (a CPU
// outside this process's allowed set, or a platform without affinity) leaves the thread unpinned.
#ifndef ENVFLEET_CORE_AFFINITY_H_
#define ENVFLEET_CORE_AFFINITY_H_

#include <thread>

namespace envfleet {

// Pins `thread` to CPU `cpu` modulo the number of CPUs.
void PinThread(std::thread& thread, int cpu);

}  // namespace envfleet

#endif  // ENVFLEET_CORE_AFFINITY_H_
