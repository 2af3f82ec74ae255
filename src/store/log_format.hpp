// Presentation of request-log records for `switchyard logs`.
#pragma once

#include <string>

#include "store/request_record.hpp"

namespace sy::store {

// One line for a terminal, e.g.
// 2025-01-02T03:04:05.678Z req_1 chat-default->gpt-4o-mini (openai) 200 ok attempts=2
//   tokens=12/34 $0.00002220 512ms
// Failed requests end with `error="..."`; estimated usage is marked with `~`, dropped or truncated
// bodies with [bodies dropped] / [bodies truncated].
std::string format_record_line(const RequestRecord& rec);

// The whole record (attempts and bodies included) as one compact JSON object; bodies are JSON
// strings holding the text as stored.
std::string record_to_json(const RequestRecord& rec);

// "2025-01-02T03:04:05.678Z" for a unix time in milliseconds (UTC).
std::string format_timestamp(int64_t unix_ms);

}  // namespace sy::store
