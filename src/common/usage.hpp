// Token usage of one call, in provider-neutral terms.
#pragma once

#include <cstdint>

namespace sy {

struct Usage {
  int64_t input_tokens = 0;    // OpenAI prompt_tokens, Anthropic input_tokens (+cache tokens)
  int64_t output_tokens = 0;   // OpenAI completion_tokens, Anthropic output_tokens
  int64_t cached_input_tokens = 0;
  bool known = false;          // false: nobody reported or estimated usage
  bool estimated = false;      // true: we counted it ourselves (upstream did not report it)
};

// The two wire formats switchyard speaks, on either side.
enum class Wire { openai, anthropic };

inline const char* to_string(Wire w) { return w == Wire::openai ? "openai" : "anthropic"; }

}  // namespace sy
