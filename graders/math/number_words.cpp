#include "graders/math/number_words.h"

#include <array>
#include <string>
#include <vector>

namespace r1eval::graders::math {
namespace {

constexpr std::array<std::string_view, 20> kUnits = {
    "zero",    "one",     "two",       "three",    "four",     "five",    "six",
    "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
    "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};
constexpr std::array<std::string_view, 8> kTens = {"twenty", "thirty",  "forty",  "fifty",
                                                   "sixty",  "seventy", "eighty", "ninety"};

std::optional<int64_t> index_in(std::string_view w, const auto& list) {
  for (size_t k = 0; k < list.size(); ++k)
    if (list[k] == w) return static_cast<int64_t>(k);
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> number_words_value(std::string_view words) {
  std::vector<std::string_view> parts;
  size_t b = 0;
  for (size_t i = 0; i <= words.size(); ++i) {
    if (i == words.size() || words[i] == ' ' || words[i] == '-') {
      if (i > b) parts.push_back(words.substr(b, i - b));
      b = i + 1;
    }
  }
  if (parts.empty() || parts.size() > 16) return std::nullopt;
  int64_t total = 0;     // completed thousands and millions
  int64_t group = 0;     // the group below a thousand being read
  bool any = false;      // a number word was read
  bool last_unit = false, last_ten = false, group_hundreds = false;
  for (size_t k = 0; k < parts.size(); ++k) {
    const std::string_view w = parts[k];
    if (w == "and") {  // "one hundred and five": only between a hundred/thousand and what follows
      if (!any || k + 1 == parts.size() || last_unit || last_ten) return std::nullopt;
      continue;
    }
    if (auto u = index_in(w, kUnits)) {
      if (last_unit || (last_ten && *u >= 10) || (last_ten && *u == 0) || (*u == 0 && parts.size() > 1))
        return std::nullopt;
      group += *u;
      last_unit = true;
    } else if (auto t = index_in(w, kTens)) {
      if (last_unit || last_ten || group % 100 != 0) return std::nullopt;
      group += 20 + 10 * *t;
      last_ten = true;
    } else if (w == "hundred") {
      if (!last_unit || group_hundreds || group >= 10) return std::nullopt;
      group *= 100;
      group_hundreds = true;
      last_unit = last_ten = false;
    } else if (w == "thousand" || w == "million") {
      const int64_t scale = w == "thousand" ? 1000 : 1000000;
      if (group == 0 || (total != 0 && total < scale * 1000)) return std::nullopt;
      if (total % (scale * 1000) != 0) return std::nullopt;  // "one thousand two million"
      total += group * scale;
      group = 0;
      group_hundreds = last_unit = last_ten = false;
    } else {
      return std::nullopt;
    }
    any = true;
  }
  if (!any) return std::nullopt;
  return total + group;
}

}  // namespace r1eval::graders::math
