// Tokenizer speed on the tokenizer corpus (tools/tokenizer_corpus: mixed.jsonl + the benchmark
// problems), single thread. tools/tokenizer_corpus/compare_speed.py runs this next to Hugging Face
// `tokenizers` on the same files; results in bench/RESULTS.md.
//
//   tokenizer_bench [--tokenizers=DIR] [--corpus=DIR] [benchmark flags]
// DIR holds DeepSeek-R1-Distill-{Qwen,Llama}/tokenizer.json; by default they are converted from
// R1EVAL_SHARED_DATA/models into a temporary folder first.
#include <benchmark/benchmark.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/tokenizer/tokenizer.h"
#include "engine/tokenizer/tokenizer_recipes.h"

namespace {

using r1eval::engine::Tokenizer;

std::filesystem::path g_tokenizers;
std::filesystem::path g_corpus = std::filesystem::path(__FILE__).parent_path().parent_path() / "tools" / "tokenizer_corpus";

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot open file");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Same documents and order as tools/tokenizer_corpus/corpus.py.
const std::vector<std::string>& corpus() {
  static const std::vector<std::string> docs = [] {
    std::vector<std::string> out;
    std::istringstream mixed(read_file(g_corpus / "mixed.jsonl"));
    std::string line;
    while (std::getline(mixed, line)) out.push_back(nlohmann::json::parse(line).get<std::string>());
    const std::vector<std::pair<std::string, std::vector<std::string>>> sources = {
        {"aime24/test.jsonl", {"problem", "solution"}}, {"aime25/test.jsonl", {"problem"}}, {"math500/test.jsonl", {"problem", "solution"}}};
    for (const auto& [path, fields] : sources) {
      std::istringstream in(read_file(std::filesystem::path(R1EVAL_SHARED_DATA) / path));
      while (std::getline(in, line)) {
        const auto record = nlohmann::json::parse(line);
        for (const auto& f : fields) out.push_back(record.at(f).get<std::string>());
      }
    }
    return out;
  }();
  return docs;
}

const Tokenizer& tokenizer(const r1eval::engine::TokenizerRecipe& recipe) {
  static std::map<std::string, std::unique_ptr<Tokenizer>> loaded;
  auto& slot = loaded[recipe.name];
  if (!slot) {
    const auto dir = g_tokenizers / recipe.name;
    if (!std::filesystem::exists(dir / "tokenizer.json"))
      r1eval::engine::write_tokenizer_folder(recipe, std::filesystem::path(R1EVAL_SHARED_DATA) / "models", dir);
    slot = std::make_unique<Tokenizer>(Tokenizer::from_folder(dir));
  }
  return *slot;
}

void encode_corpus(benchmark::State& state, const r1eval::engine::TokenizerRecipe& recipe) {
  const Tokenizer& tok = tokenizer(recipe);
  const auto& docs = corpus();
  std::size_t bytes = 0, tokens = 0;
  for (const auto& d : docs) bytes += d.size();
  std::vector<std::uint32_t> ids;
  for (auto _ : state) {
    tokens = 0;
    for (const auto& d : docs) {
      ids.clear();
      tok.encode(d, false, ids);
      tokens += ids.size();
    }
    benchmark::DoNotOptimize(ids.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
  state.counters["tokens_per_s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["tokens"] = static_cast<double>(tokens);
  state.counters["documents"] = static_cast<double>(docs.size());
}

// The first pass of a freshly loaded tokenizer: every word goes through BPE (no cache hits yet).
void encode_corpus_cold(benchmark::State& state, const r1eval::engine::TokenizerRecipe& recipe) {
  tokenizer(recipe);  // materialise the files
  const auto& docs = corpus();
  std::size_t tokens = 0;
  std::vector<std::uint32_t> ids;
  std::unique_ptr<Tokenizer> fresh;
  for (auto _ : state) {
    state.PauseTiming();  // loading (and destroying the previous one) is not encoding time
    fresh.reset();
    fresh = std::make_unique<Tokenizer>(Tokenizer::from_folder(g_tokenizers / recipe.name));
    state.ResumeTiming();
    tokens = 0;
    for (const auto& d : docs) {
      ids.clear();
      fresh->encode(d, false, ids);
      tokens += ids.size();
    }
  }
  state.counters["tokens"] = static_cast<double>(tokens);
}

void decode_corpus(benchmark::State& state, const r1eval::engine::TokenizerRecipe& recipe) {
  const Tokenizer& tok = tokenizer(recipe);
  std::vector<std::vector<std::uint32_t>> encoded;
  std::size_t tokens = 0;
  for (const auto& d : corpus()) {
    encoded.push_back(tok.encode(d, false));
    tokens += encoded.back().size();
  }
  for (auto _ : state)
    for (const auto& ids : encoded) benchmark::DoNotOptimize(tok.decode(ids));
  state.counters["tokens_per_s"] = benchmark::Counter(static_cast<double>(tokens * state.iterations()), benchmark::Counter::kIsRate);
}

void BM_EncodeCorpusQwen(benchmark::State& s) { encode_corpus(s, r1eval::engine::r1_distill_qwen_recipe()); }
void BM_EncodeCorpusLlama(benchmark::State& s) { encode_corpus(s, r1eval::engine::r1_distill_llama_recipe()); }
void BM_EncodeColdQwen(benchmark::State& s) { encode_corpus_cold(s, r1eval::engine::r1_distill_qwen_recipe()); }
void BM_EncodeColdLlama(benchmark::State& s) { encode_corpus_cold(s, r1eval::engine::r1_distill_llama_recipe()); }
void BM_DecodeCorpusQwen(benchmark::State& s) { decode_corpus(s, r1eval::engine::r1_distill_qwen_recipe()); }
BENCHMARK(BM_EncodeCorpusQwen)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_EncodeCorpusLlama)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_EncodeColdQwen)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_EncodeColdLlama)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_DecodeCorpusQwen)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  g_tokenizers = std::filesystem::temp_directory_path() / "r1eval_tokenizer_bench";
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--tokenizers=", 13) == 0) {
      g_tokenizers = argv[i] + 13;
    } else if (std::strncmp(argv[i], "--corpus=", 9) == 0) {
      g_corpus = argv[i] + 9;
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
