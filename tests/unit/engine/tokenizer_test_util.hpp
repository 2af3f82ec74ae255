#pragma once
// Tiny hand-written tokenizer.json documents for the tokenizer unit tests.
#include <string>

namespace sy::engine::test {

// WordPiece over single letters, "un", "##able", "##s", "play", "##ing"; BertNormalizer
// (lowercase), BertPreTokenizer, BertProcessing-like template, [CLS]=1 [SEP]=2 [PAD]=0 [UNK]=3
// [MASK]=4.
inline std::string wordpiece_json(const std::string& extra_added = "", const std::string& post = "") {
  std::string vocab = R"("[PAD]":0,"[CLS]":1,"[SEP]":2,"[UNK]":3,"[MASK]":4,"un":5,"##able":6,"##s":7,"play":8,"##ing":9,",":10,"!":11)";
  for (char c = 'a'; c <= 'z'; ++c) vocab += std::string(",\"") + c + "\":" + std::to_string(20 + (c - 'a'));
  std::string pp = post.empty() ? R"({"type":"TemplateProcessing",
      "single":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}}],
      "pair":[{"SpecialToken":{"id":"[CLS]","type_id":0}},{"Sequence":{"id":"A","type_id":0}},{"SpecialToken":{"id":"[SEP]","type_id":0}},
              {"Sequence":{"id":"B","type_id":1}},{"SpecialToken":{"id":"[SEP]","type_id":1}}],
      "special_tokens":{"[CLS]":{"id":"[CLS]","ids":[1],"tokens":["[CLS]"]},"[SEP]":{"id":"[SEP]","ids":[2],"tokens":["[SEP]"]}}})"
                                : post;
  return R"({"version":"1.0","truncation":null,"padding":null,
    "added_tokens":[
      {"id":0,"content":"[PAD]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
      {"id":1,"content":"[CLS]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
      {"id":2,"content":"[SEP]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
      {"id":3,"content":"[UNK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
      {"id":4,"content":"[MASK]","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true})" +
         extra_added + R"(],
    "normalizer":{"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true},
    "pre_tokenizer":{"type":"BertPreTokenizer"},
    "post_processor":)" + pp + R"(,
    "model":{"type":"WordPiece","unk_token":"[UNK]","continuing_subword_prefix":"##","max_input_chars_per_word":10,
             "vocab":{)" + vocab + R"(}}})";
}

}  // namespace sy::engine::test
