// The languages the judge compiles and runs.
#pragma once
#include <optional>
#include <string_view>

namespace r1eval::graders::code {

// Cpp20: a block its author tagged C++20 (```cpp20), compiled with -std=c++20; every other C++ block is
// compiled as C++17, as the R1 code prompt asks.
enum class Language { Cpp, Python, C, Cpp20 };

// "cpp", "python", "c" or "cpp20".
std::string_view language_name(Language language);

// Maps a fence tag or a user-given name ("cpp", "c++", "cc", "cxx", "python", "py", "python3", "c", any
// case; the part before ':' or a space) to a language; nullopt for anything else (e.g. "java", "text", "").
std::optional<Language> language_from_tag(std::string_view tag);

}  // namespace r1eval::graders::code
