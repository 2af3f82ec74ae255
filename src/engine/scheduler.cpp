#include "engine/scheduler.hpp"

#include <algorithm>
#include <deque>
#include <exception>
#include <optional>

namespace sy::engine {

struct WorkQueue::State {
  struct Entry {
    std::unique_ptr<BatchItem> item;
    std::optional<size_t> cost;  // set once prepared
  };
  QueueOptions opts;
  RunBatch run;
  std::deque<Entry> entries;  // guarded by the scheduler's mutex
  bool closed = false;
  bool busy = false;  // the dispatcher is filling or running a batch of this queue
};

WorkQueue::~WorkQueue() { close(); }
bool WorkQueue::submit(std::unique_ptr<BatchItem> item) { return sched_.submit(*st_, std::move(item)); }
size_t WorkQueue::queued() const { return sched_.queued(*st_); }
void WorkQueue::close() { sched_.close(*st_); }
const QueueOptions& WorkQueue::options() const { return st_->opts; }

Scheduler::Scheduler(const SchedulerOptions& opts) {
  // The pool's helpers are created here; the dispatcher thread is the pool's worker 0.
  pool_ = std::make_unique<ComputePool>(opts.threads);
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

std::unique_ptr<WorkQueue> Scheduler::open_queue(const QueueOptions& opts, RunBatch run) {
  auto st = std::make_shared<WorkQueue::State>();
  st->opts = opts;
  if (st->opts.max_batch_tokens == 0) st->opts.max_batch_tokens = 1;
  st->run = std::move(run);
  {
    std::lock_guard lk(mu_);
    queues_.push_back(st);
  }
  return std::unique_ptr<WorkQueue>(new WorkQueue(*this, std::move(st)));
}

bool Scheduler::submit(WorkQueue::State& q, std::unique_ptr<BatchItem> item) {
  {
    std::lock_guard lk(mu_);
    if (stop_ || q.closed || q.entries.size() >= q.opts.queue_capacity) return false;
    q.entries.push_back({std::move(item), std::nullopt});
  }
  cv_.notify_one();
  return true;
}

size_t Scheduler::queued(const WorkQueue::State& q) const {
  std::lock_guard lk(mu_);
  return q.entries.size();
}

void Scheduler::close(WorkQueue::State& q) {
  std::deque<WorkQueue::State::Entry> rest;
  {
    std::unique_lock lk(mu_);
    if (q.closed) return;
    q.closed = true;
    // The dispatcher may be preparing or running this queue's batch, with pointers into it.
    idle_cv_.wait(lk, [&] { return !q.busy; });
    rest.swap(q.entries);
    auto it = std::find_if(queues_.begin(), queues_.end(), [&](const auto& p) { return p.get() == &q; });
    if (it != queues_.end()) {
      const auto at = static_cast<size_t>(it - queues_.begin());
      queues_.erase(it);
      if (turn_ > at) --turn_;
    }
  }
  for (auto& e : rest) e.item->fail("engine shutting down");
}

std::shared_ptr<WorkQueue::State> Scheduler::next_queue() {
  const size_t n = queues_.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t at = (turn_ + i) % n;
    if (!queues_[at]->entries.empty() && !queues_[at]->closed) {  // a closing queue's items fail
      turn_ = at + 1;
      return queues_[at];
    }
  }
  return nullptr;
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
    std::shared_ptr<WorkQueue::State> qp;
    cv_.wait(lk, [&] { return stop_ || (qp = next_queue()) != nullptr; });
    if (stop_) {
      std::vector<std::deque<WorkQueue::State::Entry>> rest;
      for (auto& q : queues_) rest.push_back(std::move(q->entries));
      lk.unlock();
      for (auto& d : rest)
        for (auto& e : d) e.item->fail("engine shutting down");
      return;
    }
    WorkQueue::State& q = *qp;
    q.busy = true;  // close() waits for this batch; nobody else removes entries meanwhile
    const size_t budget = q.opts.max_batch_tokens;
    while (!q.entries.empty()) {
      auto& front = q.entries.front();
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
          auto failed = std::move(q.entries.front().item);
          q.entries.pop_front();
          lk.unlock();
          failed->fail(what_of(err));
          lk.lock();
          continue;
        }
        q.entries.front().cost = cost;
      }
      const size_t cost = *q.entries.front().cost;
      if (!owned.empty() && tokens + cost > budget) break;
      tokens += cost;
      owned.push_back(std::move(q.entries.front().item));
      q.entries.pop_front();
      if (tokens >= budget) break;
    }
    lk.unlock();
    if (!owned.empty()) {
      for (auto& o : owned) batch.push_back(o.get());
      try {
        q.run(batch, *pool_);
      } catch (...) {
        const std::string msg = what_of(std::current_exception());
        for (BatchItem* b : batch) b->fail(msg);
      }
      owned.clear();  // items die before close() may let their queue's owner go
    }
    lk.lock();
    q.busy = false;
    lk.unlock();
    idle_cv_.notify_all();
  }
}

}  // namespace sy::engine
