// The languages the judge compiles and runs.
#pragma once
#include <optional>
#include <string_view>

namespace r1eval::graders::code {

enum class Language { Cpp, Python, C };

// "cpp", "python" or "c".
std::string_view language_name(Language language);

// Maps a fence tag or a user-given name ("cpp", "c++", "cc", "cxx", "python", "py", "python3", "c", any
// case; the part before ':' or a space) to a language; nullopt for anything else (e.g. "java", "text", "").
std::optional<Language> language_from_tag(std::string_view tag);

}  // namespace r1eval::graders::code
