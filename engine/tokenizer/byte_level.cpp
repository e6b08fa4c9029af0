#include "engine/tokenizer/byte_level.h"

#include <array>

#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {
namespace {

bool stands_for_itself(unsigned b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174; }

struct Alphabet {
  std::array<char32_t, 256> to_char{};
  std::array<int, 512> to_byte{};  // stand-ins are all below U+0200; -1 = not in the alphabet

  Alphabet() {
    to_byte.fill(-1);
    char32_t next = 256;
    for (unsigned b = 0; b < 256; ++b) {
      to_char[b] = stands_for_itself(b) ? static_cast<char32_t>(b) : next++;
      to_byte[to_char[b]] = static_cast<int>(b);
    }
  }
};

const Alphabet& alphabet() {
  static const Alphabet a;
  return a;
}

}  // namespace

char32_t byte_level_char(unsigned char byte) { return alphabet().to_char[byte]; }

std::string bytes_to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) utf8::append(out, alphabet().to_char[static_cast<unsigned char>(c)]);
  return out;
}

std::optional<std::string> byte_level_to_bytes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t len = 0;
    const char32_t cp = utf8::decode(text, i, len);
    if (cp == utf8::kInvalid || cp >= alphabet().to_byte.size() || alphabet().to_byte[cp] < 0) return std::nullopt;
    out.push_back(static_cast<char>(alphabet().to_byte[cp]));
    i += len;
  }
  return out;
}

}  // namespace r1eval::engine
