// English number words as answers ("twelve", "\text{five}", "twenty-one", "one hundred and five").
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace r1eval::graders::math {

// The value of `words` when all of it is a cardinal number in words, lower case, separated by spaces or
// hyphens, from "zero" to the millions ("three hundred twenty-five", "two thousand and twenty"); none for
// anything else ("a", "one half", "first", "fivefold").
std::optional<int64_t> number_words_value(std::string_view words);

}  // namespace r1eval::graders::math
