// open-r1/codeforces `generated_checker` convention: a Python script run as
// `checker.py input.txt correct_output.txt solution_output.txt` that prints 1 (accepted) or 0 (rejected).
// The checkers here are written for these tests; the problem: print any x, y >= 1 with x + y = n.
#include <gtest/gtest.h>

#include "graders/code/judge.h"
#include "tests/graders/code_test_support.h"

namespace r1eval::graders::code {
namespace {

using testing::problem;
using testing::shared_judge;

// Reads the three files by the names it is given, relative to its working folder.
const char* kPairChecker = R"(import sys
inp, correct, solution = sys.argv[1], sys.argv[2], sys.argv[3]
n = int(open(inp).read().split()[0])
jury = open(correct).read().split()
assert len(jury) == 2, "jury answer malformed"
got = open(solution).read().split()
ok = len(got) == 2 and all(t.lstrip('-').isdigit() for t in got)
ok = ok and int(got[0]) >= 1 and int(got[1]) >= 1 and int(got[0]) + int(got[1]) == n
print(1 if ok else 0)
)";

const char* kAnyPair = "#include <cstdio>\nint main(){long n; std::scanf(\"%ld\",&n); std::printf(\"1 %ld\\n\", n-1);}\n";
const char* kBadPair = "#include <cstdio>\nint main(){long n; std::scanf(\"%ld\",&n); std::printf(\"1 %ld\\n\", n);}\n";

ProblemSpec pair_problem(const std::string& checker, std::vector<TestCase> tests = {{"10\n", "5 5\n"}, {"7\n", "3 4\n"}}) {
  ProblemSpec p = problem(std::move(tests));
  p.checker = checker;
  p.checker_convention = CheckerConvention::OpenR1;
  return p;
}

TEST(OpenR1Checker, AcceptsAnyValidAnswerThatTokenComparisonWouldReject) {
  const JudgeResult r = shared_judge().judge_source(Language::Cpp, kAnyPair, pair_problem(kPairChecker));
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  EXPECT_EQ(r.tests_passed, 2);
  ProblemSpec plain = pair_problem(kPairChecker);
  plain.checker.reset();  // without the checker "1 9" is not "5 5"
  EXPECT_EQ(shared_judge().judge_source(Language::Cpp, kAnyPair, plain).outcome, Outcome::WA);
}

TEST(OpenR1Checker, ZeroIsWrongAnswer) {
  const JudgeResult r = shared_judge().judge_source(Language::Cpp, kBadPair, pair_problem(kPairChecker));
  EXPECT_EQ(r.outcome, Outcome::WA) << r.detail;
  EXPECT_NE(r.detail.find("test 1"), std::string::npos) << r.detail;
}

TEST(OpenR1Checker, PythonSolutionsAreCheckedToo) {
  const char* python = "n = int(input())\nprint(2, n - 2)\n";
  const JudgeResult r = shared_judge().judge_source(Language::Python, python, pair_problem(kPairChecker));
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
}

// The dataset's float checkers compare with abs(x - y) > eps, which nan passes, and float() reads "1_0.5":
// numbers no Codeforces checker reads are wrong answers before the checker runs.
TEST(OpenR1Checker, NanInfinityAndUnderscoredDigitsAreWrongAnswers) {
  const char* float_checker = R"(import sys
a = [float(x) for x in open(sys.argv[2]).read().split()]
b = [float(x) for x in open(sys.argv[3]).read().split()]
if len(a) != len(b):
    print(0); sys.exit()
for x, y in zip(a, b):
    if abs(x - y) > 1e-6 * max(1, abs(x)):
        print(0); sys.exit()
print(1)
)";
  const auto printing = [](const char* text) { return std::string("print(\"") + text + "\")\n"; };
  const ProblemSpec p = pair_problem(float_checker, {{"", "10.5\n"}});
  // Python splits at Unicode spaces too: "nan\u00a0" is the token nan for the checker.
  for (const char* wrong : {"nan", "-inf", "Infinity", "1_0.5", "nan\\u00a0", "\\u3000nan", "nan\\x1c",
                            "\\uff11\\uff10.\\uff15"}) {
    const JudgeResult r = shared_judge().judge_source(Language::Python, printing(wrong), p);
    EXPECT_EQ(r.outcome, Outcome::WA) << wrong << ": " << r.detail;
  }
  EXPECT_EQ(shared_judge().judge_source(Language::Python, printing("10.5000001"), p).outcome, Outcome::AC);
  // Where the jury's answer is a word, the checker decides: "nan" is a fine 3-letter palindrome.
  const char* palindrome_checker = R"(import sys
got = open(sys.argv[3]).read().split()
print(1 if len(got) == 1 and len(got[0]) == 3 and got[0] == got[0][::-1] else 0)
)";
  EXPECT_EQ(shared_judge().judge_source(Language::Python, printing("nan"), pair_problem(palindrome_checker, {{"", "aba\n"}})).outcome,
            Outcome::AC);
}

TEST(OpenR1Checker, CrashingCheckerIsSystemErrorNotTheModels) {
  // The jury's answer is malformed: the checker's assert fails (exit 1 with a traceback).
  const JudgeResult r =
      shared_judge().judge_source(Language::Cpp, kAnyPair, pair_problem(kPairChecker, {{"10\n", "garbage\n"}}));
  EXPECT_EQ(r.outcome, Outcome::SE) << r.detail;
  EXPECT_NE(r.detail.find("jury answer malformed"), std::string::npos) << r.detail;
}

// A checker that trusts the output's format (int() on each token) crashes on a program that prints words:
// the program's output broke it, as the reference answer (which it accepts) shows, so it is WA, not SE.
TEST(OpenR1Checker, CheckerCrashingOnTheProgramsOutputIsWrongAnswer) {
  const char* trusting = R"(import sys
n = int(open(sys.argv[1]).read().split()[0])
x, y = map(int, open(sys.argv[3]).read().split())
print(1 if x >= 1 and y >= 1 and x + y == n else 0)
)";
  const char* words = "#include <cstdio>\nint main(){std::puts(\"hello world\");}\n";
  const JudgeResult r = shared_judge().judge_source(Language::Cpp, words, pair_problem(trusting));
  EXPECT_EQ(r.outcome, Outcome::WA) << r.detail;
  EXPECT_NE(r.detail.find("accepts the reference answer"), std::string::npos) << r.detail;
  EXPECT_EQ(shared_judge().judge_source(Language::Cpp, kAnyPair, pair_problem(trusting)).outcome, Outcome::AC);
}

TEST(OpenR1Checker, OutputOutsideTheConventionIsSystemError) {
  const JudgeResult r = shared_judge().judge_source(Language::Cpp, kAnyPair, pair_problem("print('maybe')\n"));
  EXPECT_EQ(r.outcome, Outcome::SE) << r.detail;
  EXPECT_NE(r.detail.find("expected 1 or 0"), std::string::npos) << r.detail;
}

TEST(OpenR1Checker, HangingCheckerIsSystemError) {
  JudgeConfig config;
  config.checker_cpu_seconds = 1;  // keeps the test short; the default is 10 s
  const Judge judge(config);
  const JudgeResult r =
      judge.judge_source(Language::Python, "print(1, 9)\n", pair_problem("while True:\n    pass\n", {{"10\n", "5 5\n"}}));
  EXPECT_EQ(r.outcome, Outcome::SE) << r.detail;
  EXPECT_NE(r.detail.find("checker did not finish normally"), std::string::npos) << r.detail;
}

// A checker that stalls (no CPU) on the program's output but not on the jury's answer: the output made it stall,
// so the test is wrong, not a system error that would leave the sample out of the score. One that stalls on
// both stays SE.
TEST(OpenR1Checker, CheckerStallingOnTheOutputOnlyIsWrongAnswer) {
  JudgeConfig config;
  config.checker_cpu_seconds = 1;  // wall limit 3 s
  const Judge judge(config);
  const char* stalls_unless_jury = R"(import sys, time
got = open(sys.argv[3]).read().split()
if got != open(sys.argv[2]).read().split():
    time.sleep(60)
print(1)
)";
  const JudgeResult r =
      judge.judge_source(Language::Python, "print(1, 9)\n", pair_problem(stalls_unless_jury, {{"10\n", "5 5\n"}}));
  EXPECT_EQ(r.outcome, Outcome::WA) << r.detail;
  EXPECT_NE(r.detail.find("wall-clock limit"), std::string::npos) << r.detail;
  const JudgeResult always = judge.judge_source(Language::Python, "print(1, 9)\n",
                                                pair_problem("import time\ntime.sleep(60)\n", {{"10\n", "5 5\n"}}));
  EXPECT_EQ(always.outcome, Outcome::SE) << always.detail;
}

TEST(OpenR1Checker, InvalidPythonIsSystemErrorNamingTheChecker) {
  const JudgeResult r = shared_judge().judge_source(Language::Cpp, kAnyPair, pair_problem("def broken(:\n"));
  EXPECT_EQ(r.outcome, Outcome::SE);
  EXPECT_NE(r.detail.find("checker is not valid Python"), std::string::npos) << r.detail;
}

TEST(OpenR1Checker, CheckerCannotReachTheNetworkOrTheHostFiles) {
  // A checker is dataset code: it runs in the same sandbox as programs. Printing 1 only when both are
  // denied makes the test pass only under isolation.
  const char* probing = R"(import socket
denied = 0
try:
    socket.create_connection(('127.0.0.1', 9), timeout=1)
except OSError:
    denied += 1
try:
    open('/etc/shadow').read()
except OSError:
    denied += 1
print(1 if denied == 2 else 0)
)";
  const JudgeResult r = shared_judge().judge_source(Language::Cpp, kAnyPair, pair_problem(probing, {{"10\n", "5 5\n"}}));
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
}

}  // namespace
}  // namespace r1eval::graders::code
