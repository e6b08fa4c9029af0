// Program-writing benchmarks judged by running the model's program on tests (Codeforces and
// CodeContests). One task class, configured by a descriptor naming the data layout.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

#include "tasks/task.h"

namespace r1eval::tasks {

enum class CodeLayout {
  deepcoder,      // DeepCoder codeforces_test.json + metadata_cf.json (ids)
  code_contests,  // DeepCoder's copy of the CodeContests test split
  open_r1_jsonl,  // a JSONL export of the open-r1/codeforces hub dataset
};

struct CodeTaskDescriptor {
  std::string name;
  std::string title;
  std::size_t expected_size = 0;  // 0 = unknown
  int samples = 8;                // default k
  CodeLayout layout = CodeLayout::deepcoder;
  DataSpec data;                  // the problems file
  DataSpec ids;                   // deepcoder layout only: the file of Codeforces ids
};

// The R1-style code prompt: the statement (surrounding blank lines trimmed), a blank line, then
// the instruction to answer with one complete C++17 (or Python 3) stdin/stdout program in a single
// fenced block.
std::string code_prompt(std::string_view statement);

class CodeforcesTask final : public Task {
 public:
  explicit CodeforcesTask(CodeTaskDescriptor descriptor);
  const TaskInfo& info() const override { return info_; }
  // Locates the file(s) (DataLocator::read) and parses them per the layout; every problem has a
  // CodeSpec. Errors are DataError naming the task and the file (entry or line, field).
  std::vector<Problem> load(const DataLocator& locator) const override;
  // Every sample sees the same user turn; gold is "" (the judge uses Problem::code).
  Prompt prompt(const Problem& problem, std::uint64_t run_seed, int sample_index) const override;
  const CodeTaskDescriptor& descriptor() const { return descriptor_; }

 private:
  CodeTaskDescriptor descriptor_;
  TaskInfo info_;
};

}  // namespace r1eval::tasks
