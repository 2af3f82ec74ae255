#pragma once
// The engine's async front: one compute pool with its own threads, shared by every model that is
// given the same Scheduler, and one bounded queue per model whose work items are batched together
// by a token budget.
//
// Why one pool for all models: each batch already uses every core (GEMMs are split across the
// pool), so two models computing at once on separate pools only interleave on the same cores —
// twice the threads, each one's cache blocking spoiled by the other, and per-call barriers that
// wait for a descheduled thread. Running batches one after another on one pool does the same work
// with none of that (bench/encoder/mixed_bench measures it).
//
// Batching policy (see docs/engine.md):
//   - submit() never blocks and never computes: it appends to its queue, or returns false at once
//     when queue_capacity items are already waiting there (the gateway answers 429).
//   - One dispatcher thread (worker 0 of the pool) picks a queue, takes its oldest item, prepares
//     it (e.g. tokenizes; the cost is its token count), then keeps taking that queue's next oldest
//     while the batch stays within the queue's max_batch_tokens. It never waits for more work to
//     arrive: requests that come in while a batch runs form the next batch, so batching adds no
//     latency when idle.
//   - Queues with waiting work take turns, one batch each (round robin), so a burst on one model
//     delays another model's requests by at most one batch, not by the whole burst.
//   - An item bigger than the budget runs as a batch of its own (the runner splits it).
//   - Batches run one at a time, each using every pool thread; FIFO order within a queue.
// Every item gets exactly one completion: its run, or fail() if prepare/run throws, its queue is
// closed, or the scheduler is destroyed with the item still queued. Completions run on the
// dispatcher thread.
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/compute_pool.hpp"

namespace sy::engine {

struct SchedulerOptions {
  int threads = 0;  // compute threads in total; 0 = hardware concurrency
};

struct QueueOptions {
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

class Scheduler;

// Runs one batch on the dispatcher thread and completes every item. If it throws, the scheduler
// fails every item of the batch, so a runner completes items only once nothing more can throw.
using RunBatch = std::function<void(std::vector<BatchItem*>& batch, ComputePool& pool)>;

// One model's queue on a Scheduler. Destroying it (or close()) fails the items still waiting in
// it with "engine shutting down" and returns only once a batch of it that is running has
// finished, so the runner's captures may be destroyed right after. The Scheduler must outlive it
// (hold the shared_ptr alongside).
class WorkQueue {
 public:
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // False (and the item is dropped without any call) when the queue is full or closed.
  bool submit(std::unique_ptr<BatchItem> item);
  size_t queued() const;
  void close();
  const QueueOptions& options() const;

  struct State;

 private:
  friend class Scheduler;
  WorkQueue(Scheduler& s, std::shared_ptr<State> st) : sched_(s), st_(std::move(st)) {}
  Scheduler& sched_;
  std::shared_ptr<State> st_;
};

class Scheduler {
 public:
  explicit Scheduler(const SchedulerOptions& opts);
  ~Scheduler();  // fails every queued item with "engine shutting down", finishes the running batch
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // A new queue whose batches `run` executes.
  std::unique_ptr<WorkQueue> open_queue(const QueueOptions& opts, RunBatch run);

  int threads() const { return pool_ ? pool_->size() : 0; }

 private:
  friend class WorkQueue;
  bool submit(WorkQueue::State& q, std::unique_ptr<BatchItem> item);
  void close(WorkQueue::State& q);
  size_t queued(const WorkQueue::State& q) const;
  void dispatcher_main();
  std::shared_ptr<WorkQueue::State> next_queue();  // the lock held; null when none has work

  std::unique_ptr<ComputePool> pool_;
  mutable std::mutex mu_;
  std::condition_variable cv_;       // dispatcher: work arrived or stopping
  std::condition_variable idle_cv_;  // close(): the queue's running batch finished
  std::vector<std::shared_ptr<WorkQueue::State>> queues_;
  size_t turn_ = 0;  // index in queues_ where the round robin looks first
  bool stop_ = false;
  std::thread dispatcher_;
};

}  // namespace sy::engine
