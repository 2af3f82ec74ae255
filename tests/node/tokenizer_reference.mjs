// Reference tokenization for the engine's tokenizer tests, computed with @huggingface/tokenizers
// (tokenizers.js, the pure-JS port of HF `tokenizers` used by transformers.js).
//
//   node tokenizer_reference.mjs <model_dir> <corpus.json> [max_length] > golden.json
//
// model_dir holds tokenizer.json (and optionally tokenizer_config.json). The corpus is a JSON
// array whose entries are strings (single sequences) or [a, b] pairs. Prints a JSON array with
// {ids, type_ids} per entry, with special tokens added and truncation applied.
//
// tokenizers.js has no truncation, so it is applied here on the token lists with the algorithm
// of the Rust crate (tokenizers/src/utils/truncation.rs, longest_first, stride 0) before the
// post-processor runs, with max_length = the argument if > 0, else tokenizer.json
// truncation.max_length, else tokenizer_config.json model_max_length when below 1e6, else none;
// the special tokens of the post-processor count against it, as in HF.
// One known difference from the Rust crate is corrected: RobertaProcessing gives every token
// type id 0 in Rust (RoBERTa has a single segment embedding); tokenizers.js uses 1 for the pair.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

function usage(msg) {
  process.stderr.write(`${msg}\nusage: node tokenizer_reference.mjs <model_dir> <corpus.json> [max_length]\n`);
  process.exit(2);
}

const [dir, corpusPath, maxArg] = process.argv.slice(2);
if (!dir || !corpusPath) usage("missing arguments");
const tjPath = join(dir, "tokenizer.json");
if (!existsSync(tjPath)) usage(`no tokenizer.json in ${dir}`);
const tj = JSON.parse(readFileSync(tjPath, "utf8"));
const cfgPath = join(dir, "tokenizer_config.json");
const cfg = existsSync(cfgPath) ? JSON.parse(readFileSync(cfgPath, "utf8")) : {};
const corpus = JSON.parse(readFileSync(corpusPath, "utf8"));
const tok = new Tokenizer(tj, cfg);

let maxLength = Number(maxArg ?? 0);
if (!(maxLength > 0)) {
  maxLength = tj.truncation?.max_length ?? 0;
  if (!(maxLength > 0) && typeof cfg.model_max_length === "number" && cfg.model_max_length < 1e6)
    maxLength = cfg.model_max_length;
}

function isRoberta(pp) {
  if (!pp) return false;
  if (pp.type === "RobertaProcessing") return true;
  return pp.type === "Sequence" && (pp.processors ?? []).some(isRoberta);
}
const robertaTypes = isRoberta(tj.post_processor);

// Sequence tokens before special tokens (tokenizers.js' own per-sequence pipeline).
const tokensOf = (text) => tok.encode_text(text) ?? [];

function postProcess(a, b) {
  if (tok.post_processor) return tok.post_processor(a, b, true);
  const tokens = b === null ? a : [...a, ...b];
  const token_type_ids = [...a.map(() => 0), ...(b ?? []).map(() => 1)];
  return { tokens, token_type_ids };
}
const addedCount = (pair) => postProcess([], pair ? [] : null).tokens.length;

function truncate(a, b, max) {
  const total = a.length + (b ? b.length : 0);
  if (total <= max) return [a, b];
  if (b === null) return [a.slice(0, max), b];
  let n1 = a.length, n2 = b.length;
  const swap = n1 > n2;
  if (swap) [n1, n2] = [n2, n1];
  n2 = n1 > max ? n1 : Math.max(n1, max - n1);
  if (n1 + n2 > max) {
    n1 = Math.floor(max / 2);
    n2 = n1 + (max % 2);
  }
  if (swap) [n1, n2] = [n2, n1];
  return [a.slice(0, n1), b.slice(0, n2)];
}

const out = corpus.map((entry) => {
  const pair = Array.isArray(entry);
  let a = tokensOf(pair ? entry[0] : entry);
  let b = pair ? tokensOf(entry[1]) : null;
  if (maxLength > 0) [a, b] = truncate(a, b, Math.max(0, maxLength - addedCount(pair)));
  const { tokens, token_type_ids } = postProcess(a, b);
  const ids = tokens.map((t) => tok.token_to_id(t) ?? tok.model.unk_token_id);
  let types = token_type_ids ?? tokens.map(() => 0);
  if (robertaTypes) types = types.map(() => 0);
  return { ids, type_ids: types };
});
process.stdout.write(JSON.stringify(out) + "\n");
