// The loaders on the real benchmark files of R1EVAL_SHARED_DATA. GPQA is checked for structure
// only: its questions must never appear in test output.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "task_test_util.h"
#include "tasks/choice_shuffle.h"
#include "tasks/task.h"

namespace r1eval::tasks {
namespace {

std::vector<Problem> load_real(const char* name) {
  const DataLocator locator(testing::offline_options({testing::shared_data()}));
  return find_task(name)->load(locator);
}

const Problem* by_id(const std::vector<Problem>& problems, const std::string& id) {
  for (const auto& p : problems) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

TEST(RealData, Aime24) {
  const auto problems = load_real("aime24");
  ASSERT_EQ(problems.size(), 30u);
  EXPECT_EQ(problems.front().id, "60");
  EXPECT_EQ(problems.front().answer, "204");
  EXPECT_EQ(problems.back().id, "89");
  EXPECT_EQ(problems.front().question.rfind("Every morning Aya goes for a $9$-kilometer-long walk", 0), 0u);
  // Stored as "025", "073" and "080": compared as integers, so the gold drops the zeros.
  ASSERT_NE(by_id(problems, "67"), nullptr);
  EXPECT_EQ(by_id(problems, "67")->answer, "25");
  EXPECT_EQ(by_id(problems, "75")->answer, "73");
  EXPECT_EQ(by_id(problems, "85")->answer, "80");
  for (const auto& p : problems) EXPECT_NE(p.answer.front(), '0') << p.id;
}

TEST(RealData, Aime25) {
  const auto problems = load_real("aime25");
  ASSERT_EQ(problems.size(), 30u);
  EXPECT_EQ(problems.front().id, "2025-I-1");
  EXPECT_EQ(problems.front().answer, "70");
  EXPECT_EQ(problems.back().id, "2025-II-15");
  EXPECT_EQ(problems.back().answer, "240");
  ASSERT_NE(by_id(problems, "2025-II-4"), nullptr);
  // The stored copy has "\frac" intact (the hub copies of some mirrors turned it into a form feed).
  EXPECT_EQ(by_id(problems, "2025-II-4")->question.find('\f'), std::string::npos);
}

TEST(RealData, Math500) {
  const auto problems = load_real("math500");
  ASSERT_EQ(problems.size(), 500u);
  EXPECT_EQ(problems.front().id, "test/precalculus/807.json");
  EXPECT_EQ(problems.front().answer, "\\left( 3, \\frac{\\pi}{2} \\right)");
  using Attr = std::pair<std::string, std::string>;
  EXPECT_EQ(problems.front().attributes, (std::vector<Attr>{{"subject", "Precalculus"}, {"level", "2"}}));
  std::map<std::string, int> subjects;
  for (const auto& p : problems) ++subjects[p.attributes.at(0).second];
  EXPECT_EQ(subjects, (std::map<std::string, int>{{"Algebra", 124},
                                                  {"Counting & Probability", 38},
                                                  {"Geometry", 41},
                                                  {"Intermediate Algebra", 97},
                                                  {"Number Theory", 62},
                                                  {"Prealgebra", 82},
                                                  {"Precalculus", 56}}));
  const Prompt prompt = find_task("math500")->prompt(problems.front(), 3, 1);
  EXPECT_EQ(prompt.user, problems.front().question + "\nPlease reason step by step, and put your final answer within \\boxed{}.");
  EXPECT_EQ(prompt.gold, problems.front().answer);
}

TEST(RealData, GpqaDiamondStructureOnly) {
  const auto problems = load_real("gpqa_diamond");
  ASSERT_EQ(problems.size(), 198u);
  std::map<std::string, int> domains;
  std::set<std::string> ids;
  for (const auto& p : problems) {
    ids.insert(p.id);
    EXPECT_EQ(p.id.rfind("rec", 0), 0u);  // Airtable record ids
    EXPECT_FALSE(p.question.empty());
    EXPECT_FALSE(p.answer.empty());
    EXPECT_EQ(p.distractors.size(), 3u);
    ASSERT_EQ(p.attributes.size(), 1u);
    EXPECT_EQ(p.attributes[0].first, "domain");
    ++domains[p.attributes[0].second];
  }
  EXPECT_EQ(ids.size(), 198u);
  // Every parsed field, byte for byte, against Python's csv module (a digest, so no text is shown):
  // fnv1a64 of id, question, answer, distractors and domain joined by \x1f, each row ended by \x1e.
  std::string all_fields;
  for (const auto& p : problems) {
    for (const std::string* f : {&p.id, &p.question, &p.answer, &p.distractors[0], &p.distractors[1], &p.distractors[2],
                                 &p.attributes[0].second}) {
      all_fields += *f;
      all_fields += f == &p.attributes[0].second ? '\x1e' : '\x1f';
    }
  }
  EXPECT_EQ(fnv1a64(all_fields), 0xb8104ee4a261d7dbULL);
  EXPECT_EQ(domains, (std::map<std::string, int>{{"Biology", 19}, {"Chemistry", 93}, {"Physics", 86}}));

  const Task* task = find_task("gpqa_diamond");
  std::map<std::string, int> gold_letters;
  for (const auto& p : problems) {
    for (int sample = 0; sample < 8; ++sample) {
      const Prompt prompt = task->prompt(p, 2025, sample);
      ++gold_letters[prompt.gold];
      // Structure, not text: the instruction, then the question verbatim, then the four options.
      ASSERT_EQ(prompt.user.rfind("Answer the following multiple choice question.", 0), 0u);
      ASSERT_NE(prompt.user.find("ABCD. Think step by step before answering.\n\n" + p.question + "\n\nA) "), std::string::npos);
      const std::string gold_line = "\n" + prompt.gold + ") " + p.answer;
      ASSERT_NE(prompt.user.find(gold_line), std::string::npos);
    }
  }
  // 1584 shuffles: each letter should hold the answer about a quarter of the time.
  for (const char* letter : {"A", "B", "C", "D"}) {
    EXPECT_NEAR(gold_letters[letter], 396, 80) << letter;
  }
}

}  // namespace
}  // namespace r1eval::tasks
