#include "engine/compute_pool.hpp"

#include <algorithm>

namespace sy::engine {

ComputePool::ComputePool(int threads) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  size_ = threads;
  helpers_.reserve(static_cast<size_t>(threads - 1));
  for (int w = 1; w < threads; ++w) helpers_.emplace_back([this, w] { helper_main(w); });
}

ComputePool::~ComputePool() {
  {
    std::lock_guard lk(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : helpers_) t.join();
}

void ComputePool::run_items(Task& task, int worker) {
  for (;;) {
    size_t i = task.next.fetch_add(1, std::memory_order_relaxed);
    if (i >= task.n) return;
    try {
      (*task.fn)(i, worker);
    } catch (...) {
      std::lock_guard lk(mu_);
      if (!task.error) task.error = std::current_exception();
    }
    if (task.done.fetch_add(1, std::memory_order_acq_rel) + 1 == task.n) {
      std::lock_guard lk(mu_);
      finished_.notify_all();
    }
  }
}

void ComputePool::helper_main(int worker) {
  uint64_t seen = 0;
  for (;;) {
    Task* task = nullptr;
    {
      std::unique_lock lk(mu_);
      wake_.wait(lk, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      task = task_;  // null when that parallel_for already finished without us
      if (!task) continue;
      ++active_;
    }
    run_items(*task, worker);
    {
      std::lock_guard lk(mu_);
      --active_;
    }
    finished_.notify_all();
  }
}

void ComputePool::parallel_for(size_t n, const Fn& fn) {
  if (n == 0) return;
  if (size_ == 1 || n == 1) {
    for (size_t i = 0; i < n; ++i) fn(i, 0);
    return;
  }
  Task task;
  task.fn = &fn;
  task.n = n;
  {
    std::lock_guard lk(mu_);
    task_ = &task;
    ++generation_;
  }
  wake_.notify_all();
  run_items(task, 0);
  {
    std::unique_lock lk(mu_);
    // Every item done and no helper still holding a reference to `task`.
    finished_.wait(lk, [&] { return task.done.load(std::memory_order_acquire) == n && active_ == 0; });
    task_ = nullptr;
  }
  if (task.error) std::rethrow_exception(task.error);
}

void ComputePool::parallel_ranges(size_t n, size_t grain, const std::function<void(size_t, size_t, int)>& fn) {
  if (n == 0) return;
  grain = std::max<size_t>(grain, 1);
  const size_t grains = (n + grain - 1) / grain;
  const size_t parts = std::min<size_t>(grains, static_cast<size_t>(size_));
  parallel_for(parts, [&](size_t p, int worker) {
    const size_t g0 = grains * p / parts, g1 = grains * (p + 1) / parts;
    fn(g0 * grain, std::min(n, g1 * grain), worker);
  });
}

}  // namespace sy::engine
