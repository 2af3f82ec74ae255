#include "engine/model_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace sy::engine;

namespace {
const std::string kFixtures = std::string(SY_FIXTURES_DIR) + "/hf";

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const EngineError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ModelConfig, RealMiniLmSentenceTransformers) {
  const std::string dir = kFixtures + "/sentence-transformers--all-MiniLM-L6-v2";
  if (!fs::exists(dir)) GTEST_SKIP() << "fixture " << dir << " missing";
  ModelConfig c = load_model_config(dir);
  EXPECT_EQ(c.family, Family::bert);
  EXPECT_EQ(c.architecture, "BertModel");
  EXPECT_FALSE(c.sequence_classification);
  EXPECT_EQ(c.hidden_size, 384);
  EXPECT_EQ(c.num_layers, 6);
  EXPECT_EQ(c.num_heads, 12);
  EXPECT_EQ(c.intermediate_size, 1536);
  EXPECT_FLOAT_EQ(c.layer_norm_eps, 1e-12f);
  EXPECT_EQ(c.hidden_act, Activation::gelu_erf);
  EXPECT_TRUE(c.pooling.from_sentence_transformers);
  EXPECT_TRUE(c.pooling.mean);
  EXPECT_FALSE(c.pooling.cls);
  EXPECT_TRUE(c.pooling.normalize);
  EXPECT_EQ(c.max_seq_length, 256u);
  EXPECT_EQ(c.max_tokens(), 512u);
}

TEST(ModelConfig, RealCrossEncoder) {
  const std::string dir = kFixtures + "/cross-encoder--ms-marco-MiniLM-L-6-v2";
  if (!fs::exists(dir)) GTEST_SKIP() << "fixture " << dir << " missing";
  ModelConfig c = load_model_config(dir);
  EXPECT_TRUE(c.sequence_classification);
  EXPECT_EQ(c.labels, std::vector<std::string>{"LABEL_0"});
  EXPECT_EQ(c.problem_type, "");
  EXPECT_EQ(c.head_activation, HeadActivation::sigmoid);
}

TEST(ModelConfig, DistilBertAndRobertaShapes) {
  ModelConfig d = parse_model_config(
      R"({"model_type":"distilbert","architectures":["DistilBertForSequenceClassification"],"vocab_size":100,
          "dim":64,"n_layers":2,"n_heads":4,"hidden_dim":128,"activation":"gelu",
          "id2label":{"1":"POSITIVE","0":"NEGATIVE"}})",
      "config.json");
  EXPECT_EQ(d.family, Family::distilbert);
  EXPECT_EQ(d.hidden_size, 64);
  EXPECT_EQ(d.type_vocab_size, 0);
  EXPECT_EQ(d.labels, (std::vector<std::string>{"NEGATIVE", "POSITIVE"}));
  EXPECT_EQ(d.head_activation, HeadActivation::softmax);

  ModelConfig r = parse_model_config(
      R"({"model_type":"xlm-roberta","architectures":["XLMRobertaModel"],"vocab_size":10,"hidden_size":8,
          "num_hidden_layers":1,"num_attention_heads":2,"intermediate_size":16,"max_position_embeddings":514,
          "pad_token_id":1,"type_vocab_size":1,"layer_norm_eps":1e-5,"hidden_act":"gelu_new"})",
      "config.json");
  EXPECT_EQ(r.family, Family::roberta);
  EXPECT_EQ(r.max_tokens(), 512u);  // positions start at pad + 1
  EXPECT_FLOAT_EQ(r.layer_norm_eps, 1e-5f);
  EXPECT_EQ(r.hidden_act, Activation::gelu_tanh);
}

TEST(ModelConfig, ErrorsNameTheFile) {
  EXPECT_NE(error_of([] { parse_model_config("{", "/m/config.json"); }).find("/m/config.json: malformed JSON"),
            std::string::npos);
  auto e = error_of([] { parse_model_config(R"({"model_type":"bert","vocab_size":10})", "/m/config.json"); });
  EXPECT_NE(e.find("/m/config.json: missing integer 'hidden_size'"), std::string::npos) << e;
  e = error_of([] { parse_model_config(R"({"model_type":"gpt2"})", "/m/config.json"); });
  EXPECT_NE(e.find("unsupported model"), std::string::npos) << e;
  e = error_of([] {
    parse_model_config(R"({"model_type":"bert","vocab_size":10,"hidden_size":10,"num_hidden_layers":1,
                          "num_attention_heads":3,"intermediate_size":4})",
                       "c.json");
  });
  EXPECT_NE(e.find("not divisible"), std::string::npos) << e;
  EXPECT_NE(error_of([] { load_model_config("/nonexistent-dir"); }).find("/nonexistent-dir/config.json: not found"),
            std::string::npos);
}

TEST(ModelConfig, HeadActivationDecision) {
  EXPECT_EQ(decide_head_activation("multi_label_classification", 5), HeadActivation::sigmoid);
  EXPECT_EQ(decide_head_activation("single_label_classification", 1), HeadActivation::softmax);
  EXPECT_EQ(decide_head_activation("regression", 1), HeadActivation::identity);
  EXPECT_EQ(decide_head_activation("", 1), HeadActivation::sigmoid);
  EXPECT_EQ(decide_head_activation("", 3), HeadActivation::softmax);
}

TEST(ModelConfig, PoolingConfig) {
  auto p = parse_pooling_config(R"({"pooling_mode_cls_token":true,"pooling_mode_mean_tokens":true})", "p.json");
  EXPECT_TRUE(p.cls);
  EXPECT_TRUE(p.mean);
  EXPECT_EQ(p.modes(), 2);
  EXPECT_NE(error_of([] { parse_pooling_config(R"({"pooling_mode_lasttoken":true})", "p.json"); })
                .find("p.json: last-token pooling is not supported"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_pooling_config(R"({})", "p.json"); }).find("no pooling mode"), std::string::npos);
}

TEST(ModelConfig, ModulesJsonErrors) {
  fs::path dir = fs::temp_directory_path() / ("sy_cfg_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "modules.json") << R"([{"type":"sentence_transformers.models.Transformer","path":""},
      {"type":"sentence_transformers.models.Pooling","path":"1_Pooling"}])";
  ModelConfig c;
  auto e = error_of([&] { load_sentence_transformers(dir.string(), c); });
  EXPECT_NE(e.find("1_Pooling/config.json: not found"), std::string::npos) << e;
  std::ofstream(dir / "modules.json") << R"([{"type":"sentence_transformers.models.Dense","path":"2_Dense"}])";
  e = error_of([&] { load_sentence_transformers(dir.string(), c); });
  EXPECT_NE(e.find("modules.json: unsupported sentence-transformers module"), std::string::npos) << e;
  fs::remove_all(dir);
}
