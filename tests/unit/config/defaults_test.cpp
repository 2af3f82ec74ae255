#include <gtest/gtest.h>

#include "config/config.hpp"

namespace sy::config {
namespace {

TEST(DefaultConfig, ParsesWithNoEnvironment) {
  std::map<std::string, std::string> env;
  Config c = parse_config(default_config_yaml(), "<built-in>", &env);
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_EQ(c.log.sqlite_path, "switchyard.db");
  for (const char* name : {"openai", "anthropic", "hf"}) {
    const ProviderConfig* p = c.find_provider(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->api_key, "") << name;
  }
  EXPECT_EQ(c.find_provider("openai")->api_key_env, "OPENAI_API_KEY");
  EXPECT_EQ(c.find_provider("anthropic")->api_key_env, "ANTHROPIC_API_KEY");
  EXPECT_EQ(c.find_provider("hf")->api_key_env, "HF_TOKEN");
  EXPECT_EQ(c.find_provider("hf")->base_url, "https://router.huggingface.co/v1");

  const ModelConfig* mini = c.find_model("gpt-4o-mini");
  ASSERT_NE(mini, nullptr);
  EXPECT_DOUBLE_EQ(mini->input_price_per_mtok, 0.15);
  EXPECT_DOUBLE_EQ(mini->output_price_per_mtok, 0.60);
  EXPECT_DOUBLE_EQ(c.find_model("gpt-4o")->input_price_per_mtok, 2.50);
  EXPECT_EQ(c.find_model("text-embedding-3-small")->type, "embedding");
  EXPECT_DOUBLE_EQ(c.find_model("claude-3-5-haiku-latest")->output_price_per_mtok, 4.00);
  EXPECT_DOUBLE_EQ(c.find_model("claude-sonnet-4-0")->output_price_per_mtok, 15.00);
  const ModelConfig* llama = c.find_model("meta-llama/Llama-3.1-8B-Instruct");
  ASSERT_NE(llama, nullptr);
  EXPECT_EQ(llama->provider, "hf");
  EXPECT_EQ(llama->tags, std::vector<std::string>{"open"});

  const RouteConfig* r = c.find_route("chat-default");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->chain.size(), 2u);
  EXPECT_EQ(r->chain[0].model, "gpt-4o-mini");
  EXPECT_EQ(r->chain[1].model, "claude-3-5-haiku-latest");
}

TEST(DefaultConfig, EnvironmentOverrides) {
  std::map<std::string, std::string> env = {{"SWITCHYARD_DEFAULT_CHAT", "claude-sonnet-4-0"},
                                            {"SWITCHYARD_DB", "/tmp/other.db"},
                                            {"SWITCHYARD_LISTEN", "0.0.0.0:9000"},
                                            {"OPENAI_API_KEY", "sk-x"}};
  Config c = parse_config(default_config_yaml(), "<built-in>", &env);
  EXPECT_EQ(c.find_route("chat-default")->chain[0].model, "claude-sonnet-4-0");
  EXPECT_EQ(c.log.sqlite_path, "/tmp/other.db");
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 9000);
  EXPECT_EQ(c.find_provider("openai")->api_key, "sk-x");
}

TEST(DefaultConfig, UnknownDefaultChatModelIsReported) {
  std::map<std::string, std::string> env = {{"SWITCHYARD_DEFAULT_CHAT", "gpt-9"}};
  try {
    parse_config(default_config_yaml(), "<built-in>", &env);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("'gpt-9' is not a defined model"), std::string::npos)
        << e.what();
  }
}

TEST(ExampleConfig, ExamplesFileParses) {
  std::map<std::string, std::string> env;
  Config c = load_config(std::string(SY_SOURCE_DIR) + "/examples/switchyard.yaml", &env);
  EXPECT_FALSE(c.providers.empty());
  EXPECT_FALSE(c.models.empty());
  EXPECT_FALSE(c.routes.empty());
}

}  // namespace
}  // namespace sy::config
