// Reference solutions written for this project for six DeepCoder Codeforces problems, judged on the
// dataset's own tests (read from R1EVAL_SHARED_DATA, never copied here): each passes, and a
// deliberately wrong variant of each is WA.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <stdexcept>

#include "code_test_support.h"

namespace r1eval::graders::code {
namespace {

struct Reference {
  std::string id;  // Codeforces id, as in metadata_cf.json
  Language language;
  std::string correct;
  std::string wrong;
};

const std::vector<Reference>& references() {
  static const std::vector<Reference> list = {
      {"1971A", Language::Cpp,
       R"(#include <algorithm>
#include <cstdio>
int main() { int t; std::scanf("%d", &t); while (t--) { int x, y; std::scanf("%d %d", &x, &y); std::printf("%d %d\n", std::min(x, y), std::max(x, y)); } }
)",
       R"(#include <cstdio>
int main() { int t; std::scanf("%d", &t); while (t--) { int x, y; std::scanf("%d %d", &x, &y); std::printf("%d %d\n", x, y); } }
)"},
      {"1971C", Language::Python,
       R"(import sys
def inside(a, b, p):
    lo, hi = min(a, b), max(a, b)
    return lo < p < hi
data = sys.stdin.read().split()
t = int(data[0])
out = []
for i in range(t):
    a, b, c, d = map(int, data[1 + 4 * i: 5 + 4 * i])
    out.append("YES" if inside(a, b, c) != inside(a, b, d) else "NO")
print("\n".join(out))
)",
       R"(import sys
data = sys.stdin.read().split()
t = int(data[0])
out = []
for i in range(t):
    a, b, c, d = map(int, data[1 + 4 * i: 5 + 4 * i])
    out.append("YES" if min(a, b) < c < max(a, b) else "NO")
print("\n".join(out))
)"},
      {"1971D", Language::Cpp,
       R"(#include <iostream>
#include <string>
int main() {
  int t; std::cin >> t;
  while (t--) {
    std::string s; std::cin >> s;
    int pieces = 1; bool rising = false;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      if (s[i] != s[i + 1]) ++pieces;
      if (s[i] == '0' && s[i + 1] == '1') rising = true;
    }
    std::cout << pieces - (rising ? 1 : 0) << '\n';
  }
}
)",
       R"(#include <iostream>
#include <string>
int main() {
  int t; std::cin >> t;
  while (t--) {
    std::string s; std::cin >> s;
    int pieces = 1;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) if (s[i] != s[i + 1]) ++pieces;
    std::cout << pieces << '\n';
  }
}
)"},
      {"1971F", Language::Cpp,
       R"(#include <cmath>
#include <cstdio>
// Largest y >= 0 with y*y <= v (v >= 0).
long long root_floor(long long v) { long long y = std::sqrt(static_cast<double>(v)); while (y * y > v) --y; while ((y + 1) * (y + 1) <= v) ++y; return y; }
int main() {
  int t; std::scanf("%d", &t);
  while (t--) {
    long long r; std::scanf("%lld", &r);
    long long quarter = 0;  // points with x > 0, y >= 0
    for (long long x = 1; x <= r; ++x) {
      long long outer = (r + 1) * (r + 1) - 1 - x * x;  // x*x + y*y < (r+1)^2
      long long inner = r * r - x * x;                    // x*x + y*y >= r^2
      long long hi = root_floor(outer);
      long long lo = inner <= 0 ? 0 : root_floor(inner - 1) + 1;
      if (hi >= lo) quarter += hi - lo + 1;
    }
    std::printf("%lld\n", 4 * quarter);
  }
}
)",
       R"(#include <cmath>
#include <cstdio>
int main() {
  int t; std::scanf("%d", &t);
  while (t--) {
    long long r; std::scanf("%lld", &r);
    long long count = 0;
    for (long long x = -r - 1; x <= r + 1; ++x)
      for (long long y = -r - 1; y <= r + 1; ++y)
        if (x * x + y * y >= r * r && x * x + y * y <= (r + 1) * (r + 1)) ++count;
    std::printf("%lld\n", count);
  }
}
)"},
      {"1972A", Language::Cpp,
       R"(#include <cstdio>
#include <vector>
int main() {
  int t; std::scanf("%d", &t);
  while (t--) {
    int n; std::scanf("%d", &n);
    std::vector<long long> a(n), b(n);
    for (auto& v : a) std::scanf("%lld", &v);
    for (auto& v : b) std::scanf("%lld", &v);
    // Each b that the smallest unplaced a cannot meet costs one new (easy) problem.
    int i = 0, added = 0;
    for (int j = 0; j < n; ++j) { if (a[i] <= b[j]) ++i; else ++added; }
    std::printf("%d\n", added);
  }
}
)",
       R"(#include <cstdio>
#include <vector>
int main() {
  int t; std::scanf("%d", &t);
  while (t--) {
    int n; std::scanf("%d", &n);
    std::vector<long long> a(n), b(n);
    for (auto& v : a) std::scanf("%lld", &v);
    for (auto& v : b) std::scanf("%lld", &v);
    int bad = 0;
    for (int i = 0; i < n; ++i) if (a[i] > b[i]) ++bad;
    std::printf("%d\n", bad);
  }
}
)"},
      {"1972B", Language::Python,
       R"(t = int(input())
for _ in range(t):
    input()
    s = input().strip()
    print("YES" if s.count("U") % 2 == 1 else "NO")
)",
       R"(t = int(input())
for _ in range(t):
    n = int(input())
    input()
    print("YES" if n % 2 == 1 else "NO")
)"},
  };
  return list;
}

int limit_from_statement(const std::string& statement, const std::string& label) {
  std::size_t at = statement.find(label);
  if (at == std::string::npos) throw std::runtime_error("statement: no '" + label + "'");
  return std::stoi(statement.substr(at + label.size()));
}

// The dataset's problems by Codeforces id: the two files are parallel lists.
std::map<std::string, ProblemSpec> load_problems() {
  std::string dir = std::string(R1EVAL_SHARED_DATA) + "/codeforces/deepcoder/";
  std::ifstream problems_file(dir + "codeforces_test.json"), ids_file(dir + "metadata_cf.json");
  if (!problems_file || !ids_file) throw std::runtime_error(dir + ": DeepCoder Codeforces files missing");
  nlohmann::json problems = nlohmann::json::parse(problems_file);
  nlohmann::json ids = nlohmann::json::parse(ids_file);
  std::map<std::string, ProblemSpec> out;
  for (std::size_t i = 0; i < problems.size() && i < ids.size(); ++i) {
    const std::string statement = problems[i].at("problem").get<std::string>();
    ProblemSpec spec;
    spec.time_limit_ms = limit_from_statement(statement, "Time Limit: ");
    spec.memory_limit_mb = limit_from_statement(statement, "Memory Limit: ");
    for (const auto& test : problems[i].at("tests")) {
      spec.tests.push_back({test.at("input").get<std::string>(), test.at("output").get<std::string>()});
    }
    out.emplace(ids[i].get<std::string>(), std::move(spec));
  }
  return out;
}

TEST(CodeDeepCoder, ReferenceSolutionsPassAndWrongOnesAreWrongAnswer) {
  std::map<std::string, ProblemSpec> problems = load_problems();
  std::vector<JudgeRequest> requests;
  for (const Reference& ref : references()) {
    auto it = problems.find(ref.id);
    ASSERT_NE(it, problems.end()) << ref.id;
    ASSERT_FALSE(it->second.tests.empty()) << ref.id;
    auto problem = std::make_shared<const ProblemSpec>(it->second);
    std::string tag = ref.language == Language::Cpp ? "cpp" : "python";
    requests.push_back({testing::response_with(tag, ref.correct), std::nullopt, problem});
    requests.push_back({testing::response_with(tag, ref.wrong), std::nullopt, problem});
  }
  std::vector<JudgeResult> results = testing::shared_judge().judge_all(requests);
  for (std::size_t i = 0; i < references().size(); ++i) {
    EXPECT_EQ(results[2 * i].outcome, Outcome::AC) << references()[i].id << ": " << results[2 * i].detail;
    EXPECT_EQ(results[2 * i + 1].outcome, Outcome::WA) << references()[i].id << " (wrong): " << results[2 * i + 1].detail;
  }
}

}  // namespace
}  // namespace r1eval::graders::code
