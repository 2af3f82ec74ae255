#include "store/sqlite_db.hpp"

#include <mutex>
#include <stdexcept>

namespace sy::store::sqlite {

Db open(const std::string& path, bool read_only) {
  // SQLite keeps allocation statistics by default, behind a global mutex taken on every malloc
  // and free (~7% of the log writer's CPU). Nothing reads them. Global settings must precede
  // SQLite's initialization; if something initialized it first, the call fails harmlessly.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* raw = nullptr;
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;  // each connection is used by one thread at a time
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    throw std::runtime_error("cannot open request log '" + path + "': " + msg);
  }
  sqlite3_extended_result_codes(db.get(), 1);
  return db;
}

void exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db);
    sqlite3_free(err);
    throw std::runtime_error(msg);
  }
}

Stmt prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
    throw std::runtime_error(std::string(sqlite3_errmsg(db)) + " (preparing: " + sql + ")");
  }
  return Stmt(raw);
}

int64_t query_int(sqlite3* db, const char* sql) {
  Stmt s = prepare(db, sql);
  int rc = sqlite3_step(s.get());
  if (rc != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db));
  return sqlite3_column_int64(s.get(), 0);
}

void bind(sqlite3_stmt* s, int i, std::string_view text) {
  sqlite3_bind_text64(s, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void bind_static(sqlite3_stmt* s, int i, std::string_view text) {
  sqlite3_bind_text64(s, i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}
void bind(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
void bind(sqlite3_stmt* s, int i, double v) { sqlite3_bind_double(s, i, v); }

std::string column_text(sqlite3_stmt* s, int i) {
  const unsigned char* p = sqlite3_column_text(s, i);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(s, i)));
}

void run(sqlite3* db, sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::string msg = sqlite3_errmsg(db);
    sqlite3_reset(s);
    throw std::runtime_error(msg);
  }
  sqlite3_reset(s);
}

}  // namespace sy::store::sqlite
