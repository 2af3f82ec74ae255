// Rewriting top-level members of a JSON object *as text*, without building or re-serializing a
// DOM. The gateway forwards bodies with only `model` (and the like) changed; doing that on the
// client's bytes keeps every other byte as sent (number spellings, key order, unknown fields) and
// costs one scan instead of a parse plus a full re-serialization.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"

namespace sy::json {

// `object_text` must be one JSON object (whitespace around it allowed) that a parser has already
// accepted; this scanner checks structure only as far as it needs to. Every top-level member
// named in `overrides` gets the override's raw JSON as its value (all occurrences, should a client
// send a key twice); overrides whose name does not occur are appended at the end, in order.
// Returns nullopt when the text is not an object or is cut short, and when any top-level name is
// spelled with escapes ("mod\u0065l" is `model` too): the caller then takes the DOM path.
std::optional<std::string> splice_members(std::string_view object_text,
                                          const std::vector<RawMember>& overrides);

// dump_with's result computed on the text when possible (splice_members), else from the DOM.
// `obj` must be the document parsed from `object_text`; an empty text means "DOM only".
std::string rewrite_members(const Value& obj, std::string_view object_text,
                            const std::vector<RawMember>& overrides);

}  // namespace sy::json
