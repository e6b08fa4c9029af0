#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include <gtest/gtest.h>

#include "code_test_support.h"

namespace r1eval::graders::code {
namespace {

using testing::problem;
using testing::response_with;
using testing::shared_judge;

const char* kSumCpp = R"(#include <cstdio>
int main() { long long a, b; if (std::scanf("%lld %lld", &a, &b) == 2) std::printf("%lld\n", a + b); }
)";

ProblemSpec sum_problem() {
  return problem({{"1 2\n", "3\n"}, {"-5 5\n", "0\n"}, {"1500000000 1500000000\n", "3000000000\n"}});
}

TEST(CodeJudge, AcceptedCpp) {
  JudgeResult r = shared_judge().judge_response(response_with("cpp", kSumCpp), sum_problem());
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  EXPECT_EQ(r.tests_passed, 3);
  ASSERT_EQ(r.tests.size(), 3u);
  EXPECT_TRUE(r.tests[2].ran);
  EXPECT_EQ(r.language, Language::Cpp);
}

TEST(CodeJudge, WrongAnswerStopsAtTheFirstFailingTest) {
  const char* wrong = "#include <cstdio>\nint main(){int a,b;std::scanf(\"%d %d\",&a,&b);std::printf(\"%d\\n\",a+b);}\n";
  JudgeResult r = shared_judge().judge_source(Language::Cpp, wrong, sum_problem());  // int overflow on test 3
  EXPECT_EQ(r.outcome, Outcome::WA);
  EXPECT_EQ(r.detail, "test 3: WA: token 1: expected '3000000000', got '-1294967296'");
  EXPECT_EQ(r.tests_passed, 2);

  ProblemSpec p = problem({{"1 1\n", "3\n"}, {"1 2\n", "3\n"}});
  r = shared_judge().judge_source(Language::Cpp, kSumCpp, p);
  EXPECT_EQ(r.outcome, Outcome::WA);
  EXPECT_FALSE(r.tests[1].ran);
}

TEST(CodeJudge, RuntimeErrorsNameTheSignalOrExitCode) {
  JudgeResult r = shared_judge().judge_source(
      Language::Cpp, "int main(){ volatile int* p = nullptr; *p = 1; }\n", problem({{"", ""}}));
  EXPECT_EQ(r.outcome, Outcome::RE);
  EXPECT_NE(r.detail.find("SIGSEGV"), std::string::npos) << r.detail;
  r = shared_judge().judge_source(Language::Cpp, "int main(){ return 3; }\n", problem({{"", ""}}));
  EXPECT_EQ(r.outcome, Outcome::RE);
  EXPECT_NE(r.detail.find("exit code 3"), std::string::npos) << r.detail;
}

TEST(CodeJudge, CompileErrorKeepsTheFirstCompilerLines) {
  JudgeResult r = shared_judge().judge_source(Language::Cpp, "int main() { return undefined_name; }\n",
                                              sum_problem());
  EXPECT_EQ(r.outcome, Outcome::CE);
  EXPECT_NE(r.detail.find("undefined_name"), std::string::npos) << r.detail;
  EXPECT_TRUE(r.tests.empty());
  r = shared_judge().judge_response("</think>\nI could not solve it.", sum_problem());
  EXPECT_EQ(r.outcome, Outcome::CE);
  EXPECT_FALSE(r.language);
}

TEST(CodeJudge, Python) {
  const char* sum = "a, b = map(int, input().split())\nprint(a + b)\n";
  JudgeResult r = shared_judge().judge_response(response_with("python", sum), sum_problem());
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  r = shared_judge().judge_source(Language::Python, "raise ValueError('boom')\n", sum_problem());
  EXPECT_EQ(r.outcome, Outcome::RE);
  r = shared_judge().judge_source(Language::Python, "def f(:\n  pass\n", sum_problem());
  EXPECT_EQ(r.outcome, Outcome::CE);
  EXPECT_NE(r.detail.find("SyntaxError"), std::string::npos) << r.detail;
}

// What solutions written for Codeforces rely on: ONLINE_JUDGE defined (their local freopen sits behind
// #ifndef ONLINE_JUDGE), the standard stream names, and a runtime error's reason naming the exception.
TEST(CodeJudge, OnlineJudgeConventionsHold) {
  const char* guarded = R"(#include <cstdio>
int main() {
#ifndef ONLINE_JUDGE
  std::freopen("input.txt", "r", stdin);
#endif
  long long a, b; if (std::scanf("%lld %lld", &a, &b) == 2) std::printf("%lld\n", a + b); }
)";
  JudgeResult r = shared_judge().judge_source(Language::Cpp, guarded, sum_problem());
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  const char* streams = "a, b = map(int, open('/dev/stdin').read().split())\n"
                        "with open('/dev/stdout', 'w') as out: out.write(str(a + b) + '\\n')\n";
  r = shared_judge().judge_source(Language::Python, streams, sum_problem());
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  r = shared_judge().judge_source(Language::Python, "import no_such_module_here\n", sum_problem());
  EXPECT_EQ(r.outcome, Outcome::RE);
  EXPECT_NE(r.detail.find("ModuleNotFoundError: No module named 'no_such_module_here'"), std::string::npos) << r.detail;
}

// Python's multiprocessing (its locks are POSIX named semaphores in /dev/shm) runs as on a host.
TEST(CodeJudge, PythonMultiprocessingRuns) {
  const char* pool = "import multiprocessing as mp\n"
                     "def add(p): return p[0] + p[1]\n"
                     "if __name__ == '__main__':\n"
                     "    a, b = map(int, input().split())\n"
                     "    lock = mp.Lock()\n"
                     "    with lock, mp.Pool(2) as pool: print(pool.map(add, [(a, b)])[0])\n";
  JudgeResult r = shared_judge().judge_source(Language::Python, pool, sum_problem());
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
}

// A ```c block is compiled as C: valid C that is not C++ (malloc without a cast, a variable named "new",
// designated array initialisers) runs, with libm.
TEST(CodeJudge, CProgramsCompileAsC) {
  const char* c = "#include <stdio.h>\n#include <stdlib.h>\n#include <math.h>\n"
                  "int main(void) { long long *new = malloc(2 * sizeof *new); int w[3] = {[2] = 0};\n"
                  "  if (scanf(\"%lld %lld\", &new[0], &new[1]) != 2) return 1;\n"
                  "  printf(\"%lld\\n\", new[0] + new[1] + w[2] + (long long)floor(sqrt(0.5))); free(new); return 0; }\n";
  JudgeResult r = shared_judge().judge_response(response_with("c", c), sum_problem());
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  EXPECT_EQ(r.language, Language::C);
}

// A block its author tagged C++20 compiles as C++20; an untagged or ```cpp block stays C++17.
TEST(CodeJudge, ACpp20BlockCompilesAsCpp20) {
  const char* modern = "#include <bit>\n#include <cstdio>\n#include <set>\n"
                       "int main() { long long a, b; if (std::scanf(\"%lld %lld\", &a, &b) != 2) return 1;\n"
                       "  std::set<int> s{1}; std::printf(\"%lld\\n\", a + b + (s.contains(1) ? 0 : 1) + std::popcount(0u)); }\n";
  JudgeResult r = shared_judge().judge_response(response_with("cpp20", modern), sum_problem());
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  EXPECT_EQ(r.language, Language::Cpp20);
  r = shared_judge().judge_response(response_with("cpp", modern), sum_problem());
  EXPECT_EQ(r.outcome, Outcome::CE) << r.detail;
}

TEST(CodeJudge, FloatAnswersWithinTolerance) {
  const char* third = "#include <cstdio>\nint main(){ std::printf(\"%.7f\\n\", 1.0 / 3); }\n";
  JudgeResult r = shared_judge().judge_source(Language::Cpp, third, problem({{"", "0.333333333333\n"}}));
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  r = shared_judge().judge_source(Language::Cpp, third, problem({{"", "0.3334\n"}}));
  EXPECT_EQ(r.outcome, Outcome::WA);
  // A real answer the jury printed as "2" in one test (plain cout of a double) is a real all the same when
  // another test of the problem shows decimals; alone, an integer answer still compares exactly.
  const char* half = "#include <cstdio>\nint main(){ double x; std::scanf(\"%lf\", &x); std::printf(\"%.9f\\n\", x / 2); }\n";
  r = shared_judge().judge_source(Language::Cpp, half, problem({{"4\n", "2\n"}, {"3\n", "1.5\n"}}));
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  r = shared_judge().judge_source(Language::Cpp, half, problem({{"4\n", "2\n"}}));
  EXPECT_EQ(r.outcome, Outcome::WA) << r.detail;
}

// A checker in the testlib convention, written without testlib: any pair (x, y) with x + y = n and
// 1 <= x, y is accepted. Exit 3 (checker failure) when the jury's answer is malformed.
const char* kPairChecker = R"(#include <cstdio>
int main(int argc, char** argv) {
  if (argc < 4) return 3;
  FILE* in = std::fopen(argv[1], "r"); FILE* out = std::fopen(argv[2], "r"); FILE* ans = std::fopen(argv[3], "r");
  long n, x, y, jx, jy;
  if (!in || !out || !ans || std::fscanf(in, "%ld", &n) != 1) return 3;
  if (std::fscanf(ans, "%ld %ld", &jx, &jy) != 2) return 3;
  if (std::fscanf(out, "%ld %ld", &x, &y) != 2) { std::fputs("expected two numbers", stderr); return 2; }
  if (x < 1 || y < 1 || x + y != n) { std::fprintf(stderr, "%ld + %ld != %ld", x, y, n); return 1; }
  std::fputs("ok", stderr);
  return 0;
}
)";

TEST(CodeJudge, TestlibConventionChecker) {
  ProblemSpec p = problem({{"10\n", "5 5\n"}, {"7\n", "3 4\n"}});
  p.checker = kPairChecker;
  const char* any_pair = "#include <cstdio>\nint main(){long n; std::scanf(\"%ld\",&n); std::printf(\"1 %ld\\n\", n-1);}\n";
  JudgeResult r = shared_judge().judge_source(Language::Cpp, any_pair, p);
  EXPECT_EQ(r.outcome, Outcome::AC) << r.detail;
  const char* bad_pair = "#include <cstdio>\nint main(){long n; std::scanf(\"%ld\",&n); std::printf(\"1 %ld\\n\", n);}\n";
  r = shared_judge().judge_source(Language::Cpp, bad_pair, p);
  EXPECT_EQ(r.outcome, Outcome::WA);
  EXPECT_NE(r.detail.find("1 + 10 != 10"), std::string::npos) << r.detail;
  ProblemSpec broken = problem({{"10\n", "not numbers\n"}});
  broken.checker = kPairChecker;
  r = shared_judge().judge_source(Language::Cpp, any_pair, broken);
  EXPECT_EQ(r.outcome, Outcome::SE) << r.detail;
  ProblemSpec uncompilable = p;
  uncompilable.checker = "this is not C++";
  r = shared_judge().judge_source(Language::Cpp, any_pair, uncompilable);
  EXPECT_EQ(r.outcome, Outcome::SE);
  EXPECT_NE(r.detail.find("checker does not compile"), std::string::npos) << r.detail;
}

// A testlib checker that breaks on some outputs (it indexes a table with the printed number): the program
// whose output breaks it fails the test (WA), as in the open-r1 convention, since the checker accepts the
// jury's answer; the judge's failure (SE) stays for a checker that fails on the jury's answer too.
TEST(CodeJudge, TestlibCheckerBrokenByTheOutputIsWrongAnswer) {
  ProblemSpec p = problem({{"10\n", "5 5\n"}});
  p.checker = R"(#include <cstdio>
#include <vector>
int main(int, char** argv) {
  FILE* out = std::fopen(argv[2], "r");
  long x = 0, y = 0;
  if (std::fscanf(out, "%ld %ld", &x, &y) != 2) return 2;
  std::vector<int> seen(11, 0);
  seen.at(static_cast<std::size_t>(x)) = 1;  // throws past 10: the checker dies of the output
  return x + y == 10 ? 0 : 1;
}
)";
  const char* huge = "#include <cstdio>\nint main(){ std::printf(\"1000000 -999990\\n\"); }\n";
  JudgeResult r = shared_judge().judge_source(Language::Cpp, huge, p);
  EXPECT_EQ(r.outcome, Outcome::WA) << r.detail;
  EXPECT_NE(r.detail.find("accepts the reference answer"), std::string::npos) << r.detail;
  const char* right = "#include <cstdio>\nint main(){ std::printf(\"4 6\\n\"); }\n";
  EXPECT_EQ(shared_judge().judge_source(Language::Cpp, right, p).outcome, Outcome::AC);
  // Exit 3 is testlib's _fail, the jury's fault ("participant has a better answer than the jury"): it stays
  // the judge's failure even though the checker accepts the jury's answer.
  ProblemSpec better = problem({{"", "5\n"}});
  better.checker = R"(#include <cstdio>
int main(int, char** argv) {
  long out = 0, ans = 0;
  std::fscanf(std::fopen(argv[2], "r"), "%ld", &out);
  std::fscanf(std::fopen(argv[3], "r"), "%ld", &ans);
  if (out > ans) { std::fputs("participant has better answer than jury", stderr); return 3; }
  return out == ans ? 0 : 1;
}
)";
  const char* seven = "#include <cstdio>\nint main(){ std::printf(\"7\\n\"); }\n";
  r = shared_judge().judge_source(Language::Cpp, seven, better);
  EXPECT_EQ(r.outcome, Outcome::SE) << r.detail;
  EXPECT_NE(r.detail.find("exit code 3"), std::string::npos) << r.detail;
}

TEST(CodeJudge, JudgeAllKeepsRequestOrder) {
  auto p = std::make_shared<const ProblemSpec>(sum_problem());
  std::vector<JudgeRequest> requests = {
      {response_with("cpp", kSumCpp), std::nullopt, p},
      {response_with("python", "print(0)\n"), std::nullopt, p},
      {"no code", std::nullopt, p},
      {response_with("python", "a, b = map(int, input().split())\nprint(a + b)\n"), std::nullopt, p},
  };
  std::vector<JudgeResult> results = shared_judge().judge_all(requests);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].outcome, Outcome::AC);
  EXPECT_EQ(results[1].outcome, Outcome::WA);
  EXPECT_EQ(results[2].outcome, Outcome::CE);
  EXPECT_EQ(results[3].outcome, Outcome::AC);
}

TEST(CodeJudge, VerdictForTheHarness) {
  JudgeResult r;
  r.outcome = Outcome::WA;
  r.language = Language::Cpp;
  r.detail = "test 2: WA: token 1: expected '1', got '2'\nmore";
  Verdict v = to_verdict(r);
  EXPECT_FALSE(v.correct);
  EXPECT_EQ(v.extracted, "cpp");
  EXPECT_EQ(v.reason, "WA: test 2: WA: token 1: expected '1', got '2'");
}

TEST(CodeJudge, ReportsIsolationLayers) {
  std::string summary = shared_judge().isolation_summary();
  EXPECT_TRUE(summary.starts_with("namespaces ")) << summary;
  EXPECT_NE(summary.find("rlimits"), std::string::npos);
  std::cout << "[ isolation ] " << summary << "\n";
}

}  // namespace
}  // namespace r1eval::graders::code

namespace r1eval::graders::code {
namespace {

// As root the sandbox runs programs as another uid, which must be able to walk down to the work folder.
TEST(CodeJudgeConfig, AWorkFolderBelowAPrivateFolderIsRefusedByName) {
  if (::geteuid() != 0) GTEST_SKIP() << "only root runs programs as another uid";
  const std::string hidden = std::string(R1EVAL_TEST_TMP) + "/private-parent";
  std::filesystem::create_directories(hidden);
  std::filesystem::permissions(hidden, std::filesystem::perms::owner_all);
  JudgeConfig config;
  config.work_dir = hidden + "/judge";
  try {
    Judge judge(config);
    FAIL() << "expected the folder to be refused";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(hidden + " has mode 0700"), std::string::npos) << e.what();
  }
}

// A judge killed with SIGKILL leaves its folders (sources, binaries); the next judge on the work folder
// removes those of processes that are gone, and no other.
TEST(CodeJudgeConfig, FoldersOfJudgesThatAreGoneAreRemoved) {
  const auto work = std::filesystem::temp_directory_path() / ("r1eval-stale-" + std::to_string(::getpid()));
  std::filesystem::create_directories(work);
  std::filesystem::permissions(work, std::filesystem::perms::owner_all | std::filesystem::perms::others_exec |
                                         std::filesystem::perms::group_exec);
  const pid_t gone = ::fork();
  ASSERT_GE(gone, 0);
  if (gone == 0) ::_exit(0);
  ::waitpid(gone, nullptr, 0);
  const auto stale = work / ("submission-" + std::to_string(gone) + "-AbCdEf");
  const auto mine = work / ("submission-" + std::to_string(::getpid()) + "-AbCdEf");
  const auto other = work / "notes-of-someone";
  for (const auto& dir : {stale, mine, other}) std::filesystem::create_directories(dir / "box");
  JudgeConfig config;
  config.work_dir = work.string();
  { Judge judge(config); }
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(mine));
  EXPECT_TRUE(std::filesystem::exists(other));
  std::filesystem::remove_all(work);
}

}  // namespace
}  // namespace r1eval::graders::code
