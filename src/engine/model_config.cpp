#include "engine/model_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace sy::engine {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  throw EngineError(file + ": " + what);
}

rapidjson::Document parse_json(const std::string& text, const std::string& file) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) {
    fail(file, std::string("malformed JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
                   rapidjson::GetParseError_En(doc.GetParseError()));
  }
  return doc;
}

const rapidjson::Value* member(const rapidjson::Value& o, const char* k) {
  if (!o.IsObject()) return nullptr;
  auto it = o.FindMember(k);
  if (it == o.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

int get_int(const rapidjson::Value& o, const char* k, const std::string& file, std::optional<int> dflt) {
  const auto* v = member(o, k);
  if (!v) {
    if (dflt) return *dflt;
    fail(file, std::string("missing integer '") + k + "'");
  }
  if (!v->IsInt()) fail(file, std::string("'") + k + "' must be an integer");
  return v->GetInt();
}

std::string get_str(const rapidjson::Value& o, const char* k) {
  const auto* v = member(o, k);
  return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
}

bool get_bool(const rapidjson::Value& o, const char* k, const std::string& file) {
  const auto* v = member(o, k);
  if (!v) return false;
  if (!v->IsBool()) fail(file, std::string("'") + k + "' must be true or false");
  return v->GetBool();
}

Activation parse_act(const std::string& s, const std::string& file) {
  if (s.empty() || s == "gelu") return Activation::gelu_erf;
  if (s == "gelu_new" || s == "gelu_pytorch_tanh" || s == "gelu_fast") return Activation::gelu_tanh;
  if (s == "relu") return Activation::relu;
  fail(file, "unsupported hidden activation '" + s + "' (gelu, gelu_new, gelu_pytorch_tanh, relu)");
}

bool ends_with(const std::string& s, std::string_view suf) {
  return s.size() >= suf.size() && s.compare(s.size() - suf.size(), suf.size(), suf) == 0;
}

}  // namespace

std::string read_file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw EngineError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw EngineError(path + ": read error");
  return ss.str();
}

size_t ModelConfig::max_tokens() const {
  if (family == Family::roberta) return static_cast<size_t>(std::max(0, max_position_embeddings - pad_token_id - 1));
  return static_cast<size_t>(max_position_embeddings);
}

HeadActivation decide_head_activation(const std::string& problem_type, size_t num_labels) {
  if (problem_type == "multi_label_classification") return HeadActivation::sigmoid;
  if (problem_type == "single_label_classification") return HeadActivation::softmax;
  if (problem_type == "regression") return HeadActivation::identity;
  return num_labels == 1 ? HeadActivation::sigmoid : HeadActivation::softmax;
}

ModelConfig parse_model_config(const std::string& text, const std::string& file) {
  auto doc = parse_json(text, file);
  if (!doc.IsObject()) fail(file, "not a JSON object");
  ModelConfig c;
  c.model_type = get_str(doc, "model_type");
  if (const auto* a = member(doc, "architectures")) {
    if (!a->IsArray()) fail(file, "'architectures' must be an array");
    if (a->Size() > 0 && (*a)[0].IsString()) c.architecture = (*a)[0].GetString();
  }
  const std::string& arch = c.architecture;
  auto arch_is = [&](std::string_view prefix) { return arch.rfind(prefix, 0) == 0; };
  if (c.model_type == "bert" || arch_is("Bert")) {
    c.family = Family::bert;
  } else if (c.model_type == "roberta" || c.model_type == "xlm-roberta" || arch_is("Roberta") ||
             arch_is("XLMRoberta")) {
    c.family = Family::roberta;
  } else if (c.model_type == "distilbert" || arch_is("DistilBert")) {
    c.family = Family::distilbert;
  } else {
    fail(file, "unsupported model (model_type '" + c.model_type + "', architecture '" + arch +
                   "'); supported: bert, roberta, xlm-roberta, distilbert");
  }
  if (!arch.empty() && !ends_with(arch, "Model") && !ends_with(arch, "ForSequenceClassification")) {
    // e.g. BertForMaskedLM checkpoints still carry a usable encoder; use the base model.
    if (!ends_with(arch, "ForMaskedLM") && !ends_with(arch, "ForPreTraining")) {
      fail(file, "unsupported architecture '" + arch + "' (expected *Model or *ForSequenceClassification)");
    }
  }
  c.sequence_classification = ends_with(arch, "ForSequenceClassification");

  if (c.family == Family::distilbert) {
    c.vocab_size = get_int(doc, "vocab_size", file, std::nullopt);
    c.hidden_size = get_int(doc, "dim", file, 768);
    c.num_layers = get_int(doc, "n_layers", file, 6);
    c.num_heads = get_int(doc, "n_heads", file, 12);
    c.intermediate_size = get_int(doc, "hidden_dim", file, 4 * c.hidden_size);
    c.max_position_embeddings = get_int(doc, "max_position_embeddings", file, 512);
    c.type_vocab_size = 0;
    c.pad_token_id = get_int(doc, "pad_token_id", file, 0);
    c.layer_norm_eps = 1e-12f;  // fixed in the DistilBERT architecture
    c.hidden_act = parse_act(get_str(doc, "activation"), file);
  } else {
    c.vocab_size = get_int(doc, "vocab_size", file, std::nullopt);
    c.hidden_size = get_int(doc, "hidden_size", file, std::nullopt);
    c.num_layers = get_int(doc, "num_hidden_layers", file, std::nullopt);
    c.num_heads = get_int(doc, "num_attention_heads", file, std::nullopt);
    c.intermediate_size = get_int(doc, "intermediate_size", file, std::nullopt);
    c.max_position_embeddings = get_int(doc, "max_position_embeddings", file, 512);
    c.type_vocab_size = get_int(doc, "type_vocab_size", file, 2);
    c.pad_token_id = get_int(doc, "pad_token_id", file, c.family == Family::roberta ? 1 : 0);
    if (const auto* e = member(doc, "layer_norm_eps")) {
      if (!e->IsNumber()) fail(file, "'layer_norm_eps' must be a number");
      c.layer_norm_eps = static_cast<float>(e->GetDouble());
    }
    c.hidden_act = parse_act(get_str(doc, "hidden_act"), file);
    const std::string pe = get_str(doc, "position_embedding_type");
    if (!pe.empty() && pe != "absolute") fail(file, "unsupported position_embedding_type '" + pe + "'");
  }
  if (c.vocab_size <= 0 || c.hidden_size <= 0 || c.num_layers <= 0 || c.num_heads <= 0 ||
      c.intermediate_size <= 0 || c.max_position_embeddings <= 0 || c.type_vocab_size < 0) {
    fail(file, "sizes must be positive");
  }
  if (c.hidden_size % c.num_heads != 0) {
    fail(file, "hidden size " + std::to_string(c.hidden_size) + " is not divisible by the number of heads " +
                   std::to_string(c.num_heads));
  }

  // Labels: id2label {"0": "...", ...}; num_labels when id2label is absent.
  if (const auto* m = member(doc, "id2label")) {
    if (!m->IsObject()) fail(file, "'id2label' must be an object");
    std::map<int, std::string> by_id;
    for (auto& kv : m->GetObject()) {
      char* end = nullptr;
      long id = std::strtol(kv.name.GetString(), &end, 10);
      if (end == kv.name.GetString() || *end != '\0' || id < 0 || id > 1000000 || !kv.value.IsString()) {
        fail(file, std::string("bad id2label entry '") + kv.name.GetString() + "'");
      }
      by_id[static_cast<int>(id)] = kv.value.GetString();
    }
    int expect = 0;
    for (auto& [id, name] : by_id) {
      if (id != expect++) fail(file, "id2label ids must be 0..n-1");
      c.labels.push_back(name);
    }
  }
  if (const auto* n = member(doc, "num_labels")) {
    if (!n->IsInt() || n->GetInt() <= 0) fail(file, "'num_labels' must be a positive integer");
    if (c.labels.empty()) {
      for (int i = 0; i < n->GetInt(); ++i) c.labels.push_back("LABEL_" + std::to_string(i));
    } else if (static_cast<int>(c.labels.size()) != n->GetInt()) {
      fail(file, "num_labels disagrees with id2label");
    }
  }
  if (c.sequence_classification && c.labels.empty()) {
    c.labels = {"LABEL_0", "LABEL_1"};  // the transformers default (num_labels = 2)
  }
  c.problem_type = get_str(doc, "problem_type");
  c.head_activation = decide_head_activation(c.problem_type, c.labels.size());
  return c;
}

PoolingConfig parse_pooling_config(const std::string& text, const std::string& file) {
  auto doc = parse_json(text, file);
  if (!doc.IsObject()) fail(file, "not a JSON object");
  PoolingConfig p;
  p.from_sentence_transformers = true;
  p.cls = get_bool(doc, "pooling_mode_cls_token", file);
  p.mean = get_bool(doc, "pooling_mode_mean_tokens", file);
  p.max = get_bool(doc, "pooling_mode_max_tokens", file);
  p.mean_sqrt_len = get_bool(doc, "pooling_mode_mean_sqrt_len_tokens", file);
  if (get_bool(doc, "pooling_mode_weightedmean_tokens", file)) fail(file, "weighted-mean pooling is not supported");
  if (get_bool(doc, "pooling_mode_lasttoken", file)) fail(file, "last-token pooling is not supported");
  if (const auto* pm = member(doc, "pooling_mode")) {  // older single-string form
    if (pm->IsString()) {
      std::string s = pm->GetString();
      if (s == "cls") p.cls = true;
      else if (s == "mean") p.mean = true;
      else if (s == "max") p.max = true;
      else fail(file, "unsupported pooling_mode '" + s + "'");
    }
  }
  if (p.modes() == 0) fail(file, "no pooling mode enabled");
  return p;
}

void load_sentence_transformers(const std::string& dir, ModelConfig& cfg) {
  const std::string modules_path = (fs::path(dir) / "modules.json").string();
  if (!fs::exists(modules_path)) return;
  auto doc = parse_json(read_file_text(modules_path), modules_path);
  if (!doc.IsArray()) fail(modules_path, "not a JSON array");
  bool have_pooling = false;
  for (const auto& m : doc.GetArray()) {
    const std::string type = get_str(m, "type");
    const std::string path = get_str(m, "path");
    if (ends_with(type, "models.Transformer")) {
      if (!path.empty()) fail(modules_path, "a Transformer module in a subfolder ('" + path + "') is not supported");
    } else if (ends_with(type, "models.Pooling")) {
      const std::string pc = (fs::path(dir) / path / "config.json").string();
      if (!fs::exists(pc)) fail(pc, "not found (named by modules.json)");
      cfg.pooling = parse_pooling_config(read_file_text(pc), pc);
      have_pooling = true;
    } else if (ends_with(type, "models.Normalize")) {
      cfg.pooling.normalize = true;
    } else {
      fail(modules_path, "unsupported sentence-transformers module '" + type + "'");
    }
  }
  if (!have_pooling) fail(modules_path, "no Pooling module");
  const std::string sb = (fs::path(dir) / "sentence_bert_config.json").string();
  if (fs::exists(sb)) {
    auto d = parse_json(read_file_text(sb), sb);
    if (const auto* v = member(d, "max_seq_length"); v && v->IsUint()) cfg.max_seq_length = v->GetUint();
  }
}

ModelConfig load_model_config(const std::string& dir) {
  const std::string path = (fs::path(dir) / "config.json").string();
  if (!fs::exists(path)) throw EngineError(path + ": not found");
  ModelConfig cfg = parse_model_config(read_file_text(path), path);
  load_sentence_transformers(dir, cfg);
  if (!cfg.pooling.from_sentence_transformers) {
    // No sentence-transformers metadata: mean pooling over real tokens, the common default for
    // BERT-family embedding models (see docs/engine.md).
    cfg.pooling.mean = true;
  }
  return cfg;
}

}  // namespace sy::engine
