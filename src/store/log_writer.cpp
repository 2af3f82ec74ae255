// LogWriter: bounded queue in front of one SQLite connection owned by a writer thread.
#include "store/log_writer.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include <pthread.h>

#include "common/request_id.hpp"
#include "store/record_sql.hpp"
#include "store/schema.hpp"
#include "store/sqlite_db.hpp"

namespace sy::store {
namespace {

// How long a batch waits for another connection's write lock (e.g. a `sqlite3` shell or a
// backup) before the attempt counts as failed.
constexpr int kBusyTimeoutMs = 5000;

// Cuts `body` to at most `max` bytes without splitting a UTF-8 sequence (bodies are TEXT).
bool truncate_utf8(std::string& body, size_t max) {
  if (body.size() <= max) return false;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80) --cut;
  body.resize(cut);
  return true;
}

}  // namespace

struct LogWriter::Impl {
  config::LogConfig cfg;
  sqlite::Db db;
  InsertStatements inserts;
  sqlite::Stmt begin, commit, rollback;

  mutable std::mutex mu;
  std::condition_variable work_cv;   // writer: a full batch is waiting, or closing
  std::condition_variable room_cv;   // blocked submitters: the writer made room
  std::deque<RequestRecord> queue;
  bool closing = false;
  LogStats stats;
  std::once_flag close_once;
  std::thread thread;

  void run();
  bool commit_batch(const std::vector<RequestRecord>& batch, std::string* error);
  void write_batch(const std::vector<RequestRecord>& batch);
};

LogWriter::LogWriter(const config::LogConfig& cfg) : impl_(std::make_unique<Impl>()) {
  Impl& im = *impl_;
  im.cfg = cfg;
  if (im.cfg.queue_capacity == 0) im.cfg.queue_capacity = 1;
  if (im.cfg.batch_size == 0) im.cfg.batch_size = 1;
  if (im.cfg.flush_interval.count() <= 0) {
    im.cfg.flush_interval = std::chrono::milliseconds(1);  // a zero wait would spin
  }
  im.db = sqlite::open(cfg.sqlite_path, false);
  try {
    sqlite3_busy_timeout(im.db.get(), kBusyTimeoutMs);
    // A new file gets 16 KiB pages (an existing one keeps its own; the pragma is a no-op there).
    // Records are ~1 KB appended in key order: bigger pages mean fewer WAL frames, page headers
    // and checkpoint writes per record: ~11% less CPU per record with bodies (~3% without) and a
    // 12% smaller file (log_bench, docs/benchmarks.md). It must precede the switch to WAL, which fixes the size.
    sqlite::exec(im.db.get(), "PRAGMA page_size=16384");
    // WAL lets `switchyard logs` read while the gateway writes; NORMAL is durable across process
    // crashes (the log may lose the last batches on power loss, which is acceptable for a log).
    sqlite::exec(im.db.get(), "PRAGMA journal_mode=WAL");
    sqlite::exec(im.db.get(), "PRAGMA synchronous=NORMAL");
    // Not enforced on this connection: it is the only writer, and it inserts each attempt right
    // after its request in one transaction; the check was a b-tree lookup per attempt (~5% of the
    // writer's CPU). The REFERENCES clause still documents the join, and ON DELETE CASCADE works
    // for a session that turns foreign_keys on (docs/request-log.md).
    sqlite::exec(im.db.get(), "PRAGMA foreign_keys=OFF");
    migrate(im.db.get());
    im.inserts = prepare_inserts(im.db.get());
    im.begin = sqlite::prepare(im.db.get(), "BEGIN IMMEDIATE");
    im.commit = sqlite::prepare(im.db.get(), "COMMIT");
    im.rollback = sqlite::prepare(im.db.get(), "ROLLBACK");
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot open request log '" + cfg.sqlite_path + "': " + e.what());
  }
  im.thread = std::thread([&im] {
    pthread_setname_np(pthread_self(), "sy-log");   // visible in top -H, perf, gdb
    im.run();
  });
}

LogWriter::~LogWriter() { close(); }

void LogWriter::submit(RequestRecord rec) {
  Impl& im = *impl_;
  // Body trimming happens on the caller's thread, before the lock, so the queue holds only what
  // will be written.
  if (!im.cfg.store_bodies) {
    rec.request_body.clear();
    rec.response_body.clear();
  } else {
    bool cut = truncate_utf8(rec.request_body, im.cfg.max_body_bytes);
    cut = truncate_utf8(rec.response_body, im.cfg.max_body_bytes) || cut;
    if (cut) rec.bodies_truncated = true;
  }

  std::unique_lock lk(im.mu);
  if (im.closing) {
    ++im.stats.rejected_after_close;
    return;
  }
  const size_t cap = im.cfg.queue_capacity;
  if (im.queue.size() >= cap && im.cfg.overflow == config::OverflowPolicy::block) {
    ++im.stats.blocked_waits;
    im.room_cv.wait_for(lk, im.cfg.block_timeout,
                        [&] { return im.closing || im.queue.size() < cap; });
    if (im.closing) {  // the writer may already have drained and gone
      ++im.stats.rejected_after_close;
      return;
    }
  }
  if (im.queue.size() >= cap) {
    // Keep the record (it is what bills and audits need); shed only the bulky part. The queue may
    // grow past capacity by body-less records, which are small.
    if (!rec.request_body.empty() || !rec.response_body.empty()) {
      rec.request_body.clear();
      rec.response_body.clear();
      rec.bodies_dropped = true;
      ++im.stats.bodies_dropped;
    }
  }
  ++im.stats.submitted;
  im.queue.push_back(std::move(rec));
  if (im.queue.size() >= im.cfg.batch_size) im.work_cv.notify_one();
}

void LogWriter::close() {
  Impl& im = *impl_;
  std::call_once(im.close_once, [&im] {
    {
      std::lock_guard lk(im.mu);
      im.closing = true;
    }
    im.work_cv.notify_all();
    im.room_cv.notify_all();
    if (im.thread.joinable()) im.thread.join();
  });
}

LogStats LogWriter::stats() const {
  std::lock_guard lk(impl_->mu);
  LogStats s = impl_->stats;
  s.queue_depth = impl_->queue.size();
  return s;
}

void LogWriter::Impl::run() {
  std::unique_lock lk(mu);
  for (;;) {
    work_cv.wait_for(lk, cfg.flush_interval,
                     [&] { return closing || queue.size() >= cfg.batch_size; });
    if (queue.empty()) {
      if (closing) return;
      continue;
    }
    std::vector<RequestRecord> batch;
    const size_t n = std::min(queue.size(), cfg.batch_size);
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue.front()));
      queue.pop_front();
    }
    room_cv.notify_all();
    lk.unlock();
    write_batch(batch);
    lk.lock();
  }
}

bool LogWriter::Impl::commit_batch(const std::vector<RequestRecord>& batch, std::string* error) {
  sqlite3* h = db.get();
  try {
    sqlite::run(h, begin.get());
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
  try {
    for (const auto& rec : batch) insert_record(h, inserts, rec);
    sqlite::run(h, commit.get());
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    if (!sqlite3_get_autocommit(h)) sqlite3_step(rollback.get());
    sqlite3_reset(rollback.get());
    return false;
  }
}

void LogWriter::Impl::write_batch(const std::vector<RequestRecord>& batch) {
  std::string error;
  bool ok = commit_batch(batch, &error);
  if (!ok) {
    std::fprintf(stderr, "switchyard: request log %s: writing %zu records failed (%s); retrying\n",
                 cfg.sqlite_path.c_str(), batch.size(), error.c_str());
    ok = commit_batch(batch, &error);
  }
  std::lock_guard lk(mu);
  if (ok) {
    stats.written += batch.size();
  } else {
    ++stats.write_errors;
    std::fprintf(stderr,
                 "switchyard: request log %s: %zu records not written after retry (%s)\n",
                 cfg.sqlite_path.c_str(), batch.size(), error.c_str());
  }
}

namespace {
// Opens the log read-only and runs `query(db)`; an empty or never-written file has no records.
template <class Query>
std::vector<RequestRecord> read_log(const std::string& sqlite_path, int limit, Query query) {
  sqlite::Db db = sqlite::open(sqlite_path, true);
  try {
    sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
    int version = static_cast<int>(sqlite::query_int(db.get(), "PRAGMA user_version"));
    if (version == 0) return {};  // nothing has been logged to this file yet
    if (limit <= 0) return {};
    return query(db.get());
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read request log '" + sqlite_path + "': " + e.what());
  }
}
}  // namespace

std::vector<RequestRecord> read_recent(const std::string& sqlite_path, int limit) {
  return read_log(sqlite_path, limit, [&](sqlite3* db) { return select_recent(db, limit); });
}

std::vector<RequestRecord> read_by_id(const std::string& sqlite_path, const std::string& id, int limit) {
  return read_log(sqlite_path, limit, [&](sqlite3* db) {
    return select_by_id(db, id, request_id_time_ms(id), limit);
  });
}

}  // namespace sy::store
