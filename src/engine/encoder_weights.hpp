#pragma once
// The weights of a BERT-family encoder in the engine's compute layout (fp32, Q/K/V fused into one
// [3H, H] projection, optionally int8), loaded from safetensors by the HF parameter names of
// each architecture. Name prefixes ("bert.", "roberta.", "distilbert.", or none) are detected
// from where the word embeddings are found.
#include <string>
#include <vector>

#include "engine/linear.hpp"
#include "engine/model_config.hpp"
#include "engine/safetensors.hpp"

namespace sy::engine {

struct LayerNormWeights {
  std::vector<float> gamma, beta;
};

struct EncoderLayerWeights {
  Linear qkv;       // [3H, H]: query rows, then key rows, then value rows
  Linear attn_out;  // [H, H]
  LayerNormWeights ln_attn;
  Linear ffn_in;   // [I, H]
  Linear ffn_out;  // [H, I]
  LayerNormWeights ln_out;
};

// Sequence-classification head; which parts exist depends on the family:
//   bert:       pooler.dense (tanh on the first token) → classifier
//   roberta:    classifier.dense (tanh on <s>) → classifier.out_proj
//   distilbert: pre_classifier (ReLU on [CLS]) → classifier
struct ClassifierWeights {
  Linear dense;
  Epilogue dense_act = Epilogue::tanh;
  Linear out;
};

struct EncoderWeights {
  std::vector<float> word;      // [V, H]
  std::vector<float> position;  // [P, H]
  std::vector<float> token_type;  // [T, H]; empty for distilbert
  LayerNormWeights ln_embed;
  std::vector<EncoderLayerWeights> layers;
  bool has_classifier = false;
  ClassifierWeights classifier;
  std::string prefix;  // detected name prefix, e.g. "bert."
  size_t bytes = 0;    // resident size of the compute-layout weights
};

// Loads and converts; releases each tensor's mapped pages once copied (keeps peak RSS near the
// size of the converted weights). Throws EngineError naming the file and tensor on any mismatch.
EncoderWeights load_encoder_weights(const SafeTensors& st, const ModelConfig& cfg, bool quantize_int8);

}  // namespace sy::engine
