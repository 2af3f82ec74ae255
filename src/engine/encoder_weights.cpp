#include "engine/encoder_weights.hpp"

namespace sy::engine {

namespace {

class Loader {
 public:
  Loader(const SafeTensors& st, std::string prefix) : st_(st), prefix_(std::move(prefix)) {}

  const TensorView& tensor(const std::string& name, std::vector<int64_t> shape, bool prefixed = true) {
    const std::string full = prefixed ? prefix_ + name : name;
    const TensorView* t = st_.find(full);
    // Old TF-converted checkpoints name LayerNorm parameters gamma/beta.
    if (!t && full.size() > 7 && full.compare(full.size() - 7, 7, ".weight") == 0) {
      t = st_.find(full.substr(0, full.size() - 7) + ".gamma");
    }
    if (!t && full.size() > 5 && full.compare(full.size() - 5, 5, ".bias") == 0) {
      t = st_.find(full.substr(0, full.size() - 5) + ".beta");
    }
    if (!t) throw EngineError(st_.origin() + ": missing tensor '" + full + "'");
    if (t->shape != shape) {
      std::string got, want;
      for (auto d : t->shape) got += (got.empty() ? "" : ",") + std::to_string(d);
      for (auto d : shape) want += (want.empty() ? "" : ",") + std::to_string(d);
      throw EngineError(*t->file + ": tensor '" + full + "' has shape [" + got + "], config.json implies [" + want +
                        "]");
    }
    return *t;
  }

  std::vector<float> f32(const std::string& name, std::vector<int64_t> shape, bool prefixed = true) {
    const TensorView& t = tensor(name, std::move(shape), prefixed);
    std::vector<float> v = to_f32(t);
    st_.release(t);
    bytes += v.size() * sizeof(float);
    return v;
  }

  Linear linear(const std::string& base, int out, int in, bool prefixed = true) {
    Linear l;
    l.in = in;
    l.out = out;
    l.w = f32(base + ".weight", {out, in}, prefixed);
    l.b = f32(base + ".bias", {out}, prefixed);
    return l;
  }

  // Q, K, V stacked into one [3H, H] projection so attention inputs come from one GEMM.
  Linear fused_qkv(const std::string& q, const std::string& k, const std::string& v, int h) {
    Linear l;
    l.in = h;
    l.out = 3 * h;
    const size_t hh = static_cast<size_t>(h) * static_cast<size_t>(h);
    l.w.resize(3 * hh);
    l.b.resize(3 * static_cast<size_t>(h));
    const std::string* names[3] = {&q, &k, &v};
    for (size_t i = 0; i < 3; ++i) {
      const TensorView& w = tensor(*names[i] + ".weight", {h, h});
      to_f32(w, std::span<float>(l.w.data() + i * hh, hh));
      st_.release(w);
      const TensorView& b = tensor(*names[i] + ".bias", {h});
      to_f32(b, std::span<float>(l.b.data() + i * static_cast<size_t>(h), static_cast<size_t>(h)));
    }
    bytes += (l.w.size() + l.b.size()) * sizeof(float);
    return l;
  }

  LayerNormWeights layer_norm(const std::string& base, int h) {
    return {f32(base + ".weight", {h}), f32(base + ".bias", {h})};
  }

  size_t bytes = 0;

 private:
  const SafeTensors& st_;
  std::string prefix_;
};

std::string detect_prefix(const SafeTensors& st) {
  static const std::string kSuffix = "embeddings.word_embeddings.weight";
  std::string found;
  int count = 0;
  for (const auto& [name, t] : st.tensors()) {
    if (name.size() >= kSuffix.size() && name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
      found = name.substr(0, name.size() - kSuffix.size());
      ++count;
    }
  }
  if (count == 0) throw EngineError(st.origin() + ": no '*embeddings.word_embeddings.weight' tensor; not a BERT-family encoder");
  if (count > 1) throw EngineError(st.origin() + ": several '*embeddings.word_embeddings.weight' tensors; ambiguous");
  return found;
}

}  // namespace

EncoderWeights load_encoder_weights(const SafeTensors& st, const ModelConfig& cfg, bool quantize_int8) {
  EncoderWeights w;
  w.prefix = detect_prefix(st);
  Loader ld(st, w.prefix);
  const int H = cfg.hidden_size, I = cfg.intermediate_size;

  w.word = ld.f32("embeddings.word_embeddings.weight", {cfg.vocab_size, H});
  w.position = ld.f32("embeddings.position_embeddings.weight", {cfg.max_position_embeddings, H});
  if (cfg.family != Family::distilbert) {
    w.token_type = ld.f32("embeddings.token_type_embeddings.weight", {cfg.type_vocab_size, H});
  }
  w.ln_embed = ld.layer_norm("embeddings.LayerNorm", H);

  for (int i = 0; i < cfg.num_layers; ++i) {
    EncoderLayerWeights L;
    if (cfg.family == Family::distilbert) {
      const std::string p = "transformer.layer." + std::to_string(i) + ".";
      L.qkv = ld.fused_qkv(p + "attention.q_lin", p + "attention.k_lin", p + "attention.v_lin", H);
      L.attn_out = ld.linear(p + "attention.out_lin", H, H);
      L.ln_attn = ld.layer_norm(p + "sa_layer_norm", H);
      L.ffn_in = ld.linear(p + "ffn.lin1", I, H);
      L.ffn_out = ld.linear(p + "ffn.lin2", H, I);
      L.ln_out = ld.layer_norm(p + "output_layer_norm", H);
    } else {
      const std::string p = "encoder.layer." + std::to_string(i) + ".";
      L.qkv = ld.fused_qkv(p + "attention.self.query", p + "attention.self.key", p + "attention.self.value", H);
      L.attn_out = ld.linear(p + "attention.output.dense", H, H);
      L.ln_attn = ld.layer_norm(p + "attention.output.LayerNorm", H);
      L.ffn_in = ld.linear(p + "intermediate.dense", I, H);
      L.ffn_out = ld.linear(p + "output.dense", H, I);
      L.ln_out = ld.layer_norm(p + "output.LayerNorm", H);
    }
    if (quantize_int8) {
      for (Linear* l : {&L.qkv, &L.attn_out, &L.ffn_in, &L.ffn_out}) {
        ld.bytes -= l->w.size() * sizeof(float);
        quantize_linear(*l);
        ld.bytes += l->q.bytes();
      }
    } else {
      // Packed in place of the original (one matrix is briefly held twice, never the model).
      for (Linear* l : {&L.qkv, &L.attn_out, &L.ffn_in, &L.ffn_out}) {
        const size_t before = l->w.size();
        if (prepack_linear(*l)) ld.bytes += (l->p.data.size() - before) * sizeof(float);
      }
    }
    w.layers.push_back(std::move(L));
  }

  if (cfg.sequence_classification) {
    const int nl = static_cast<int>(cfg.labels.size());
    w.has_classifier = true;
    // Head parameters sit outside the encoder prefix (e.g. "classifier.weight" next to "bert.*").
    switch (cfg.family) {
      case Family::bert:
        w.classifier.dense = ld.linear("pooler.dense", H, H);
        w.classifier.dense_act = Epilogue::tanh;
        w.classifier.out = ld.linear("classifier", nl, H, false);
        break;
      case Family::roberta:
        w.classifier.dense = ld.linear("classifier.dense", H, H, false);
        w.classifier.dense_act = Epilogue::tanh;
        w.classifier.out = ld.linear("classifier.out_proj", nl, H, false);
        break;
      case Family::distilbert:
        w.classifier.dense = ld.linear("pre_classifier", H, H, false);
        w.classifier.dense_act = Epilogue::relu;
        w.classifier.out = ld.linear("classifier", nl, H, false);
        break;
    }
  }
  w.bytes = ld.bytes;
  return w;
}

}  // namespace sy::engine
