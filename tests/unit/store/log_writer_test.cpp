#include "store/log_writer.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include "common/request_id.hpp"
#include "store/schema.hpp"
#include "store_test_util.hpp"

namespace sy::store {
namespace {

using namespace testutil;
using std::chrono::milliseconds;

void expect_same(const RequestRecord& a, const RequestRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.ts_unix_ms, b.ts_unix_ms);
  EXPECT_EQ(a.endpoint, b.endpoint);
  EXPECT_EQ(a.client_key_hash, b.client_key_hash);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.public_model, b.public_model);
  EXPECT_EQ(a.served_model, b.served_model);
  EXPECT_EQ(a.provider, b.provider);
  EXPECT_EQ(a.stream, b.stream);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.request_body, b.request_body);
  EXPECT_EQ(a.response_body, b.response_body);
  EXPECT_EQ(a.bodies_dropped, b.bodies_dropped);
  EXPECT_EQ(a.bodies_truncated, b.bodies_truncated);
  EXPECT_EQ(a.input_tokens, b.input_tokens);
  EXPECT_EQ(a.output_tokens, b.output_tokens);
  EXPECT_EQ(a.usage_estimated, b.usage_estimated);
  EXPECT_DOUBLE_EQ(a.cost_usd, b.cost_usd);
  EXPECT_DOUBLE_EQ(a.latency_ms, b.latency_ms);
  EXPECT_DOUBLE_EQ(a.ttft_ms, b.ttft_ms);
  EXPECT_EQ(a.error, b.error);
  ASSERT_EQ(a.attempts.size(), b.attempts.size());
  for (size_t i = 0; i < a.attempts.size(); ++i) {
    EXPECT_EQ(a.attempts[i].target, b.attempts[i].target);
    EXPECT_EQ(a.attempts[i].provider, b.attempts[i].provider);
    EXPECT_EQ(a.attempts[i].status, b.attempts[i].status);
    EXPECT_EQ(a.attempts[i].error_kind, b.attempts[i].error_kind);
    EXPECT_EQ(a.attempts[i].error, b.attempts[i].error);
    EXPECT_DOUBLE_EQ(a.attempts[i].latency_ms, b.attempts[i].latency_ms);
  }
}

TEST(LogWriter, WritesRecordsAndReadsThemBackNewestFirst) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.batch_size = 8;
  const int n = 50;
  {
    LogWriter w(cfg);
    for (int i = 0; i < n; ++i) w.submit(make_record(i, 1 + i % 3));
    w.close();
    LogStats s = w.stats();
    EXPECT_EQ(s.submitted, uint64_t(n));
    EXPECT_EQ(s.written, uint64_t(n));
    EXPECT_EQ(s.write_errors, 0u);
    EXPECT_EQ(s.bodies_dropped, 0u);
    EXPECT_EQ(s.queue_depth, 0u);
  }
  auto recs = read_recent(path, 1000);
  ASSERT_EQ(recs.size(), size_t(n));
  for (int i = 0; i < n; ++i) {
    SCOPED_TRACE(i);
    expect_same(recs[size_t(i)], make_record(n - 1 - i, 1 + (n - 1 - i) % 3));
  }
  auto latest = read_recent(path, 3);
  ASSERT_EQ(latest.size(), 3u);
  EXPECT_EQ(latest[0].id, "req_49");
  EXPECT_EQ(latest[2].id, "req_47");
}

TEST(LogWriter, ErrorRecordRoundTrips) {
  const std::string path = fresh_db_path();
  RequestRecord r = make_record(7, 2);
  r.status = 502;
  r.outcome = "upstream_error";
  r.error = "all targets failed: \"quoted\"\nsecond line";
  r.served_model.clear();
  r.attempts.clear();
  {
    LogWriter w(log_config(path));
    w.submit(r);
  }  // the destructor closes and drains
  auto recs = read_recent(path, 10);
  ASSERT_EQ(recs.size(), 1u);
  expect_same(recs[0], r);
}

TEST(LogWriter, WritesAFullBatchWithoutWaitingForTheInterval) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.batch_size = 4;
  cfg.flush_interval = milliseconds(60'000);  // only a full batch (or close) can trigger a write
  LogWriter w(cfg);
  for (int i = 0; i < 3; ++i) w.submit(make_record(i));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(w.stats().written, 0u);
  EXPECT_EQ(w.stats().queue_depth, 3u);
  w.submit(make_record(3));
  EXPECT_TRUE(eventually([&] { return w.stats().written == 4; })) << w.stats().written;
  // A partial batch stays queued until close(), which drains it.
  w.submit(make_record(4));
  w.submit(make_record(5));
  std::this_thread::sleep_for(milliseconds(50));
  EXPECT_EQ(w.stats().written, 4u);
  w.close();
  EXPECT_EQ(w.stats().written, 6u);
  EXPECT_EQ(read_recent(path, 100).size(), 6u);
}

TEST(LogWriter, FlushesAPartialBatchAfterTheInterval) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.batch_size = 1000;
  cfg.flush_interval = milliseconds(20);
  LogWriter w(cfg);
  w.submit(make_record(1));
  EXPECT_TRUE(eventually([&] { return w.stats().written == 1; }));
  EXPECT_EQ(read_recent(path, 10).size(), 1u);  // visible to another connection while open
}

TEST(LogWriter, LargeBatchesAreSplitIntoBatchSize) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.batch_size = 7;
  cfg.queue_capacity = 100'000;
  LogWriter w(cfg);
  for (int i = 0; i < 1000; ++i) w.submit(make_record(i));
  w.close();
  EXPECT_EQ(w.stats().written, 1000u);
  SideConnection side(path);
  EXPECT_EQ(side.query_int("SELECT count(*) FROM requests"), 1000);
  EXPECT_EQ(side.query_int("SELECT count(*) FROM attempts"), 1000);
}

// The writer takes one record, then stalls on the database lock the test holds; further submits
// fill the queue deterministically.
struct StalledWriter {
  explicit StalledWriter(config::LogConfig cfg) : side(cfg.sqlite_path), w(cfg) {
    side.lock();
    w.submit(make_record(0));
    EXPECT_TRUE(eventually([&] { return w.stats().queue_depth == 0; }));
  }
  SideConnection side;
  LogWriter w;
};

TEST(LogWriter, DropBodiesPolicyKeepsRecordsWithoutBodiesWhenFull) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.queue_capacity = 4;
  cfg.batch_size = 100;
  cfg.overflow = config::OverflowPolicy::drop_bodies;
  {
    // The writer's connection must exist before the side one opens the file.
    LogWriter init(cfg);
  }
  StalledWriter sw(cfg);
  for (int i = 1; i <= 4; ++i) sw.w.submit(make_record(i));  // fills the queue
  for (int i = 5; i <= 7; ++i) sw.w.submit(make_record(i));  // overflow
  LogStats s = sw.w.stats();
  EXPECT_EQ(s.bodies_dropped, 3u);
  EXPECT_EQ(s.blocked_waits, 0u);
  EXPECT_EQ(s.queue_depth, 7u);  // nothing is dropped whole
  sw.side.unlock();
  sw.w.close();
  EXPECT_EQ(sw.w.stats().written, 8u);
  auto recs = read_recent(path, 100);
  ASSERT_EQ(recs.size(), 8u);
  for (const auto& r : recs) {
    int i = std::stoi(r.id.substr(4));
    SCOPED_TRACE(r.id);
    EXPECT_EQ(r.bodies_dropped, i >= 5);
    EXPECT_EQ(r.request_body.empty(), i >= 5);
    EXPECT_EQ(r.response_body.empty(), i >= 5);
    EXPECT_EQ(r.attempts.size(), 1u);
    EXPECT_EQ(r.input_tokens, 10 + i);
  }
}

TEST(LogWriter, BlockPolicyWaitsThenFallsBackToDroppingBodies) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.queue_capacity = 2;
  cfg.batch_size = 100;
  cfg.overflow = config::OverflowPolicy::block;
  cfg.block_timeout = milliseconds(30);
  { LogWriter init(cfg); }
  StalledWriter sw(cfg);
  sw.w.submit(make_record(1));
  sw.w.submit(make_record(2));
  auto t0 = std::chrono::steady_clock::now();
  sw.w.submit(make_record(3));  // full: waits block_timeout, then sheds the bodies
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, milliseconds(30));
  LogStats s = sw.w.stats();
  EXPECT_EQ(s.blocked_waits, 1u);
  EXPECT_EQ(s.bodies_dropped, 1u);
  sw.side.unlock();
  sw.w.close();
  auto recs = read_recent(path, 100);
  ASSERT_EQ(recs.size(), 4u);
  EXPECT_EQ(recs[0].id, "req_3");
  EXPECT_TRUE(recs[0].bodies_dropped);
  EXPECT_TRUE(recs[0].request_body.empty());
  EXPECT_FALSE(recs[1].bodies_dropped);
}

TEST(LogWriter, BlockPolicyKeepsBodiesWhenRoomAppearsInTime) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.queue_capacity = 2;
  cfg.batch_size = 100;
  cfg.overflow = config::OverflowPolicy::block;
  cfg.block_timeout = milliseconds(4000);
  { LogWriter init(cfg); }
  StalledWriter sw(cfg);
  sw.w.submit(make_record(1));
  sw.w.submit(make_record(2));
  std::thread release([&] {
    std::this_thread::sleep_for(milliseconds(50));
    sw.side.unlock();  // the writer finishes its batch and takes the queued ones
  });
  sw.w.submit(make_record(3));
  release.join();
  LogStats s = sw.w.stats();
  EXPECT_EQ(s.blocked_waits, 1u);
  EXPECT_EQ(s.bodies_dropped, 0u);
  sw.w.close();
  auto recs = read_recent(path, 100);
  ASSERT_EQ(recs.size(), 4u);
  for (const auto& r : recs) EXPECT_FALSE(r.bodies_dropped) << r.id;
  EXPECT_FALSE(recs[0].request_body.empty());
}

TEST(LogWriter, StoreBodiesFalseStoresNone) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.store_bodies = false;
  {
    LogWriter w(cfg);
    w.submit(make_record(1));
  }
  auto recs = read_recent(path, 10);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].request_body, "");
  EXPECT_EQ(recs[0].response_body, "");
  EXPECT_FALSE(recs[0].bodies_dropped);
  EXPECT_FALSE(recs[0].bodies_truncated);
}

TEST(LogWriter, LongBodiesAreTruncatedOnACharacterBoundaryAndMarked) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  cfg.max_body_bytes = 10;
  RequestRecord long_body = make_record(1);
  long_body.request_body = "abcdefghi\xC3\xA9xyz";  // 'é' straddles byte 10
  long_body.response_body = "short";
  RequestRecord fits = make_record(2);
  fits.request_body = "0123456789";
  fits.response_body = "";
  {
    LogWriter w(cfg);
    w.submit(long_body);
    w.submit(fits);
  }
  auto recs = read_recent(path, 10);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].request_body, "abcdefghi");
  EXPECT_EQ(recs[1].response_body, "short");
  EXPECT_TRUE(recs[1].bodies_truncated);
  EXPECT_EQ(recs[0].request_body, "0123456789");
  EXPECT_FALSE(recs[0].bodies_truncated);
}

TEST(LogWriter, CloseIsIdempotentAndLaterSubmitsAreCounted) {
  const std::string path = fresh_db_path();
  LogWriter w(log_config(path));
  w.submit(make_record(1));
  w.close();
  w.close();
  w.submit(make_record(2));
  LogStats s = w.stats();
  EXPECT_EQ(s.submitted, 1u);
  EXPECT_EQ(s.written, 1u);
  EXPECT_EQ(s.rejected_after_close, 1u);
  EXPECT_EQ(s.queue_depth, 0u);
  EXPECT_EQ(read_recent(path, 10).size(), 1u);
}

TEST(LogWriter, FailedBatchIsRetriedThenCountedWithoutCrashing) {
  const std::string path = fresh_db_path();
  auto cfg = log_config(path);
  LogWriter w(cfg);
  {
    SideConnection side(path);
    side.exec("DROP TABLE attempts");  // every insert of an attempt now fails
  }
  w.submit(make_record(1));
  EXPECT_TRUE(eventually([&] { return w.stats().write_errors == 1; }));
  RequestRecord no_attempts = make_record(2, 0);
  w.submit(no_attempts);  // the writer keeps going after a failure
  EXPECT_TRUE(eventually([&] { return w.stats().written == 1; }));
  w.close();
  LogStats s = w.stats();
  EXPECT_EQ(s.write_errors, 1u);
  EXPECT_EQ(s.written, 1u);
  SideConnection side(path);
  EXPECT_EQ(side.query_int("SELECT count(*) FROM requests"), 1);  // the failed batch rolled back
}

TEST(LogWriter, UnwritablePathThrowsNamingThePath) {
  config::LogConfig cfg;
  cfg.sqlite_path = "/nonexistent-switchyard-dir/sub/log.db";
  try {
    LogWriter w(cfg);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(cfg.sqlite_path), std::string::npos) << e.what();
  }
  cfg.sqlite_path = ::testing::TempDir();  // a directory, not a file
  try {
    LogWriter w(cfg);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(cfg.sqlite_path), std::string::npos) << e.what();
  }
}

TEST(ReadById, GeneratedIdsFoundThroughTheirTimeOthersByScan) {
  const std::string path = fresh_db_path();
  const std::string ours = new_request_id();
  const int64_t ours_ms = *request_id_time_ms(ours);
  {
    LogWriter w(log_config(path));
    for (int i = 0; i < 50; ++i) {
      RequestRecord r = make_record(i, 1);
      r.ts_unix_ms = ours_ms - 5000 + i * 200;   // ours sits among its neighbours in time
      r.id = i == 25 ? ours : "client-" + std::to_string(i % 10);
      w.submit(std::move(r));
    }
    // A client sending one of our ids back later: outside the id's own time window.
    RequestRecord echo = make_record(99, 1);
    echo.ts_unix_ms = ours_ms + 3'600'000;
    echo.id = ours;
    w.submit(std::move(echo));
  }
  auto found = read_by_id(path, ours, 10);
  ASSERT_EQ(found.size(), 1u);   // the window answered; the later echo was not scanned for
  EXPECT_EQ(found[0].ts_unix_ms, ours_ms);
  ASSERT_EQ(found[0].attempts.size(), 1u);

  auto clients = read_by_id(path, "client-3", 10);
  ASSERT_EQ(clients.size(), 5u);                          // 3, 13, 23, 33, 43: not unique
  EXPECT_GT(clients[0].ts_unix_ms, clients[4].ts_unix_ms);  // newest first
  EXPECT_EQ(read_by_id(path, "client-3", 2).size(), 2u);
  EXPECT_TRUE(read_by_id(path, "nobody", 10).empty());
}

TEST(ReadById, IdOfOurShapeOutsideItsWindowIsFoundByScan) {
  const std::string path = fresh_db_path();
  const std::string id = "req_000000000001aaaaaaaaaaaa";   // "made" at 1 ms past the epoch
  {
    LogWriter w(log_config(path));
    RequestRecord r = make_record(1, 1);
    r.id = id;
    w.submit(std::move(r));
  }
  auto found = read_by_id(path, id, 10);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].id, id);
}

TEST(ReadRecent, MissingFileThrowsNamingThePath) {
  const std::string path = fresh_db_path();
  try {
    read_recent(path, 10);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(ReadRecent, EmptyUnversionedFileHasNoRecords) {
  const std::string path = fresh_db_path();
  { SideConnection side(path); side.exec("CREATE TABLE unrelated(x)"); }
  EXPECT_TRUE(read_recent(path, 10).empty());
}

TEST(Schema, FreshFileIsMigratedToTheLatestVersionInWalMode) {
  const std::string path = fresh_db_path();
  { LogWriter w(log_config(path)); }
  SideConnection side(path);
  EXPECT_EQ(side.query_int("PRAGMA user_version"), schema_version());
  EXPECT_EQ(side.query_int("PRAGMA page_size"), 16384);
  EXPECT_EQ(side.query_int("SELECT count(*) FROM sqlite_master WHERE type='index' AND "
                           "name = 'requests_ts'"),
            1);
  EXPECT_EQ(side.query_int("SELECT count(*) FROM sqlite_master WHERE type='index' AND "
                           "name = 'requests_public_model'"),
            0);   // dropped in v5
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  sqlite3_close(raw);
}

TEST(Schema, VersionOneFileIsMigratedForwardKeepingItsRows) {
  const std::string path = fresh_db_path();
  ASSERT_GE(schema_version(), 2);
  {
    SideConnection side(path);
    side.exec(migrations()[0]);
    side.exec("PRAGMA user_version = 1");
    side.exec("INSERT INTO requests (id, ts_unix_ms, public_model, status) "
              "VALUES ('old_1', 1000, 'gpt-4o', 200)");
    side.exec("INSERT INTO attempts (request_seq, request_id, idx, target, status) "
              "VALUES (1, 'old_1', 0, 'gpt-4o', 200)");
  }
  {
    LogWriter w(log_config(path));
    w.submit(make_record(1));
  }
  SideConnection side(path);
  EXPECT_EQ(side.query_int("PRAGMA user_version"), schema_version());
  EXPECT_EQ(side.query_int("PRAGMA page_size"), 4096);  // an existing file keeps its page size
  EXPECT_EQ(side.query_int("SELECT count(*) FROM sqlite_master WHERE name='requests_ts'"), 1);
  EXPECT_EQ(side.query_int("SELECT count(*) FROM sqlite_master WHERE name='attempts_request_id'"), 0);
  auto recs = read_recent(path, 10);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].id, "old_1");
  ASSERT_EQ(recs[1].attempts.size(), 1u);
  EXPECT_EQ(recs[1].attempts[0].target, "gpt-4o");
  EXPECT_DOUBLE_EQ(recs[1].ttft_ms, -1);  // column default
  // v4: attempts keep one b-tree (their primary key) ...
  EXPECT_EQ(side.query_int("SELECT count(*) FROM sqlite_master WHERE name='attempts' AND sql LIKE '%WITHOUT ROWID%'"),
            1);
  // ... and deleting a request still takes its attempts along in a session that enforces keys.
  side.exec("PRAGMA foreign_keys=ON");
  side.exec("DELETE FROM requests WHERE id='old_1'");
  EXPECT_EQ(side.query_int("SELECT count(*) FROM attempts WHERE request_id='old_1'"), 0);
  EXPECT_EQ(side.query_int("SELECT count(*) FROM attempts"), 1);
}

TEST(Schema, NewerFileIsRefused) {
  const std::string path = fresh_db_path();
  { SideConnection side(path); side.exec("PRAGMA user_version = 999"); }
  try {
    LogWriter w(log_config(path));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(path), std::string::npos) << what;
    EXPECT_NE(what.find("newer"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace sy::store
