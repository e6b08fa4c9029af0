#include <gtest/gtest.h>

#include "tasks/task.h"

namespace r1eval::tasks {
namespace {

TEST(Registry, ListsTheBuiltInTasksInOrder) {
  std::vector<std::string> names;
  for (const auto& task : all_tasks()) names.push_back(task->info().name);
  EXPECT_EQ(names, (std::vector<std::string>{"aime24", "aime25", "math500", "gpqa_diamond", "codeforces", "codecontests",
                                             "codeforces_openr1", "demo_arith"}));
  EXPECT_EQ(known_task_names(),
            "aime24, aime25, math500, gpqa_diamond, codeforces, codecontests, codeforces_openr1, demo_arith");
}

TEST(Registry, FindsByExactName) {
  ASSERT_NE(find_task("math500"), nullptr);
  EXPECT_EQ(find_task("math500")->info().title, "MATH-500");
  EXPECT_EQ(find_task("MATH500"), nullptr);
  EXPECT_EQ(find_task(""), nullptr);
  EXPECT_EQ(find_task("Codeforces"), nullptr);
}

TEST(Registry, ProtocolDefaults) {
  struct Expected {
    const char* name;
    const char* title;
    std::size_t size;
    GraderKind grader;
    int samples;
  };
  for (const Expected& e : {Expected{"aime24", "AIME 2024", 30, GraderKind::math, 64},
                            Expected{"aime25", "AIME 2025", 30, GraderKind::math, 64},
                            Expected{"math500", "MATH-500", 500, GraderKind::math, 4},
                            Expected{"gpqa_diamond", "GPQA Diamond", 198, GraderKind::choice, 8},
                            Expected{"codeforces", "Codeforces (DeepCoder test set)", 408, GraderKind::code, 8},
                            Expected{"codecontests", "CodeContests (test split)", 165, GraderKind::code, 8},
                            Expected{"codeforces_openr1", "Codeforces (open-r1 test split)", 468, GraderKind::code, 8}}) {
    const Task* task = find_task(e.name);
    ASSERT_NE(task, nullptr) << e.name;
    const TaskInfo& info = task->info();
    EXPECT_EQ(info.title, e.title);
    EXPECT_EQ(info.expected_size, e.size) << e.name;
    EXPECT_EQ(info.grader, e.grader) << e.name;
    EXPECT_EQ(info.defaults.samples, e.samples) << e.name;
    EXPECT_DOUBLE_EQ(info.defaults.temperature, 0.6);
    EXPECT_DOUBLE_EQ(info.defaults.top_p, 0.95);
    EXPECT_EQ(info.defaults.max_new_tokens, 32768);
    EXPECT_FALSE(info.data.files.empty()) << e.name;
    EXPECT_FALSE(info.data.source_note.empty()) << e.name;
    EXPECT_EQ(info.data.source_note.find('\n'), std::string::npos) << e.name;
  }
}

TEST(Registry, HubFilesOfEachTask) {
  auto hub_files = [](const char* name) {
    std::vector<std::string> files;
    for (const auto& f : find_task(name)->info().data.files) {
      if (!f.hub_repo.empty()) files.push_back(f.hub_repo + "/" + f.hub_path + (f.gated ? " (gated)" : ""));
    }
    return files;
  };
  EXPECT_TRUE(hub_files("aime24").empty());
  EXPECT_EQ(hub_files("aime25"), (std::vector<std::string>{"math-ai/aime25/test.jsonl"}));
  EXPECT_EQ(hub_files("math500"), (std::vector<std::string>{"HuggingFaceH4/MATH-500/test.jsonl"}));
  EXPECT_EQ(hub_files("gpqa_diamond"), (std::vector<std::string>{"Idavidrein/gpqa/gpqa_diamond.csv (gated)"}));
  // The code sets' hub copies are parquet: local files only.
  for (const char* code_task : {"codeforces", "codecontests", "codeforces_openr1"}) EXPECT_TRUE(hub_files(code_task).empty());
}

TEST(Registry, GraderKindNames) {
  EXPECT_EQ(to_string(GraderKind::math), "math");
  EXPECT_EQ(to_string(GraderKind::choice), "choice");
  EXPECT_EQ(to_string(GraderKind::code), "code");
}

}  // namespace
}  // namespace r1eval::tasks
