// demo_arith: the generated problems are right, stable, distinct, registered, and the same list the
// training script held out (tests/fixtures/demo_model/eval_problems.tsv, written by tools/train_demo_model.py).
#include "tasks/demo_arith_task.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "tasks/math_jsonl_task.h"

namespace r1eval::tasks {
namespace {

long long evaluate(const std::string& question) {
  std::istringstream in(question);
  std::string what, is;
  long long a = 0, b = 0;
  char op = 0;
  in >> what >> is >> a >> op >> b;
  EXPECT_EQ(what + " " + is, "What is") << question;
  EXPECT_EQ(question.back(), '?') << question;
  return op == '+' ? a + b : op == '-' ? a - b : a * b;
}

TEST(DemoArithTask, AnswersAreTheArithmeticOfTheQuestions) {
  const auto problems = generate_arithmetic_problems({});
  ASSERT_EQ(problems.size(), 100u);
  std::set<std::string> ids, questions, operations;
  for (const Problem& p : problems) {
    EXPECT_EQ(p.answer, std::to_string(evaluate(p.question))) << p.question;
    EXPECT_GE(std::stoll(p.answer), 0) << p.question;  // subtraction takes the smaller from the larger
    ids.insert(p.id);
    questions.insert(p.question);
    ASSERT_EQ(p.attributes.size(), 1u);
    operations.insert(p.attributes[0].second);
  }
  EXPECT_EQ(ids.size(), 100u);
  EXPECT_EQ(questions.size(), 100u);
  EXPECT_EQ(operations, (std::set<std::string>{"addition", "subtraction", "multiplication"}));
  EXPECT_EQ(problems.front().id, "demo_arith-000");
}

TEST(DemoArithTask, AnotherSeedGivesAnotherSetAndTheSameSeedTheSameOne) {
  const auto a = generate_arithmetic_problems({});
  const auto b = generate_arithmetic_problems({});
  const auto c = generate_arithmetic_problems({.seed = 1, .count = 100});
  std::size_t same = 0, differ = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].question, b[i].question);
    (a[i].question == c[i].question ? same : differ) += 1;
  }
  EXPECT_GT(differ, 90u);
  EXPECT_EQ(generate_arithmetic_problems({.seed = 5, .count = 7}).size(), 7u);
}

// The training script generates the held-out set with its own copy of the generator; it must agree.
TEST(DemoArithTask, MatchesTheHeldOutListOfTheTrainingScript) {
  const auto path = std::filesystem::path(R1EVAL_SOURCE_DIR) / "tests" / "fixtures" / "demo_model" / "eval_problems.tsv";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  const auto problems = find_task("demo_arith")->load(DataLocator(LocatorOptions{}));
  std::size_t i = 0;
  for (std::string line; std::getline(in, line); ++i) {
    ASSERT_LT(i, problems.size());
    EXPECT_EQ(line, problems[i].id + "\t" + problems[i].question + "\t" + problems[i].answer);
  }
  EXPECT_EQ(i, problems.size());
}

TEST(DemoArithTask, IsRegisteredWithTheMathPromptAndGrader) {
  const Task* task = find_task("demo_arith");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->info().grader, GraderKind::math);
  EXPECT_EQ(task->info().expected_size, 100u);
  EXPECT_TRUE(task->info().data.files.empty());
  const auto problems = task->load(DataLocator(LocatorOptions{}));
  const Prompt p = task->prompt(problems[3], 17, 2);
  EXPECT_EQ(p.user, math_prompt(problems[3].question));
  EXPECT_EQ(p.gold, problems[3].answer);
  EXPECT_TRUE(p.choice_order.empty());
}

}  // namespace
}  // namespace r1eval::tasks
