#include "engine/post_processor.hpp"

#include "engine/error.hpp"

namespace sy::engine {
namespace {

TemplatePiece special(std::vector<int32_t> ids, int32_t type_id) {
  TemplatePiece p;
  p.ids = std::move(ids);
  p.type_id = type_id;
  return p;
}

TemplatePiece sequence(int seq, int32_t type_id) {
  TemplatePiece p;
  p.is_sequence = true;
  p.seq = seq;
  p.type_id = type_id;
  return p;
}

// ["[CLS]", 101] as used by BertProcessing / RobertaProcessing.
int32_t token_pair_id(const rapidjson::Value& v, const char* key, const std::string& origin) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsArray() || it->value.Size() != 2 || !it->value[1].IsInt())
    throw EngineError(origin + ": post_processor." + key + " must be [token, id]");
  return it->value[1].GetInt();
}

std::vector<TemplatePiece> parse_template(const rapidjson::Value& v, const char* key, const rapidjson::Value& specials,
                                          const std::string& origin) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsArray())
    throw EngineError(origin + ": TemplateProcessing without a \"" + key + "\" template");
  std::vector<TemplatePiece> out;
  for (const auto& item : it->value.GetArray()) {
    if (auto s = item.FindMember("Sequence"); s != item.MemberEnd()) {
      std::string id = s->value.HasMember("id") && s->value["id"].IsString() ? s->value["id"].GetString() : "A";
      int32_t type_id = s->value.HasMember("type_id") && s->value["type_id"].IsInt() ? s->value["type_id"].GetInt() : 0;
      out.push_back(sequence(id == "B" ? 1 : 0, type_id));
    } else if (auto t = item.FindMember("SpecialToken"); t != item.MemberEnd()) {
      if (!t->value.HasMember("id") || !t->value["id"].IsString())
        throw EngineError(origin + ": TemplateProcessing special token without an id");
      std::string name = t->value["id"].GetString();
      int32_t type_id = t->value.HasMember("type_id") && t->value["type_id"].IsInt() ? t->value["type_id"].GetInt() : 0;
      auto sp = specials.IsObject() ? specials.FindMember(name.c_str()) : specials.MemberEnd();
      if (!specials.IsObject() || sp == specials.MemberEnd() || !sp->value.HasMember("ids") || !sp->value["ids"].IsArray())
        throw EngineError(origin + ": TemplateProcessing uses \"" + name + "\" missing from special_tokens");
      std::vector<int32_t> ids;
      for (const auto& i : sp->value["ids"].GetArray()) {
        if (!i.IsInt()) throw EngineError(origin + ": TemplateProcessing special token \"" + name + "\" has a non-integer id");
        ids.push_back(i.GetInt());
      }
      out.push_back(special(std::move(ids), type_id));
    } else {
      throw EngineError(origin + ": TemplateProcessing item must be Sequence or SpecialToken");
    }
  }
  return out;
}

void parse_into(const rapidjson::Value& v, const std::string& origin, PostProcessor& p) {
  if (v.IsNull()) return;
  if (!v.IsObject()) throw EngineError(origin + ": post_processor must be an object or null");
  std::string type = v.HasMember("type") && v["type"].IsString() ? v["type"].GetString() : "";
  if (type == "Sequence") {
    auto it = v.FindMember("processors");
    if (it == v.MemberEnd() || !it->value.IsArray())
      throw EngineError(origin + ": Sequence post_processor without a \"processors\" array");
    for (const auto& q : it->value.GetArray()) parse_into(q, origin, p);
    return;
  }
  if (type == "ByteLevel") return;  // offsets trimming only
  if (p.present) throw EngineError(origin + ": more than one special-token post_processor in a Sequence");
  p.present = true;
  if (type == "BertProcessing") {
    int32_t cls = token_pair_id(v, "cls", origin), sep = token_pair_id(v, "sep", origin);
    p.single = {special({cls}, 0), sequence(0, 0), special({sep}, 0)};
    p.pair = {special({cls}, 0), sequence(0, 0), special({sep}, 0), sequence(1, 1), special({sep}, 1)};
  } else if (type == "RobertaProcessing") {
    int32_t cls = token_pair_id(v, "cls", origin), sep = token_pair_id(v, "sep", origin);
    p.single = {special({cls}, 0), sequence(0, 0), special({sep}, 0)};
    p.pair = {special({cls}, 0), sequence(0, 0), special({sep}, 0), special({sep}, 0), sequence(1, 0), special({sep}, 0)};
    p.zero_pair_type_ids = true;
  } else if (type == "TemplateProcessing") {
    static const rapidjson::Value kNull;
    auto sp = v.FindMember("special_tokens");
    const rapidjson::Value& specials = sp == v.MemberEnd() ? kNull : sp->value;
    p.single = parse_template(v, "single", specials, origin);
    p.pair = parse_template(v, "pair", specials, origin);
  } else {
    throw EngineError(origin + ": unsupported post_processor type \"" + type + "\"");
  }
}

}  // namespace

size_t PostProcessor::added_tokens(bool is_pair) const {
  size_t n = 0;
  for (const auto& piece : is_pair ? pair : single)
    if (!piece.is_sequence) n += piece.ids.size();
  return n;
}

PostProcessor parse_post_processor(const rapidjson::Value& v, const std::string& origin) {
  PostProcessor p;
  parse_into(v, origin, p);
  return p;
}

}  // namespace sy::engine
