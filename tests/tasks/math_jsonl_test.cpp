#include "tasks/math_jsonl_task.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "task_test_util.h"

namespace r1eval::tasks {
namespace {

using testing::error_of;

const MathTaskDescriptor& descriptor_of(std::string_view name) {
  const auto* task = dynamic_cast<const MathJsonlTask*>(find_task(name));
  if (!task) throw std::logic_error("not a math JSONL task: " + std::string(name));
  return task->descriptor();
}

TEST(MathJsonl, AimeAnswersAreNormalisedIntegers) {
  EXPECT_EQ(normalize_aime_answer("025"), "25");
  EXPECT_EQ(normalize_aime_answer("000"), "0");
  EXPECT_EQ(normalize_aime_answer(" 204\n"), "204");
  EXPECT_EQ(normalize_aime_answer("1000"), "");
  EXPECT_EQ(normalize_aime_answer("-5"), "");
  EXPECT_EQ(normalize_aime_answer("12.0"), "");
  EXPECT_EQ(normalize_aime_answer(""), "");
}

TEST(MathJsonl, ReadsEveryAimeLayoutAlias) {
  const std::string text =
      "{\"id\": 60, \"problem\": \"P1\", \"answer\": \"025\"}\r\n"
      "{\"ID\": \"2024-I-2\", \"Problem\": \"P2\", \"Answer\": 7}\n"
      "\n"
      "{\"id\": \"2025-I-3\", \"question\": \"P3\", \"answer\": \"000\"}\n";
  const auto problems = parse_math_jsonl(text, "a.jsonl", descriptor_of("aime24"));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[0].id, "60");
  EXPECT_EQ(problems[0].question, "P1");
  EXPECT_EQ(problems[0].answer, "25");
  EXPECT_EQ(problems[1].id, "2024-I-2");
  EXPECT_EQ(problems[1].question, "P2");
  EXPECT_EQ(problems[1].answer, "7");
  EXPECT_EQ(problems[2].id, "2025-I-3");
  EXPECT_EQ(problems[2].answer, "0");
}

TEST(MathJsonl, RowIndexIsTheIdWhenTheLayoutHasNone) {
  const auto problems =
      parse_math_jsonl("{\"problem\": \"a\", \"answer\": \"1\"}\n{\"problem\": \"b\", \"answer\": \"2\"}\n", "x.jsonl",
                       descriptor_of("aime25"));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].id, "0");
  EXPECT_EQ(problems[1].id, "1");
}

TEST(MathJsonl, MathAttributesKeepTheirOrder) {
  const auto problems = parse_math_jsonl(
      R"({"problem": "p", "answer": "\\frac{1}{2}", "subject": "Algebra", "level": 3, "unique_id": "test/algebra/1.json"})",
      "m.jsonl", descriptor_of("math500"));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "test/algebra/1.json");
  EXPECT_EQ(problems[0].answer, "\\frac{1}{2}");
  using Attr = std::pair<std::string, std::string>;
  EXPECT_EQ(problems[0].attributes, (std::vector<Attr>{{"subject", "Algebra"}, {"level", "3"}}));
}

TEST(MathJsonl, MalformedJsonNamesFileAndLine) {
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl("{\"id\": 1, \"problem\": \"p\", \"answer\": \"1\"}\n{\"id\": 2, \"problem\": \n",
                               "bad.jsonl", descriptor_of("aime24"));
            }),
            "bad.jsonl:2: malformed JSON near byte 22 (expected one JSON object per line)");
  EXPECT_EQ(error_of<DataError>([] { parse_math_jsonl("[1, 2]\n", "arr.jsonl", descriptor_of("aime24")); }),
            "arr.jsonl: entry 1: expected a JSON object, found number");
  EXPECT_EQ(error_of<DataError>([] { parse_math_jsonl("{\"a\": 1}\n[1]\n", "mix.jsonl", descriptor_of("aime24")); }),
            "mix.jsonl:2: expected a JSON object, found array");
}

// A JSON list of objects (pandas' to_json(orient="records")) holds the same problems as JSON lines.
TEST(MathJsonl, AJsonListOfObjectsLoads) {
  const auto problems = parse_math_jsonl(
      "[{\"id\": 60, \"problem\": \"p\", \"answer\": \"204\"},\n {\"id\": 61, \"problem\": \"q\", \"answer\": 33}]",
      "list.json", descriptor_of("aime24"));
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[1].id, "61");
  EXPECT_EQ(problems[1].answer, "33");
  EXPECT_EQ(error_of<DataError>([] { parse_math_jsonl("[{\"id\": 1}, 5]", "l.json", descriptor_of("aime24")); }),
            "l.json: entry 2: expected a JSON object, found number");
}

// {"answer": "1", "answer": "2"} would otherwise grade against "2" without a word.
TEST(MathJsonl, AKeyGivenTwiceIsAnError) {
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl(R"({"id": 1, "problem": "p", "answer": "1", "answer": "2"})", "d.jsonl", descriptor_of("aime24"));
            }),
            "d.jsonl:1: key 'answer' appears twice in one object");
}

// Nesting no record has: it parses, but writing it back out would overflow the stack.
TEST(MathJsonl, NestingPastAnyRecordIsAnError) {
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl(R"({"id": 1, "problem": "p", "answer": "1", "x": )" + std::string(300, '[') +
                                   std::string(300, ']') + "}",
                               "d.jsonl", descriptor_of("aime24"));
            }),
            "d.jsonl:1: nested deeper than 256 levels");
}

TEST(MathJsonl, ParquetIsNamedAsSuch) {
  EXPECT_THAT(error_of<DataError>([] { parse_math_jsonl(std::string("PAR1\x15\x04", 6), "t.jsonl", descriptor_of("aime24")); }),
              ::testing::StartsWith("t.jsonl: a Parquet file; r1eval reads JSON lines"));
}

// pandas writes an integer column that holds a missing value as floats.
TEST(MathJsonl, WholeNumbersWrittenAsFloatsAreIntegers) {
  const auto problems = parse_math_jsonl(R"({"id": 60.0, "problem": "p", "answer": 204.0})", "f.jsonl", descriptor_of("aime24"));
  EXPECT_EQ(problems[0].id, "60");
  EXPECT_EQ(problems[0].answer, "204");
}

TEST(MathJsonl, ABlankMath500AnswerIsAnError) {
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl(R"({"problem": "p", "answer": " ", "subject": "A", "level": 1, "unique_id": "u"})", "b.jsonl",
                               descriptor_of("math500"));
            }),
            "b.jsonl:1: field 'answer': expected a non-empty answer");
}

TEST(MathJsonl, MissingFieldNamesTheAliases) {
  EXPECT_EQ(error_of<DataError>([] { parse_math_jsonl("{\"id\": 1, \"problem\": \"p\"}\n", "f.jsonl", descriptor_of("aime24")); }),
            "f.jsonl:1: missing field 'answer' or 'Answer'");
  EXPECT_EQ(error_of<DataError>([] { parse_math_jsonl("{\"id\": 1, \"answer\": \"3\"}\n", "f.jsonl", descriptor_of("aime24")); }),
            "f.jsonl:1: missing field 'problem', 'question' or 'Problem'");
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl(R"({"problem": "p", "answer": "1", "unique_id": "u", "level": 1})", "m.jsonl",
                               descriptor_of("math500"));
            }),
            "m.jsonl:1: missing field 'subject'");
}

TEST(MathJsonl, WrongTypesAreNamed) {
  const auto& math = descriptor_of("math500");
  EXPECT_EQ(error_of<DataError>([&] {
              parse_math_jsonl(R"({"problem": "p", "answer": 5, "subject": "A", "level": 1, "unique_id": "u"})", "w.jsonl", math);
            }),
            "w.jsonl:1: field 'answer': expected a string, found number");
  EXPECT_EQ(error_of<DataError>([&] {
              parse_math_jsonl(R"({"problem": ["p"], "answer": "5", "subject": "A", "level": 1, "unique_id": "u"})", "w.jsonl", math);
            }),
            "w.jsonl:1: field 'problem': expected a string, found array");
  EXPECT_EQ(error_of<DataError>([&] {
              parse_math_jsonl(R"({"problem": "p", "answer": "5", "subject": "A", "level": 1.5, "unique_id": "u"})", "w.jsonl", math);
            }),
            "w.jsonl:1: field 'level': expected a string or an integer, found the number 1.5");
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl(R"({"id": null, "problem": "p", "answer": "5"})", "w.jsonl", descriptor_of("aime25"));
            }),
            "w.jsonl:1: field 'id': expected a string or an integer, found null");
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl(R"({"id": 1, "problem": "p", "answer": "x12"})", "w.jsonl", descriptor_of("aime25"));
            }),
            "w.jsonl:1: field 'answer': expected an AIME answer (an integer from 0 to 999), found 'x12'");
}

TEST(MathJsonl, DuplicateIdsAndEmptyFilesAreErrors) {
  EXPECT_EQ(error_of<DataError>([] {
              parse_math_jsonl("{\"id\": 1, \"problem\": \"p\", \"answer\": \"1\"}\n\n{\"id\": \"1\", \"problem\": \"q\", \"answer\": \"2\"}\n",
                               "d.jsonl", descriptor_of("aime24"));
            }),
            "d.jsonl:3: field 'id': duplicate id '1' (first seen on line 1)");
  EXPECT_EQ(error_of<DataError>([] { parse_math_jsonl("\n \n", "e.jsonl", descriptor_of("aime24")); }),
            "e.jsonl: no problems in the file (expected 30 JSON lines)");
}

TEST(MathJsonl, ANewYearIsADescriptor) {
  // What adding AIME 2026 takes: the AIME descriptor with a new name and data file.
  MathTaskDescriptor d = descriptor_of("aime25");
  d.name = "aime26";
  d.title = "AIME 2026";
  d.data.files.assign(1, DataFile{});
  d.data.files[0].local_path = "aime26/test.jsonl";
  d.data.source_note = "aime26/test.jsonl in a data dir";
  const MathJsonlTask task(d);
  const auto dir = testing::scratch_dir();
  testing::write_file(dir / "aime26" / "test.jsonl", "{\"id\": \"2026-I-1\", \"problem\": \"p\", \"answer\": \"007\"}\n");
  const auto problems = task.load(DataLocator(testing::offline_options({dir})));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].id, "2026-I-1");
  EXPECT_EQ(problems[0].answer, "7");
  EXPECT_EQ(task.info().defaults.samples, 64);
  EXPECT_EQ(task.info().grader, GraderKind::math);
}

TEST(MathJsonl, GoldenPromptPinsTheBytes) {
  // The R1 protocol's instruction, spelled out byte by byte: a newline, the sentence, and a literal
  // backslash followed by "boxed{}".
  const std::string instruction =
      "\n"
      "Please reason step by step, and put your final answer within "
      "\x5c"
      "boxed{}.";
  EXPECT_EQ(math_prompt("What is $1+1$?"), "What is $1+1$?" + instruction);
  for (const char* name : {"aime24", "aime25", "math500"}) {
    const Task* task = find_task(name);
    ASSERT_NE(task, nullptr);
    // Built from std::strings: assigning literals here trips GCC 12's false -Wrestrict (PR 105329).
    Problem problem;
    problem.id = std::string("7");
    problem.question = std::string("Find $x$ if $2x = 10$.");
    problem.answer = std::string("5");
    const Prompt first = task->prompt(problem, 1, 0);
    EXPECT_EQ(first.user, "Find $x$ if $2x = 10$.\nPlease reason step by step, and put your final answer within \\boxed{}.")
        << name;
    EXPECT_EQ(first.gold, "5");
    EXPECT_TRUE(first.choice_order.empty());
    // The seed and sample index must not change a math prompt.
    const Prompt other = task->prompt(problem, 99, 5);
    EXPECT_EQ(other.user, first.user);
    EXPECT_EQ(other.gold, first.gold);
  }
}

}  // namespace
}  // namespace r1eval::tasks
