#include "providers/local_provider.hpp"

#include <stdexcept>
#include <variant>

#include <boost/asio/use_awaitable.hpp>

#include "api/classify.hpp"
#include "api/embeddings_response.hpp"
#include "api/rerank.hpp"
#include "providers/encode_awaitable.hpp"

namespace sy::providers {

namespace {

Usage usage_of(const engine::EncodeResult& r) {
  Usage u;
  u.input_tokens = static_cast<int64_t>(r.tokens);
  u.known = true;
  return u;
}

Failure invalid(const api::ApiError& e) { return make_failure(FailureKind::invalid_request, e.message); }

}  // namespace

LocalProvider::LocalProvider(config::ProviderConfig cfg, const std::vector<config::ModelConfig>& models,
                             const config::EngineConfig& engine_cfg)
    : cfg_(std::move(cfg)), queue_capacity_(engine_cfg.queue_capacity) {
  for (const config::ModelConfig& mc : models) {
    if (mc.provider != cfg_.name) continue;
    const std::string where = "model '" + mc.name + "' (provider '" + cfg_.name + "', path '" + mc.local_path + "')";
    if (auto it = models_.find(mc.upstream_model); it != models_.end()) {
      // Two public names for one upstream model: fine if they describe the same files.
      if (it->second.path != mc.local_path || it->second.quantize_int8 != mc.quantize_int8)
        throw std::runtime_error(where + ": upstream_model '" + mc.upstream_model + "' is already model '" +
                                 it->second.public_name + "' with another path or quantize setting");
      continue;
    }
    engine::EncoderOptions opts;
    opts.quantize_int8 = mc.quantize_int8;
    opts.threads = engine_cfg.threads;
    opts.max_batch_tokens = engine_cfg.max_batch_tokens;
    opts.queue_capacity = engine_cfg.queue_capacity;
    std::shared_ptr<engine::EncoderModel> model;
    try {
      model = engine::EncoderModel::load(mc.local_path, opts);
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot load " + where + ": " + e.what());
    }
    const engine::EncoderInfo& info = model->info();
    if ((mc.type == "rerank" || mc.type == "classify") && !info.has_classifier)
      throw std::runtime_error(where + " has type " + mc.type + " but its architecture (" + info.architecture +
                               ") has no classification head; use a *ForSequenceClassification model");
    models_.emplace(mc.upstream_model, Served{std::move(model), mc.name, mc.local_path, mc.quantize_int8});
  }
}

Result<const LocalProvider::Served*> LocalProvider::find(const std::string& upstream_model) const {
  auto it = models_.find(upstream_model);
  if (it == models_.end())
    return make_failure(FailureKind::unavailable,
                        "local provider '" + cfg_.name + "' has no model '" + upstream_model + "'");
  return &it->second;
}

asio::awaitable<Result<engine::EncodeResult>> LocalProvider::run(const Served& m, engine::EncodeRequest req) const {
  EncodeOutcome out = co_await async_encode(*m.model, std::move(req), asio::use_awaitable);
  if (!out)
    co_return make_failure(FailureKind::overloaded,
                           "local model " + m.public_name + " is busy: its queue of " +
                               std::to_string(queue_capacity_) + " requests is full; retry later");
  if (!out->ok()) co_return make_failure(FailureKind::internal, "local model " + m.public_name + ": " + out->error);
  co_return std::move(*out);
}

asio::awaitable<Result<JsonResponse>> LocalProvider::embeddings(const JsonCall& call, CallContext&) {
  auto found = find(call.upstream_model);
  if (!found.ok()) co_return found.failure();
  const Served& m = *found.value();
  auto parsed = api::parse_local_embeddings(*call.body, m.model->info().embedding_dim);
  if (auto* e = std::get_if<api::ApiError>(&parsed)) co_return invalid(*e);
  auto& req = std::get<api::LocalEmbeddingsRequest>(parsed);

  engine::EncodeRequest er;
  er.task = engine::EncodeTask::embed;
  er.texts = std::move(req.texts);
  auto r = co_await run(m, std::move(er));
  if (!r.ok()) co_return r.failure();
  JsonResponse out;
  out.body = api::embeddings_response(r->vectors, req.base64, req.model, static_cast<int64_t>(r->tokens));
  out.usage = usage_of(*r);
  co_return out;
}

asio::awaitable<Result<JsonResponse>> LocalProvider::rerank(const JsonCall& call, CallContext&) {
  auto found = find(call.upstream_model);
  if (!found.ok()) co_return found.failure();
  const Served& m = *found.value();
  auto parsed = api::parse_rerank_request(*call.body);
  if (auto* e = std::get_if<api::ApiError>(&parsed)) co_return invalid(*e);
  auto& req = std::get<api::RerankRequest>(parsed);

  engine::EncodeRequest er;
  er.task = engine::EncodeTask::score;
  er.query = req.query;
  er.texts = req.documents;   // kept in req too: return_documents echoes them
  auto r = co_await run(m, std::move(er));
  if (!r.ok()) co_return r.failure();
  if (r->scores.size() != req.documents.size())
    co_return make_failure(FailureKind::internal, "local model " + m.public_name + " returned " +
                                                      std::to_string(r->scores.size()) + " scores for " +
                                                      std::to_string(req.documents.size()) + " documents");
  JsonResponse out;
  out.body = api::rerank_response(req, r->scores, req.model, static_cast<int64_t>(r->tokens), api::new_rerank_id());
  out.usage = usage_of(*r);
  co_return out;
}

asio::awaitable<Result<JsonResponse>> LocalProvider::classify(const JsonCall& call, CallContext&) {
  auto found = find(call.upstream_model);
  if (!found.ok()) co_return found.failure();
  const Served& m = *found.value();
  auto parsed = api::parse_classify_request(*call.body);
  if (auto* e = std::get_if<api::ApiError>(&parsed)) co_return invalid(*e);
  auto& req = std::get<api::ClassifyRequest>(parsed);

  engine::EncodeRequest er;
  er.task = engine::EncodeTask::classify;
  er.texts = req.inputs;
  auto r = co_await run(m, std::move(er));
  if (!r.ok()) co_return r.failure();
  JsonResponse out;
  out.body = api::classify_response(req, r->vectors, m.model->info().labels, req.model,
                                    static_cast<int64_t>(r->tokens));
  out.usage = usage_of(*r);
  co_return out;
}

}  // namespace sy::providers
