#include "store/record_sql.hpp"

#include <stdexcept>

namespace sy::store {
namespace {

constexpr const char* kInsertRequest =
    "INSERT INTO requests (id, ts_unix_ms, endpoint, client_key_hash, user, public_model, "
    "served_model, provider, stream, status, outcome, request_body, response_body, "
    "bodies_dropped, bodies_truncated, input_tokens, output_tokens, usage_estimated, cost_usd, "
    "latency_ms, ttft_ms, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

constexpr const char* kInsertAttempt =
    "INSERT INTO attempts (request_seq, request_id, idx, target, provider, status, error_kind, "
    "error, latency_ms) VALUES (?,?,?,?,?,?,?,?,?)";

#define SY_REQUEST_COLUMNS                                                                  \
  "SELECT seq, id, ts_unix_ms, endpoint, client_key_hash, user, public_model, served_model, " \
  "provider, stream, status, outcome, request_body, response_body, bodies_dropped, "          \
  "bodies_truncated, input_tokens, output_tokens, usage_estimated, cost_usd, latency_ms, "    \
  "ttft_ms, error FROM requests "

constexpr const char* kSelectRequests =
    SY_REQUEST_COLUMNS "ORDER BY ts_unix_ms DESC, seq DESC LIMIT ?1";
// Nothing indexes `id` (docs/request-log.md): a time window on the ts index first, when known.
constexpr const char* kSelectByIdInWindow =
    SY_REQUEST_COLUMNS "WHERE ts_unix_ms BETWEEN ?3 AND ?4 AND id = ?2 ORDER BY seq DESC LIMIT ?1";
constexpr const char* kSelectById = SY_REQUEST_COLUMNS "WHERE id = ?2 ORDER BY seq DESC LIMIT ?1";
#undef SY_REQUEST_COLUMNS

constexpr const char* kSelectAttempts =
    "SELECT target, provider, status, error_kind, error, latency_ms FROM attempts "
    "WHERE request_seq = ? ORDER BY idx";

int64_t flag(bool b) { return b ? 1 : 0; }

}  // namespace

InsertStatements prepare_inserts(sqlite3* db) {
  return {sqlite::prepare(db, kInsertRequest), sqlite::prepare(db, kInsertAttempt)};
}

void insert_record(sqlite3* db, InsertStatements& st, const RequestRecord& r) {
  // Text is bound without a copy (the record outlives the step); bindings are cleared right after
  // each step so the statement never keeps a pointer into a record that is gone.
  sqlite3_stmt* s = st.request.get();
  int i = 1;
  sqlite::bind_static(s, i++, r.id);
  sqlite::bind(s, i++, r.ts_unix_ms);
  sqlite::bind_static(s, i++, r.endpoint);
  sqlite::bind_static(s, i++, r.client_key_hash);
  sqlite::bind_static(s, i++, r.user);
  sqlite::bind_static(s, i++, r.public_model);
  sqlite::bind_static(s, i++, r.served_model);
  sqlite::bind_static(s, i++, r.provider);
  sqlite::bind(s, i++, flag(r.stream));
  sqlite::bind(s, i++, int64_t{r.status});
  sqlite::bind_static(s, i++, r.outcome);
  sqlite::bind_static(s, i++, r.request_body);
  sqlite::bind_static(s, i++, r.response_body);
  sqlite::bind(s, i++, flag(r.bodies_dropped));
  sqlite::bind(s, i++, flag(r.bodies_truncated));
  sqlite::bind(s, i++, r.input_tokens);
  sqlite::bind(s, i++, r.output_tokens);
  sqlite::bind(s, i++, flag(r.usage_estimated));
  sqlite::bind(s, i++, r.cost_usd);
  sqlite::bind(s, i++, r.latency_ms);
  sqlite::bind(s, i++, r.ttft_ms);
  sqlite::bind_static(s, i++, r.error);
  sqlite::run(db, s);
  sqlite3_clear_bindings(s);
  const int64_t seq = sqlite3_last_insert_rowid(db);

  sqlite3_stmt* a = st.attempt.get();
  for (size_t idx = 0; idx < r.attempts.size(); ++idx) {
    const AttemptRecord& at = r.attempts[idx];
    sqlite::bind(a, 1, seq);
    sqlite::bind_static(a, 2, r.id);
    sqlite::bind(a, 3, static_cast<int64_t>(idx));
    sqlite::bind_static(a, 4, at.target);
    sqlite::bind_static(a, 5, at.provider);
    sqlite::bind(a, 6, int64_t{at.status});
    sqlite::bind_static(a, 7, at.error_kind);
    sqlite::bind_static(a, 8, at.error);
    sqlite::bind(a, 9, at.latency_ms);
    sqlite::run(db, a);
    sqlite3_clear_bindings(a);
  }
}

namespace {
// Runs a query whose columns are SY_REQUEST_COLUMNS (parameters already bound) and reads each
// row's attempts.
std::vector<RequestRecord> read_rows(sqlite3* db, sqlite::Stmt& q) {
  std::vector<RequestRecord> out;
  sqlite::Stmt qa = sqlite::prepare(db, kSelectAttempts);
  sqlite3_stmt* s = q.get();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    RequestRecord r;
    int c = 0;
    const int64_t seq = sqlite3_column_int64(s, c++);
    r.id = sqlite::column_text(s, c++);
    r.ts_unix_ms = sqlite3_column_int64(s, c++);
    r.endpoint = sqlite::column_text(s, c++);
    r.client_key_hash = sqlite::column_text(s, c++);
    r.user = sqlite::column_text(s, c++);
    r.public_model = sqlite::column_text(s, c++);
    r.served_model = sqlite::column_text(s, c++);
    r.provider = sqlite::column_text(s, c++);
    r.stream = sqlite3_column_int64(s, c++) != 0;
    r.status = sqlite3_column_int(s, c++);
    r.outcome = sqlite::column_text(s, c++);
    r.request_body = sqlite::column_text(s, c++);
    r.response_body = sqlite::column_text(s, c++);
    r.bodies_dropped = sqlite3_column_int64(s, c++) != 0;
    r.bodies_truncated = sqlite3_column_int64(s, c++) != 0;
    r.input_tokens = sqlite3_column_int64(s, c++);
    r.output_tokens = sqlite3_column_int64(s, c++);
    r.usage_estimated = sqlite3_column_int64(s, c++) != 0;
    r.cost_usd = sqlite3_column_double(s, c++);
    r.latency_ms = sqlite3_column_double(s, c++);
    r.ttft_ms = sqlite3_column_double(s, c++);
    r.error = sqlite::column_text(s, c++);

    sqlite3_stmt* a = qa.get();
    sqlite3_reset(a);
    sqlite::bind(a, 1, seq);
    while (sqlite3_step(a) == SQLITE_ROW) {
      AttemptRecord at;
      at.target = sqlite::column_text(a, 0);
      at.provider = sqlite::column_text(a, 1);
      at.status = sqlite3_column_int(a, 2);
      at.error_kind = sqlite::column_text(a, 3);
      at.error = sqlite::column_text(a, 4);
      at.latency_ms = sqlite3_column_double(a, 5);
      r.attempts.push_back(std::move(at));
    }
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(db));
  return out;
}
}  // namespace

std::vector<RequestRecord> select_recent(sqlite3* db, int limit) {
  sqlite::Stmt q = sqlite::prepare(db, kSelectRequests);
  sqlite::bind(q.get(), 1, int64_t{limit});
  return read_rows(db, q);
}

std::vector<RequestRecord> select_by_id(sqlite3* db, std::string_view id,
                                        std::optional<int64_t> around_ms, int limit) {
  if (around_ms) {
    // Both stamps come from the same clock microseconds apart; a second either way is slack.
    sqlite::Stmt q = sqlite::prepare(db, kSelectByIdInWindow);
    sqlite::bind(q.get(), 1, int64_t{limit});
    sqlite::bind(q.get(), 2, id);
    sqlite::bind(q.get(), 3, *around_ms - 1000);
    sqlite::bind(q.get(), 4, *around_ms + 1000);
    auto found = read_rows(db, q);
    if (!found.empty()) return found;
    // Not there: a client may have sent back an id of ours from an earlier answer.
  }
  sqlite::Stmt q = sqlite::prepare(db, kSelectById);
  sqlite::bind(q.get(), 1, int64_t{limit});
  sqlite::bind(q.get(), 2, id);
  return read_rows(db, q);
}

}  // namespace sy::store
