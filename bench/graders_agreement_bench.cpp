// The grader side of the agreement tooling (tools/grader_agreement.py, tools/mathverify_side_by_side.py):
// the JSONL judge protocol of `r1eval judge`, usable before the harness command exists.
//   graders_agreement_bench math   < pairs.jsonl > judged.jsonl
//   graders_agreement_bench choice < pairs.jsonl > judged.jsonl
#include <cstdio>
#include <exception>
#include <iostream>
#include <string_view>

#include "graders/judge.h"

int main(int argc, char** argv) {
  const std::string_view mode = argc == 2 ? argv[1] : "";
  if (mode != "math" && mode != "choice") {
    std::fprintf(stderr, "usage: %s math|choice < pairs.jsonl > judged.jsonl\n", argv[0]);
    return 2;
  }
  std::ios::sync_with_stdio(false);
  try {
    r1eval::graders::judge_jsonl(std::cin, std::cout,
                                 mode == "math" ? r1eval::graders::JudgeKind::kMath : r1eval::graders::JudgeKind::kChoice);
  } catch (const std::exception& e) {
    std::cout.flush();
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
