#include "tasks/demo_arith_task.h"

#include <cstdio>
#include <set>
#include <tuple>

#include "tasks/math_jsonl_task.h"

namespace r1eval::tasks {
namespace {

// SplitMix64: tiny, and simple to reproduce exactly in the Python training script.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    state_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // lo + next() mod (hi - lo + 1): the small modulo bias does not matter here and is easy to mirror.
  int uniform(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<std::uint64_t>(hi - lo + 1)); }

 private:
  std::uint64_t state_;
};

struct Arithmetic {
  char op;
  int a, b;
  auto key() const { return std::tie(op, a, b); }
  bool operator<(const Arithmetic& other) const { return key() < other.key(); }
};

// The order of draws is part of the contract with tools/train_demo_model.py (draw_problem).
Arithmetic draw(SplitMix64& rng) {
  static constexpr char kOps[] = {'+', '-', '*'};
  Arithmetic p{kOps[rng.next() % 3], 0, 0};
  p.a = rng.uniform(100, 999);
  p.b = p.op == '*' ? rng.uniform(2, 9) : rng.uniform(100, 999);
  if (p.op == '-' && p.a < p.b) std::swap(p.a, p.b);
  return p;
}

long long result_of(const Arithmetic& p) {
  switch (p.op) {
    case '+': return static_cast<long long>(p.a) + p.b;
    case '-': return static_cast<long long>(p.a) - p.b;
    default: return static_cast<long long>(p.a) * p.b;
  }
}

const char* operation_name(char op) {
  return op == '+' ? "addition" : op == '-' ? "subtraction" : "multiplication";
}

}  // namespace

std::vector<Problem> generate_arithmetic_problems(const ArithmeticSetSpec& spec) {
  SplitMix64 rng(spec.seed);
  std::set<Arithmetic> seen;
  std::vector<Problem> problems;
  problems.reserve(spec.count);
  while (problems.size() < spec.count) {
    const Arithmetic p = draw(rng);
    if (!seen.insert(p).second) continue;
    char id[32];
    std::snprintf(id, sizeof id, "demo_arith-%03zu", problems.size());
    Problem problem;
    problem.id = id;
    problem.question = "What is " + std::to_string(p.a) + " " + p.op + " " + std::to_string(p.b) + "?";
    problem.answer = std::to_string(result_of(p));
    problem.attributes = {{"operation", operation_name(p.op)}};
    problems.push_back(std::move(problem));
  }
  return problems;
}

DemoArithTask::DemoArithTask() {
  info_.name = "demo_arith";
  info_.title = "Demo arithmetic (synthetic)";
  info_.expected_size = ArithmeticSetSpec{}.count;
  info_.grader = GraderKind::math;
  info_.defaults.samples = 4;
  // The trained model's answers take about 50 tokens; the margin lets a rambling sample end by length.
  info_.defaults.max_new_tokens = 160;
  info_.data.source_note = "generated (no data files)";
}

std::vector<Problem> DemoArithTask::load(const DataLocator&) const {
  return generate_arithmetic_problems(ArithmeticSetSpec{});
}

Prompt DemoArithTask::prompt(const Problem& problem, std::uint64_t, int) const { return math_problem_prompt(problem); }

}  // namespace r1eval::tasks
