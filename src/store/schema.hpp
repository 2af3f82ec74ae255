// The request log's schema and its forward migrations.
//
// PRAGMA user_version holds the number of migration steps applied. Steps are append-only: a
// released step is never edited, a change is a new step, so any older file can be brought forward.
#pragma once

#include <sqlite3.h>

#include <string>
#include <vector>

namespace sy::store {

// migrations()[i] brings a file from version i to version i + 1.
const std::vector<std::string>& migrations();

inline int schema_version() { return static_cast<int>(migrations().size()); }

// Applies the missing steps, each in its own transaction. Throws std::runtime_error if the file
// is newer than this build knows or a step fails.
void migrate(sqlite3* db);

}  // namespace sy::store
