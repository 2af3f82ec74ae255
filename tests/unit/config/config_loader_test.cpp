#include <gtest/gtest.h>

#include <fstream>

#include "config/config.hpp"

namespace sy::config {
namespace {

const std::map<std::string, std::string> kNoEnv;

Config parse(const std::string& text, const std::map<std::string, std::string>& env = kNoEnv) {
  return parse_config(text, "test.yaml", &env);
}

// The full what() of the ConfigError parse() throws ("" if it does not throw).
std::string error_of(const std::string& text,
                     const std::map<std::string, std::string>& env = kNoEnv) {
  try {
    parse(text, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << text;
  return "";
}

int count_lines(const std::string& s) {
  return s.empty() ? 0 : 1 + static_cast<int>(std::count(s.begin(), s.end(), '\n'));
}

const char* kMinimal = R"(
providers:
  openai:
    kind: openai
    base_url: https://api.openai.com/v1/
    api_key: ${OPENAI_API_KEY:-}
models:
  gpt-4o-mini:
    provider: openai
routes:
  chat:
    chain: [gpt-4o-mini]
)";

TEST(ConfigLoader, EmptyDocumentGivesDefaults) {
  Config c = parse("");
  EXPECT_EQ(c.server.host, "127.0.0.1");
  EXPECT_EQ(c.server.port, 8080);
  EXPECT_TRUE(c.providers.empty());
  EXPECT_EQ(c.log.overflow, OverflowPolicy::drop_bodies);
  EXPECT_EQ(c.fallback.retry_on_status.size(), 7u);
}

TEST(ConfigLoader, MinimalConfigFillsStructs) {
  Config c = parse(kMinimal);
  EXPECT_EQ(c.path, "test.yaml");
  ASSERT_EQ(c.providers.size(), 1u);
  const ProviderConfig* p = c.find_provider("openai");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind, "openai");
  EXPECT_EQ(p->base_url, "https://api.openai.com/v1");  // trailing slash trimmed
  EXPECT_EQ(p->api_key, "");
  EXPECT_EQ(p->api_key_env, "OPENAI_API_KEY");
  EXPECT_EQ(p->line, 3);
  const ModelConfig* m = c.find_model("gpt-4o-mini");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->upstream_model, "gpt-4o-mini");
  EXPECT_EQ(m->type, "chat");
  EXPECT_EQ(m->line, 8);
  const RouteConfig* r = c.find_route("chat");
  ASSERT_NE(r, nullptr);
  ASSERT_EQ(r->chain.size(), 1u);
  EXPECT_EQ(r->chain[0].model, "gpt-4o-mini");
  EXPECT_EQ(r->chain[0].retries, 0);
  EXPECT_EQ(c.find_model("nope"), nullptr);
  EXPECT_EQ(c.find_route("gpt-4o-mini"), nullptr);
}

TEST(ConfigLoader, ApiKeyComesFromEnvironment) {
  Config c = parse(kMinimal, {{"OPENAI_API_KEY", "sk-live"}});
  EXPECT_EQ(c.find_provider("openai")->api_key, "sk-live");
  EXPECT_EQ(c.find_provider("openai")->api_key_env, "OPENAI_API_KEY");
}

TEST(ConfigLoader, LiteralApiKeyHasNoEnvName) {
  Config c = parse("providers:\n  p:\n    kind: anthropic\n    base_url: http://127.0.0.1:9\n"
                   "    api_key: sk-literal\n");
  EXPECT_EQ(c.providers[0].api_key, "sk-literal");
  EXPECT_EQ(c.providers[0].api_key_env, "");
}

TEST(ConfigLoader, FullSchemaIsRead) {
  Config c = parse(R"(
server:
  listen: "[::1]:9090"
  threads: 4
  max_body_bytes: 1024
  shutdown_grace_ms: 5
  request_timeout_ms: 6
  keepalive_timeout_ms: 7
providers:
  oa:
    kind: openai
    base_url: http://127.0.0.1:1234/v1
    headers: { OpenAI-Organization: org-x, X-Other: "y" }
    timeouts: { connect_ms: 1, first_byte_ms: 2, idle_ms: 3, total_ms: 4 }
    stream_usage: false
  an:
    kind: anthropic
    base_url: https://api.anthropic.com
    anthropic_version: "2024-01-01"
  eng:
    kind: local
models:
  a:
    provider: oa
    upstream_model: real-a
    price: { input_per_mtok: 0.15, output_per_mtok: 0.6 }
    context_window: 128000
    tags: [premium, fast]
    listed: false
  emb:
    provider: eng
    type: embedding
    path: /models/bge-small
    quantize: int8
  c:
    provider: an
routes:
  r:
    listed: false
    chain:
      - model: a
        retries: 2
      - c
fallback:
  retry_on_status: [429, 503]
  retry_on_connect_error: false
  retry_on_timeout: false
  retry_on_malformed: false
  backoff_base_ms: 0
  backoff_max_ms: 10
  max_retry_after_ms: 11
  breaker_failures: 3
  breaker_cooldown_ms: 12
log:
  enabled: false
  sqlite_path: /tmp/x.db
  queue_capacity: 5
  batch_size: 2
  flush_interval_ms: 13
  overflow: block
  block_timeout_ms: 14
  store_bodies: false
  max_body_bytes: 15
engine:
  threads: 2
  max_batch_tokens: 100
  queue_capacity: 3
)");
  EXPECT_EQ(c.server.host, "::1");
  EXPECT_EQ(c.server.port, 9090);
  EXPECT_EQ(c.server.threads, 4);
  EXPECT_EQ(c.server.max_body_bytes, 1024u);
  EXPECT_EQ(c.server.shutdown_grace.count(), 5);
  EXPECT_EQ(c.server.request_timeout.count(), 6);
  EXPECT_EQ(c.server.keepalive_timeout.count(), 7);
  const auto* oa = c.find_provider("oa");
  ASSERT_EQ(oa->headers.size(), 2u);
  EXPECT_EQ(oa->headers[0], (std::pair<std::string, std::string>{"OpenAI-Organization", "org-x"}));
  EXPECT_EQ(oa->timeouts.connect.count(), 1);
  EXPECT_EQ(oa->timeouts.first_byte.count(), 2);
  EXPECT_EQ(oa->timeouts.idle.count(), 3);
  EXPECT_EQ(oa->timeouts.total.count(), 4);
  EXPECT_FALSE(oa->stream_usage);
  EXPECT_EQ(c.find_provider("an")->anthropic_version, "2024-01-01");
  const auto* a = c.find_model("a");
  EXPECT_EQ(a->upstream_model, "real-a");
  EXPECT_DOUBLE_EQ(a->input_price_per_mtok, 0.15);
  EXPECT_DOUBLE_EQ(a->output_price_per_mtok, 0.6);
  EXPECT_EQ(a->context_window, 128000);
  EXPECT_EQ(a->tags, (std::vector<std::string>{"premium", "fast"}));
  EXPECT_FALSE(a->listed);
  const auto* emb = c.find_model("emb");
  EXPECT_EQ(emb->type, "embedding");
  EXPECT_EQ(emb->local_path, "/models/bge-small");
  EXPECT_TRUE(emb->quantize_int8);
  const auto* r = c.find_route("r");
  EXPECT_FALSE(r->listed);
  ASSERT_EQ(r->chain.size(), 2u);
  EXPECT_EQ(r->chain[0].model, "a");
  EXPECT_EQ(r->chain[0].retries, 2);
  EXPECT_EQ(r->chain[1].model, "c");
  EXPECT_EQ(r->chain[1].retries, 0);
  EXPECT_EQ(c.fallback.retry_on_status, (std::vector<int>{429, 503}));
  EXPECT_FALSE(c.fallback.retry_on_connect_error);
  EXPECT_FALSE(c.fallback.retry_on_timeout);
  EXPECT_FALSE(c.fallback.retry_on_malformed);
  EXPECT_EQ(c.fallback.backoff_base.count(), 0);
  EXPECT_EQ(c.fallback.backoff_max.count(), 10);
  EXPECT_EQ(c.fallback.max_retry_after.count(), 11);
  EXPECT_EQ(c.fallback.breaker_failures, 3);
  EXPECT_EQ(c.fallback.breaker_cooldown.count(), 12);
  EXPECT_FALSE(c.log.enabled);
  EXPECT_EQ(c.log.sqlite_path, "/tmp/x.db");
  EXPECT_EQ(c.log.queue_capacity, 5u);
  EXPECT_EQ(c.log.batch_size, 2u);
  EXPECT_EQ(c.log.flush_interval.count(), 13);
  EXPECT_EQ(c.log.overflow, OverflowPolicy::block);
  EXPECT_EQ(c.log.block_timeout.count(), 14);
  EXPECT_FALSE(c.log.store_bodies);
  EXPECT_EQ(c.log.max_body_bytes, 15u);
  EXPECT_EQ(c.engine.threads, 2);
  EXPECT_EQ(c.engine.max_batch_tokens, 100u);
  EXPECT_EQ(c.engine.queue_capacity, 3u);
}

TEST(ConfigLoader, InterpolationInNonStringScalars) {
  Config c = parse("server:\n  threads: ${T:-3}\n  listen: ${L}\nlog:\n  store_bodies: ${SB}\n",
                   {{"L", "0.0.0.0:7000"}, {"SB", "false"}});
  EXPECT_EQ(c.server.threads, 3);
  EXPECT_EQ(c.server.host, "0.0.0.0");
  EXPECT_EQ(c.server.port, 7000);
  EXPECT_FALSE(c.log.store_bodies);
}

TEST(ConfigLoader, MissingVariableErrorNamesVariableAndLine) {
  std::string e = error_of("server:\n  threads: 1\n  listen: ${SY_LISTEN}\n");
  EXPECT_EQ(e.rfind("test.yaml:3:11: ", 0), 0u) << e;
  EXPECT_NE(e.find("SY_LISTEN"), std::string::npos) << e;
}

TEST(ConfigLoader, UnknownKeysReportLineColumnAndExpectedKeys) {
  std::string e = error_of("server:\n  listen: 127.0.0.1:1\n  treads: 4\n");
  EXPECT_EQ(e.rfind("test.yaml:3:3: unknown key 'treads' in server (expected one of: listen, "
                    "threads,",
                    0),
            0u)
      << e;
  e = error_of("serverz: {}\n");
  EXPECT_EQ(e.rfind("test.yaml:1:1: unknown key 'serverz' in the top level", 0), 0u) << e;
  e = error_of(std::string(kMinimal) + "    extra: 1\n");
  EXPECT_NE(e.find("test.yaml:13:5: unknown key 'extra' in route 'chat'"), std::string::npos) << e;
  e = error_of("providers:\n  p:\n    kind: local\n    timeouts: { connect: 5 }\n");
  EXPECT_NE(e.find("test.yaml:4:17: unknown key 'connect' in timeouts"), std::string::npos) << e;
}

TEST(ConfigLoader, TypeErrors) {
  std::string e = error_of("server:\n  threads: many\n");
  EXPECT_EQ(e, "test.yaml:2:12: expected an integer, got 'many'");
  e = error_of("log:\n  enabled: sometimes\n");
  EXPECT_EQ(e, "test.yaml:2:12: expected a boolean (true or false), got 'sometimes'");
  e = error_of("server:\n  threads: [1, 2]\n");
  EXPECT_EQ(e, "test.yaml:2:12: expected an integer");
  e = error_of("providers:\n  p:\n    kind: local\n    headers: [a]\n");
  EXPECT_NE(e.find("test.yaml:4:14: headers of provider 'p' must be a mapping"), std::string::npos)
      << e;
  e = error_of("providers: [a, b]\n");
  EXPECT_NE(e.find("test.yaml:1:12: providers must be a mapping"), std::string::npos) << e;
  e = error_of("providers:\n  p:\n    kind: local\nmodels:\n  m:\n    provider: p\n"
               "    type: embedding\n    path: /x\n    price: { input_per_mtok: cheap }\n");
  EXPECT_NE(e.find("test.yaml:9:30: expected a number, got 'cheap'"), std::string::npos) << e;
}

TEST(ConfigLoader, RangeAndEnumErrors) {
  EXPECT_EQ(error_of("server:\n  listen: 127.0.0.1:70000\n"),
            "test.yaml:2:11: listen port must be between 1 and 65535, got '70000'");
  EXPECT_NE(error_of("server:\n  listen: localhost\n").find("invalid listen address"),
            std::string::npos);
  EXPECT_EQ(error_of("server:\n  max_body_bytes: 0\n"), "test.yaml:2:19: must be >= 1, got 0");
  EXPECT_EQ(error_of("log:\n  overflow: discard\n"),
            "test.yaml:2:13: invalid value 'discard' (expected one of: drop_bodies, block)");
  EXPECT_NE(error_of("fallback:\n  retry_on_status: [429, 99]\n").find("between 100 and 599"),
            std::string::npos);
  EXPECT_NE(error_of("fallback:\n  backoff_base_ms: 500\n  backoff_max_ms: 100\n")
                .find("test.yaml:3:19: backoff_max_ms (100) must be >= backoff_base_ms (500)"),
            std::string::npos);
  EXPECT_NE(error_of("providers:\n  p: { kind: grpc }\n").find("invalid value 'grpc'"),
            std::string::npos);
  std::string e = error_of("providers:\n  p: { kind: openai, base_url: ftp://x }\n");
  EXPECT_NE(e.find("base_url must be an http:// or https:// URL"), std::string::npos) << e;
  e = error_of("providers:\n  p: { kind: openai, base_url: https://x }\nmodels:\n"
               "  m: { provider: p, price: { input_per_mtok: -1 } }\n");
  EXPECT_NE(e.find("must be >= 0, got -1"), std::string::npos) << e;
}

TEST(ConfigLoader, RequiredKeys) {
  std::string e = error_of("providers:\n  p:\n    base_url: https://x\n");
  EXPECT_EQ(e, "test.yaml:2:3: provider 'p' needs 'kind' (openai, anthropic or local)");
  e = error_of("providers:\n  p:\n    kind: anthropic\n");
  EXPECT_EQ(e, "test.yaml:2:3: provider 'p' of kind anthropic needs a non-empty 'base_url'");
  e = error_of("providers:\n  p: { kind: local }\nmodels:\n  m:\n    type: embedding\n");
  EXPECT_EQ(e, "test.yaml:4:3: model 'm' needs 'provider'");
  e = error_of(std::string(kMinimal) + "  other:\n    listed: true\n");
  EXPECT_NE(e.find("route 'other' needs 'chain'"), std::string::npos) << e;
  e = error_of(std::string(kMinimal) + "  other:\n    chain: []\n");
  EXPECT_NE(e.find("chain of route 'other' must be a non-empty list"), std::string::npos) << e;
}

TEST(ConfigLoader, EmptyVariableWithoutDefaultCanMakeRequiredKeyEmpty) {
  std::string e = error_of("providers:\n  p:\n    kind: openai\n    base_url: ${URL}\n",
                           {{"URL", ""}});
  EXPECT_NE(e.find("test.yaml:4:15: provider 'p' of kind openai needs a non-empty 'base_url'"),
            std::string::npos)
      << e;
}

TEST(ConfigLoader, CrossReferenceErrors) {
  std::string e = error_of(R"(providers:
  oa: { kind: openai, base_url: "https://x" }
  eng: { kind: local }
models:
  m1: { provider: nope }
  m2: { provider: oa, path: /x }
  m3: { provider: eng, type: embedding }
  m4: { provider: eng }
  m5: { provider: oa, type: rerank }
  m6: { provider: oa, type: embedding }
routes:
  m1:
    chain: [m2]
  r:
    chain:
      - missing
      - model: m1
  r2:
    chain: [r]
  r3:
    chain: [m2, m6]
)");
  EXPECT_NE(e.find("test.yaml:5:19: model 'm1' uses unknown provider 'nope' (defined: oa, eng)"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("test.yaml:6:29: 'path' and 'quantize' apply only to models of a local"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("test.yaml:7:3: model 'm3' is served by local provider 'eng' and needs 'path'"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("test.yaml:8:3: model 'm4' has type chat, which provider 'eng' (kind local) "
                   "cannot serve"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("test.yaml:9:29: model 'm5' has type rerank"), std::string::npos) << e;
  EXPECT_NE(e.find("test.yaml:12:3: 'm1' is both a model and a route"), std::string::npos) << e;
  EXPECT_NE(e.find("test.yaml:16:9: route 'r' step 'missing' is not a defined model"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("test.yaml:19:13: route 'r2' step 'r' is a route"), std::string::npos) << e;
  EXPECT_NE(e.find("test.yaml:20:3: route 'r3' mixes model types (chat and embedding)"),
            std::string::npos)
      << e;
  EXPECT_EQ(count_lines(e), 10) << e;
}

TEST(ConfigLoader, KindSpecificProviderKeys) {
  std::string e = error_of("providers:\n  a:\n    kind: anthropic\n    base_url: https://x\n"
                           "    stream_usage: true\n  o:\n    kind: openai\n"
                           "    base_url: https://y\n    anthropic_version: v\n");
  EXPECT_NE(e.find("test.yaml:5:19: stream_usage applies only to providers of kind openai"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("test.yaml:9:24: anthropic_version applies only to providers of kind"),
            std::string::npos)
      << e;
}

TEST(ConfigLoader, DuplicateKeysAreRejected) {
  std::string e = error_of("server:\n  threads: 1\n  threads: 2\n");
  EXPECT_EQ(e, "test.yaml:3:3: duplicate key 'threads' in server");
  e = error_of(std::string(kMinimal) + "  chat:\n    chain: [gpt-4o-mini]\n");
  EXPECT_NE(e.find("test.yaml:13:3: duplicate name 'chat' in routes"), std::string::npos) << e;
}

TEST(ConfigLoader, CollectsAllErrorsOnePerLine) {
  std::string e = error_of("server:\n  threads: x\n  bogus: 1\nlog:\n  batch_size: -1\n");
  EXPECT_EQ(count_lines(e), 3) << e;
  EXPECT_NE(e.find("test.yaml:2:12:"), std::string::npos);
  EXPECT_NE(e.find("test.yaml:3:3:"), std::string::npos);
  EXPECT_NE(e.find("test.yaml:5:15:"), std::string::npos);
}

TEST(ConfigLoader, InvalidYamlReportsPosition) {
  std::string e = error_of("server:\n  listen: [unclosed\n");
  EXPECT_EQ(e.rfind("test.yaml:", 0), 0u) << e;
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
}

TEST(ConfigLoader, TopLevelMustBeAMapping) {
  EXPECT_NE(error_of("- a\n- b\n").find("must be a mapping"), std::string::npos);
}

TEST(ConfigLoader, LoadConfigReadsFileAndNamesItInErrors) {
  std::string path = ::testing::TempDir() + "sy_config_test.yaml";
  {
    std::ofstream out(path);
    out << "server:\n  threads: nope\n";
  }
  try {
    load_config(path, &kNoEnv);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":2:12:", 0), 0u) << e.what();
  }
  {
    std::ofstream out(path);
    out << kMinimal;
  }
  EXPECT_EQ(load_config(path, &kNoEnv).path, path);
  std::remove(path.c_str());
  EXPECT_THROW(load_config(path + ".missing", &kNoEnv), ConfigError);
}

}  // namespace
}  // namespace sy::config

namespace sy::config {
namespace {

TEST(ConfigLoader, EmptyValuesAreLocatedAtTheirKey) {
  std::string e = error_of("server:\n  threads:\n");
  EXPECT_EQ(e.rfind("test.yaml:2:", 0), 0u) << e;
  EXPECT_NE(e.find("expected an integer"), std::string::npos) << e;
  // An empty string value is simply empty.
  Config c = parse("providers:\n  p:\n    kind: anthropic\n    base_url: https://x\n    api_key:\n");
  EXPECT_EQ(c.providers[0].api_key, "");
}

}  // namespace
}  // namespace sy::config
