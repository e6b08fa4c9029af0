#pragma once
// The regex split that HF tokenizers applies before BPE (Split{Regex, Isolated} or ByteLevel's own
// GPT-2 regex), as a hand-written matcher: the Qwen2 / Llama-3 / DeepSeek-V3 patterns need `\s+(?!\S)`,
// which RE2 cannot express. Semantics follow Oniguruma (the engine HF tokenizers uses):
//   \p{L}, \p{N}, \p{P}, \p{S}, \p{M}  Unicode general categories L*, N*, P*, S*, M*;
//   \s            U+0009..U+000D, U+0085 and the White_Space characters (Zs, U+2028, U+2029),
//                 i.e. not U+001C..U+001F (unlike Python's re);
//   (?i:...)      Unicode simple case folding (so 's also matches 'S and 'ſ).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace r1eval::engine {

class PreTokenizer {
 public:
  // A matcher for `pattern`, a top-level alternation whose alternatives are each one of the pieces
  // used by the GPT-2, Qwen2, Llama-3 and DeepSeek-V3 patterns (or an ASCII literal, optionally inside
  // (?i:...), or a run of a class of literal code points and ranges, `[a-z一]+`).
  // Throws std::invalid_argument naming the first alternative it does not know, rather than
  // splitting differently from HF.
  static PreTokenizer from_regex(std::string_view pattern);

  // The GPT-2 pattern that ByteLevel{use_regex: true} applies.
  static PreTokenizer gpt2();

  // Appends to `pieces` the consecutive pieces of `text` (valid UTF-8): each match, and each run of
  // text between matches, as HF's Split with behavior Isolated does. Pieces cover `text` exactly.
  void split(std::string_view text, std::vector<std::string_view>& pieces) const;

  enum class Kind : std::uint8_t {
    kLiteral,                 // 's  (case-folded when inside (?i:...))
    kLettersAfterNonNewline,  // [^\r\n\p{L}\p{N}]?\p{L}+
    kLettersAfterSpace,       //  ?\p{L}+
    kLetters,                 // \p{L}+
    kDigits,                  // \p{N}, \p{N}{1,k}, \p{N}+  (max_digits; 0 = unbounded)
    kDigitsAfterSpace,        //  ?\p{N}+
    kPunctuation,             //  ?[^\s\p{L}\p{N}]+  (+ [\r\n]* when trailing_newlines)
    kSpaceThroughNewline,     // \s*[\r\n]+
    kSpaceNotBeforeNonSpace,  // \s+(?!\S)
    kSpace,                   // \s+
    kClassRun,                // [...]+ of literal code points and ranges (DeepSeek-V3's CJK and kana)
    kAsciiPunctuationLetters, // [!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+
    kLettersMarksAfterOther,  // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
    kPunctuationSymbols,      //  ?[\p{P}\p{S}]+[\r\n]*
    // GPT-4o's o200k and Mistral's tekken patterns (upper-case letters before lower-case ones):
    kCasedWordLowerEnd,       // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+
    kCasedWordUpperStart,     // [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*
  };
  struct Alternative {
    Kind kind;
    std::u32string literal;  // kLiteral only; kClassRun: first, last of each range
    bool case_insensitive = false;
    unsigned max_digits = 0;
    bool trailing_newlines = false;
    bool trailing_slashes = false;              // kPunctuation: [\r\n/]* after the run instead of [\r\n]*
    std::vector<std::u32string> suffixes;       // kCasedWord*: (?i:'s|'t|...)? after the word, case-folded
  };

 private:
  explicit PreTokenizer(std::vector<Alternative> alternatives) : alternatives_(std::move(alternatives)) {}
  std::vector<Alternative> alternatives_;
};

}  // namespace r1eval::engine
