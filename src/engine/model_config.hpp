#pragma once
// What a Hugging Face encoder model directory declares: config.json (architecture, sizes, labels,
// problem type) and the sentence-transformers files (modules.json, <pooling>/config.json,
// sentence_bert_config.json). Parsing only; no weights. Errors throw EngineError naming the file.
#include <cstddef>
#include <string>
#include <vector>

#include "engine/error.hpp"

namespace sy::engine {

enum class Family { bert, roberta, distilbert };  // xlm-roberta is the roberta family
enum class Activation { gelu_erf, gelu_tanh, relu };
// How classification logits become the returned numbers.
enum class HeadActivation { softmax, sigmoid, identity };

struct PoolingConfig {
  bool cls = false;
  bool mean = false;
  bool max = false;
  bool mean_sqrt_len = false;
  bool normalize = false;  // a sentence_transformers.models.Normalize module follows
  bool from_sentence_transformers = false;
  // Number of pooled vectors concatenated (sentence-transformers order: cls, max, mean, mean_sqrt).
  int modes() const { return int(cls) + int(max) + int(mean) + int(mean_sqrt_len); }
};

struct ModelConfig {
  std::string architecture;  // config.architectures[0], e.g. "BertForSequenceClassification"
  std::string model_type;    // "bert", "roberta", "xlm-roberta", "distilbert"
  Family family = Family::bert;
  bool sequence_classification = false;  // *ForSequenceClassification

  int vocab_size = 0;
  int hidden_size = 0;
  int num_layers = 0;
  int num_heads = 0;
  int intermediate_size = 0;
  int max_position_embeddings = 0;
  int type_vocab_size = 0;  // 0 for distilbert (no token types)
  int pad_token_id = 0;
  float layer_norm_eps = 1e-12f;
  Activation hidden_act = Activation::gelu_erf;

  // Classification head.
  std::vector<std::string> labels;  // id2label in id order (num_labels entries)
  std::string problem_type;         // as declared ("" when absent)
  HeadActivation head_activation = HeadActivation::softmax;

  PoolingConfig pooling;
  size_t max_seq_length = 0;  // sentence_bert_config.json max_seq_length (0 = not declared)

  int head_dim() const { return hidden_size / num_heads; }
  // Longest token sequence the position table allows (RoBERTa positions start at pad+1).
  size_t max_tokens() const;
};

// Parses <dir>/config.json plus the optional sentence-transformers files.
ModelConfig load_model_config(const std::string& dir);
// Parses config.json text; `file` names it in errors.
ModelConfig parse_model_config(const std::string& text, const std::string& file);
// Parses modules.json + the pooling config into cfg.pooling (no-op when modules.json is absent).
void load_sentence_transformers(const std::string& dir, ModelConfig& cfg);
// Parses a 1_Pooling/config.json document.
PoolingConfig parse_pooling_config(const std::string& text, const std::string& file);

// Decides how logits are turned into scores (see docs/engine.md, "Classification heads"):
// problem_type multi_label_classification → sigmoid; single_label_classification → softmax;
// regression → identity; undeclared: one label → sigmoid (cross-encoder relevance), else softmax.
HeadActivation decide_head_activation(const std::string& problem_type, size_t num_labels);

std::string read_file_text(const std::string& path);  // throws EngineError naming the file

}  // namespace sy::engine
