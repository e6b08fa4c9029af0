#pragma once
// UTF-8 helpers shared by the tokenizer parts. Byte strings are std::string / std::string_view.
#include <cstddef>
#include <string>
#include <string_view>

namespace r1eval::engine::utf8 {

inline constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point starting at s[i] (i < s.size()). On success returns it and sets `len` to its
// byte length; on a malformed, overlong, surrogate or truncated sequence returns kInvalid with len = 1.
char32_t decode(std::string_view s, std::size_t i, std::size_t& len);

// Appends the UTF-8 encoding of `cp` (must be a Unicode scalar value).
void append(std::string& out, char32_t cp);

// Characters of UTF-8 text: the bytes that do not continue a sequence (as Python's len() counts valid text).
inline std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// Byte offset of the first malformed sequence in `s`, or s.size() when `s` is valid UTF-8.
std::size_t first_invalid(std::string_view s);

// Length of the longest suffix of `s` that is a proper prefix of a well-formed multi-byte sequence
// (0..3): the bytes a streaming decoder must hold back because more may complete them.
std::size_t incomplete_tail(std::string_view s);

// `s` with every malformed sequence replaced by U+FFFD, one replacement per maximal ill-formed
// subpart (the Unicode / WHATWG / Rust from_utf8_lossy convention).
std::string lossy(std::string_view s);

}  // namespace r1eval::engine::utf8
