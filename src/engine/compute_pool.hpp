#pragma once
// The engine's compute threads. One thread (the scheduler's dispatcher) drives a batch and calls
// parallel_for; the pool's helper threads and the calling thread share the items. Only one
// parallel_for runs at a time (batches are serialized by the scheduler), so kernels can index
// per-thread scratch space by the worker number they are given.
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sy::engine {

class ComputePool {
 public:
  // `threads` workers in total, counting the thread that calls parallel_for (so threads-1 helper
  // threads are started). threads <= 0 means std::thread::hardware_concurrency().
  explicit ComputePool(int threads);
  ~ComputePool();
  ComputePool(const ComputePool&) = delete;
  ComputePool& operator=(const ComputePool&) = delete;

  int size() const { return size_; }

  // Runs fn(item, worker) for item in [0, n); worker is in [0, size()). Returns when every item
  // is done; rethrows the first exception an item threw. Not reentrant.
  using Fn = std::function<void(size_t item, int worker)>;
  void parallel_for(size_t n, const Fn& fn);

  // Splits [0, n) into at most size() contiguous ranges of whole `grain`s and runs fn(begin, end,
  // worker) on each.
  void parallel_ranges(size_t n, size_t grain, const std::function<void(size_t, size_t, int)>& fn);

 private:
  struct Task {
    const Fn* fn = nullptr;
    size_t n = 0;
    std::atomic<size_t> next{0};
    std::atomic<size_t> done{0};
    std::exception_ptr error;
  };
  void helper_main(int worker);
  void run_items(Task& task, int worker);

  int size_ = 1;
  std::vector<std::thread> helpers_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable finished_;
  bool stop_ = false;
  uint64_t generation_ = 0;
  int active_ = 0;        // helpers inside run_items for task_
  Task* task_ = nullptr;  // the running parallel_for's task (on the caller's stack), guarded by mu_
};

}  // namespace sy::engine
