// One row of the request log: everything needed to audit, bill, debug and later learn routing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sy::store {

struct AttemptRecord {
  std::string target;          // model name from config
  std::string provider;        // provider name
  int status = 0;              // upstream HTTP status (0 if none)
  std::string error_kind;      // FailureKind as text, empty on success
  std::string error;           // message
  double latency_ms = 0;
};

struct RequestRecord {
  std::string id;              // x-request-id
  int64_t ts_unix_ms = 0;      // start time
  std::string endpoint;        // /v1/chat/completions, /v1/messages, /v1/embeddings, ...
  std::string client_key_hash; // sha256 hex prefix of the bearer/x-api-key, empty if none
  std::string user;            // OpenAI `user` / Anthropic metadata.user_id
  std::string public_model;    // what the client asked for
  std::string served_model;    // target that answered (empty if none)
  std::string provider;        // provider that answered
  bool stream = false;
  int status = 0;              // HTTP status returned to the client
  std::string outcome;         // ok | upstream_error | client_error | client_disconnected | stream_error | shutdown
  std::vector<AttemptRecord> attempts;
  std::string request_body;
  std::string response_body;   // streams reassembled into the non-streaming shape
  bool bodies_dropped = false; // back-pressure dropped the bodies (see LogConfig::overflow)
  bool bodies_truncated = false;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  bool usage_estimated = false;
  double cost_usd = 0;
  double latency_ms = 0;
  double ttft_ms = -1;         // time to first token (streams), -1 if not applicable
  std::string error;           // what the client was told, on failure
};

}  // namespace sy::store
