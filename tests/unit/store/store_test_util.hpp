// Shared helpers for the store tests: fresh database paths, records, waiting on the writer, and a
// second SQLite connection that can hold the write lock to stall the writer deterministically.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "store/log_writer.hpp"
#include "store/request_record.hpp"

namespace sy::store::testutil {

// A path unique to the running test, with leftovers of earlier runs removed.
inline std::string fresh_db_path() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = ::testing::TempDir() + "sy_store_" + info->test_suite_name() + "_" +
                     info->name() + "_" + std::to_string(::getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::remove((path + suffix).c_str());
  }
  return path;
}

inline config::LogConfig log_config(const std::string& path) {
  config::LogConfig c;
  c.sqlite_path = path;
  c.flush_interval = std::chrono::milliseconds(5);
  return c;
}

inline RequestRecord make_record(int i, int attempts = 1) {
  RequestRecord r;
  r.id = "req_" + std::to_string(i);
  r.ts_unix_ms = 1'700'000'000'000 + i;
  r.endpoint = "/v1/chat/completions";
  r.client_key_hash = "abc123";
  r.user = "user-" + std::to_string(i % 3);
  r.public_model = i % 2 ? "chat-default" : "gpt-4o";
  r.served_model = "gpt-4o-mini";
  r.provider = "openai";
  r.stream = i % 2 == 0;
  r.status = 200;
  r.outcome = "ok";
  for (int a = 0; a < attempts; ++a) {
    AttemptRecord at;
    at.target = a == attempts - 1 ? "gpt-4o-mini" : "claude-3-5-haiku-latest";
    at.provider = a == attempts - 1 ? "openai" : "anthropic";
    at.status = a == attempts - 1 ? 200 : 529;
    at.error_kind = a == attempts - 1 ? "" : "http_status";
    at.error = a == attempts - 1 ? "" : "overloaded";
    at.latency_ms = 10.5 + a;
    r.attempts.push_back(at);
  }
  r.request_body = R"({"model":"chat-default","messages":[{"role":"user","content":"hi )" +
                   std::to_string(i) + R"("}]})";
  r.response_body = R"({"id":"x","choices":[]})";
  r.input_tokens = 10 + i;
  r.output_tokens = 20 + i;
  r.usage_estimated = i % 5 == 0;
  r.cost_usd = 0.0001 * i;
  r.latency_ms = 123.25;
  r.ttft_ms = i % 2 == 0 ? 45.5 : -1;
  return r;
}

// Polls `cond` until true or ~10 s pass (generous for sanitizer builds; only a failure waits long).
inline bool eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 2000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return cond();
}

// A second connection to the log database, for poking at it from the test.
class SideConnection {
 public:
  explicit SideConnection(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
  }
  ~SideConnection() {
    if (locked_) exec("ROLLBACK");
    sqlite3_close(db_);
  }
  SideConnection(const SideConnection&) = delete;
  SideConnection& operator=(const SideConnection&) = delete;

  bool exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) ADD_FAILURE() << sql << ": " << (err ? err : "?");
    sqlite3_free(err);
    return rc == SQLITE_OK;
  }
  int64_t query_int(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
      v = sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    return v;
  }
  // Takes the database write lock: the writer's next batch waits (busy timeout) until unlock().
  void lock() {
    locked_ = exec("BEGIN EXCLUSIVE");
  }
  void unlock() {
    if (locked_) exec("COMMIT");
    locked_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool locked_ = false;
};

}  // namespace sy::store::testutil
