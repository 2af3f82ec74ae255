// store::LogWriter — writes RequestRecords to SQLite off the request path.
//
// Contract:
//  - submit() never touches disk: it moves the record into a bounded in-memory queue and returns.
//  - A dedicated thread drains the queue in batches (one transaction per batch, WAL mode), at
//    least every flush_interval.
//  - When the queue is full the configured OverflowPolicy applies; nothing is dropped silently:
//    every shed body / blocked wait is counted in Stats (exposed on /metrics and at shutdown).
//  - close() stops accepting, drains everything queued, and joins the thread (graceful shutdown).
//  - The schema is versioned (PRAGMA user_version) and migrated forward at open.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "store/request_record.hpp"

namespace sy::store {

struct LogStats {
  uint64_t submitted = 0;
  uint64_t written = 0;
  uint64_t bodies_dropped = 0;    // records kept without bodies because the queue was full
  uint64_t blocked_waits = 0;     // submits that had to wait for room
  uint64_t write_errors = 0;      // batches that failed to commit (retried, then counted)
  uint64_t rejected_after_close = 0;  // submits that arrived after close() (ignored)
  uint64_t queue_depth = 0;
};

class LogWriter {
 public:
  // Opens (creating and migrating) the database; throws std::runtime_error naming the path.
  explicit LogWriter(const config::LogConfig& cfg);
  ~LogWriter();   // calls close()
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  void submit(RequestRecord rec);
  void close();
  LogStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Reads the newest `limit` records (newest first) for `switchyard logs`. Throws on open error.
std::vector<RequestRecord> read_recent(const std::string& sqlite_path, int limit);
// The records with this request id (ids are not unique: clients choose their own), newest first;
// fast for the ids switchyard generates (common/request_id.hpp). Throws on open error.
std::vector<RequestRecord> read_by_id(const std::string& sqlite_path, const std::string& id, int limit);

}  // namespace sy::store
