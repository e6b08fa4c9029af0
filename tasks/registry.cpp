// The built-in tasks. A new benchmark of a known shape (say AIME 2026) is one more descriptor here.
#include <utility>

#include "tasks/choice_csv_task.h"
#include "tasks/codeforces_task.h"
#include "tasks/demo_arith_task.h"
#include "tasks/math_jsonl_task.h"
#include "tasks/task.h"

namespace r1eval::tasks {
namespace {

DataFile local_file(std::string local_path) {
  DataFile f;
  f.local_path = std::move(local_path);
  return f;
}

// A file that may sit in a data dir under `local_path` or be fetched from the hub.
DataFile hub_file(std::string local_path, std::string repo, std::string path, bool gated = false) {
  DataFile f = local_file(std::move(local_path));
  f.hub_repo = std::move(repo);
  f.hub_path = std::move(path);
  f.gated = gated;
  return f;
}

DataFile encrypted_zip(std::string local_path, std::string member, std::string password, std::string password_env) {
  DataFile f = local_file(std::move(local_path));
  f.zip_member = std::move(member);
  f.zip_password = std::move(password);
  f.zip_password_env = std::move(password_env);
  return f;
}

// Field aliases shared by the AIME layouts: the local JSONL files, math-ai/aime25 and JSONL
// exports of HuggingFaceH4/aime_2024 ("id", "problem", "answer") or Maxwell-Jia/AIME_2024 ("ID",
// "Problem", "Answer" as an integer).
MathTaskDescriptor aime(std::string name, std::string title) {
  MathTaskDescriptor d;
  d.name = std::move(name);
  d.title = std::move(title);
  d.expected_size = 30;
  d.samples = 64;
  d.id_fields = {"id", "ID"};
  d.problem_fields = {"problem", "question", "Problem"};
  d.answer_fields = {"answer", "Answer"};
  d.answer_normalization = AnswerNormalization::aime_integer;
  return d;
}

MathTaskDescriptor aime24() {
  MathTaskDescriptor d = aime("aime24", "AIME 2024");
  // The hub's AIME 2024 copies are parquet, which r1eval does not read: no download.
  d.data.files = {local_file("aime24/test.jsonl")};
  d.data.source_note =
      "aime24/test.jsonl in a data dir (QwenLM/Qwen2.5-Math evaluation/data/aime24 layout; hub copies are "
      "parquet: export HuggingFaceH4/aime_2024 to JSONL to use it)";
  return d;
}

MathTaskDescriptor aime25() {
  MathTaskDescriptor d = aime("aime25", "AIME 2025");
  d.data.files = {hub_file("aime25/test.jsonl", "math-ai/aime25", "test.jsonl")};
  d.data.source_note = "aime25/test.jsonl in a data dir, else hub math-ai/aime25 test.jsonl";
  return d;
}

MathTaskDescriptor math500() {
  MathTaskDescriptor d;
  d.name = "math500";
  d.title = "MATH-500";
  d.expected_size = 500;
  d.samples = 4;
  d.id_fields = {"unique_id"};
  d.problem_fields = {"problem"};
  d.answer_fields = {"answer"};
  d.attributes = {AttributeField{"subject", {"subject"}}, AttributeField{"level", {"level"}}};
  d.data.files = {hub_file("math500/test.jsonl", "HuggingFaceH4/MATH-500", "test.jsonl")};
  d.data.source_note = "math500/test.jsonl in a data dir, else hub HuggingFaceH4/MATH-500 test.jsonl";
  return d;
}

ChoiceTaskDescriptor gpqa_diamond() {
  ChoiceTaskDescriptor d;
  d.name = "gpqa_diamond";
  d.title = "GPQA Diamond";
  d.expected_size = 198;
  d.samples = 8;
  d.id_column = "Record ID";
  d.question_column = "Question";
  d.correct_column = "Correct Answer";
  d.incorrect_columns = {"Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3"};
  d.attribute_columns = {{"domain", "High-level domain"}};
  // The zip password is public (it only keeps the questions out of web crawls), as upstream.
  d.data.files = {
      encrypted_zip("gpqa/gpqa_diamond.zip", "gpqa_diamond.csv", "deserted-untie-orchid", "R1EVAL_GPQA_ZIP_PASSWORD"),
      // The upstream release (github.com/idavidrein/gpqa): dataset.zip, member dataset/gpqa_diamond.csv.
      encrypted_zip("gpqa/dataset.zip", "gpqa_diamond.csv", "deserted-untie-orchid", "R1EVAL_GPQA_ZIP_PASSWORD"),
      encrypted_zip("dataset.zip", "gpqa_diamond.csv", "deserted-untie-orchid", "R1EVAL_GPQA_ZIP_PASSWORD"),
      hub_file("gpqa/gpqa_diamond.csv", "Idavidrein/gpqa", "gpqa_diamond.csv", /*gated=*/true),
      local_file("gpqa_diamond.csv"),
  };
  d.data.source_note =
      "gpqa/gpqa_diamond.zip (encrypted member gpqa_diamond.csv), upstream's dataset.zip or gpqa_diamond.csv in a data "
      "dir, else gated "
      "hub Idavidrein/gpqa gpqa_diamond.csv (HF_TOKEN, terms accepted)";
  return d;
}

// Code tasks: k = 8 samples per problem, scored as pass@1 averaged over the samples (R1 reports
// pass@1 from several samples per problem). The data files are JSON from GitHub (DeepCoder's rllm
// release) or a local JSONL export; the hub copies are parquet, so there is no download.
CodeTaskDescriptor codeforces() {
  CodeTaskDescriptor d;
  d.name = "codeforces";
  d.title = "Codeforces (DeepCoder test set)";
  d.expected_size = 408;
  d.layout = CodeLayout::deepcoder;
  d.data.files = {local_file("codeforces/deepcoder/codeforces_test.json")};
  d.data.source_note =
      "codeforces/deepcoder/codeforces_test.json with ids from codeforces/deepcoder/metadata_cf.json in a data dir "
      "(agentica-project/rllm DeepCoder release)";
  d.ids.files = {local_file("codeforces/deepcoder/metadata_cf.json")};
  d.ids.source_note = "codeforces/deepcoder/metadata_cf.json in a data dir";
  return d;
}

CodeTaskDescriptor codecontests() {
  CodeTaskDescriptor d;
  d.name = "codecontests";
  d.title = "CodeContests (test split)";
  d.expected_size = 165;
  d.layout = CodeLayout::code_contests;
  d.data.files = {local_file("codeforces/deepcoder/code_contests_test.json")};
  d.data.source_note = "codeforces/deepcoder/code_contests_test.json in a data dir (DeepCoder's copy of the CodeContests test split)";
  return d;
}

CodeTaskDescriptor codeforces_openr1() {
  CodeTaskDescriptor d;
  d.name = "codeforces_openr1";
  d.title = "Codeforces (open-r1 test split)";
  d.expected_size = 468;
  d.layout = CodeLayout::open_r1_jsonl;
  d.data.files = {local_file("codeforces/open-r1/test.jsonl")};
  d.data.source_note =
      "codeforces/open-r1/test.jsonl in a data dir (a JSONL export of hub open-r1/codeforces, which is parquet)";
  return d;
}

std::vector<std::unique_ptr<Task>> make_builtin_tasks() {
  std::vector<std::unique_ptr<Task>> tasks;
  tasks.push_back(std::make_unique<MathJsonlTask>(aime24()));
  tasks.push_back(std::make_unique<MathJsonlTask>(aime25()));
  tasks.push_back(std::make_unique<MathJsonlTask>(math500()));
  tasks.push_back(std::make_unique<ChoiceCsvTask>(gpqa_diamond()));
  tasks.push_back(std::make_unique<CodeforcesTask>(codeforces()));
  tasks.push_back(std::make_unique<CodeforcesTask>(codecontests()));
  tasks.push_back(std::make_unique<CodeforcesTask>(codeforces_openr1()));
  tasks.push_back(std::make_unique<DemoArithTask>());
  return tasks;
}

}  // namespace

std::string_view to_string(GraderKind kind) {
  switch (kind) {
    case GraderKind::math:
      return "math";
    case GraderKind::choice:
      return "choice";
    case GraderKind::code:
      return "code";
  }
  return "unknown";
}

const std::vector<std::unique_ptr<Task>>& all_tasks() {
  static const std::vector<std::unique_ptr<Task>> tasks = make_builtin_tasks();
  return tasks;
}

const Task* find_task(std::string_view name) {
  for (const auto& task : all_tasks()) {
    if (task->info().name == name) return task.get();
  }
  return nullptr;
}

std::string known_task_names() {
  std::string names;
  for (const auto& task : all_tasks()) {
    if (!names.empty()) names += ", ";
    names += task->info().name;
  }
  return names;
}

}  // namespace r1eval::tasks
