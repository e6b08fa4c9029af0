// libFuzzer target over extraction + parsing + comparison: the input is "response\x01gold" (no separator:
// the whole input is graded against itself and against a fixed gold). Built by tools/build_graders_fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "graders/choice_grader.h"
#include "graders/math_grader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t cut = input.find('\x01');
  const std::string_view response = input.substr(0, cut);
  const std::string_view gold = cut == std::string_view::npos ? std::string_view("\\frac{1}{2}") : input.substr(cut + 1);
  (void)r1eval::graders::grade_math(response, gold);
  (void)r1eval::graders::math_answers_equal(gold, response);
  (void)r1eval::graders::extract_boxed_answer(response);
  (void)r1eval::graders::grade_choice(response, "C");
  return 0;
}
