#pragma once
// The GPT-2 byte-level alphabet: every byte 0..255 has a printable stand-in character, so that
// byte-level BPE vocabularies can be stored as JSON strings. tokenizer.json keys use this alphabet.
#include <optional>
#include <string>
#include <string_view>

namespace r1eval::engine {

// The stand-in character of `byte` (bytes 33..126, 161..172 and 174..255 stand for themselves; the
// others map to U+0100.. in byte order).
char32_t byte_level_char(unsigned char byte);

// UTF-8 text of the stand-in characters of `bytes`, one character per byte.
std::string bytes_to_byte_level(std::string_view bytes);

// Inverse of bytes_to_byte_level: nullopt when `text` is not valid UTF-8 or holds a character that
// is not in the alphabet.
std::optional<std::string> byte_level_to_bytes(std::string_view text);

}  // namespace r1eval::engine
