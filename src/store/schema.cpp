#include "store/schema.hpp"

#include <stdexcept>

#include "store/sqlite_db.hpp"

namespace sy::store {

const std::vector<std::string>& migrations() {
  static const std::vector<std::string> steps = {
      // v1: one row per request, one per upstream attempt. seq orders rows by arrival; the
      // x-request-id (`id`) is not unique because clients may send their own.
      R"sql(
CREATE TABLE requests (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  ts_unix_ms INTEGER NOT NULL,
  endpoint TEXT NOT NULL DEFAULT '',
  client_key_hash TEXT NOT NULL DEFAULT '',
  user TEXT NOT NULL DEFAULT '',
  public_model TEXT NOT NULL DEFAULT '',
  served_model TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  stream INTEGER NOT NULL DEFAULT 0,
  status INTEGER NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL DEFAULT '',
  request_body TEXT NOT NULL DEFAULT '',
  response_body TEXT NOT NULL DEFAULT '',
  bodies_dropped INTEGER NOT NULL DEFAULT 0,
  bodies_truncated INTEGER NOT NULL DEFAULT 0,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  usage_estimated INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  ttft_ms REAL NOT NULL DEFAULT -1,
  error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE attempts (
  request_seq INTEGER NOT NULL REFERENCES requests(seq) ON DELETE CASCADE,
  request_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  error_kind TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  latency_ms REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (request_seq, idx)
);
)sql",
      // v2: look-ups by time and by model (`switchyard logs`, spend reports).
      R"sql(
CREATE INDEX requests_ts ON requests(ts_unix_ms);
CREATE INDEX requests_public_model ON requests(public_model, ts_unix_ms);
CREATE INDEX attempts_request_id ON attempts(request_id);
)sql",
      // v3: attempts are reached through request_seq. The index on their request id text served
      // no query of ours, and clients' own ids (random UUIDs) made every insert into it land on
      // a random page: a page read and a page written to the WAL per attempt.
      R"sql(
DROP INDEX attempts_request_id;
)sql",
      // v4: attempts keyed by their primary key alone (WITHOUT ROWID): a rowid table kept a second
      // b-tree for (request_seq, idx), so every attempt was two inserts. Rows are copied once.
      R"sql(
CREATE TABLE attempts_v4 (
  request_seq INTEGER NOT NULL REFERENCES requests(seq) ON DELETE CASCADE,
  request_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  provider TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  error_kind TEXT NOT NULL DEFAULT '',
  error TEXT NOT NULL DEFAULT '',
  latency_ms REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (request_seq, idx)
) WITHOUT ROWID;
INSERT INTO attempts_v4 SELECT request_seq, request_id, idx, target, provider, status, error_kind, error,
  latency_ms FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v4 RENAME TO attempts;
)sql",
      // v5: no index on (public_model, ts_unix_ms). No query of ours used it, model reports scan
      // a time range on requests_ts anyway, and keeping it cost the writer ~15% of its CPU per
      // record (log_bench). docs/request-log.md says how to add it back for ad-hoc queries.
      R"sql(
DROP INDEX IF EXISTS requests_public_model;
)sql",
  };
  return steps;
}

void migrate(sqlite3* db) {
  const int target = schema_version();
  int version = static_cast<int>(sqlite::query_int(db, "PRAGMA user_version"));
  if (version > target) {
    throw std::runtime_error("schema version " + std::to_string(version) +
                             " is newer than this build supports (" + std::to_string(target) +
                             "); upgrade switchyard or use another sqlite_path");
  }
  for (; version < target; ++version) {
    sqlite::exec(db, "BEGIN IMMEDIATE");
    try {
      sqlite::exec(db, migrations()[static_cast<size_t>(version)].c_str());
      std::string bump = "PRAGMA user_version = " + std::to_string(version + 1);
      sqlite::exec(db, bump.c_str());
      sqlite::exec(db, "COMMIT");
    } catch (const std::exception& e) {
      sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw std::runtime_error("migrating to schema v" + std::to_string(version + 1) + ": " +
                               e.what());
    }
  }
}

}  // namespace sy::store
