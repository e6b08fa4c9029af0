#include "harness/grade_generations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "graders/math_grader.h"
#include "harness/grading.h"
#include "harness/rating_histogram.h"
#include "results/report.h"
#include "harness/scoring.h"
#include "harness/task_lookup.h"
#include "results/store.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;

std::vector<tasks::Problem> load(const tasks::Task& task) {
  tasks::LocatorOptions options;
  options.data_dirs = {testing::shared_data()};
  options.allow_download = false;
  return task.load(tasks::DataLocator(options));
}

// The message of the std::invalid_argument `f` throws, or "no error".
template <class F>
std::string error_text(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

ExternalSample sample(std::size_t line, std::string id, std::string response, std::optional<int> index = {}) {
  ExternalSample s;
  s.line = line;
  s.problem_id = std::move(id);
  s.response = std::move(response);
  s.sample_index = index;
  return s;
}

TEST(GradeExternalSamples, MatchesByIdOrTextAssignsIndicesAndGrades) {
  const tasks::Task& task = require_task("math500");
  const auto problems = load(task);
  ExternalSample by_text;
  by_text.line = 4;
  by_text.problem_text = "  " + problems[0].question + "\n";  // re-wrapped text still matches
  by_text.response = "<think>\nhmm\n</think>\n\\boxed{" + problems[0].answer + "}";
  const std::vector<ExternalSample> samples = {
      sample(1, problems[0].id, "\\boxed{" + problems[0].answer + "}", 1),
      sample(2, problems[1].id, "\\boxed{nonsense}"),
      sample(3, problems[0].id, "no answer at all"),
      by_text,
  };
  const auto records = grade_external_samples(task, problems, samples, "g.jsonl", {});
  ASSERT_EQ(records.size(), 4u);
  // Sorted by problem then sample index; the explicit index 1 is kept, the others take 0 and 2.
  EXPECT_EQ(records[0].problem_id, problems[0].id);
  EXPECT_EQ(records[0].sample_index, 0);
  EXPECT_FALSE(records[0].correct);
  EXPECT_FALSE(records[0].extracted.has_value());
  EXPECT_EQ(records[1].sample_index, 1);
  EXPECT_TRUE(records[1].correct);
  EXPECT_EQ(records[2].sample_index, 2);
  EXPECT_TRUE(records[2].correct);
  EXPECT_EQ(records[3].problem_id, problems[1].id);
  EXPECT_FALSE(records[3].correct);
  EXPECT_EQ(records[1].prompt, task.prompt(problems[0], 0, 1).user);
  EXPECT_EQ(records[1].attributes, problems[0].attributes);
  EXPECT_NE(records[1].seed, records[2].seed);
}

TEST(GradeExternalSamples, UnknownProblemsAreCountedAndTheFirstNamed) {
  const tasks::Task& task = require_task("aime24");
  const auto problems = load(task);
  const std::vector<ExternalSample> samples = {sample(1, "nope-1", "x"), sample(2, problems[0].id, "x"),
                                               sample(3, "nope-2", "x")};
  try {
    grade_external_samples(task, problems, samples, "g.jsonl", {});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("2 generation(s) name problems unknown to task 'aime24'"));
    EXPECT_THAT(e.what(), HasSubstr("nope-1, nope-2"));
  }
}

TEST(GradeExternalSamples, DuplicateSampleIndexIsAnError) {
  const tasks::Task& task = require_task("aime24");
  const auto problems = load(task);
  const std::vector<ExternalSample> samples = {sample(1, problems[0].id, "x", 0), sample(2, problems[0].id, "y", 0)};
  EXPECT_THROW(
      {
        try {
          grade_external_samples(task, problems, samples, "g.jsonl", {});
        } catch (const std::invalid_argument& e) {
          EXPECT_THAT(e.what(), HasSubstr("g.jsonl:2: sample 0 of problem"));
          throw;
        }
      },
      std::invalid_argument);
}

TEST(GradeExternalSamples, ChoiceTasksUseThePermutationOfTheirPrompt) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  const tasks::Prompt prompt = task.prompt(problems[3], 11, 2);
  const std::vector<ExternalSample> samples = {sample(1, problems[3].id, "Answer: " + prompt.gold, 2)};
  const auto records = grade_external_samples(task, problems, samples, "g.jsonl", {11, 1, true});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_TRUE(records[0].correct);
  EXPECT_EQ(records[0].choice_order, prompt.choice_order);
  EXPECT_EQ(records[0].gold, prompt.gold);
}

TEST(GradeExternalSamples, AnExternalChoiceOrderDecidesTheGoldLetter) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  ExternalSample s = sample(1, problems[0].id, "Answer: C");
  s.choice_order = {2, 3, 0, 1};  // the correct option (index 0) was shown as C
  EXPECT_TRUE(grade_external_samples(task, problems, {s}, "g.jsonl", {})[0].correct);
  s.choice_order = {2, 3, 0, 0};
  EXPECT_THROW(grade_external_samples(task, problems, {s}, "g.jsonl", {}), std::invalid_argument);
}

// Another tool shuffles its own way: a GPQA line that says neither the order nor the correct letter cannot be
// graded, unless --seed names r1eval's own prompts.
TEST(GradeExternalSamples, AChoiceLineWithoutItsOrderIsRefusedUnlessTheSeedIsNamed) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  const ExternalSample s = sample(1, problems[0].id, "Answer: C");
  EXPECT_THAT(error_text([&] { grade_external_samples(task, problems, {s}, "g.jsonl", {}); }),
              HasSubstr("g.jsonl:1: problem '" + problems[0].id + "' is multiple-choice and the line says neither"));
  EXPECT_NO_THROW(grade_external_samples(task, problems, {s}, "g.jsonl", {0, 1, true}));
}

// The prompt the model saw gives the order: its options matched to the problem's.
TEST(GradeExternalSamples, TheOrderIsReadFromThePromptTheModelSaw) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  const tasks::Prompt theirs = task.prompt(problems[4], 99, 0);  // another tool's order: here seed 99's
  ExternalSample s = sample(1, problems[4].id, "Answer: " + theirs.gold);
  s.prompt = theirs.user;
  const auto records = grade_external_samples(task, problems, {s}, "g.jsonl", {});
  EXPECT_TRUE(records[0].correct);
  EXPECT_EQ(records[0].choice_order, theirs.choice_order);
  EXPECT_EQ(records[0].prompt, theirs.user);
  // lm-eval's labels, "(A) ...", read the same.
  std::string lm_eval = theirs.user;
  for (char c = 'A'; c <= 'D'; ++c) {
    const std::string label = std::string("\n") + c + ") ";
    lm_eval.replace(lm_eval.find(label), label.size(), std::string("\n(") + c + ") ");
  }
  s.prompt = lm_eval;
  EXPECT_TRUE(grade_external_samples(task, problems, {s}, "g.jsonl", {})[0].correct);
  // A gold that disagrees with the order is an error, not a silent choice of one.
  s.gold = theirs.gold == "A" ? "B" : "A";
  EXPECT_THAT(error_text([&] { grade_external_samples(task, problems, {s}, "g.jsonl", {}); }),
              HasSubstr("field 'gold' (" + *s.gold + ") disagrees with field 'prompt'"));
}

// With the correct letter alone the order is unknown: wrong letters vote by letter, not by r1eval's options.
TEST(GradeExternalSamples, AGoldLetterAloneVotesByLetter) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  std::vector<ExternalSample> samples = {sample(1, problems[0].id, "Answer: A", 0), sample(2, problems[0].id, "Answer: A", 1),
                                         sample(3, problems[0].id, "Answer: D", 2)};
  samples[0].gold = "A";
  samples[1].gold = "B";
  samples[2].gold = "C";
  const auto records = grade_external_samples(task, problems, samples, "g.jsonl", {});
  EXPECT_TRUE(records[0].choice_order.empty());
  EXPECT_TRUE(records[0].prompt.empty());
  const auto scores = score_records(records);
  EXPECT_EQ(scores[0].cons_at.at(2).value, 1.0);  // A (right once, wrong once) then D: the tie goes to the first
}

TEST(GradeExternalSamples, AMathGoldMustBeTheTasksAnswer) {
  const tasks::Task& task = require_task("aime24");
  const auto problems = load(task);
  ExternalSample s = sample(1, problems[0].id, "\\boxed{" + problems[0].answer + "}");
  s.gold = "The answer is $\\boxed{" + problems[0].answer + "}$.";
  EXPECT_TRUE(grade_external_samples(task, problems, {s}, "g.jsonl", {})[0].correct);
  s.gold = "999";
  EXPECT_THAT(error_text([&] { grade_external_samples(task, problems, {s}, "g.jsonl", {}); }),
              HasSubstr("field 'gold': '999' is not the task's answer"));
}

// Every prompt `r1eval prompts` makes gives its order back, also where one option's text starts another's.
TEST(GradeExternalSamples, EveryPromptOfTheTaskGivesItsOrderBack) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  std::vector<ExternalSample> samples;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    const tasks::Prompt prompt = task.prompt(problems[i], 5, 0);
    ExternalSample s = sample(i + 1, problems[i].id, "Answer: " + prompt.gold, 0);
    s.prompt = prompt.user;
    samples.push_back(s);
  }
  const auto records = grade_external_samples(task, problems, samples, "g.jsonl", {});
  for (const auto& r : records) EXPECT_TRUE(r.correct) << r.problem_id;
}

// A file's gold is compared as an answer, never read as a response.
TEST(GradeExternalSamples, AMathGoldIsComparedAsAnAnswer) {
  const tasks::Task& task = require_task("math500");
  const auto problems = load(task);
  std::vector<ExternalSample> samples;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    ExternalSample s = sample(i + 1, problems[i].id, "\\boxed{0}", 0);
    s.gold = problems[i].answer;
    samples.push_back(s);
  }
  EXPECT_NO_THROW(grade_external_samples(task, problems, samples, "g.jsonl", {}));
}

TEST(GradeExternalSamples, AnIdAndTheTextOfAnotherProblemIsAnError) {
  const tasks::Task& task = require_task("aime24");
  const auto problems = load(task);
  ExternalSample s = sample(1, problems[1].id, "\\boxed{1}");
  s.problem_text = problems[0].question;
  EXPECT_THAT(error_text([&] { grade_external_samples(task, problems, {s}, "g.jsonl", {}); }),
              HasSubstr("the id names problem '" + problems[1].id + "' but the text is that of problem '" + problems[0].id));
  s.problem_id = "no such id";  // an unknown id with a known text: the text decides
  EXPECT_EQ(grade_external_samples(task, problems, {s}, "g.jsonl", {})[0].problem_id, problems[0].id);
}

// A supplied gold of a multiple-choice task is one of its letters (any case); other text is refused, naming
// the line, instead of grading every sample wrong.
TEST(GradeExternalSamples, AChoiceGoldMustBeOneOfTheLetters) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  ExternalSample s = sample(1, problems[0].id, "Answer: C");
  s.gold = "c";
  const auto records = grade_external_samples(task, problems, {s}, "g.jsonl", {});
  EXPECT_EQ(records[0].gold, "C");
  EXPECT_TRUE(records[0].correct);
  for (const char* bad : {"Z", "", "AB", "E"}) {
    s.gold = bad;
    try {
      (void)grade_external_samples(task, problems, {s}, "g.jsonl", {});
      FAIL() << "gold '" << bad << "' was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("field 'gold': expected a letter from A to D"), std::string::npos) << e.what();
    }
  }
}

TEST(ScoreRecords, ChoiceVotesFollowTheOptionNotTheLetter) {
  const tasks::Task& task = require_task("gpqa_diamond");
  const auto problems = load(task);
  // Two samples choose the same wrong option under different shuffles, one picks the right one:
  // the wrong option wins the vote although its letters differ.
  std::vector<ExternalSample> samples;
  for (int i = 0; i < 3; ++i) {
    const tasks::Prompt p = task.prompt(problems[0], 5, i);
    int letter_of_option1 = 0;
    while (p.choice_order[letter_of_option1] != (i < 2 ? 1 : 0)) ++letter_of_option1;
    samples.push_back(sample(i + 1, problems[0].id, std::string("Answer: ") + char('A' + letter_of_option1), i));
  }
  const auto records = grade_external_samples(task, problems, samples, "g.jsonl", {5, 1, true});
  const auto scores = score_records(records);
  ASSERT_EQ(scores.size(), 1u);
  EXPECT_NEAR(scores[0].pass1.value, 1.0 / 3.0, 1e-12);
  ASSERT_TRUE(scores[0].cons_at.count(2));
  EXPECT_EQ(scores[0].cons_at.at(2).value, 0.0);
}

// An empty box, or one of markup or punctuation only, states no answer: two of them do not outvote the one
// sample that answered.
TEST(ScoreRecords, EmptyOrPunctuationBoxesDoNotVote) {
  for (const char* empty : {"\\boxed{\\text{}}", "\\boxed{\\quad}", "\\boxed{?}", "\\boxed{.}"}) {
    const std::string task = "math500", problem = "p";
    std::vector<results::SampleRecord> records(3);
    for (int i = 0; i < 3; ++i) {
      records[i].task = task;
      records[i].problem_id = problem;
      records[i].sample_index = i;
      records[i].correct = i == 0;
      records[i].extracted = i == 0 ? std::optional<std::string>("7") : graders::grade_math(empty, "7").extracted;
    }
    const auto scores = score_records(records);
    ASSERT_TRUE(scores[0].cons_at.count(2)) << empty;
    EXPECT_EQ(scores[0].cons_at.at(2).value, 1.0) << empty;
  }
}

TEST(ScoreRecords, ARatingThatIsNoNumberIsNamed) {
  std::vector<results::SampleRecord> records(1);
  records[0].task = "codeforces";
  records[0].problem_id = "1000A";
  records[0].attributes = {{"rating", "1500abc"}};
  try {
    (void)score_records(records);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("problem '1000A': attribute 'rating': expected a number, found '1500abc'"));
  }
}

TEST(WriteGradedRun, WritesWholeFilesAndRefusesToOverwrite) {
  const auto dir = testing::scratch_dir("write_run");
  const tasks::Task& task = require_task("aime24");
  const auto problems = load(task);
  const auto records = grade_external_samples(
      task, problems, {sample(1, problems[0].id, "\\boxed{" + problems[0].answer + "}")}, "g.jsonl", {});
  const auto scores = score_records(records);
  write_graded_run(dir, records, scores, "# report\n", "<html></html>", false);
  EXPECT_EQ(results::load_samples(dir).size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(dir / "scores.json"));
  EXPECT_EQ(testing::read_text(dir / "report.md"), "# report\n");
  EXPECT_THROW(write_graded_run(dir, records, scores, "x", "x", false), std::invalid_argument);
  write_graded_run(dir, records, scores, "y", "<html>y</html>", true);
  EXPECT_EQ(testing::read_text(dir / "report.html"), "<html>y</html>");
  EXPECT_EQ(testing::read_text(dir / "report.md"), "y");
}

}  // namespace
}  // namespace r1eval::harness

namespace r1eval::harness {
namespace {

TEST(GradeCode, ProgramsRunAgainstTheTestsAndInteractiveProblemsAreSetAside) {
  const tasks::Task& task = require_task("codeforces");
  std::vector<std::string> excluded;
  const auto problems = gradable_problems(load(task), excluded);
  EXPECT_EQ(problems.size() + excluded.size(), 408u);
  ASSERT_FALSE(excluded.empty());
  EXPECT_NE(excluded.front().find("interactive"), std::string::npos);
  for (const tasks::Problem& p : problems) EXPECT_FALSE(p.code->interactive) << p.id;

  // 1971A: print min and max of each pair.
  const std::string right =
      "<think>easy</think>\n```cpp\n#include <cstdio>\nint main(){int t;std::scanf(\"%d\",&t);while(t--){int x,y;"
      "std::scanf(\"%d %d\",&x,&y);std::printf(\"%d %d\\n\",x<y?x:y,x<y?y:x);}}\n```\n";
  const std::string wrong =
      "```cpp\n#include <cstdio>\nint main(){int t;std::scanf(\"%d\",&t);while(t--){int x,y;"
      "std::scanf(\"%d %d\",&x,&y);std::printf(\"%d %d\\n\",x,y);}}\n```\n";
  const auto records = grade_external_samples(
      task, problems, {sample(1, "1971A", right), sample(2, "1971A", wrong), sample(3, "1971A", "no program")},
      "g.jsonl", {});
  ASSERT_EQ(records.size(), 3u);
  EXPECT_TRUE(records[0].correct) << records[0].reason;
  EXPECT_FALSE(records[1].correct);
  EXPECT_EQ(records[1].reason.rfind("WA", 0), 0u) << records[1].reason;
  EXPECT_EQ(records[2].reason.rfind("CE", 0), 0u) << records[2].reason;
  const auto scores = score_records(records);
  EXPECT_NEAR(scores[0].pass1.value, 1.0 / 3.0, 1e-12);
  EXPECT_TRUE(scores[0].cons_at.empty());
}

}  // namespace
}  // namespace r1eval::harness

namespace r1eval::harness {
namespace {

// Problems with Codeforces ratings (the open-r1 layout) get an Elo estimate, and a percentile from the
// human rating histogram in the shared data folder.
TEST(GradeCode, RatedProblemsGiveARatingAndPercentile) {
  const auto dir = testing::scratch_dir("rated_codeforces");
  std::filesystem::create_directories(dir / "codeforces/open-r1");
  std::string rows;
  // Echo problems: print the input back. Ratings 800 and 2400.
  for (const auto& [id, rating] : std::vector<std::pair<std::string, int>>{{"1/A", 800}, {"1/B", 2400}}) {
    rows += nlohmann::json{{"id", id}, {"contest_id", "1"}, {"index", id.substr(2)}, {"title", "Echo"},
                           {"description", "Print the input."}, {"input_format", "One line."},
                           {"output_format", "The same line."}, {"time_limit", 1.0}, {"memory_limit", 256.0},
                           {"rating", rating}, {"tags", {"implementation"}},
                           {"official_tests", {{{"input", "5\n"}, {"output", "5\n"}}}}, {"input_mode", "stdio"}}
                .dump() + "\n";
  }
  testing::write_text(dir / "codeforces/open-r1/test.jsonl", rows);
  tasks::LocatorOptions options;
  options.data_dirs = {dir, testing::shared_data()};
  options.allow_download = false;
  const tasks::DataLocator locator(options);
  const tasks::Task& task = require_task("codeforces_openr1");
  const auto problems = task.load(locator);
  const std::string echo = "```python\nprint(input())\n```";
  // The easy problem is always solved, the hard one half the time.
  const auto records = grade_external_samples(
      task, problems,
      {sample(1, "1/A", echo), sample(2, "1/A", echo), sample(3, "1/B", echo), sample(4, "1/B", "no program")},
      "g.jsonl", {});
  const auto histogram = load_rating_histogram(locator);
  ASSERT_TRUE(histogram.has_value());
  const auto scores = score_records(records, &*histogram);
  ASSERT_TRUE(scores[0].rating.has_value());
  const results::RatingSummary& r = *scores[0].rating;
  EXPECT_EQ(r.rated_problems, 2);
  EXPECT_FALSE(r.prior_used);
  EXPECT_GT(r.rating, 2000);  // half the 2400 problem solved and all of the 800 one
  EXPECT_LT(r.rating, 2600);
  ASSERT_TRUE(r.percentile.has_value());
  EXPECT_NEAR(*r.percentile, histogram->percentile(r.rating), 1e-12);
  const std::string markdown = results::render_markdown(scores, &results::reference_table("r1-paper"));
  EXPECT_NE(markdown.find("Codeforces rating (maximum likelihood, rated on 2 of 2 problems)"), std::string::npos) << markdown;
  EXPECT_NE(markdown.find("| DeepSeek-R1 | rating | 2029.0 |"), std::string::npos) << markdown;
}

}  // namespace
}  // namespace r1eval::harness
