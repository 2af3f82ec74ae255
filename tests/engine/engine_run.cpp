// sy-engine-run: runs an EncoderModel on inputs from a JSON file and writes the outputs as JSON;
// the C++ half of the correctness tests (tests/engine/model_check.py).
//
//   sy-engine-run --model DIR --task embed|classify|score --input in.json --out out.json
//                 [--ids-out ids.json] [--int8] [--threads N] [--normalize] [--raw-logits]
//                 [--forward-tokens T]
//   in.json: {"texts": [...], "query": "..."}  or  {"sequences": [{"ids": [...], "type_ids": [...]}]}
//   ids-out: the sequences exactly as the model ran them (for tests/engine/reference.py)
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <iostream>
#include <sstream>
#include <string>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "engine/encoder.hpp"

using namespace sy::engine;

namespace {

std::string slurp(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw EngineError(p + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& p, const std::string& s) {
  std::ofstream out(p, std::ios::binary);
  out << s;
  if (!out) throw EngineError(p + ": cannot write");
}

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_floats(Writer& w, const std::vector<float>& v) {
  w.StartArray();
  for (float f : v) w.Double(static_cast<double>(f));
  w.EndArray();
}

void write_sequences(Writer& w, const std::vector<TokenizedSequence>& seqs) {
  w.StartArray();
  for (const auto& s : seqs) {
    w.StartObject();
    w.Key("ids");
    w.StartArray();
    for (int32_t id : s.ids) w.Int(id);
    w.EndArray();
    w.Key("type_ids");
    w.StartArray();
    for (int32_t t : s.type_ids) w.Int(t);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

int usage() {
  std::cerr << "usage: sy-engine-run --model DIR --task embed|classify|score --input in.json --out out.json\n"
               "                     [--ids-out ids.json] [--int8] [--threads N] [--normalize] [--raw-logits]\n"
               "                     [--forward-tokens T]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model, task = "embed", input, out, ids_out;
  EncoderOptions opts;
  bool normalize = false, raw = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw EngineError("missing value for " + a);
      return argv[++i];
    };
    try {
      if (a == "--model") model = next();
      else if (a == "--task") task = next();
      else if (a == "--input") input = next();
      else if (a == "--out") out = next();
      else if (a == "--ids-out") ids_out = next();
      else if (a == "--int8") opts.quantize_int8 = true;
      else if (a == "--threads") opts.threads = std::stoi(next());
      else if (a == "--forward-tokens") opts.forward_tokens = std::stoul(next());
      else if (a == "--normalize") normalize = true;
      else if (a == "--raw-logits") raw = true;
      else return usage();
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      return usage();
    }
  }
  if (model.empty() || input.empty() || out.empty()) return usage();
  try {
    auto m = EncoderModel::load(model, opts);
    EncodeRequest req;
    req.task = task == "embed" ? EncodeTask::embed : task == "classify" ? EncodeTask::classify : EncodeTask::score;
    if (task != "embed" && task != "classify" && task != "score") return usage();
    req.normalize = normalize;
    req.raw_logits = raw;
    rapidjson::Document doc;
    std::string text = slurp(input);
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError() || !doc.IsObject()) throw EngineError(input + ": malformed JSON");
    if (doc.HasMember("texts")) {
      for (const auto& t : doc["texts"].GetArray()) req.texts.emplace_back(t.GetString(), t.GetStringLength());
    }
    if (doc.HasMember("query")) req.query = doc["query"].GetString();
    if (doc.HasMember("sequences")) {
      for (const auto& s : doc["sequences"].GetArray()) {
        TokenizedSequence ts;
        for (const auto& v : s["ids"].GetArray()) ts.ids.push_back(v.GetInt());
        if (s.HasMember("type_ids"))
          for (const auto& v : s["type_ids"].GetArray()) ts.type_ids.push_back(v.GetInt());
        req.sequences.push_back(std::move(ts));
      }
    }
    const auto seqs = m->tokenize(req);
    if (!ids_out.empty()) {
      rapidjson::StringBuffer sb;
      Writer w(sb);
      w.StartObject();
      w.Key("task");
      w.String(task.c_str());
      w.Key("normalize");
      w.Bool(normalize);
      w.Key("raw_logits");
      w.Bool(raw);
      w.Key("sequences");
      write_sequences(w, seqs);
      w.EndObject();
      write_file(ids_out, sb.GetString());
    }
    EncodeResult res;
    std::promise<EncodeResult> p;
    auto f = p.get_future();
    if (!m->submit(req, [&p](EncodeResult r) { p.set_value(std::move(r)); })) throw EngineError("queue full");
    res = f.get();
    if (!res.ok()) throw EngineError(res.error);

    const EncoderInfo& info = m->info();
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    w.Key("tokens");
    w.Uint64(res.tokens);
    w.Key("vectors");
    w.StartArray();
    for (const auto& v : res.vectors) write_floats(w, v);
    w.EndArray();
    w.Key("scores");
    write_floats(w, res.scores);
    w.Key("info");
    w.StartObject();
    w.Key("architecture");
    w.String(info.architecture.c_str());
    w.Key("embedding_dim");
    w.Uint64(info.embedding_dim);
    w.Key("pooling");
    w.String(info.pooling.c_str());
    w.Key("normalize");
    w.Bool(info.normalize);
    w.Key("score_activation");
    w.String(info.score_activation.c_str());
    w.Key("labels");
    w.StartArray();
    for (const auto& l : info.labels) w.String(l.c_str());
    w.EndArray();
    w.Key("max_tokens");
    w.Uint64(info.max_tokens);
    w.Key("weight_bytes");
    w.Uint64(info.weight_bytes);
    w.EndObject();
    w.EndObject();
    write_file(out, sb.GetString());
  } catch (const std::exception& e) {
    std::cerr << "sy-engine-run: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
