// Failure and Result<T>: how every layer below the server reports an error without exceptions.
//
// A Failure says *what kind* of thing went wrong (so routing can decide whether to fall back),
// the upstream HTTP status if there was one, Retry-After if the upstream sent it, and a message
// fit to show a client. Exceptions are kept for programming errors and start-up failures.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sy {

enum class FailureKind {
  connect,        // DNS, TCP connect or TLS handshake failed
  timeout,        // connect, first-byte, idle-between-chunks or total deadline passed
  reset,          // the connection broke after the request was sent
  http_status,    // the upstream answered with a non-2xx status (status holds it)
  malformed,      // the upstream answered something we could not parse (bad JSON, truncated stream)
  unavailable,    // the target cannot be used: missing API key, circuit breaker open, unknown provider
  invalid_request,// the request cannot be sent to this target (e.g. a feature with no translation)
  overloaded,     // local back-pressure: a queue is full
  internal,       // a bug or an unexpected state on our side
};

const char* to_string(FailureKind k);

struct Failure {
  FailureKind kind = FailureKind::internal;
  int status = 0;                                     // upstream HTTP status, 0 if none
  std::optional<std::chrono::milliseconds> retry_after;
  std::string message;                                // human readable, safe to show a client
  std::string upstream_body;                          // raw upstream error body, for the log
  std::string error_type;                             // upstream's error type/code if it gave one
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                    // NOLINT: implicit on purpose
  Result(Failure f) : v_(std::move(f)) {}                      // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Failure& failure() const { return std::get<1>(v_); }
  Failure& failure() { return std::get<1>(v_); }

 private:
  std::variant<T, Failure> v_;
};

inline Failure make_failure(FailureKind kind, std::string message, int status = 0) {
  Failure f;
  f.kind = kind;
  f.status = status;
  f.message = std::move(message);
  return f;
}

}  // namespace sy
