// Helpers that fill a RequestRecord from what a handler saw, and hand it to the log writer.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "routing/fallback.hpp"
#include "server/app.hpp"
#include "server/exchange.hpp"
#include "store/request_record.hpp"

namespace sy::server {

// A record with id, time, endpoint and hashed client key filled in.
store::RequestRecord begin_record(const App& app, const Exchange& ex);
// Whether request/response bodies will be stored (so worth copying into the record).
inline bool keep_bodies(const App& app) { return app.log && app.cfg.log.store_bodies; }
// The chain was answered by `served`: names it in the record and in the x-switchyard-model /
// -provider / -attempts headers, and counts a fallback when it is not the route's first target.
void note_served(App& app, Exchange& ex, store::RequestRecord& rec, const routing::Route& route,
                 const routing::Target& served, const std::vector<routing::Attempt>& attempts);
// Copies the attempts into the record and counts the real upstream calls in the metrics.
void add_attempts(App& app, store::RequestRecord& rec, const std::vector<routing::Attempt>& attempts);
// The chain failed: answer the client with the failure in its wire's error shape, record and log.
asio::awaitable<void> answer_chain_failure(App& app, Exchange& ex, Wire wire,
                                           store::RequestRecord&& rec, const Failure& failure,
                                           const std::vector<routing::Attempt>& attempts,
                                           std::chrono::steady_clock::time_point t0);
// Counts the answer in the metrics and submits the record (no-op when logging is off).
void finish_record(App& app, store::RequestRecord&& rec, std::chrono::steady_clock::time_point t0);
// A request refused before any handler read it (405, 413): counted and logged as a client error
// with the message the client was given, and no bodies.
void log_rejected(App& app, const Exchange& ex, int status, std::string error,
                  std::chrono::steady_clock::time_point t0);

}  // namespace sy::server
