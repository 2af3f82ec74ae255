// RequestRecord ⇄ rows of the requests/attempts tables (shared by the writer and read_recent).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "store/request_record.hpp"
#include "store/sqlite_db.hpp"

namespace sy::store {

// The writer's prepared statements, reused for every record.
struct InsertStatements {
  sqlite::Stmt request;
  sqlite::Stmt attempt;
};

InsertStatements prepare_inserts(sqlite3* db);

// Inserts one record and its attempts (inside the caller's transaction); throws on error.
void insert_record(sqlite3* db, InsertStatements& st, const RequestRecord& rec);

// Newest first, with attempts.
std::vector<RequestRecord> select_recent(sqlite3* db, int limit);

// Records whose id is `id`, newest first, with attempts. `around_ms` (the time a generated id
// carries) narrows the search to the ts index around it; without it, or if nothing is found
// there, the table is scanned.
std::vector<RequestRecord> select_by_id(sqlite3* db, std::string_view id,
                                        std::optional<int64_t> around_ms, int limit);

}  // namespace sy::store
