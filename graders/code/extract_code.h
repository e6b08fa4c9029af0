// Finding the program in a model's response.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "graders/code/language.h"

namespace r1eval::graders::code {

struct ExtractedCode {
  Language language;
  std::string source;
};

// The last fenced block (``` or ~~~) after the last "</think>" that is a program: tagged cpp/c++/c/python/py
// (and close variants), or untagged and recognised as C++ or Python by its content. Blocks tagged with
// another language, untagged blocks that look like data (sample output), and an unclosed final fence
// (a truncated response) are skipped. A response that opens <think> and never closes it has no program.
// nullopt when no block qualifies.
std::optional<ExtractedCode> extract_code(std::string_view response);

// Guesses the language of untagged source text; nullopt when it reads like neither.
std::optional<Language> guess_language(std::string_view source);

}  // namespace r1eval::graders::code
