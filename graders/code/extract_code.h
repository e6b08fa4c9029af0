// Finding the program in a model's response.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graders/code/language.h"

namespace r1eval::graders::code {

struct ExtractedCode {
  Language language;
  std::string source;
};

// The last fenced block (``` or ~~~, indented up to 12 spaces as in list items, its body dedented by the
// fence's indentation) after the last "</think>" that is tagged as a program (cpp/c++/c/python/py and close
// variants); without one, the last untagged block recognised as C++ or Python by its content. Blocks
// tagged with another language (their tags appended to `skipped_tags` when given), untagged blocks that
// look like data (sample output), and an unclosed final fence (a truncated response) are skipped. A
// response that opens <think> and never closes it has no program. nullopt when no block qualifies.
std::optional<ExtractedCode> extract_code(std::string_view response, std::vector<std::string>* skipped_tags = nullptr);

// Guesses the language of untagged source text; nullopt when it reads like neither.
std::optional<Language> guess_language(std::string_view source);

}  // namespace r1eval::graders::code
