// A benchmark task: loads its data, builds the exact prompts of the R1 protocol and names its grader.
// Tasks know nothing of models, graders' internals or scoring math.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tasks/data_source.h"

namespace r1eval::tasks {

enum class GraderKind { math, choice, code };
std::string_view to_string(GraderKind kind);

// Sampling defaults of the published protocol; every field may be overridden by the user.
struct SamplingDefaults {
  double temperature = 0.6;
  double top_p = 0.95;
  int max_new_tokens = 32768;
  int samples = 1;  // k: samples generated per problem
};

// One judge test: the program's stdin and the expected stdout (or the answer a checker reads).
struct CodeTest {
  std::string input;
  std::string output;
};

// What the code judge needs to run a program-writing problem (Codeforces-style).
struct CodeSpec {
  std::vector<CodeTest> tests;  // in data order; never empty once loaded
  int time_limit_ms = 2000;     // per test, CPU time
  int memory_limit_mb = 256;
  std::string checker;           // source of a custom checker ("" = token-wise comparison)
  std::string checker_language;  // "python" or "cpp" (testlib); "" when there is no checker
  bool interactive = false;      // needs an interactor: the judge excludes it when it has none
  bool stdio = true;             // false: the statement says input.txt/output.txt (open-r1 input_mode "file")
  std::optional<int> rating;     // Codeforces difficulty, when the data has it
  std::string contest_id;        // e.g. "1971" ("" = unknown)
  std::string index;             // e.g. "A", "D1" ("" = unknown)
  std::vector<std::string> tags; // Codeforces tags, in data order
};

struct Problem {
  std::string id;        // unique within the task, stable across releases of the data file
  std::string question;  // the statement exactly as in the data
  std::string answer;    // gold: the final answer (math), or the text of the correct option (choice)
  std::vector<std::string> distractors;  // choice tasks: the incorrect options, in data order
  // Breakdown keys and values (MATH subject/level, GPQA domain), in a fixed order.
  std::vector<std::pair<std::string, std::string>> attributes;
  std::optional<CodeSpec> code;  // code tasks only: tests and limits (answer stays empty)
};

// What one sample of one problem is asked, and what its grader compares against.
struct Prompt {
  std::string user;  // the whole user turn; the protocol has no system prompt
  std::string gold;  // math: the gold answer; choice: the letter of the correct option
  // Choice tasks: option shown as letter i is options[choice_order[i]], where options is
  // [answer, distractors...]. Empty for other tasks.
  std::vector<int> choice_order;
};

struct TaskInfo {
  std::string name;          // CLI name, e.g. "aime24"
  std::string title;         // human name, e.g. "AIME 2024"
  std::size_t expected_size; // number of problems in the canonical release (0 = unknown)
  GraderKind grader;
  SamplingDefaults defaults;
  DataSpec data;             // where the data lives locally and on the hub
};

class Task {
 public:
  virtual ~Task() = default;
  virtual const TaskInfo& info() const = 0;
  // Reads every problem. Throws DataError naming file:line and field on malformed input.
  virtual std::vector<Problem> load(const DataLocator& locator) const = 0;
  // The prompt for sample `sample_index` of `problem`; a pure function of its arguments.
  virtual Prompt prompt(const Problem& problem, std::uint64_t run_seed, int sample_index) const = 0;
};

// The registry: every built-in task, in listing order.
const std::vector<std::unique_ptr<Task>>& all_tasks();
// nullptr when unknown.
const Task* find_task(std::string_view name);
// Comma-separated names of all tasks, for error messages.
std::string known_task_names();

}  // namespace r1eval::tasks
