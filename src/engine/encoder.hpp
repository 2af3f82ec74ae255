#pragma once
// In-process BERT-family encoder models (BERT/MiniLM/BGE, RoBERTa, XLM-RoBERTa, DistilBERT; base
// models for embeddings, *ForSequenceClassification for classifiers and cross-encoders), loaded
// from a Hugging Face model directory and run on the CPU.
//
// Two ways in, sharing one compute pool and one batching queue (engine/scheduler.hpp):
//   - submit(request, callback): asynchronous; never blocks, never computes on the caller's
//     thread; returns false at once when the queue is full. The callback runs on a pool thread.
//   - embed / score_pairs / classify: the same, waiting for the result (throw EngineError).
// Thread-safe: any number of threads may call either.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/error.hpp"

namespace sy::engine {

struct EncoderOptions {
  bool quantize_int8 = false;     // int8 weights for the encoder's Linear layers
  int threads = 0;                // compute threads; 0 = hardware concurrency
  size_t max_batch_tokens = 8192;  // token budget of one batch
  // A batch's forward pass runs over sub-batches of whole sequences of at most this many tokens
  // (a longer single sequence runs alone), which bounds the activation workspace at about
  // forward_tokens × (6·hidden + intermediate) floats whatever max_batch_tokens is. 1024 rows keep
  // every GEMM large enough to run at full speed. 0 = max_batch_tokens.
  size_t forward_tokens = 1024;
  size_t queue_capacity = 256;     // requests waiting before submit() refuses
};

struct EncoderInfo {
  std::string architecture;  // config.json architectures[0]
  std::string model_type;
  int hidden_size = 0;
  int num_layers = 0;
  size_t embedding_dim = 0;   // length of embed() vectors (hidden × pooling modes)
  size_t max_tokens = 0;      // longest input after truncation (position table / sentence-transformers)
  std::string pooling;        // "mean", "cls", "max", "mean_sqrt_len" or e.g. "cls+mean"
  bool normalize = false;     // the model declares a Normalize module
  bool has_classifier = false;
  std::vector<std::string> labels;  // id2label, in id order
  std::string problem_type;         // as declared in config.json ("" if absent)
  std::string score_activation;     // "softmax", "sigmoid" or "identity" (what classify applies)
  bool quantized = false;
  size_t weight_bytes = 0;  // resident compute-layout weights
};

enum class EncodeTask { embed, classify, score };

// Token ids of one model input, as the model runs it (special tokens included).
struct TokenizedSequence {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;  // empty = all 0
};

struct EncodeRequest {
  EncodeTask task = EncodeTask::embed;
  std::vector<std::string> texts;  // embed/classify: inputs; score: the documents
  std::string query;               // score only
  bool normalize = false;          // embed only (also on when the model declares Normalize)
  bool raw_logits = false;         // classify/score: return logits without the head activation
  // Pre-tokenized input (benchmarks, correctness tools): when non-empty, texts/query are ignored
  // and each sequence is one input (for score, a query+document pair).
  std::vector<TokenizedSequence> sequences;
};

struct EncodeResult {
  std::string error;                         // empty on success
  std::vector<std::vector<float>> vectors;   // embed: embeddings; classify: probabilities per label
  std::vector<float> scores;                 // score: one relevance score per document
  size_t tokens = 0;                         // input tokens processed (for usage reporting)
  bool ok() const { return error.empty(); }
};

using EncodeCallback = std::function<void(EncodeResult)>;

class EncoderModel {
 public:
  // Loads <dir> (config.json, model.safetensors[.index.json], tokenizer.json, modules.json…).
  // Throws EngineError naming the offending file.
  static std::shared_ptr<EncoderModel> load(const std::string& dir, const EncoderOptions& opts = {});
  ~EncoderModel();
  EncoderModel(const EncoderModel&) = delete;
  EncoderModel& operator=(const EncoderModel&) = delete;

  const EncoderInfo& info() const;

  // Asynchronous front. False when queue_capacity requests are already waiting ("queue full");
  // otherwise `done` is called exactly once, on a pool thread.
  bool submit(EncodeRequest request, EncodeCallback done);

  // Synchronous forms; `tokens`, when given, receives the number of input tokens.
  std::vector<std::vector<float>> embed(const std::vector<std::string>& texts, bool normalize,
                                        size_t* tokens = nullptr);
  // Cross-encoder relevance of each document to the query (see docs/engine.md for the activation).
  std::vector<float> score_pairs(std::string_view query, const std::vector<std::string>& docs,
                                 size_t* tokens = nullptr);
  // Probabilities per label (softmax, or sigmoid for multi-label models).
  std::vector<std::vector<float>> classify(const std::vector<std::string>& texts, size_t* tokens = nullptr);

  // The sequences a request runs as (tokenized and truncated exactly as submit() would); used by
  // the correctness tools to hand the same ids to the reference implementation.
  std::vector<TokenizedSequence> tokenize(const EncodeRequest& request) const;

  struct Impl;

 private:
  explicit EncoderModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::engine
