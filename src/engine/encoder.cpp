#include "engine/encoder.hpp"

#include <filesystem>
#include <future>
#include <optional>

#include "engine/encoder_forward.hpp"
#include "engine/encoder_weights.hpp"
#include "engine/heads.hpp"
#include "engine/model_config.hpp"
#include "engine/safetensors.hpp"
#include "engine/scheduler.hpp"
#include "engine/tokenizer.hpp"

namespace sy::engine {

namespace fs = std::filesystem;

struct EncoderModel::Impl {
  std::string dir;
  ModelConfig cfg;
  EncoderWeights weights;
  std::optional<Tokenizer> tokenizer;
  EncodeOptions encode_opts;
  EncoderInfo info;
  size_t max_tokens = 0;
  size_t max_batch_tokens = 8192;
  size_t forward_tokens = 1024;  // sub-batch cap of one encoder_forward (bounds the workspace)
  Workspace ws;  // used only by the dispatcher thread
  std::unique_ptr<Scheduler> scheduler;  // last: stopped before the rest is destroyed

  std::vector<TokenizedSequence> tokenize(const EncodeRequest& r) const;
  void check(const TokenizedSequence& s) const;
  void run_batch(std::vector<BatchItem*>& batch, ComputePool& pool);
};

namespace {

const char* activation_name(HeadActivation a) {
  switch (a) {
    case HeadActivation::softmax: return "softmax";
    case HeadActivation::sigmoid: return "sigmoid";
    case HeadActivation::identity: return "identity";
  }
  return "softmax";
}

std::string pooling_name(const PoolingConfig& p) {
  std::string s;
  auto add = [&](bool on, const char* n) {
    if (on) s += (s.empty() ? "" : "+") + std::string(n);
  };
  add(p.cls, "cls");
  add(p.max, "max");
  add(p.mean, "mean");
  add(p.mean_sqrt_len, "mean_sqrt_len");
  return s;
}

class Job final : public BatchItem {
 public:
  Job(const EncoderModel::Impl& m, EncodeRequest r, EncodeCallback cb)
      : model(m), req(std::move(r)), done(std::move(cb)) {}

  size_t prepare() override {
    seqs = model.tokenize(req);
    size_t n = 0;
    for (const auto& s : seqs) n += s.ids.size();
    result.tokens = n;
    return n;
  }

  void fail(const std::string& error) override {
    EncodeResult r;
    r.error = error;
    complete(std::move(r));
  }

  void complete(EncodeResult r) {
    try {
      done(std::move(r));
    } catch (...) {
      // A throwing callback must not take the dispatcher down; nothing else can be done with it.
    }
  }

  const EncoderModel::Impl& model;
  EncodeRequest req;
  EncodeCallback done;
  std::vector<TokenizedSequence> seqs;
  EncodeResult result;
};

}  // namespace

void EncoderModel::Impl::check(const TokenizedSequence& s) const {
  if (s.ids.empty()) throw EngineError("empty input sequence");
  if (s.ids.size() > max_tokens) {
    throw EngineError("input of " + std::to_string(s.ids.size()) + " tokens exceeds the model's limit of " +
                      std::to_string(max_tokens));
  }
  if (!s.type_ids.empty() && s.type_ids.size() != s.ids.size()) throw EngineError("type_ids length differs from ids");
  for (int32_t id : s.ids) {
    if (id < 0 || id >= cfg.vocab_size) throw EngineError("token id " + std::to_string(id) + " outside the vocabulary");
  }
  const int types = cfg.family == Family::distilbert ? 1 : cfg.type_vocab_size;
  for (int32_t t : s.type_ids) {
    if (t < 0 || t >= std::max(types, 1)) throw EngineError("token type id " + std::to_string(t) + " out of range");
  }
}

std::vector<TokenizedSequence> EncoderModel::Impl::tokenize(const EncodeRequest& r) const {
  if ((r.task == EncodeTask::classify || r.task == EncodeTask::score) && !cfg.sequence_classification) {
    throw EngineError("model '" + dir + "' (" + cfg.architecture + ") has no classification head");
  }
  std::vector<TokenizedSequence> out;
  if (!r.sequences.empty()) {
    for (const auto& s : r.sequences) check(s);
    out = r.sequences;
    for (auto& s : out) {
      if (s.type_ids.empty()) s.type_ids.assign(s.ids.size(), 0);
    }
    return out;
  }
  out.reserve(r.texts.size());
  for (const auto& text : r.texts) {
    Encoding e = r.task == EncodeTask::score ? tokenizer->encode_pair(r.query, text, encode_opts)
                                             : tokenizer->encode(text, encode_opts);
    TokenizedSequence s{std::move(e.ids), std::move(e.type_ids)};
    if (cfg.family == Family::distilbert || cfg.type_vocab_size <= 1) {
      s.type_ids.assign(s.ids.size(), 0);  // RoBERTa has one token type; DistilBERT none
    } else if (s.type_ids.size() != s.ids.size()) {
      s.type_ids.assign(s.ids.size(), 0);
    }
    check(s);
    out.push_back(std::move(s));
  }
  return out;
}

void EncoderModel::Impl::run_batch(std::vector<BatchItem*>& batch, ComputePool& pool) {
  const size_t H = static_cast<size_t>(cfg.hidden_size);
  const size_t dim = H * static_cast<size_t>(cfg.pooling.modes());
  struct Ref {
    Job* job;
    size_t index;
  };
  std::vector<Ref> refs;
  for (BatchItem* b : batch) {
    auto* job = static_cast<Job*>(b);
    EncodeResult& res = job->result;
    const size_t n = job->seqs.size();
    if (job->req.task == EncodeTask::embed) {
      res.vectors.assign(n, std::vector<float>(dim));
    } else if (job->req.task == EncodeTask::classify) {
      res.vectors.assign(n, std::vector<float>(cfg.labels.size()));
    } else {
      res.scores.assign(n, 0.0f);
    }
    for (size_t i = 0; i < n; ++i) refs.push_back({job, i});
  }

  // Sub-batches of whole sequences of at most forward_tokens each: the workspace is sized by the
  // sub-batch, not by the batch, and every sequence's result is independent of its neighbours.
  TokenBatch tb;
  size_t start = 0;
  while (start < refs.size()) {
    tb.clear();
    size_t end = start;
    while (end < refs.size()) {
      const auto& s = refs[end].job->seqs[refs[end].index];
      if (end > start && tb.tokens() + s.ids.size() > forward_tokens) break;
      tb.add(s.ids, s.type_ids);
      ++end;
    }
    const float* hidden = encoder_forward(weights, cfg, tb, pool, ws);
    bool need_head = false;
    for (size_t i = start; i < end; ++i) need_head |= refs[i].job->req.task != EncodeTask::embed;
    std::vector<float> logits;
    if (need_head) logits = classifier_logits(weights, tb, hidden, H, pool, ws.lin);
    const size_t nl = cfg.labels.size();
    for (size_t i = start; i < end; ++i) {
      const size_t s = i - start;
      Job& job = *refs[i].job;
      const size_t idx = refs[i].index;
      switch (job.req.task) {
        case EncodeTask::embed: {
          float* v = job.result.vectors[idx].data();
          pool_sequence(hidden + tb.offsets[s] * H, tb.length(s), H, cfg.pooling, v);
          if (job.req.normalize || cfg.pooling.normalize) l2_normalize(v, dim);
          break;
        }
        case EncodeTask::classify: {
          float* v = job.result.vectors[idx].data();
          std::copy(logits.begin() + static_cast<long>(s * nl), logits.begin() + static_cast<long>((s + 1) * nl), v);
          if (!job.req.raw_logits) apply_head_activation(v, nl, cfg.head_activation);
          break;
        }
        case EncodeTask::score: {
          std::vector<float> row(logits.begin() + static_cast<long>(s * nl),
                                 logits.begin() + static_cast<long>((s + 1) * nl));
          if (!job.req.raw_logits) apply_head_activation(row.data(), nl, cfg.head_activation);
          // One label: its score. Several: the probability of the last label (the "relevant" /
          // "entailment" class by convention of two-label rerankers).
          job.result.scores[idx] = row.back();
          break;
        }
      }
    }
    start = end;
  }
  for (BatchItem* b : batch) {
    auto* job = static_cast<Job*>(b);
    job->complete(std::move(job->result));
  }
}

EncoderModel::EncoderModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

EncoderModel::~EncoderModel() = default;

std::shared_ptr<EncoderModel> EncoderModel::load(const std::string& dir, const EncoderOptions& opts) {
  if (!fs::is_directory(dir)) throw EngineError(dir + ": not a directory");
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->cfg = load_model_config(dir);
  const ModelConfig& cfg = impl->cfg;

  const std::string tok_path = (fs::path(dir) / "tokenizer.json").string();
  if (!fs::exists(tok_path)) throw EngineError(tok_path + ": not found (the engine needs the fast-tokenizer file)");
  impl->tokenizer = Tokenizer::from_dir(dir);

  set_blas_single_threaded();
  {
    SafeTensors st = SafeTensors::open_dir(dir);
    impl->weights = load_encoder_weights(st, cfg, opts.quantize_int8);
  }  // unmapped here

  size_t limit = cfg.max_tokens();
  if (cfg.max_seq_length > 0) limit = std::min(limit, cfg.max_seq_length);
  const size_t tok_max = impl->tokenizer->model_max_length();
  if (tok_max > 0) limit = std::min(limit, tok_max);
  impl->max_tokens = limit;
  impl->encode_opts.max_length = limit;
  impl->encode_opts.truncate = true;
  impl->max_batch_tokens = std::max<size_t>(opts.max_batch_tokens, 1);
  impl->forward_tokens =
      opts.forward_tokens == 0 ? impl->max_batch_tokens : std::min(opts.forward_tokens, impl->max_batch_tokens);

  EncoderInfo& info = impl->info;
  info.architecture = cfg.architecture;
  info.model_type = cfg.model_type;
  info.hidden_size = cfg.hidden_size;
  info.num_layers = cfg.num_layers;
  info.embedding_dim = static_cast<size_t>(cfg.hidden_size) * static_cast<size_t>(cfg.pooling.modes());
  info.max_tokens = limit;
  info.pooling = pooling_name(cfg.pooling);
  info.normalize = cfg.pooling.normalize;
  info.has_classifier = cfg.sequence_classification;
  if (cfg.sequence_classification) info.labels = cfg.labels;
  info.problem_type = cfg.problem_type;
  info.score_activation = cfg.sequence_classification ? activation_name(cfg.head_activation) : "";
  info.quantized = opts.quantize_int8;
  info.weight_bytes = impl->weights.bytes;

  Impl* raw = impl.get();
  SchedulerOptions so;
  so.threads = opts.threads;
  so.max_batch_tokens = impl->max_batch_tokens;
  so.queue_capacity = opts.queue_capacity;
  impl->scheduler = std::make_unique<Scheduler>(
      so, [raw](std::vector<BatchItem*>& batch, ComputePool& pool) { raw->run_batch(batch, pool); });
  return std::shared_ptr<EncoderModel>(new EncoderModel(std::move(impl)));
}

const EncoderInfo& EncoderModel::info() const { return impl_->info; }

bool EncoderModel::submit(EncodeRequest request, EncodeCallback done) {
  return impl_->scheduler->submit(std::make_unique<Job>(*impl_, std::move(request), std::move(done)));
}

std::vector<TokenizedSequence> EncoderModel::tokenize(const EncodeRequest& request) const {
  return impl_->tokenize(request);
}

namespace {
EncodeResult run_sync(EncoderModel& m, EncodeRequest req) {
  std::promise<EncodeResult> promise;
  auto future = promise.get_future();
  if (!m.submit(std::move(req), [&promise](EncodeResult r) { promise.set_value(std::move(r)); })) {
    throw EngineError("queue full");
  }
  EncodeResult r = future.get();
  if (!r.ok()) throw EngineError(r.error);
  return r;
}
}  // namespace

std::vector<std::vector<float>> EncoderModel::embed(const std::vector<std::string>& texts, bool normalize,
                                                    size_t* tokens) {
  EncodeRequest req;
  req.task = EncodeTask::embed;
  req.texts = texts;
  req.normalize = normalize;
  EncodeResult r = run_sync(*this, std::move(req));
  if (tokens) *tokens = r.tokens;
  return std::move(r.vectors);
}

std::vector<float> EncoderModel::score_pairs(std::string_view query, const std::vector<std::string>& docs,
                                             size_t* tokens) {
  EncodeRequest req;
  req.task = EncodeTask::score;
  req.query = std::string(query);
  req.texts = docs;
  EncodeResult r = run_sync(*this, std::move(req));
  if (tokens) *tokens = r.tokens;
  return std::move(r.scores);
}

std::vector<std::vector<float>> EncoderModel::classify(const std::vector<std::string>& texts, size_t* tokens) {
  EncodeRequest req;
  req.task = EncodeTask::classify;
  req.texts = texts;
  EncodeResult r = run_sync(*this, std::move(req));
  if (tokens) *tokens = r.tokens;
  return std::move(r.vectors);
}

}  // namespace sy::engine
