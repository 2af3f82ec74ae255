#include "engine/scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>

using namespace sy::engine;
using namespace std::chrono_literals;

namespace {

struct Log {
  std::mutex mu;
  std::vector<std::vector<int>> batches;  // ids per batch
  std::vector<std::pair<int, std::string>> failures;
  std::atomic<int> completed{0};
};

class Item : public BatchItem {
 public:
  Item(Log& log, int id, size_t cost, bool throw_in_prepare = false)
      : log_(log), id_(id), cost_(cost), throws_(throw_in_prepare) {}
  size_t prepare() override {
    if (throws_) throw std::runtime_error("bad input " + std::to_string(id_));
    return cost_;
  }
  void fail(const std::string& e) override {
    std::lock_guard lk(log_.mu);
    log_.failures.emplace_back(id_, e);
    log_.completed++;
  }
  int id() const { return id_; }

 private:
  Log& log_;
  int id_;
  size_t cost_;
  bool throws_;
};

}  // namespace

TEST(Scheduler, BatchesByTokenBudgetInFifoOrder) {
  Log log;
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  Scheduler s(SchedulerOptions{2});
  QueueOptions qo;
  qo.max_batch_tokens = 10;
  auto q = s.open_queue(qo, [&](std::vector<BatchItem*>& batch, ComputePool& pool) {
    EXPECT_EQ(pool.size(), 2);
    open.wait();  // hold the first batch so the rest queue up behind it
    std::vector<int> ids;
    for (auto* b : batch) ids.push_back(static_cast<Item*>(b)->id());
    std::lock_guard lk(log.mu);
    log.batches.push_back(ids);
    log.completed += static_cast<int>(batch.size());
  });
  ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 0, 4)));
  std::this_thread::sleep_for(50ms);  // item 0 is now running alone
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(q->submit(std::make_unique<Item>(log, i, i == 4 ? 25 : 3)));
  gate.set_value();
  while (log.completed < 7) std::this_thread::sleep_for(1ms);
  std::lock_guard lk(log.mu);
  // 1,2,3 fit in 10 tokens; 4 (25 tokens, over budget) runs alone; then 5,6.
  std::vector<std::vector<int>> want = {{0}, {1, 2, 3}, {4}, {5, 6}};
  EXPECT_EQ(log.batches, want);
}

TEST(Scheduler, QueueFullIsRefusedImmediately) {
  Log log;
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  Scheduler s(SchedulerOptions{1});
  QueueOptions qo;
  qo.queue_capacity = 2;
  auto q = s.open_queue(qo, [&](std::vector<BatchItem*>& batch, ComputePool&) {
    open.wait();
    log.completed += static_cast<int>(batch.size());
  });
  ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 0, 1)));
  std::this_thread::sleep_for(50ms);  // taken by the dispatcher: no longer queued
  EXPECT_TRUE(q->submit(std::make_unique<Item>(log, 1, 1)));
  EXPECT_TRUE(q->submit(std::make_unique<Item>(log, 2, 1)));
  EXPECT_EQ(q->queued(), 2u);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(q->submit(std::make_unique<Item>(log, 3, 1)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);
  gate.set_value();
  while (log.completed < 3) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(q->submit(std::make_unique<Item>(log, 4, 1)));
}

TEST(Scheduler, PrepareAndRunFailuresCompleteEachItemOnce) {
  Log log;
  Scheduler s(SchedulerOptions{2});
  auto q = s.open_queue({}, [&](std::vector<BatchItem*>& batch, ComputePool&) {
    for (auto* b : batch)
      if (static_cast<Item*>(b)->id() == 2) throw std::runtime_error("kernel failed");
    log.completed += static_cast<int>(batch.size());
  });
  ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 1, 1, /*throw_in_prepare=*/true)));
  while (log.completed < 1) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 2, 1)));
  while (log.completed < 2) std::this_thread::sleep_for(1ms);
  std::lock_guard lk(log.mu);
  ASSERT_EQ(log.failures.size(), 2u);
  EXPECT_EQ(log.failures[0], std::make_pair(1, std::string("bad input 1")));
  EXPECT_EQ(log.failures[1], std::make_pair(2, std::string("kernel failed")));
}

TEST(Scheduler, ShutdownFailsQueuedItems) {
  Log log;
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::thread release;
  {
    Scheduler s(SchedulerOptions{1});
    auto q = s.open_queue({}, [&](std::vector<BatchItem*>& batch, ComputePool&) {
      open.wait();
      log.completed += static_cast<int>(batch.size());
    });
    ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 0, 1)));
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 1, 1)));
    release = std::thread([&] {
      std::this_thread::sleep_for(50ms);
      gate.set_value();
    });
  }  // the queue closes first: finishes batch {0}, fails item 1
  release.join();
  EXPECT_EQ(log.completed.load(), 2);
  ASSERT_EQ(log.failures.size(), 1u);
  EXPECT_EQ(log.failures[0], std::make_pair(1, std::string("engine shutting down")));
}

TEST(Scheduler, QueuesShareOnePoolAndTakeTurnsOneBatchEach) {
  Log log;
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::atomic<int> running{0};
  std::atomic<int> most_running{0};
  std::atomic<const ComputePool*> pool_a{nullptr}, pool_b{nullptr};
  Scheduler s(SchedulerOptions{2});
  auto runner = [&](std::atomic<const ComputePool*>& seen) {
    return [&](std::vector<BatchItem*>& batch, ComputePool& pool) {
      const int now = ++running;
      int m = most_running.load();
      while (now > m && !most_running.compare_exchange_weak(m, now)) {}
      seen = &pool;
      open.wait();
      std::this_thread::sleep_for(2ms);  // long enough for an overlap to show
      std::vector<int> ids;
      for (auto* b : batch) ids.push_back(static_cast<Item*>(b)->id());
      {
        std::lock_guard lk(log.mu);
        log.batches.push_back(ids);
      }
      --running;
      log.completed += static_cast<int>(batch.size());
    };
  };
  QueueOptions one;  // one item per batch, so the order of batches is the order of turns
  one.max_batch_tokens = 1;
  auto a = s.open_queue(one, runner(pool_a));
  auto b = s.open_queue(one, runner(pool_b));
  ASSERT_TRUE(a->submit(std::make_unique<Item>(log, 10, 1)));
  std::this_thread::sleep_for(50ms);  // a's first batch holds the pool
  for (int i = 11; i <= 13; ++i) ASSERT_TRUE(a->submit(std::make_unique<Item>(log, i, 1)));
  for (int i = 20; i <= 21; ++i) ASSERT_TRUE(b->submit(std::make_unique<Item>(log, i, 1)));
  gate.set_value();
  while (log.completed < 6) std::this_thread::sleep_for(1ms);
  std::lock_guard lk(log.mu);
  // b's requests wait behind one batch of a each, not behind a's whole backlog.
  std::vector<std::vector<int>> want = {{10}, {20}, {11}, {21}, {12}, {13}};
  EXPECT_EQ(log.batches, want);
  EXPECT_EQ(most_running.load(), 1);
  EXPECT_EQ(pool_a.load(), pool_b.load());
  EXPECT_EQ(pool_a.load()->size(), 2);
}

TEST(Scheduler, ClosingAQueueFailsItsWaitingItemsAfterItsRunningBatch) {
  Log log;
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  Scheduler s(SchedulerOptions{1});
  auto q = s.open_queue({}, [&](std::vector<BatchItem*>& batch, ComputePool&) {
    open.wait();
    log.completed += static_cast<int>(batch.size());
  });
  auto other = s.open_queue({}, [&](std::vector<BatchItem*>& batch, ComputePool&) {
    log.completed += static_cast<int>(batch.size());
  });
  ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 0, 1)));
  std::this_thread::sleep_for(50ms);  // item 0 is running, held by the gate
  ASSERT_TRUE(q->submit(std::make_unique<Item>(log, 1, 1)));
  std::atomic<bool> closed{false};
  std::thread closer([&] {
    q->close();
    closed = true;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(closed.load());  // waits for the running batch, which still uses the runner
  EXPECT_FALSE(q->submit(std::make_unique<Item>(log, 2, 1)));  // closed to new work at once
  gate.set_value();
  closer.join();
  EXPECT_EQ(log.completed.load(), 2);
  {
    std::lock_guard lk(log.mu);
    ASSERT_EQ(log.failures.size(), 1u);
    EXPECT_EQ(log.failures[0], std::make_pair(1, std::string("engine shutting down")));
  }
  // The scheduler goes on serving its other queues.
  ASSERT_TRUE(other->submit(std::make_unique<Item>(log, 3, 1)));
  while (log.completed < 3) std::this_thread::sleep_for(1ms);
}
