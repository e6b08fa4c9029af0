// The tokenizer's parts on small inputs: UTF-8 helpers, the byte-level alphabet, the pre-tokenizer
// matcher (expected splits recorded from HF tokenizers' Split / ByteLevel pre-tokenizers), BPE
// ranks, added-token matching and tiktoken merge derivation.
#include <gtest/gtest.h>

#include "engine/tokenizer/added_tokens.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/normalizer.h"
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/tiktoken_convert.h"
#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {
namespace {

using Pieces = std::vector<std::string>;

const char* kQwenPattern = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
const char* kLlamaPattern = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

Pieces split(const PreTokenizer& p, std::string_view text) {
  std::vector<std::string_view> views;
  p.split(text, views);
  return Pieces(views.begin(), views.end());
}

TEST(TokenizerUtf8, LossyReplacesEachMaximalIllFormedSubpart) {
  EXPECT_EQ(utf8::lossy("a\xE2\x82" "b"), "a\xEF\xBF\xBD" "b");          // truncated 3-byte sequence: one U+FFFD
  EXPECT_EQ(utf8::lossy("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");         // overlong: two
  EXPECT_EQ(utf8::lossy("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(utf8::lossy("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(utf8::first_invalid("ok\xFF"), 2u);
}

TEST(TokenizerUtf8, IncompleteTailIsOnlyAValidPrefix) {
  EXPECT_EQ(utf8::incomplete_tail("x\xF0\x9F\x9A"), 3u);  // 3 of the 4 bytes of an emoji
  EXPECT_EQ(utf8::incomplete_tail("x\xE4"), 1u);
  EXPECT_EQ(utf8::incomplete_tail("x\xF0\x9F\x9A\x80"), 0u);  // complete
  EXPECT_EQ(utf8::incomplete_tail("x\xE0\x80"), 0u);          // can never complete: not held back
  EXPECT_EQ(utf8::incomplete_tail("x\x80"), 0u);
}

// NFC as HF tokenizers computes it (Unicode 9.0 tables): Unicode's own NFC for what those tables know,
// code points assigned later left where they are, blocking nothing and composing with nothing.
TEST(TokenizerNormalizer, NfcWithTheTablesHuggingFaceUses) {
  EXPECT_EQ(nfc("a\u0301"), "\u00e1");
  EXPECT_EQ(nfc("a\u0301\u0316"), "\u00e1\u0316");  // reordered (220 before 230), then composed
  EXPECT_EQ(nfc("plain ASCII"), "plain ASCII");
  // U+07FD (Unicode 11, class 220): Unicode 15 composes a + U+0301 across it; HF does not.
  EXPECT_EQ(nfc("a\u07fd\u0301"), "a\u07fd\u0301");
  // U+1DF7 (Unicode 10, class 228) would move before U+1DC0 (230); U+0D3B (10) before U+0301.
  EXPECT_EQ(nfc("\u1dc0\u1df7"), "\u1dc0\u1df7");
  EXPECT_EQ(nfc("\u0301\u0d3b"), "\u0301\u0d3b");
  // A composition of Unicode 13 (U+11935 U+11930 -> U+11938) is not made; the text around is still normalized.
  EXPECT_EQ(nfc("e\u0301 \U00011935\U00011930 e\u0301"), "\u00e9 \U00011935\U00011930 \u00e9");
}

TEST(TokenizerByteLevel, AlphabetRoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  const std::string text = bytes_to_byte_level(all);
  EXPECT_EQ(byte_level_to_bytes(text), all);
  EXPECT_EQ(bytes_to_byte_level(" \n"), "\xC4\xA0\xC4\x8A");  // "ĠĊ"
  EXPECT_EQ(byte_level_char('A'), U'A');
  EXPECT_EQ(byte_level_to_bytes("\xE4\xB8\xAD"), std::nullopt);  // 中 is not in the alphabet
}

TEST(TokenizerPreTokenizer, QwenSplitsLikeHuggingFace) {
  const auto q = PreTokenizer::from_regex(kQwenPattern);
  EXPECT_EQ(split(q, "Hello  world\n\n  x"), (Pieces{"Hello", " ", " world", "\n\n", " ", " x"}));
  EXPECT_EQ(split(q, "We'RE 12345 (ok)!!\n\nyes   "),
            (Pieces{"We", "'RE", " ", "1", "2", "3", "4", "5", " (", "ok", ")!!\n\n", "yes", "   "}));
  EXPECT_EQ(split(q, "a \t\n b"), (Pieces{"a", " \t\n", " b"}));
  // Oniguruma's (?i) folds U+017F (long s) to s; \s excludes U+001C but includes U+2028.
  EXPECT_EQ(split(q, "'\xC5\xBF" "ab"), (Pieces{"'\xC5\xBF", "ab"}));
  EXPECT_EQ(split(q, "a\x1C\x1C" "b"), (Pieces{"a", "\x1C\x1C", "b"}));
  EXPECT_EQ(split(q, "\xE2\x80\xA8 x"), (Pieces{"\xE2\x80\xA8", " x"}));
  EXPECT_TRUE(split(q, "").empty());
}

TEST(TokenizerPreTokenizer, LlamaGroupsDigitsByThree) {
  const auto l = PreTokenizer::from_regex(kLlamaPattern);
  EXPECT_EQ(split(l, "We'RE 12345 (ok)"), (Pieces{"We", "'RE", " ", "123", "45", " (", "ok", ")"}));
}

TEST(TokenizerPreTokenizer, Gpt2PatternOfByteLevel) {
  const auto g = PreTokenizer::gpt2();
  EXPECT_EQ(split(g, "We'RE 12345 (ok)!!\n\nyes   "),
            (Pieces{"We", "'", "RE", " 12345", " (", "ok", ")!!", "\n", "\n", "yes", "   "}));
  EXPECT_EQ(split(g, "Hello  world\n\n  x"), (Pieces{"Hello", " ", " world", "\n\n ", " x"}));
}

TEST(TokenizerPreTokenizer, UnknownPatternsAreRejectedNotApproximated) {
  try {
    (void)PreTokenizer::from_regex(R"(\p{L}+|\d+)");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'\\d+'"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)PreTokenizer::from_regex(R"((?i:'s|\p{L}))"), std::invalid_argument);
  EXPECT_THROW((void)PreTokenizer::from_regex(R"([^a-z]+)"), std::invalid_argument);  // negated class
  EXPECT_THROW((void)PreTokenizer::from_regex(R"([a\-z]+)"), std::invalid_argument);  // escapes in a class
}

// A class of literal code points and ranges, as DeepSeek-V3's CJK and kana split has it.
TEST(TokenizerPreTokenizer, ClassRunsOfLiteralRanges) {
  const auto p = PreTokenizer::from_regex("[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ffx]+");
  EXPECT_EQ(split(p, "ab\u4f60\u597dx\u3042\u30a2!"), (Pieces{"ab", "\u4f60\u597dx\u3042\u30a2", "!"}));
}

// A byte-level model: all 256 bytes, then tokens built by the given merges.
BpeModel tiny_model(const std::vector<std::pair<std::string, std::string>>& merges, bool ignore_merges,
                    const std::vector<std::string>& extra_tokens = {}) {
  std::vector<std::string> vocab;
  for (int b = 0; b < 256; ++b) vocab.push_back(std::string(1, static_cast<char>(b)));
  auto id_of = [&](const std::string& s) {
    for (std::uint32_t i = 0; i < vocab.size(); ++i)
      if (vocab[i] == s) return i;
    vocab.push_back(s);
    return static_cast<std::uint32_t>(vocab.size() - 1);
  };
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ids;
  for (const auto& [l, r] : merges) {
    const std::uint32_t a = id_of(l), b = id_of(r);
    id_of(l + r);
    ids.emplace_back(a, b);
  }
  for (const auto& t : extra_tokens) id_of(t);
  return BpeModel(vocab, ids, BpeOptions{.ignore_merges = ignore_merges});
}

std::vector<std::string> pieces_of(const BpeModel& m, std::string_view word) {
  std::vector<std::uint32_t> ids;
  m.encode_word(word, ids);
  std::vector<std::string> out;
  for (auto id : ids) out.push_back(m.token_bytes(id));
  return out;
}

TEST(TokenizerBpe, MergesLowestRankFirstThenLeftmost) {
  // "bc" outranks "ab": abc -> a + bc, never ab + c.
  const auto m = tiny_model({{"b", "c"}, {"a", "b"}, {"a", "bc"}}, false);
  EXPECT_EQ(pieces_of(m, "abc"), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(pieces_of(m, "abab"), (std::vector<std::string>{"ab", "ab"}));
  const auto aa = tiny_model({{"a", "a"}}, false);
  EXPECT_EQ(pieces_of(aa, "aaaaa"), (std::vector<std::string>{"aa", "aa", "a"}));  // leftmost among equal ranks
  EXPECT_EQ(pieces_of(aa, "aaaaa"), (std::vector<std::string>{"aa", "aa", "a"}));  // cached word
}

TEST(TokenizerBpe, IgnoreMergesEmitsWholeWordsFromTheVocabulary) {
  // "abc" is a token no merge sequence reaches; ignore_merges still emits it whole.
  const auto plain = tiny_model({{"a", "b"}}, false, {"abc"});
  const auto whole = tiny_model({{"a", "b"}}, true, {"abc"});
  EXPECT_EQ(pieces_of(plain, "abc"), (std::vector<std::string>{"ab", "c"}));
  EXPECT_EQ(pieces_of(whole, "abc"), (std::vector<std::string>{"abc"}));
}

TEST(TokenizerBpe, MergeOfUnknownResultIsRejected) {
  std::vector<std::string> vocab = {"a", "b"};
  EXPECT_THROW(BpeModel(vocab, {{0, 1}}, BpeOptions{}), std::invalid_argument);
}

TEST(TokenizerAddedTokens, LeftmostLongestWithStripping) {
  std::vector<AddedToken> tokens(3);
  tokens[0] = {100, "<think>"};
  tokens[1] = {101, "<thinker>"};
  tokens[2] = {102, "<s>", false, true, true};  // lstrip + rstrip
  const AddedTokenMatcher m(tokens);
  std::vector<Segment> out;
  m.split("a<thinker><think><thin x  <s>  y", out);
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].text, "a");
  EXPECT_EQ(out[1].token, 101);
  EXPECT_EQ(out[2].token, 100);
  EXPECT_EQ(out[3].text, "<thin x");
  EXPECT_EQ(out[4].token, 102);
  EXPECT_EQ(out[4].text, "  <s>  ");
  EXPECT_EQ(out[5].text, "y");
}

TEST(TokenizerAddedTokens, SingleWordOnlyOutsideWords) {
  std::vector<AddedToken> tokens(1);
  tokens[0] = {7, "cat", true};
  const AddedTokenMatcher m(tokens);
  std::vector<Segment> out;
  m.split("concat cat", out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text, "concat ");
  EXPECT_EQ(out[1].token, 7);
}

TEST(TokenizerTiktoken, MergeDerivations) {
  const std::vector<std::string> ranks = {"a", "b", "c", "ab", "bc", "abc"};
  // Replaying BPE on "abc" below rank 5 merges ab (rank 3) first, so abc = ab + c.
  EXPECT_EQ(derive_merges(ranks, MergeDerivation::kReplayBpe),
            (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}, {1, 2}, {3, 2}}));
  // Every split, grouped by the token's rank, ordered by the parts' ranks.
  EXPECT_EQ(derive_merges(ranks, MergeDerivation::kAllSplits),
            (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{0, 1}, {1, 2}, {0, 4}, {3, 2}}));
}

}  // namespace
}  // namespace r1eval::engine
