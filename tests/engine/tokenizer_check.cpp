// Compares sy::engine::Tokenizer with golden output from tests/node/tokenizer_reference.mjs.
//
//   tokenizer_check <model_dir> <corpus.json> <golden.json> [max_length [known_differences.json]]
//
// Prints every mismatch (input, expected, got) and a summary line; exits 1 on any mismatch that
// is not a documented known difference of the reference, 2 on a usage or load error.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "engine/tokenizer.hpp"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

rapidjson::Document parse(const std::string& path) {
  std::string text = read(path);
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsArray()) throw std::runtime_error(path + ": not a JSON array");
  return d;
}

template <class T>
std::string list(const std::vector<T>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

std::vector<int32_t> ints(const rapidjson::Value& v) {
  std::vector<int32_t> r;
  for (const auto& x : v.GetArray()) r.push_back(x.GetInt());
  return r;
}

std::string show(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 160)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  if (s.size() > 160) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

// The reason an entry is a known reference difference for this model, or "".
std::string known_reason(const rapidjson::Document& known, const std::string& model, const rapidjson::Value& entry) {
  if (!known.IsObject() || !known.HasMember("differences")) return "";
  for (const auto& d : known["differences"].GetArray()) {
    std::string m = d["model"].GetString();
    if (m != "*" && model.find(m) == std::string::npos) continue;
    if (d["input"] == entry) return d["reason"].GetString();
  }
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: tokenizer_check <model_dir> <corpus.json> <golden.json> [max_length]\n";
    return 2;
  }
  try {
    auto tok = sy::engine::Tokenizer::from_dir(argv[1]);
    auto corpus = parse(argv[2]);
    auto golden = parse(argv[3]);
    sy::engine::EncodeOptions opt;
    if (argc > 4) opt.max_length = std::stoul(argv[4]);
    rapidjson::Document known;
    if (argc > 5) {
      std::string text = read(argv[5]);
      known.Parse(text.data(), text.size());
      if (known.HasParseError()) throw std::runtime_error(std::string(argv[5]) + ": invalid JSON");
    }
    if (corpus.Size() != golden.Size()) {
      std::cerr << "corpus has " << corpus.Size() << " entries, golden " << golden.Size() << "\n";
      return 2;
    }
    size_t mismatches = 0, known_count = 0;
    for (rapidjson::SizeType i = 0; i < corpus.Size(); ++i) {
      const auto& entry = corpus[i];
      sy::engine::Encoding got;
      std::string input;
      if (entry.IsArray()) {
        std::string_view a(entry[0].GetString(), entry[0].GetStringLength());
        std::string_view b(entry[1].GetString(), entry[1].GetStringLength());
        got = tok.encode_pair(a, b, opt);
        input = "[" + show(a) + "] + [" + show(b) + "]";
      } else {
        std::string_view a(entry.GetString(), entry.GetStringLength());
        got = tok.encode(a, opt);
        input = show(a);
      }
      auto want_ids = ints(golden[i]["ids"]);
      auto want_types = ints(golden[i]["type_ids"]);
      if (got.ids != want_ids || got.type_ids != want_types) {
        std::string reason = known_reason(known, argv[1], entry);
        if (!reason.empty()) {
          ++known_count;
          std::cout << "KNOWN #" << i << " input: " << input << "\n  " << reason << "\n";
          continue;
        }
        ++mismatches;
        std::cout << "MISMATCH #" << i << " input: " << input << "\n  expected ids:  " << list(want_ids)
                  << "\n  got ids:       " << list(got.ids) << "\n  expected types: " << list(want_types)
                  << "\n  got types:      " << list(got.type_ids) << "\n";
      }
    }
    std::cout << argv[1] << (argc > 4 ? std::string(" max_length=") + argv[4] : std::string()) << ": "
              << mismatches << " mismatches, " << known_count << " known reference differences, of "
              << corpus.Size() << " entries\n";
    return mismatches == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
