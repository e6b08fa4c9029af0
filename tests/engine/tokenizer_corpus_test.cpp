// The mixed corpus (tools/tokenizer_corpus/mixed.jsonl + the benchmark problems) against Hugging Face
// `tokenizers`' ids for the same tokenizer.json files, recorded by tools/tokenizer_corpus/make_expected.py
// as a count and a hash per document.
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/tokenizer/normalizer.h"
#include "engine/tokenizer/utf8.h"
#include "tokenizer_corpus.h"
#include "tokenizer_test_files.h"

namespace r1eval::engine {
namespace {

void compare_family(std::size_t family, const Tokenizer& tokenizer, bool nfc_text, const std::vector<test::CorpusDocument>& docs, const char* expected_file) {
  const auto rows = test::expected_rows(expected_file);
  ASSERT_EQ(docs.size(), rows.size()) << expected_file << " is out of date: rerun tools/tokenizer_corpus/make_expected.py";
  std::size_t tokens = 0, mismatches = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    ASSERT_EQ(docs[i].key, rows[i].key);
    const auto ids = tokenizer.encode(docs[i].text, false);
    tokens += ids.size();
    ASSERT_LT(family, rows[i].columns.size()) << expected_file << " line " << i + 1;
    const auto& [count, hash] = rows[i].columns[family];
    const bool same = ids.size() == count && test::fnv1a64_hex(ids) == hash;
    mismatches += !same;
    EXPECT_TRUE(same) << docs[i].key << ": " << ids.size() << " ids, HF has " << count << "; text: " << docs[i].text.substr(0, 2000);
    EXPECT_EQ(tokenizer.decode(ids), nfc_text ? nfc(docs[i].text) : docs[i].text) << docs[i].key;
  }
  std::printf("corpus: %zu documents, %zu tokens compared, %zu mismatches\n", docs.size(), tokens, mismatches);
  EXPECT_EQ(mismatches, 0u);
}

TEST(TokenizerCorpus, QwenMatchesHuggingFace) { compare_family(0, test::qwen_tokenizer(), true, test::corpus_documents(), "expected.tsv"); }

TEST(TokenizerCorpus, LlamaMatchesHuggingFace) { compare_family(1, test::llama_tokenizer(), false, test::corpus_documents(), "expected.tsv"); }

// Every code point in letter / number / whitespace-sensitive contexts: pins the character classes
// (ICU, plus unicode_additions.inc for characters newer than ICU) and NFC against HF's.
TEST(TokenizerCorpus, EveryCodePointQwen) { compare_family(0, test::qwen_tokenizer(), true, test::codepoint_documents(), "codepoints.tsv"); }

// The Qwen vocabulary behind ByteLevel's own GPT-2 regex (pre_tokenizer = ByteLevel{use_regex: true},
// no normalizer), as older byte-level tokenizer.json files have it.
TEST(TokenizerCorpus, ByteLevelRegexMatchesHuggingFace) {
  const auto source = test::materialised_tokenizer_dir(r1_distill_qwen_recipe()) / "tokenizer.json";
  auto j = nlohmann::json::parse(test::read_text_file(source));
  j["normalizer"] = nullptr;
  j["pre_tokenizer"] = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizers" / "qwen-byte-level-regex";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer.json", std::ios::trunc) << j.dump();
  compare_family(0, Tokenizer::from_folder(dir), false, test::corpus_documents(), "expected_gpt2.tsv");
}

TEST(TokenizerCorpus, EveryCodePointLlama) { compare_family(1, test::llama_tokenizer(), false, test::codepoint_documents(), "codepoints.tsv"); }

// DeepSeek-V3's pre-tokenizer (DeepSeek-R1, R1-0528 and R1-0528-Qwen3-8B ship it): digit groups of three, CJK
// and kana runs, then letters with marks, punctuation and symbol runs, spaces; three Isolated Splits in a
// Sequence before a regex-less ByteLevel. The Llama-3 ranks stand in for its vocabulary (the split is what
// is compared); every code point pins \p{P}, \p{S} and \p{M}.
nlohmann::json isolated_split(const std::string& regex) {
  return nlohmann::json{{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}};
}

// The Llama file with Splits of `regexes` in a Sequence before a regex-less ByteLevel, no normalizer.
Tokenizer llama_with_splits(const std::string& name, const std::vector<std::string>& regexes) {
  const auto source = test::materialised_tokenizer_dir(r1_distill_llama_recipe()) / "tokenizer.json";
  auto j = nlohmann::json::parse(test::read_text_file(source));
  j["normalizer"] = nullptr;
  nlohmann::json steps = nlohmann::json::array();
  for (const std::string& regex : regexes) steps.push_back(isolated_split(regex));
  steps.push_back({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}});
  j["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", steps}};
  // A folder per process: ctest runs the tests that write it at once.
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizers" / (name + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer.json", std::ios::trunc) << j.dump();
  return Tokenizer::from_folder(dir);
}

Tokenizer deepseek_v3_pre_tokenizer_variant() {
  return llama_with_splits(
      "llama-deepseek-v3-pre-tokenizer",
      {R"(\p{N}{1,3})", "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
       R"([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)"});
}

// GPT-4o's o200k pattern (gpt-oss, Phi-4-mini) and Mistral's tekken (Mistral-Nemo, Mistral-Small-3, Magistral):
// upper-case letters before lower-case ones, [\r\n/]* after punctuation; the Llama-3 ranks stand in.
const std::string kCasedWords =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+SUFFIX|)"
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*SUFFIX)";
std::string cased_words(const std::string& suffix) {
  std::string s = kCasedWords;
  for (std::size_t at = s.find("SUFFIX"); at != std::string::npos; at = s.find("SUFFIX")) s.replace(at, 6, suffix);
  return s;
}
Tokenizer o200k_variant() {
  return llama_with_splits("llama-o200k", {cased_words(R"((?i:'s|'t|'re|'ve|'m|'ll|'d)?)") +
                                               R"(|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"});
}
Tokenizer tekken_variant() {
  return llama_with_splits("llama-tekken",
                           {cased_words("") + R"(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)"});
}

TEST(TokenizerCorpus, O200kPreTokenizerMatchesHuggingFace) {
  compare_family(0, o200k_variant(), false, test::corpus_documents(), "expected_o200k.tsv");
  compare_family(0, o200k_variant(), false, test::codepoint_documents(), "codepoints_o200k.tsv");
}

TEST(TokenizerCorpus, TekkenPreTokenizerMatchesHuggingFace) {
  compare_family(0, tekken_variant(), false, test::corpus_documents(), "expected_tekken.tsv");
  compare_family(0, tekken_variant(), false, test::codepoint_documents(), "codepoints_tekken.tsv");
}

TEST(TokenizerCorpus, DeepSeekV3PreTokenizerMatchesHuggingFace) {
  compare_family(0, deepseek_v3_pre_tokenizer_variant(), false, test::corpus_documents(), "expected_deepseek_v3.tsv");
}

TEST(TokenizerCorpus, EveryCodePointDeepSeekV3PreTokenizer) {
  compare_family(0, deepseek_v3_pre_tokenizer_variant(), false, test::codepoint_documents(), "codepoints_deepseek_v3.tsv");
}

}  // namespace
}  // namespace r1eval::engine
