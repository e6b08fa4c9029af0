// demo_arith: a synthetic arithmetic benchmark generated in code from a fixed seed (no data files), for
// `r1eval demo` and the end-to-end tests with the model the project trains itself
// (tools/train_demo_model.py draws the same held-out problems with the same generator and trains on others).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace r1eval::tasks {

// The problem set's parameters; the defaults are the registered task's and the trained model's held-out set.
struct ArithmeticSetSpec {
  std::uint64_t seed = 20261129;
  std::size_t count = 100;
};

// `spec.count` distinct problems, drawn in order from SplitMix64(spec.seed): each is three-digit addition,
// subtraction (larger minus smaller) or a three-digit number times a digit, asked as "What is A op B?".
// ids "demo_arith-000", ...; answer the exact integer; attribute "operation" (addition / subtraction /
// multiplication). A pure function of `spec`.
std::vector<Problem> generate_arithmetic_problems(const ArithmeticSetSpec& spec);

class DemoArithTask final : public Task {
 public:
  DemoArithTask();
  const TaskInfo& info() const override { return info_; }
  // Ignores the locator: the problems are generated.
  std::vector<Problem> load(const DataLocator& locator) const override;
  // The protocol's math prompt of the question; the same for every sample.
  Prompt prompt(const Problem& problem, std::uint64_t run_seed, int sample_index) const override;

 private:
  TaskInfo info_;
};

}  // namespace r1eval::tasks
