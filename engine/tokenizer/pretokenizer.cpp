#include "engine/tokenizer/pretokenizer.h"

#include <unicode/uchar.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {
namespace {

// kUpper: Lu or Lt; kLower: Ll (a letter with neither is Lm or Lo).
enum : std::uint16_t { kL = 1, kN = 2, kWs = 4, kNewline = 8, kP = 16, kS = 32, kM = 64, kUpper = 128, kLower = 256 };

struct AddedRange {
  char32_t first, last;
  std::uint8_t cls;  // major classes only: a letter newer than ICU counts as Lo
};

// Characters newer than the ICU in use: classes as HF's Oniguruma tables have them.
constexpr AddedRange kUnicodeAdditions[] = {
#include "engine/tokenizer/unicode_additions.inc"
};

std::uint16_t classify_slow(char32_t cp) {
  if (u_charType(static_cast<UChar32>(cp)) == U_UNASSIGNED) {
    const auto* it = std::upper_bound(std::begin(kUnicodeAdditions), std::end(kUnicodeAdditions), cp,
                                      [](char32_t c, const AddedRange& r) { return c < r.first; });
    if (it != std::begin(kUnicodeAdditions) && cp <= std::prev(it)->last) return std::prev(it)->cls;
    return 0;
  }
  std::uint16_t c = 0;
  const auto mask = U_GET_GC_MASK(static_cast<UChar32>(cp));
  if (mask & U_GC_L_MASK) c |= kL;
  if (mask & (U_GC_LU_MASK | U_GC_LT_MASK)) c |= kUpper;
  if (mask & U_GC_LL_MASK) c |= kLower;
  if (mask & U_GC_N_MASK) c |= kN;
  if (mask & U_GC_P_MASK) c |= kP;
  if (mask & U_GC_S_MASK) c |= kS;
  if (mask & U_GC_M_MASK) c |= kM;
  // Oniguruma's \s: the White_Space property, which already holds 9..13 and U+0085.
  if (u_isUWhiteSpace(static_cast<UChar32>(cp))) c |= kWs;
  if (cp == '\r' || cp == '\n') c |= kNewline;
  return c;
}

const std::array<std::uint16_t, 128>& ascii_classes() {
  static const auto table = [] {
    std::array<std::uint16_t, 128> t{};
    for (char32_t cp = 0; cp < 128; ++cp) t[cp] = classify_slow(cp);
    return t;
  }();
  return table;
}

// Simple case folding for the ASCII literals the patterns use; U+017F (long s) and U+212A (Kelvin)
// are the only non-ASCII characters that fold onto ASCII letters.
char32_t fold(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp == 0x017F) return 's';
  if (cp == 0x212A) return 'k';
  return cp;
}

struct Text {
  std::vector<char32_t> cp;
  std::vector<std::uint16_t> cls;
  std::vector<std::size_t> offset;  // byte offset of each code point, plus the end
};

void decode_text(std::string_view s, Text& t) {
  t.cp.clear();
  t.cls.clear();
  t.offset.clear();
  const auto& ascii = ascii_classes();
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = 1;
    const auto b = static_cast<unsigned char>(s[i]);
    char32_t cp = b;
    if (b >= 0x80) {
      cp = utf8::decode(s, i, len);
      if (cp == utf8::kInvalid) throw std::invalid_argument("pre-tokenizer: input is not valid UTF-8 at byte " + std::to_string(i));
    }
    t.cp.push_back(cp);
    t.cls.push_back(cp < 128 ? ascii[cp] : classify_slow(cp));
    t.offset.push_back(i);
    i += len;
  }
  t.offset.push_back(s.size());
}

constexpr std::uint16_t kPunct = kL | kN | kWs;  // [^\s\p{L}\p{N}] = none of these bits

// [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}]
bool upper_or_other(std::uint16_t c) { return (c & kM) || ((c & kL) && !(c & kLower)); }
bool lower_or_other(std::uint16_t c) { return (c & kM) || ((c & kL) && !(c & kUpper)); }

// End (exclusive, in code points) of the match of `a` at i, or i when it does not match.
std::size_t match(const PreTokenizer::Alternative& a, const Text& t, std::size_t i) {
  using K = PreTokenizer::Kind;
  const std::size_t n = t.cp.size();
  const auto& cls = t.cls;
  auto run = [&](std::size_t j, std::uint16_t bits) {
    while (j < n && (cls[j] & bits)) ++j;
    return j;
  };
  switch (a.kind) {
    case K::kLiteral: {
      if (i + a.literal.size() > n) return i;
      for (std::size_t k = 0; k < a.literal.size(); ++k) {
        const char32_t c = a.case_insensitive ? fold(t.cp[i + k]) : t.cp[i + k];
        if (c != a.literal[k]) return i;
      }
      return i + a.literal.size();
    }
    case K::kLettersAfterNonNewline: {
      std::size_t j = i;
      if (!(cls[i] & kL)) {
        if ((cls[i] & (kL | kN | kNewline)) || i + 1 >= n || !(cls[i + 1] & kL)) return i;
        j = i + 1;
      }
      return run(j, kL);
    }
    case K::kLettersAfterSpace: {
      std::size_t j = i;
      if (t.cp[i] == ' ' && i + 1 < n && (cls[i + 1] & kL)) j = i + 1;
      return (cls[j] & kL) ? run(j, kL) : i;
    }
    case K::kLetters:
      return run(i, kL);
    case K::kDigits: {
      std::size_t j = i;
      while (j < n && (cls[j] & kN) && (a.max_digits == 0 || j - i < a.max_digits)) ++j;
      return j;
    }
    case K::kDigitsAfterSpace: {
      std::size_t j = i;
      if (t.cp[i] == ' ' && i + 1 < n && (cls[i + 1] & kN)) j = i + 1;
      return (cls[j] & kN) ? run(j, kN) : i;
    }
    case K::kPunctuation: {
      std::size_t j = i;
      if (t.cp[i] == ' ' && i + 1 < n && !(cls[i + 1] & kPunct)) j = i + 1;
      if (cls[j] & kPunct) return i;
      while (j < n && !(cls[j] & kPunct)) ++j;
      if (a.trailing_slashes) {
        while (j < n && ((cls[j] & kNewline) || t.cp[j] == '/')) ++j;
        return j;
      }
      return a.trailing_newlines ? run(j, kNewline) : j;
    }
    case K::kCasedWordLowerEnd:
    case K::kCasedWordUpperStart: {
      // The optional leading character is tried first, then the word without it (a mark may start one).
      const auto word_from = [&](std::size_t j) -> std::size_t {  // end, or npos
        std::size_t upper_end = j;
        while (upper_end < n && upper_or_other(cls[upper_end])) ++upper_end;
        if (a.kind == K::kCasedWordUpperStart) {
          if (upper_end == j) return std::string_view::npos;
          std::size_t e = upper_end;
          while (e < n && lower_or_other(cls[e])) ++e;
          return e;
        }
        // U* then W+: the U run gives back characters until a W run can start.
        for (std::size_t k = upper_end;; --k) {
          if (k < n && lower_or_other(cls[k])) {
            std::size_t e = k;
            while (e < n && lower_or_other(cls[e])) ++e;
            return e;
          }
          if (k == j) return std::string_view::npos;
        }
      };
      std::size_t end = std::string_view::npos;
      if (!(cls[i] & (kL | kN | kNewline)) && i + 1 <= n) end = word_from(i + 1);
      if (end == std::string_view::npos) end = word_from(i);
      if (end == std::string_view::npos) return i;
      for (const std::u32string& suffix : a.suffixes) {
        if (end + suffix.size() > n) continue;
        bool same = true;
        for (std::size_t k = 0; k < suffix.size() && same; ++k) same = fold(t.cp[end + k]) == suffix[k];
        if (same) return end + suffix.size();
      }
      return end;
    }
    case K::kSpaceThroughNewline: {
      // Greedy \s* gives back characters until [\r\n]+ can match: the match ends just after the
      // last newline of the whitespace run.
      const std::size_t end = run(i, kWs);
      for (std::size_t j = end; j > i; --j)
        if (cls[j - 1] & kNewline) return j;
      return i;
    }
    case K::kSpaceNotBeforeNonSpace: {
      const std::size_t end = run(i, kWs);
      if (end == i) return i;
      if (end == n) return end;
      return end - i >= 2 ? end - 1 : i;  // leave the last space to join the next word
    }
    case K::kSpace:
      return run(i, kWs);
    case K::kClassRun: {
      std::size_t j = i;
      const auto in_class = [&](char32_t c) {
        for (std::size_t r = 0; r + 1 < a.literal.size(); r += 2)
          if (c >= a.literal[r] && c <= a.literal[r + 1]) return true;
        return false;
      };
      while (j < n && in_class(t.cp[j])) ++j;
      return j;
    }
    case K::kAsciiPunctuationLetters: {
      const auto ascii_letter = [&](std::size_t j) {
        return j < n && ((t.cp[j] >= 'a' && t.cp[j] <= 'z') || (t.cp[j] >= 'A' && t.cp[j] <= 'Z'));
      };
      const char32_t c = t.cp[i];
      constexpr std::string_view kAsciiPunctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
      const bool ascii_punctuation = c < 128 && kAsciiPunctuation.find(static_cast<char>(c)) != std::string_view::npos;
      if (!ascii_punctuation || !ascii_letter(i + 1)) return i;
      std::size_t j = i + 1;
      while (ascii_letter(j)) ++j;
      return j;
    }
    case K::kLettersMarksAfterOther: {
      // The optional first character gives itself back when no letter or mark follows it, so a mark
      // alone still matches: the end is the run of letters and marks from i, or from i + 1 after one
      // character that is neither a newline, a letter, punctuation nor a symbol.
      if (cls[i] & (kL | kM)) return run(i, kL | kM);
      if ((cls[i] & (kNewline | kL | kP | kS)) || i + 1 >= n || !(cls[i + 1] & (kL | kM))) return i;
      return run(i + 1, kL | kM);
    }
    case K::kPunctuationSymbols: {
      std::size_t j = i;
      if (t.cp[i] == ' ' && i + 1 < n && (cls[i + 1] & (kP | kS))) j = i + 1;
      if (!(cls[j] & (kP | kS))) return i;
      return run(run(j, kP | kS), kNewline);
    }
  }
  return i;
}

// `[...]+` whose class holds only literal code points and ranges (no escapes, no negation): the ranges as
// first, last pairs; nullopt otherwise.
std::optional<std::u32string> class_run_ranges(std::string_view alt) {
  if (alt.size() < 4 || alt.front() != '[' || !alt.ends_with("]+") || alt[1] == '^') return std::nullopt;
  const std::string_view body = alt.substr(1, alt.size() - 3);
  std::u32string cps;
  for (std::size_t i = 0; i < body.size();) {
    std::size_t len = 1;
    const char32_t cp = utf8::decode(body, i, len);
    if (cp == utf8::kInvalid || cp == '\\' || cp == '[' || cp == ']') return std::nullopt;
    cps.push_back(cp);
    i += len;
  }
  std::u32string ranges;
  for (std::size_t i = 0; i < cps.size();) {
    if (cps[i] == '-') return std::nullopt;  // a '-' first or after a range: not in the patterns known
    if (i + 2 < cps.size() && cps[i + 1] == '-') {
      if (cps[i + 2] < cps[i]) return std::nullopt;
      ranges += {cps[i], cps[i + 2]};
      i += 3;
    } else {
      ranges += {cps[i], cps[i]};
      i += 1;
    }
  }
  if (ranges.empty()) return std::nullopt;
  return ranges;
}

// Splits `pattern` at its top-level '|' (outside groups and character classes).
std::vector<std::string_view> top_level_alternatives(std::string_view pattern) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool in_class = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      out.push_back(pattern.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(pattern.substr(start));
  return out;
}

bool is_plain_literal(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) return false;
  }
  return true;
}

PreTokenizer::Alternative literal(std::string_view s, bool case_insensitive) {
  PreTokenizer::Alternative a{PreTokenizer::Kind::kLiteral, {}, case_insensitive, 0, false, false, {}};
  for (char c : s) a.literal.push_back(case_insensitive ? fold(static_cast<unsigned char>(c)) : static_cast<unsigned char>(c));
  return a;
}

PreTokenizer::Alternative of(PreTokenizer::Kind kind, unsigned max_digits = 0, bool trailing_newlines = false) {
  PreTokenizer::Alternative a{kind, {}, false, max_digits, trailing_newlines, false, {}};
  return a;
}

constexpr std::string_view kUpperOrOther = R"([\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}])";
constexpr std::string_view kLowerOrOther = R"([\p{Ll}\p{Lm}\p{Lo}\p{M}])";
constexpr std::string_view kContractions = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)?)";

// o200k's and tekken's cased words: "[^\r\n\p{L}\p{N}]?" then upper-or-other / lower-or-other runs, optionally
// followed by the contractions group. nullopt for anything else.
std::optional<PreTokenizer::Alternative> cased_word(std::string_view alt) {
  constexpr std::string_view kLead = R"([^\r\n\p{L}\p{N}]?)";
  if (!alt.starts_with(kLead)) return std::nullopt;
  alt.remove_prefix(kLead.size());
  std::vector<std::u32string> suffixes;
  if (alt.ends_with(kContractions)) {
    alt.remove_suffix(kContractions.size());
    // Longest first is not needed: no contraction is a prefix of another after its apostrophe.
    for (std::string_view s : {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"}) suffixes.emplace_back(s.begin(), s.end());
  }
  const std::string lower_end = std::string(kUpperOrOther) + "*" + std::string(kLowerOrOther) + "+";
  const std::string upper_start = std::string(kUpperOrOther) + "+" + std::string(kLowerOrOther) + "*";
  PreTokenizer::Alternative a;
  if (alt == lower_end) {
    a = of(PreTokenizer::Kind::kCasedWordLowerEnd);
  } else if (alt == upper_start) {
    a = of(PreTokenizer::Kind::kCasedWordUpperStart);
  } else {
    return std::nullopt;
  }
  a.suffixes = std::move(suffixes);
  return a;
}

[[noreturn]] void unsupported(std::string_view alternative, std::string_view pattern) {
  throw std::invalid_argument("unsupported pre-tokenizer regex: alternative '" + std::string(alternative) + "' of pattern '" +
                              std::string(pattern) + "' (known: the GPT-2, Qwen2, Llama-3, DeepSeek-V3, o200k and tekken patterns)");
}

}  // namespace

PreTokenizer PreTokenizer::from_regex(std::string_view pattern) {
  using K = Kind;
  std::vector<Alternative> alts;
  for (std::string_view alt : top_level_alternatives(pattern)) {
    if (alt.starts_with("(?i:") && alt.ends_with(")")) {
      for (std::string_view inner : top_level_alternatives(alt.substr(4, alt.size() - 5))) {
        if (!is_plain_literal(inner)) unsupported(alt, pattern);
        alts.push_back(literal(inner, true));
      }
    } else if (is_plain_literal(alt)) {
      alts.push_back(literal(alt, false));
    } else if (alt == R"([^\r\n\p{L}\p{N}]?\p{L}+)") {
      alts.push_back(of(K::kLettersAfterNonNewline));
    } else if (alt == R"( ?\p{L}+)") {
      alts.push_back(of(K::kLettersAfterSpace));
    } else if (alt == R"(\p{L}+)") {
      alts.push_back(of(K::kLetters));
    } else if (alt == R"(\p{N})") {
      alts.push_back(of(K::kDigits, 1));
    } else if (alt.starts_with(R"(\p{N}{1,)") && alt.ends_with("}") && alt.size() == 10 && alt[8] >= '1' && alt[8] <= '9') {
      alts.push_back(of(K::kDigits, static_cast<unsigned>(alt[8] - '0')));
    } else if (alt == R"(\p{N}+)") {
      alts.push_back(of(K::kDigits, 0));
    } else if (alt == R"( ?\p{N}+)") {
      alts.push_back(of(K::kDigitsAfterSpace));
    } else if (alt == R"( ?[^\s\p{L}\p{N}]+[\r\n]*)") {
      alts.push_back(of(K::kPunctuation, 0, true));
    } else if (alt == R"( ?[^\s\p{L}\p{N}]+)") {
      alts.push_back(of(K::kPunctuation, 0, false));
    } else if (alt == R"( ?[^\s\p{L}\p{N}]+[\r\n/]*)") {
      Alternative a = of(K::kPunctuation, 0, true);
      a.trailing_slashes = true;
      alts.push_back(std::move(a));
    } else if (auto word = cased_word(alt)) {
      alts.push_back(std::move(*word));
    } else if (alt == R"(\s*[\r\n]+)") {
      alts.push_back(of(K::kSpaceThroughNewline));
    } else if (alt == R"(\s+(?!\S))") {
      alts.push_back(of(K::kSpaceNotBeforeNonSpace));
    } else if (alt == R"(\s+)") {
      alts.push_back(of(K::kSpace));
    } else if (alt == R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+)") {
      alts.push_back(of(K::kAsciiPunctuationLetters));
    } else if (alt == R"([^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+)") {
      alts.push_back(of(K::kLettersMarksAfterOther));
    } else if (alt == R"( ?[\p{P}\p{S}]+[\r\n]*)") {
      alts.push_back(of(K::kPunctuationSymbols));
    } else if (const auto ranges = class_run_ranges(alt)) {
      Alternative a = of(K::kClassRun);
      a.literal = *ranges;
      alts.push_back(std::move(a));
    } else {
      unsupported(alt, pattern);
    }
  }
  return PreTokenizer(std::move(alts));
}

PreTokenizer PreTokenizer::gpt2() {
  return from_regex(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
}

void PreTokenizer::split(std::string_view text, std::vector<std::string_view>& pieces) const {
  thread_local Text t;
  decode_text(text, t);
  const std::size_t n = t.cp.size();
  std::size_t gap_start = 0;  // start of text not covered by a match yet
  std::size_t i = 0;
  while (i < n) {
    std::size_t end = i;
    for (const Alternative& a : alternatives_) {
      end = match(a, t, i);
      if (end > i) break;
    }
    if (end == i) {
      ++i;
      continue;
    }
    if (gap_start < i) pieces.push_back(text.substr(t.offset[gap_start], t.offset[i] - t.offset[gap_start]));
    pieces.push_back(text.substr(t.offset[i], t.offset[end] - t.offset[i]));
    i = gap_start = end;
  }
  if (gap_start < n) pieces.push_back(text.substr(t.offset[gap_start]));
}

}  // namespace r1eval::engine
