#include "engine/scheduler.hpp"

#include <exception>

namespace sy::engine {

Scheduler::Scheduler(const SchedulerOptions& opts, RunBatch run) : opts_(opts), run_(std::move(run)) {
  if (opts_.max_batch_tokens == 0) opts_.max_batch_tokens = 1;
  // The pool's helpers are created here; the dispatcher thread is the pool's worker 0.
  pool_ = std::make_unique<ComputePool>(opts_.threads);
  dispatcher_ = std::thread([this] { dispatcher_main(); });
}

Scheduler::~Scheduler() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  dispatcher_.join();
  pool_.reset();
}

bool Scheduler::submit(std::unique_ptr<BatchItem> item) {
  {
    std::lock_guard lk(mu_);
    if (stop_ || queue_.size() >= opts_.queue_capacity) return false;
    queue_.push_back(Entry{std::move(item), std::nullopt});
  }
  cv_.notify_one();
  return true;
}

size_t Scheduler::queued() const {
  std::lock_guard lk(mu_);
  return queue_.size();
}

namespace {
std::string what_of(std::exception_ptr e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown error";
  }
}
}  // namespace

void Scheduler::dispatcher_main() {
  std::vector<std::unique_ptr<BatchItem>> owned;
  std::vector<BatchItem*> batch;
  for (;;) {
    owned.clear();
    batch.clear();
    size_t tokens = 0;
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return stop_ || !queue_.empty(); });
    if (stop_) {
      std::deque<Entry> rest;
      rest.swap(queue_);
      lk.unlock();
      for (auto& e : rest) e.item->fail("engine shutting down");
      return;
    }
    // Fill the batch from the front of the queue. Only this thread removes entries, so the front
    // entry stays put while it is prepared without the lock.
    while (!queue_.empty()) {
      Entry& front = queue_.front();
      if (!front.cost) {
        BatchItem* item = front.item.get();
        lk.unlock();
        std::optional<size_t> cost;
        std::exception_ptr err;
        try {
          cost = item->prepare();
        } catch (...) {
          err = std::current_exception();
        }
        lk.lock();
        if (err) {
          auto failed = std::move(queue_.front().item);
          queue_.pop_front();
          lk.unlock();
          failed->fail(what_of(err));
          lk.lock();
          continue;
        }
        queue_.front().cost = cost;
      }
      const size_t cost = *queue_.front().cost;
      if (!owned.empty() && tokens + cost > opts_.max_batch_tokens) break;
      tokens += cost;
      owned.push_back(std::move(queue_.front().item));
      queue_.pop_front();
      if (tokens >= opts_.max_batch_tokens) break;
    }
    lk.unlock();
    if (owned.empty()) continue;
    for (auto& o : owned) batch.push_back(o.get());
    try {
      run_(batch, *pool_);
    } catch (...) {
      const std::string msg = what_of(std::current_exception());
      for (BatchItem* b : batch) b->fail(msg);
    }
  }
}

}  // namespace sy::engine
