// ShardedRunner: the fork-join thread team behind sync mode.
//
// Run(n, fn) splits [0, n) into `num_threads` contiguous shards, one per thread: the calling thread
// takes shard 0, worker k shard k. Each thread claims its shard in chunks, in order, and calls
// fn(thread, begin, end) per chunk; a thread whose shard is used up claims the remaining chunks of
// the others (an atomic cursor per shard), so an env that is slow this step (a Humanoid in
// contact, an Atari game resetting) does not leave the other threads idle. When steps cost the
// same, every thread finishes its own shard and no chunk moves: each env stays on one thread,
// its state in that core's cache. Chunks are about an eighth of a shard. Returns when every chunk
// is done. `thread` identifies the calling thread (0 for the caller), for per-thread state.
//
// RunInParts(n, fn) is for rows whose work is a sequence of parts (an env step split into its
// physics steps or their halves, Env::StepParts): fn(thread, row, part) runs one part and returns
// true after the row's last. Each thread holds the rows of its shard and advances them together,
// one part of each in turn. A thread whose rows are finished takes half the rows of the thread
// holding the most, between two of their parts, so the threads finish within about one part of each
// other instead of one whole row; the rows of a worker that has not yet started on the request
// (not woken, or not given a core) are taken whole, the last one included. A row's parts run in
// order, never two at once; a row changes threads only between parts, through an acquire/release
// hand-over, so its state needs no locking. Returns when every row has finished.
//
// A request is over when its work is done, not when every worker has seen it: a worker that wakes
// late (a machine with more runnable threads than cores) joins the request that is current then,
// or none, and the caller never waits for a worker that holds no work. A worker joins a request
// through an admission word (the request's generation, whether it is open, how many workers are
// in it); the caller closes it, once no worker is inside, before it writes the next request.
//
// Producers: one caller at a time (the Pool serialises its callers). Blocking: workers wait for
// the next request as the team's WaitPolicy says (spin.h): under kSpin, and kAuto while the machine
// is not contended, they spin for as long as their recent waits lasted (AdaptiveSpin, at most
// kMaxSpin); then, or at once, they sleep on a futex (futex.h), so an idle team burns no CPU. The
// caller waits for the last unfinished work the same way. A wake-up costs a system call only when
// someone sleeps.
// Shutdown: Close() (also run by the destructor) wakes and joins every worker; idempotent. `fn`
// must not throw (the Pool catches each env's exceptions itself).
#ifndef ENVFLEET_CORE_SHARDED_RUNNER_H_
#define ENVFLEET_CORE_SHARDED_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "envfleet/core/function_ref.h"
#include "envfleet/core/spin.h"

namespace envfleet {

class ShardedRunner {
 public:
  // Starts num_threads - 1 workers. With affinity_offset >= 0, worker k is pinned to CPU
  // (affinity_offset + k) modulo the CPU count (the caller is never pinned). Every wait of the
  // team follows `wait_policy`.
  ShardedRunner(int num_threads, int affinity_offset, WaitPolicy wait_policy = WaitPolicy::kAuto);
  ~ShardedRunner();
  ShardedRunner(const ShardedRunner&) = delete;
  ShardedRunner& operator=(const ShardedRunner&) = delete;

  int num_threads() const { return num_threads_; }

  // Calls fn(thread, begin, end) over chunks covering [0, n) and blocks until all have returned.
  void Run(int n, const FunctionRef<void(int, int, int)>& fn);

  // Calls fn(thread, row, part) for part 0, 1, ... of every row in [0, n) until it returns true,
  // and blocks until every row has finished.
  void RunInParts(int n, const FunctionRef<bool(int, int, int)>& fn);

  // How many requests worker `thread` (1 .. num_threads - 1) has joined so far (a diagnostic:
  // a worker that wakes after a request is over never joins it).
  std::uint64_t requests_joined(int thread) const {
    return shards_[thread].joined.load(std::memory_order_relaxed);
  }

  void Close();

 private:
  // One thread's shard, on a cache line of its own: Run()'s next unclaimed index and the end;
  // RunInParts()'s count of the unfinished rows the thread holds; the requests it joined (the
  // generation of the last one, and their count).
  struct alignas(64) Shard {
    std::atomic<int> next{0};
    int end = 0;
    std::atomic<int> held{0};
    std::atomic<std::uint32_t> joined_generation{0};
    std::atomic<std::uint64_t> joined{0};
  };
  // A row of RunInParts(): who holds it (a thread index, plus kRunning while a part runs, or
  // kFinished) and its next part, written only by the thread that has it running.
  struct alignas(64) PartRow {
    std::atomic<int> holder{0};
    int next_part = 0;
  };
  // The rows a thread holds during RunInParts(), apart from the other threads' lists.
  struct alignas(64) HeldRows {
    std::vector<int> rows;
  };

  // Publishes the request written since CloseRequest(): opens it to the workers and wakes them.
  void OpenRequest();
  // Closes the last request to workers, waiting for any still inside it to leave.
  void CloseRequest();
  // Worker `thread` joins the open request, if any; false when there is none to join.
  bool JoinRequest(int thread);
  void LeaveRequest();
  // Waits until every row of the request has been done.
  void WaitForRows();
  // Counts `rows` done; the last wakes the caller.
  void RowsDone(int rows);
  // Splits [0, n) into one contiguous shard per thread.
  void SetShards(int n);
  void WorkerLoop(int thread);
  // Runs chunks of the thread's own shard, then of the others, until none is left.
  void RunChunks(int thread);
  // Advances the rows the thread holds; when they are finished, takes rows from others; returns
  // when there is nothing left to take.
  void RunParts(int thread);
  // Takes rows of another thread: all of a worker's that has not joined the request, else half
  // of those of the thread holding the most, if it holds two or more; false when there are none.
  bool TakeRows(int thread, std::vector<int>& held);

  const int num_threads_;
  const WaitPolicy wait_policy_;
  std::vector<std::thread> workers_;
  // The current request, one of the two; written by the caller while the request is closed.
  const FunctionRef<void(int, int, int)>* job_ = nullptr;
  const FunctionRef<bool(int, int, int)>* parts_job_ = nullptr;
  int chunk_ = 1;
  std::unique_ptr<Shard[]> shards_;
  // RunInParts(): the rows (grown as needed), their count, and each thread's list of them.
  std::unique_ptr<PartRow[]> part_rows_;
  int part_rows_capacity_ = 0;
  int part_rows_count_ = 0;
  std::unique_ptr<HeldRows[]> held_rows_;
  // The admission word: the request's generation (high 32 bits), kOpen, and the number of workers
  // inside it (low bits).
  std::atomic<std::uint64_t> admission_{0};
  // The generation of the current request, written by the caller while it is closed.
  std::uint32_t request_generation_ = 0;
  // Bumped once per request (and by Close()): what sleeping workers wait on, and how many sleep.
  std::atomic<std::uint32_t> generation_{0};
  std::atomic<int> sleeping_workers_{0};
  // Rows of the request not yet done; the caller waits for 0, and says when it sleeps.
  std::atomic<int> rows_left_{0};
  std::atomic<bool> caller_sleeping_{false};
  std::atomic<bool> stopping_{false};
  // The caller's wait for the last rows of a request.
  AdaptiveSpin caller_spin_;
  bool closed_ = false;
};

}  // namespace envfleet

#endif  // ENVFLEET_CORE_SHARDED_RUNNER_H_
