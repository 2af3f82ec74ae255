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
  SchedulerOptions o;
  o.threads = 2;
  o.max_batch_tokens = 10;
  Scheduler s(o, [&](std::vector<BatchItem*>& batch, ComputePool& pool) {
    EXPECT_EQ(pool.size(), 2);
    open.wait();  // hold the first batch so the rest queue up behind it
    std::vector<int> ids;
    for (auto* b : batch) ids.push_back(static_cast<Item*>(b)->id());
    std::lock_guard lk(log.mu);
    log.batches.push_back(ids);
    log.completed += static_cast<int>(batch.size());
  });
  ASSERT_TRUE(s.submit(std::make_unique<Item>(log, 0, 4)));
  std::this_thread::sleep_for(50ms);  // item 0 is now running alone
  for (int i = 1; i <= 6; ++i) ASSERT_TRUE(s.submit(std::make_unique<Item>(log, i, i == 4 ? 25 : 3)));
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
  SchedulerOptions o;
  o.threads = 1;
  o.queue_capacity = 2;
  Scheduler s(o, [&](std::vector<BatchItem*>& batch, ComputePool&) {
    open.wait();
    log.completed += static_cast<int>(batch.size());
  });
  ASSERT_TRUE(s.submit(std::make_unique<Item>(log, 0, 1)));
  std::this_thread::sleep_for(50ms);  // taken by the dispatcher: no longer queued
  EXPECT_TRUE(s.submit(std::make_unique<Item>(log, 1, 1)));
  EXPECT_TRUE(s.submit(std::make_unique<Item>(log, 2, 1)));
  EXPECT_EQ(s.queued(), 2u);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(s.submit(std::make_unique<Item>(log, 3, 1)));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 100ms);
  gate.set_value();
  while (log.completed < 3) std::this_thread::sleep_for(1ms);
  EXPECT_TRUE(s.submit(std::make_unique<Item>(log, 4, 1)));
}

TEST(Scheduler, PrepareAndRunFailuresCompleteEachItemOnce) {
  Log log;
  SchedulerOptions o;
  o.threads = 2;
  Scheduler s(o, [&](std::vector<BatchItem*>& batch, ComputePool&) {
    for (auto* b : batch)
      if (static_cast<Item*>(b)->id() == 2) throw std::runtime_error("kernel failed");
    log.completed += static_cast<int>(batch.size());
  });
  ASSERT_TRUE(s.submit(std::make_unique<Item>(log, 1, 1, /*throw_in_prepare=*/true)));
  while (log.completed < 1) std::this_thread::sleep_for(1ms);
  ASSERT_TRUE(s.submit(std::make_unique<Item>(log, 2, 1)));
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
    SchedulerOptions o;
    o.threads = 1;
    Scheduler s(o, [&](std::vector<BatchItem*>& batch, ComputePool&) {
      open.wait();
      log.completed += static_cast<int>(batch.size());
    });
    ASSERT_TRUE(s.submit(std::make_unique<Item>(log, 0, 1)));
    std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(s.submit(std::make_unique<Item>(log, 1, 1)));
    release = std::thread([&] {
      std::this_thread::sleep_for(50ms);
      gate.set_value();
    });
  }  // destructor: finishes batch {0}, fails item 1
  release.join();
  EXPECT_EQ(log.completed.load(), 2);
  ASSERT_EQ(log.failures.size(), 1u);
  EXPECT_EQ(log.failures[0], std::make_pair(1, std::string("engine shutting down")));
}
