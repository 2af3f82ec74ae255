#pragma once
// The engine's async front: a compute pool with its own threads and a bounded queue of work
// items that are batched together by a token budget.
//
// Batching policy (see docs/engine.md):
//   - submit() never blocks and never computes: it appends to the queue, or returns false at once
//     when queue_capacity items are already waiting (the gateway answers 429).
//   - One dispatcher thread (worker 0 of the pool) takes the oldest item, prepares it (e.g.
//     tokenizes; the cost is its token count), then keeps taking the next oldest while the batch
//     stays within max_batch_tokens. It never waits for more work to arrive: requests that come
//     in while a batch runs form the next batch, so batching adds no latency when idle.
//   - An item bigger than the budget runs as a batch of its own (the runner splits it).
//   - Batches run one at a time, each using every pool thread; FIFO order is preserved.
// Every item gets exactly one completion: its run, or fail() if prepare/run throws or the
// scheduler is destroyed with the item still queued. Completions run on the dispatcher thread.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/compute_pool.hpp"

namespace sy::engine {

struct SchedulerOptions {
  int threads = 0;  // compute threads in total; 0 = hardware concurrency
  size_t max_batch_tokens = 8192;
  size_t queue_capacity = 256;
};

class BatchItem {
 public:
  virtual ~BatchItem() = default;
  // Runs on the dispatcher before batching; returns the item's cost in tokens. May throw
  // (the item then fails alone).
  virtual size_t prepare() = 0;
  // Called instead of a normal completion.
  virtual void fail(const std::string& error) = 0;
};

class Scheduler {
 public:
  // Runs one batch on the dispatcher thread and completes every item. If it throws, the scheduler
  // fails every item of the batch, so a runner completes items only once nothing more can throw.
  using RunBatch = std::function<void(std::vector<BatchItem*>& batch, ComputePool& pool)>;

  Scheduler(const SchedulerOptions& opts, RunBatch run);
  ~Scheduler();  // fails queued items with "engine shutting down", finishes the running batch
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // False (and the item is dropped without any call) when the queue is full or shutting down.
  bool submit(std::unique_ptr<BatchItem> item);

  size_t queued() const;
  const SchedulerOptions& options() const { return opts_; }
  int threads() const { return pool_ ? pool_->size() : 0; }

 private:
  struct Entry {
    std::unique_ptr<BatchItem> item;
    std::optional<size_t> cost;
  };
  void dispatcher_main();

  SchedulerOptions opts_;
  RunBatch run_;
  std::unique_ptr<ComputePool> pool_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;
  bool stop_ = false;
  std::thread dispatcher_;
};

}  // namespace sy::engine
