// `r1eval judge code` end to end through the binary: sandboxed verdicts, order kept, bad input refused first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_checks.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;

std::vector<nlohmann::json> lines_of(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(JudgeCodeCli, JudgesEachLineInOrder) {
  const nlohmann::json tests = nlohmann::json::array({{{"input", "1 2\n"}, {"output", "3\n"}}, {{"input", "5 5\n"}, {"output", "10"}}});
  const std::string sum_cpp =
      "<think>easy</think>\n```cpp\n#include <cstdio>\nint main(){int a,b;std::scanf(\"%d %d\",&a,&b);"
      "std::printf(\"%d\\n\",a+b);}\n```\n";
  const std::string wrong_py = "```python\na, b = map(int, input().split())\nprint(a * b)\n```";
  std::string input;
  input += nlohmann::json{{"id", "ok"}, {"response", sum_cpp}, {"tests", tests}, {"time_limit_ms", 2000}}.dump() + "\n";
  input += nlohmann::json{{"id", "wa"}, {"response", wrong_py}, {"tests", tests}}.dump() + "\n";
  input += nlohmann::json{{"id", "ce"}, {"response", "I do not know."}, {"tests", tests}}.dump() + "\n";
  const auto r = testing::run_r1eval("judge code", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["id"], "ok");
  EXPECT_EQ(lines[0]["verdict"], "AC");
  EXPECT_EQ(lines[0]["tests_passed"], 2);
  EXPECT_EQ(lines[0]["language"], "cpp");
  EXPECT_EQ(lines[1]["verdict"], "WA");
  EXPECT_EQ(lines[1]["correct"], false);
  EXPECT_EQ(lines[1]["language"], "python");
  EXPECT_EQ(lines[2]["verdict"], "CE");
  EXPECT_THAT(r.err, HasSubstr("sandbox:"));
}

TEST(JudgeCodeCli, BadInputIsRefusedBeforeAnythingRuns) {
  const std::string good = R"({"response": "x", "tests": [{"input": "", "output": "1"}]})";
  for (const auto& [line, message] : std::vector<std::pair<std::string, std::string>>{
           {R"({"tests": [{"input": "", "output": "1"}]})", "stdin:2: field 'response'"},
           {R"({"response": "x", "tests": []})", "stdin:2: field 'tests'"},
           {R"({"response": "x", "tests": [{"input": 1, "output": "1"}]})", "stdin:2: field 'tests[0]'"},
           {R"({"response": "x", "tests": [{"input": "", "output": "1"}], "time_limit_ms": -5})", "field 'time_limit_ms'"},
           {R"({"response": "x", "tests": [{"input": "", "output": "1"}], "language": "java"})", "field 'language'"},
           {R"({"response": "x", "tests": [{"input": "", "output": "1"}], "checker_language": "lua"})",
            "field 'checker_language'"},
           {R"({"response": "x", "tests": [{"input": "", "output": "1"}], "memory_limit_mb": 1000000})",
            "field 'memory_limit_mb': expected at most this machine's memory"},
           // Nested deeper than any record: it would parse, then overflow the stack when echoed back.
           {R"({"response": "x", "tests": [{"input": "", "output": "1"}], "meta": )" + std::string(100000, '[') +
                std::string(100000, ']') + "}",
            "stdin:2: not valid JSON here: nested deeper than 256 levels"},
           {"{oops", "stdin:2: not valid JSON"}}) {
    const auto r = testing::run_r1eval("judge code", good + "\n" + line + "\n");
    EXPECT_EQ(r.exit_code, 2) << line;
    EXPECT_THAT(r.err, HasSubstr(message)) << line;
    EXPECT_EQ(r.out, "") << "nothing judged before the bad line was found";
  }
  // A compiler or interpreter named but not there would make every verdict SE.
  for (const char* flags : {"--cxx /nonexistent/g++", "--python no-such-python-r1eval", "--cxx /"}) {
    const auto r = testing::run_r1eval(std::string("judge code ") + flags, good + "\n");
    testing::expect_one_line_error(r, "is not an executable file");
    EXPECT_EQ(r.out, "");
  }
}

// The open-r1 generated_checker convention through the CLI: any pair summing to n is accepted.
TEST(JudgeCodeCli, PythonCheckerInOpenR1Convention) {
  const std::string checker =
      "import sys\nn = int(open(sys.argv[1]).read())\nx, y = map(int, open(sys.argv[3]).read().split())\n"
      "print(1 if min(x, y) >= 1 and x + y == n else 0)\n";
  const nlohmann::json tests = nlohmann::json::array({{{"input", "10\n"}, {"output", "5 5\n"}}});
  const std::string any = "```python\nn = int(input())\nprint(1, n - 1)\n```";
  const std::string bad = "```python\nn = int(input())\nprint(0, n)\n```";
  std::string input;
  for (const std::string& response : {any, bad})
    input += nlohmann::json{{"response", response}, {"tests", tests}, {"checker", checker}, {"checker_language", "python"}}
                 .dump() + "\n";
  const auto r = testing::run_r1eval("judge code", input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["verdict"], "AC") << lines[0].dump();
  EXPECT_EQ(lines[1]["verdict"], "WA") << lines[1].dump();
}

// A C++ checker's headers (testlib.h is not shipped) come from --checker-include; a missing folder is refused.
TEST(JudgeCodeCli, CheckerHeadersComeFromCheckerInclude) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / ("checker-include-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "sum_rule.h") << "inline bool sums_to(long x, long y, long n) { return x >= 1 && y >= 1 && x + y == n; }\n";
  const std::string checker =
      "#include <fstream>\n#include \"sum_rule.h\"\nint main(int, char** argv) {\n"
      "  std::ifstream in(argv[1]), out(argv[2]);\n  long n, x, y;\n  in >> n;\n"
      "  return out >> x >> y && sums_to(x, y, n) ? 0 : 1;\n}\n";
  const nlohmann::json tests = nlohmann::json::array({{{"input", "10\n"}, {"output", "5 5\n"}}});
  const std::string any = "```python\nn = int(input())\nprint(1, n - 1)\n```";
  const std::string line = nlohmann::json{{"response", any}, {"tests", tests}, {"checker", checker}}.dump() + "\n";
  const auto with = testing::run_r1eval("judge code --checker-include " + dir.string(), line);
  ASSERT_EQ(with.exit_code, 0) << with.err;
  EXPECT_EQ(lines_of(with.out)[0]["verdict"], "AC") << with.out;
  const auto without = testing::run_r1eval("judge code", line);
  ASSERT_EQ(without.exit_code, 0) << without.err;
  EXPECT_EQ(lines_of(without.out)[0]["verdict"], "SE") << without.out;
  const auto missing = testing::run_r1eval("judge code --checker-include " + (dir / "nope").string(), line);
  EXPECT_EQ(missing.exit_code, 2);
  std::filesystem::remove_all(dir);
}

TEST(JudgeCodeCli, CalibratePrintsASpeedFactor) {
  const auto r = testing::run_r1eval("judge code --calibrate");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto c = nlohmann::json::parse(r.out);
  EXPECT_GT(c["speed_factor"].get<double>(), 0);
  EXPECT_GT(c["measured_seconds"].get<double>(), 0);
}

}  // namespace
}  // namespace r1eval::harness
