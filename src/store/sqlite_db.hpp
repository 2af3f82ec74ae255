// Thin RAII over the SQLite C API for the request log: handles that close themselves, and helpers
// that throw std::runtime_error carrying SQLite's message (only at open/migrate time; the writer
// thread catches them per batch).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace sy::store::sqlite {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Opens `path` (creating it unless read_only); throws naming the path.
Db open(const std::string& path, bool read_only);

// Runs one or more statements with no results; throws with SQLite's message.
void exec(sqlite3* db, const char* sql);

Stmt prepare(sqlite3* db, const char* sql);

// Single-integer queries such as PRAGMA user_version.
int64_t query_int(sqlite3* db, const char* sql);

// Binding and reading by 1-based (bind) / 0-based (column) index, as in the C API.
void bind(sqlite3_stmt* s, int i, std::string_view text);
// Without a copy: `text` must stay alive and unchanged until the statement has been stepped and
// reset (the log writer binds whole request/response bodies; copying them was pure overhead).
void bind_static(sqlite3_stmt* s, int i, std::string_view text);
void bind(sqlite3_stmt* s, int i, int64_t v);
void bind(sqlite3_stmt* s, int i, double v);
std::string column_text(sqlite3_stmt* s, int i);

// Steps a statement that returns no rows, then resets it; throws on error.
void run(sqlite3* db, sqlite3_stmt* s);

}  // namespace sy::store::sqlite
