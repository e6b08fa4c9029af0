#include "graders/code/language.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace r1eval::graders::code {

std::string_view language_name(Language language) {
  switch (language) {
    case Language::Cpp: return "cpp";
    case Language::Python: return "python";
    case Language::C: return "c";
    case Language::Cpp20: return "cpp20";
  }
  return "unknown";
}

std::optional<Language> language_from_tag(std::string_view tag) {
  std::string lower(tag);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // "cpp:main.cpp", "cpp title=sol": the language is the info string's first part.
  lower = lower.substr(0, lower.find_first_of(": {"));
  for (std::string_view name : {"c++20", "cpp20", "gnu++20", "c++2a"}) {
    if (lower == name) return Language::Cpp20;
  }
  for (std::string_view name : {"cpp", "c++", "cc", "cxx", "c++11", "c++14", "c++17", "cpp11", "cpp14", "cpp17",
                                "gnu++17"}) {
    if (lower == name) return Language::Cpp;
  }
  for (std::string_view name : {"c", "c11", "c17", "gnu17"}) {
    if (lower == name) return Language::C;
  }
  for (std::string_view name : {"python", "py", "python3", "py3"}) {
    if (lower == name) return Language::Python;
  }
  return std::nullopt;
}

}  // namespace r1eval::graders::code
