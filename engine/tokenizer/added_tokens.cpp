#include "engine/tokenizer/added_tokens.h"

#include <unicode/uchar.h>

#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {
namespace {

// The code point that ends just before byte `end` of `s` (s[..end] is valid UTF-8), or kInvalid.
char32_t code_point_before(std::string_view s, std::size_t end) {
  if (end == 0) return utf8::kInvalid;
  std::size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  std::size_t len = 0;
  return utf8::decode(s, start, len);
}

char32_t code_point_at(std::string_view s, std::size_t i) {
  if (i >= s.size()) return utf8::kInvalid;
  std::size_t len = 0;
  return utf8::decode(s, i, len);
}

bool is_space(char32_t cp) { return cp != utf8::kInvalid && u_isUWhiteSpace(static_cast<UChar32>(cp)); }

// Rust regex's \w, which HF's single_word check uses: alphabetic, marks, decimal digits, connector punctuation
// ("_", "‿") and the joiners (ZWJ, ZWNJ). Not other numbers ("²", "½").
bool is_word_char(char32_t cp) {
  if (cp == utf8::kInvalid) return false;
  const auto c = static_cast<UChar32>(cp);
  return u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || (U_GET_GC_MASK(c) & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) ||
         u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL);
}

std::size_t utf8_length_before(std::string_view s, std::size_t end) {
  std::size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  return end - start;
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens) {
  nodes_.emplace_back();
  for (const AddedToken& t : tokens) {
    if (t.content.empty()) continue;
    std::int32_t node = 0;
    for (char c : t.content) {
      const auto b = static_cast<unsigned char>(c);
      std::int32_t next = child(node, b);
      if (next < 0) {
        next = static_cast<std::int32_t>(nodes_.size());
        nodes_[node].children.emplace_back(b, next);
        nodes_.emplace_back();
      }
      node = next;
    }
    if (nodes_[node].token < 0) {  // the first token with a given content wins
      nodes_[node].token = static_cast<std::int32_t>(tokens_.size());
      tokens_.push_back(t);
    }
    first_byte_[static_cast<unsigned char>(t.content[0])] = true;
  }
}

std::int32_t AddedTokenMatcher::child(std::int32_t node, unsigned char byte) const {
  for (const auto& [b, next] : nodes_[node].children)
    if (b == byte) return next;
  return -1;
}

void AddedTokenMatcher::split(std::string_view text, std::vector<Segment>& out) const {
  std::size_t done = 0;  // end of the last emitted segment
  std::size_t i = 0;
  while (i < text.size()) {
    if (!first_byte_[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    std::int32_t node = 0;
    std::int32_t best = -1;
    std::size_t best_end = i;
    for (std::size_t j = i; j < text.size(); ++j) {
      node = child(node, static_cast<unsigned char>(text[j]));
      if (node < 0) break;
      if (nodes_[node].token >= 0) {
        best = nodes_[node].token;
        best_end = j + 1;
      }
    }
    if (best < 0) {
      ++i;
      continue;
    }
    const AddedToken& token = tokens_[best];
    if (token.single_word && (is_word_char(code_point_before(text, i)) || is_word_char(code_point_at(text, best_end)))) {
      i = best_end;  // HF skips the rejected match and resumes after it
      continue;
    }
    std::size_t start = i;
    std::size_t end = best_end;
    if (token.lstrip)
      while (start > done && is_space(code_point_before(text, start))) start -= utf8_length_before(text, start);
    if (token.rstrip)
      while (end < text.size() && is_space(code_point_at(text, end))) {
        std::size_t len = 0;
        utf8::decode(text, end, len);
        end += len;
      }
    if (start > done) out.push_back({text.substr(done, start - done), -1});
    out.push_back({text.substr(start, end - start), static_cast<std::int64_t>(token.id)});
    done = i = end;
  }
  if (done < text.size()) out.push_back({text.substr(done), -1});
}

}  // namespace r1eval::engine
