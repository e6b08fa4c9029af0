// The code tasks on the real DeepCoder files of R1EVAL_SHARED_DATA: counts, spot-checked ids and
// limits, interactive flags and the golden prompt.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "task_test_util.h"
#include "tasks/codeforces_task.h"
#include "tasks/task.h"

namespace r1eval::tasks {
namespace {

std::vector<Problem> load_real(const char* name) {
  const DataLocator locator(testing::offline_options({testing::shared_data()}));
  return find_task(name)->load(locator);
}

const Problem& by_id(const std::vector<Problem>& problems, const std::string& id) {
  for (const auto& p : problems) {
    if (p.id == id) return p;
  }
  throw std::runtime_error("no problem " + id);
}

std::size_t total_tests(const std::vector<Problem>& problems) {
  std::size_t n = 0;
  for (const auto& p : problems) n += p.code->tests.size();
  return n;
}

TEST(CodeforcesRealData, DeepCoderSetCountsAndIds) {
  const auto problems = load_real("codeforces");
  ASSERT_EQ(problems.size(), 408u);
  EXPECT_EQ(problems.front().id, "1971A");
  EXPECT_EQ(problems.back().id, "2036G");
  std::set<std::string> ids;
  for (const auto& p : problems) {
    ASSERT_TRUE(p.code.has_value()) << p.id;
    EXPECT_TRUE(p.answer.empty()) << p.id;
    EXPECT_FALSE(p.code->tests.empty()) << p.id;
    EXPECT_FALSE(p.code->contest_id.empty()) << p.id;
    EXPECT_EQ(p.code->contest_id + p.code->index, p.id);
    EXPECT_FALSE(p.code->rating.has_value()) << p.id;  // the DeepCoder export has no ratings
    EXPECT_FALSE(p.code->tags.empty()) << p.id;
    ids.insert(p.id);
  }
  EXPECT_EQ(ids.size(), 408u);
  EXPECT_EQ(total_tests(problems), 468u);
}

TEST(CodeforcesRealData, DeepCoderSpotChecks) {
  const auto problems = load_real("codeforces");
  const CodeSpec& a = *by_id(problems, "1971A").code;
  EXPECT_EQ(a.time_limit_ms, 1000);
  EXPECT_EQ(a.memory_limit_mb, 256);
  EXPECT_EQ(a.contest_id, "1971");
  EXPECT_EQ(a.index, "A");
  EXPECT_EQ(a.tags, (std::vector<std::string>{"implementation", "sortings"}));
  EXPECT_FALSE(a.interactive);
  ASSERT_EQ(a.tests.size(), 1u);
  EXPECT_EQ(a.tests[0].input, "10\n1 9\n8 4\n1 4\n3 4\n2 0\n2 4\n6 9\n3 3\n0 0\n9 9");
  EXPECT_EQ(a.tests[0].output, "1 9\n4 8\n1 4\n3 4\n0 2\n2 4\n6 9\n3 3\n0 0\n9 9");

  const CodeSpec& g = *by_id(problems, "2036G").code;
  EXPECT_EQ(g.time_limit_ms, 2000);
  EXPECT_EQ(g.memory_limit_mb, 256);
  EXPECT_EQ(g.index, "G");
  EXPECT_TRUE(g.interactive);

  EXPECT_EQ(by_id(problems, "1972D1").code->index, "D1");
}

TEST(CodeforcesRealData, DeepCoderLimitsAndInteractiveProblems) {
  const auto problems = load_real("codeforces");
  std::vector<std::string> interactive;
  std::map<int, int> time_limits;
  std::map<int, int> memory_limits;
  for (const auto& p : problems) {
    if (p.code->interactive) interactive.push_back(p.id);
    ++time_limits[p.code->time_limit_ms];
    ++memory_limits[p.code->memory_limit_mb];
  }
  // 2013C says so only in its tags; the others also say "This is an interactive problem".
  EXPECT_EQ(interactive, (std::vector<std::string>{"1973D", "1977E", "1979F", "1987H", "1990E1", "1990E2", "1991E",
                                                   "1991I", "1994H", "1999G1", "1999G2", "2001C", "2013C", "2022D1",
                                                   "2022D2", "2032D", "2036G"}));
  // The same histograms as tools/codeforces_data_summary.py derives independently.
  EXPECT_EQ(time_limits, (std::map<int, int>{{1000, 88}, {1500, 9}, {2000, 198}, {2500, 7}, {3000, 50}, {4000, 28},
                                             {5000, 15}, {6000, 3}, {7000, 3}, {8000, 1}, {10000, 2}, {10100, 1},
                                             {12000, 2}, {13000, 1}}));
  EXPECT_EQ(memory_limits, (std::map<int, int>{{32, 1}, {128, 2}, {256, 324}, {512, 67}, {1010, 1}, {1024, 13}}));
}

TEST(CodeforcesRealData, CodeContestsSet) {
  const auto problems = load_real("codecontests");
  ASSERT_EQ(problems.size(), 165u);
  EXPECT_EQ(total_tests(problems), 1837u);
  EXPECT_EQ(problems.front().id, "cc-0");
  EXPECT_EQ(problems.back().id, "cc-164");
  const CodeSpec& first = *problems.front().code;
  EXPECT_EQ(first.time_limit_ms, 2000);  // "{'seconds': 2, 'nanos': 0}"
  EXPECT_EQ(first.memory_limit_mb, 512);  // "512000000 Bytes"
  ASSERT_EQ(first.tests.size(), 1u);
  EXPECT_EQ(first.tests[0].input, "5 2\nAA\nAB\nBB\nBA\nAZ\n");
  EXPECT_EQ(first.tests[0].output, "5 2 1 3 4 \n");
  std::vector<std::string> interactive;
  std::map<int, int> time_limits, memory_limits;
  std::size_t most_tests = 0;
  for (const auto& p : problems) {
    if (p.code->interactive) interactive.push_back(p.id);
    ++time_limits[p.code->time_limit_ms];
    ++memory_limits[p.code->memory_limit_mb];
    most_tests = std::max(most_tests, p.code->tests.size());
  }
  EXPECT_EQ(interactive, (std::vector<std::string>{"cc-72", "cc-130"}));
  EXPECT_EQ(time_limits, (std::map<int, int>{{500, 1}, {1000, 44}, {1500, 2}, {2000, 78}, {2500, 2}, {3000, 20},
                                             {4000, 11}, {4500, 2}, {5000, 2}, {6000, 1}, {8000, 1}, {10000, 1}}));
  EXPECT_EQ(memory_limits, (std::map<int, int>{{256, 122}, {512, 41}, {1024, 2}}));
  EXPECT_EQ(most_tests, 138u);
}

TEST(CodeforcesRealData, GoldenPrompt) {
  const auto problems = load_real("codeforces");
  const Prompt prompt = find_task("codeforces")->prompt(problems.front(), 7, 3);
  EXPECT_EQ(prompt.user,
            "You are given two integers $x$ and $y$.\n\n"
            "Output two integers: the minimum of $x$ and $y$, followed by the maximum of $x$ and $y$.\n\n"
            "Input Format:\n"
            "The first line contains a single integer $t$ ($1 \\leq t \\leq 100$) — the number of test cases.\n\n"
            "The only line of each test case contains two space-separated integers $x$ and $y$ ($0 \\leq x, y \\leq 9$).\n\n"
            "Output Format:\n"
            "For each test case, output two integers: the minimum of $x$ and $y$, followed by the maximum of $x$ and $y$.\n\n"
            "Tags:\n['implementation', 'sortings']\n\n"
            "Time Limit: 1000 ms\nMemory Limit: 256 MB\n\n"
            "Write a complete C++17 program that solves this problem (a Python 3 program is also accepted). "
            "It must read the input from standard input and write the answer to standard output. "
            "Put the whole program in a single fenced code block: ```cpp for C++ or ```python for Python.");
  EXPECT_EQ(prompt.gold, "");
  EXPECT_TRUE(prompt.choice_order.empty());
  EXPECT_EQ(find_task("codeforces")->prompt(problems.front(), 99, 0).user, prompt.user);
}

}  // namespace
}  // namespace r1eval::tasks
