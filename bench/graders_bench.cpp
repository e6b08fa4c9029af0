// Time per (response, gold) pair of the math grader on the labelled generations in R1EVAL_SHARED_DATA
// (800 Qwen2.5-Math responses, 150 NeMo-Skills outputs) and on adversarial inputs (towers of powers,
// deep nesting, 100 KB responses, 60-element lists written differently on each side). Before the Google Benchmark runs, every pair is timed alone (best of 5)
// and the median, p99 and max per pair are printed: the figures the issue targets (median < 20 us,
// max < 10 ms).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <string_view>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "graders/math_grader.h"

namespace {

struct Pair {
  std::string response;
  std::string gold;
};

std::vector<Pair> labelled_pairs() {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(R1EVAL_SHARED_DATA) / "generations";
  std::vector<Pair> pairs;
  std::ifstream qwen(root / "qwen2.5-math-eval_rm_maj_example" / "math_cot_100.jsonl");
  for (std::string line; std::getline(qwen, line);) {
    const auto d = nlohmann::json::parse(line);
    for (const auto& r : d["code"]) pairs.push_back({r.get<std::string>(), d["gt"].get<std::string>()});
  }
  for (const char* name : {"output-rs0.jsonl", "output-rs1.jsonl", "output-rs2.jsonl"}) {
    std::ifstream nemo(root / "nemo-skills-tests" / name);
    for (std::string line; std::getline(nemo, line);) {
      const auto d = nlohmann::json::parse(line);
      pairs.push_back({d["generation"].get<std::string>(), d["expected_answer"].get<std::string>()});
    }
  }
  return pairs;
}

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string joined(int n, const std::function<std::string(int)>& element) {
  std::string out;
  for (int k = 0; k < n; ++k) {
    if (k) out += ',';
    out += element(k);
  }
  return out;
}

// Concatenation without "literal + temporary" (which trips a false GCC 12 -Wrestrict warning).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out += p;
  return out;
}

std::vector<Pair> adversarial_pairs() {
  const auto sum_x = [](int k) { return cat({"x+", std::to_string(k)}); };
  const auto x_sum = [](int k) { return cat({std::to_string(59 - k), "+x"}); };
  const auto sin_sum = [](int k) { return cat({"\\sin(x)+", std::to_string(k)}); };
  const auto sum_sin = [](int k) { return cat({std::to_string(59 - k), "+\\sin x"}); };
  const auto halves_frac = [](int k) { return cat({"(\\frac{", std::to_string(2 * k), "}{2},\\frac{1}{2})"}); };
  const auto halves_dec = [](int k) { return cat({"(", std::to_string(59 - k), ",0.5)"}); };
  return {
      {cat({"\\boxed{", joined(60, sum_x), "}"}), joined(60, x_sum)},
      {cat({"\\boxed{", joined(60, sin_sum), "}"}), joined(60, sum_sin)},
      {cat({"\\boxed{", joined(60, halves_frac), "}"}), joined(60, halves_dec)},
      {"\\boxed{5^{5^{5^{5^4}}}}", "5^{5^{5^{5^5}}}"},
      {"\\boxed{" + repeat("(", 1000) + "1" + repeat(")", 1000) + "}", "1"},
      {"\\boxed{" + repeat("\\frac{1}{", 30) + "1" + repeat("}", 30) + "}", "1"},
      {"\\boxed{" + repeat("-", 5000) + "1}", "1"},
      {repeat("lorem ipsum ", 9000) + "\\boxed{7}", "7"},
      {"\\boxed{" + repeat("1+", 9000) + "1}", "9001"},
      {"\\boxed{" + repeat("1,", 5000) + "1}", "1"},
      {"\\boxed{1000000!+1}", "1000000!"},
      {"\\boxed{e^{e^{e^{e^{e+1}}}}}", "e^{e^{e^{e^{e}}}}"},
      {"\\boxed{(x+1)^{20}}", "\\sum"},
      {"\\boxed{" + repeat("x", 3000) + "}", repeat("x", 2999) + "y"},
  };
}

double seconds_of(const Pair& p) {
  double best = 1e9;
  for (int k = 0; k < 5; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(r1eval::graders::grade_math(p.response, p.gold));
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void print_distribution(const char* name, const std::vector<Pair>& pairs) {
  std::vector<double> us;
  for (const Pair& p : pairs) us.push_back(seconds_of(p) * 1e6);
  std::sort(us.begin(), us.end());
  const auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))]; };
  std::printf("%-12s %5zu pairs: median %8.2f us, p99 %9.2f us, max %9.2f us per pair\n", name, us.size(),
              at(0.5), at(0.99), us.back());
}

void BM_GradeLabelledPairs(benchmark::State& state) {
  static const std::vector<Pair> pairs = labelled_pairs();
  for (auto _ : state)
    for (const Pair& p : pairs) benchmark::DoNotOptimize(r1eval::graders::grade_math(p.response, p.gold));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pairs.size()));
}
BENCHMARK(BM_GradeLabelledPairs)->Unit(benchmark::kMillisecond);

void BM_GradeAdversarialPairs(benchmark::State& state) {
  static const std::vector<Pair> pairs = adversarial_pairs();
  for (auto _ : state)
    for (const Pair& p : pairs) benchmark::DoNotOptimize(r1eval::graders::grade_math(p.response, p.gold));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pairs.size()));
}
BENCHMARK(BM_GradeAdversarialPairs)->Unit(benchmark::kMillisecond);

// A response caught in a loop at the length limit: ~100 KB repeating one unit, then its box. Extraction is
// linear (each of these took 0.2-1 s when every opener searched the rest of the text).
void BM_GradeLoopingResponse(benchmark::State& state) {
  static const std::vector<std::string> units = {"\\[ ", "\\( ", "$ ", "\\boxed{} ", "\\boxed{5} ", "\\boxed{5}, "};
  const std::string& unit = units[static_cast<size_t>(state.range(0))];
  std::string response = "We get ";
  while (response.size() < 100000) response += unit;
  response += " so $\\boxed{5}$";
  for (auto _ : state) benchmark::DoNotOptimize(r1eval::graders::grade_math(response, "5"));
  state.SetLabel("100 KB of '" + unit + "'");
}
BENCHMARK(BM_GradeLoopingResponse)->DenseRange(0, 5)->Unit(benchmark::kMicrosecond);

void BM_AnswersEqualSimple(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(r1eval::graders::math_answers_equal("\\frac{1}{2}", "0.5"));
}
BENCHMARK(BM_AnswersEqualSimple);

void BM_AnswersEqualSymbolic(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(r1eval::graders::math_answers_equal("(x+1)^2", "x^2+2x+1"));
}
BENCHMARK(BM_AnswersEqualSymbolic);

}  // namespace

int main(int argc, char** argv) {
  print_distribution("labelled", labelled_pairs());
  print_distribution("adversarial", adversarial_pairs());
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
