// The Tokenizer as the engine uses it: special tokens, normalisation, decoding and streaming,
// concurrency, and one-line errors for bad files.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "engine/tokenizer/normalizer.h"
#include "engine/tokenizer/streaming_decoder.h"
#include "engine/tokenizer/tiktoken_convert.h"
#include "engine/tokenizer/utf8.h"
#include "tokenizer_test_files.h"

namespace r1eval::engine {
namespace {

TEST(TokenizerApi, BosComesFromTokenizerConfig) {
  const Tokenizer& q = test::qwen_tokenizer();
  EXPECT_EQ(q.encode("What is 1+1?"), (std::vector<std::uint32_t>{151646, 3838, 374, 220, 16, 10, 16, 30}));
  EXPECT_EQ(q.bos_id(), 151646u);
  EXPECT_EQ(q.eos_id(), 151643u);
  EXPECT_EQ(test::llama_tokenizer().bos_id(), 128000u);
  EXPECT_EQ(test::llama_tokenizer().eos_id(), 128001u);
  EXPECT_EQ(q.vocab_size(), 151665u);
  EXPECT_TRUE(q.is_special(151643));
  EXPECT_FALSE(q.is_special(151648));  // <think> is an added, not special, token
}

TEST(TokenizerApi, AddedTokensAreNeverSplit) {
  const Tokenizer& q = test::qwen_tokenizer();
  EXPECT_EQ(q.encode("<think>x</think>", false), (std::vector<std::uint32_t>{151648, 87, 151649}));
  EXPECT_EQ(q.token_to_id("<think>"), 151648u);
  EXPECT_EQ(q.token_to_id("no such token here"), std::nullopt);
}

TEST(TokenizerApi, NfcOnlyWhereTheFileAsksForIt) {
  const std::string decomposed = "Cafe\xCC\x81";  // e + combining acute
  const std::string composed = "Caf\xC3\xA9";
  EXPECT_EQ(test::qwen_tokenizer().encode(decomposed, false), test::qwen_tokenizer().encode(composed, false));
  EXPECT_NE(test::llama_tokenizer().encode(decomposed, false), test::llama_tokenizer().encode(composed, false));
}

TEST(TokenizerApi, DecodeSkipsSpecialTokensOnRequest) {
  const Tokenizer& q = test::qwen_tokenizer();
  const auto ids = q.encode("<think>\nok</think><\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>");
  EXPECT_EQ(q.decode(ids, true), "<think>\nok</think>");
  EXPECT_EQ(q.decode(ids).substr(0, 4), "<\xEF\xBD\x9C");  // BOS text comes back without skipping
  // An id of the model's padded vocabulary beyond the tokenizer's decodes to nothing, as in HF.
  const std::uint32_t beyond = static_cast<std::uint32_t>(q.vocab_size()) + 5;
  const auto hi = q.encode("hi", false);
  std::vector<std::uint32_t> with_padding_id = hi;
  with_padding_id.push_back(beyond);
  with_padding_id.insert(with_padding_id.end(), hi.begin(), hi.end());
  EXPECT_EQ(q.decode(with_padding_id), "hihi");
  EXPECT_THROW(q.encode("bad \xFF utf8"), std::invalid_argument);
}

TEST(TokenizerApi, StreamingDecoderHoldsBackIncompleteCharacters) {
  const Tokenizer& q = test::qwen_tokenizer();
  const std::string text = "\xF0\x9F\x98\xB6\xE2\x80\x8D\xF0\x9F\x8C\xAB\xEF\xB8\x8F \xE6\x88\x91\xE6\x83\xB3 emoji \xF0\x9F\xA6\x99.";
  const auto ids = q.encode(text, false);
  StreamingDecoder stream(q);
  std::string streamed;
  bool held_back = false;
  for (auto id : ids) {
    const std::string piece = stream.push(id);
    EXPECT_EQ(utf8::first_invalid(piece), piece.size()) << "a released piece is always valid UTF-8";
    held_back |= stream.pending_bytes() > 0;
    streamed += piece;
  }
  streamed += stream.finish();
  EXPECT_TRUE(held_back) << "the test text should split a character across tokens";
  EXPECT_EQ(streamed, text);
  EXPECT_EQ(streamed, q.decode(ids));
}

TEST(TokenizerApi, StreamingDecoderReplacesWhatCannotComplete) {
  const Tokenizer& q = test::qwen_tokenizer();
  // The ids of two lone bytes: a lead byte then ASCII.
  const auto lead = q.token_to_id("\xE6");
  const auto ascii = q.token_to_id("A");
  ASSERT_TRUE(lead && ascii);
  StreamingDecoder stream(q);
  EXPECT_EQ(stream.push(*lead), "");
  EXPECT_EQ(stream.pending_bytes(), 1u);
  EXPECT_EQ(stream.push(*ascii), "\xEF\xBF\xBD" "A");
  EXPECT_EQ(stream.push(*lead), "");
  EXPECT_EQ(stream.finish(), "\xEF\xBF\xBD");
}

TEST(TokenizerApi, ConcurrentEncodingGivesTheSameIds) {
  const Tokenizer& l = test::llama_tokenizer();
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) texts.push_back("Sample " + std::to_string(i * 7919) + ": the quick brown fox's " + std::string(i % 9, ' ') + "jumps\n");
  std::vector<std::vector<std::uint32_t>> expected;
  for (const auto& t : texts) expected.push_back(l.encode(t));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round)
        for (std::size_t i = 0; i < texts.size(); ++i) mismatches[t] += l.encode(texts[(i + t) % texts.size()]) != expected[(i + t) % texts.size()];
    });
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

// --- bad files ---

std::filesystem::path write_case(const std::string& name, const std::string& content) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizer_bad" / name;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer.json", std::ios::binary | std::ios::trunc) << content;
  return dir;
}

nlohmann::json tiny_tokenizer_json() {
  nlohmann::json vocab = nlohmann::json::object();
  vocab["a"] = 0;
  vocab["b"] = 1;
  vocab["ab"] = 2;
  vocab["\xC4\xA0"] = 3;  // Ġ = space
  return {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array({"a b"})}}},
          {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
          {"decoder", {{"type", "ByteLevel"}}},
          {"added_tokens", nlohmann::json::array()}};
}

std::string load_error(const std::filesystem::path& dir) {
  try {
    Tokenizer::from_folder(dir);
  } catch (const TokenizerError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << "error must be one line: " << what;
    return what;
  }
  ADD_FAILURE() << "expected a TokenizerError for " << dir;
  return {};
}

TEST(TokenizerApi, MergesLoadInBothFormats) {
  auto j = tiny_tokenizer_json();
  const Tokenizer strings = Tokenizer::from_folder(write_case("merges_strings", j.dump()));
  j["model"]["merges"] = nlohmann::json::array({nlohmann::json::array({"a", "b"})});
  const Tokenizer pairs = Tokenizer::from_folder(write_case("merges_pairs", j.dump()));
  EXPECT_EQ(strings.encode("ab ab", false), (std::vector<std::uint32_t>{2, 3, 2}));
  EXPECT_EQ(pairs.encode("ab ab", false), (std::vector<std::uint32_t>{2, 3, 2}));
}

TEST(TokenizerApi, BadFilesNameTheFileAndTheJsonPath) {
  EXPECT_NE(load_error(write_case("truncated", tiny_tokenizer_json().dump().substr(0, 40))).find("tokenizer.json: invalid JSON"), std::string::npos);

  auto j = tiny_tokenizer_json();
  j["model"]["merges"] = nlohmann::json::array({"a b", "a c"});
  EXPECT_NE(load_error(write_case("merge_unknown", j.dump())).find("model.merges[1]: token 'c' is not in model.vocab"), std::string::npos);

  j = tiny_tokenizer_json();
  j["model"]["merges"] = nlohmann::json::array({"a b", "b a"});
  EXPECT_NE(load_error(write_case("merge_result", j.dump())).find("model.merges[1]: the merged token 'ba' is not in model.vocab"), std::string::npos);

  j = tiny_tokenizer_json();
  j["model"]["merges"] = nlohmann::json::array({42});
  EXPECT_NE(load_error(write_case("merge_type", j.dump())).find("model.merges[0]: expected"), std::string::npos);

  j = tiny_tokenizer_json();
  j["normalizer"] = {{"type", "Lowercase"}};
  EXPECT_NE(load_error(write_case("normalizer", j.dump())).find("normalizer.type: unsupported normalizer 'Lowercase'"), std::string::npos);

  j = tiny_tokenizer_json();
  j["pre_tokenizer"] = {{"type", "Sequence"},
                        {"pretokenizers", {{{"type", "Split"}, {"pattern", {{"Regex", "\\d+"}}}, {"behavior", "Isolated"}, {"invert", false}},
                                           {{"type", "ByteLevel"}, {"use_regex", false}}}}};
  EXPECT_NE(load_error(write_case("pattern", j.dump())).find("pre_tokenizer.pretokenizers[0].pattern.Regex: unsupported"), std::string::npos);

  j = tiny_tokenizer_json();
  j["model"]["vocab"]["a"] = -1;
  EXPECT_NE(load_error(write_case("vocab_id", j.dump())).find("model.vocab[\"a\"]: expected a token id"), std::string::npos);

  j = tiny_tokenizer_json();
  j["model"].erase("vocab");
  EXPECT_NE(load_error(write_case("no_vocab", j.dump())).find("model.vocab: missing"), std::string::npos);

  j = tiny_tokenizer_json();
  j["added_tokens"] = nlohmann::json::array({{{"id", 9}}});
  EXPECT_NE(load_error(write_case("added", j.dump())).find("added_tokens[0].content: missing"), std::string::npos);

  EXPECT_NE(load_error(std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizer_bad" / "absent").find("cannot open"), std::string::npos);

  const auto config_dir = write_case("config_bos", tiny_tokenizer_json().dump());
  std::ofstream(config_dir / "tokenizer_config.json") << R"({"bos_token": 7})";
  EXPECT_NE(load_error(config_dir).find("tokenizer_config.json: bos_token: expected a string"), std::string::npos);
}

// transformers 5 drops a config's add_bos_token / add_eos_token once a tokenizer.json exists: the post-processor
// alone decides what encode adds, whatever the flags say (and a BOS the vocabulary lacks is no error).
TEST(TokenizerApi, TheConfigsBosAndEosFlagsDoNotChangeTheIds) {
  nlohmann::json j = tiny_tokenizer_json();
  j["added_tokens"] = nlohmann::json::array({{{"id", 4}, {"content", "<s>"}, {"special", true}}});
  j["model"]["vocab"]["<s>"] = 4;
  j["post_processor"] = {{"type", "TemplateProcessing"},
                         {"single", nlohmann::json::array({{{"SpecialToken", {{"id", "<s>"}, {"type_id", 0}}}},
                                                           {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
                         {"pair", nlohmann::json::array()},
                         {"special_tokens", {{"<s>", {{"id", "<s>"}, {"ids", {4}}, {"tokens", {"<s>"}}}}}}};
  const auto with_bos = write_case("flags_ignored", j.dump());
  std::ofstream(with_bos / "tokenizer_config.json") << R"({"add_bos_token": false, "add_eos_token": true, "bos_token": "<s>", "eos_token": "<nope>"})";
  EXPECT_EQ(Tokenizer::from_folder(with_bos).encode("ab", true), (std::vector<std::uint32_t>{4, 2}));
  j.erase("post_processor");
  const auto without = write_case("flags_ignored_no_post_processor", j.dump());
  std::ofstream(without / "tokenizer_config.json") << R"({"add_bos_token": true, "bos_token": "<s>"})";
  EXPECT_EQ(Tokenizer::from_folder(without).encode("ab", true), (std::vector<std::uint32_t>{2}));
}

// Every JSON value of a valid file replaced, one at a time, by values of other types: loading either
// succeeds or throws TokenizerError, never anything else.
TEST(TokenizerApi, MutatedFilesFailCleanly) {
  const nlohmann::json base = tiny_tokenizer_json();
  std::vector<nlohmann::json::json_pointer> pointers;
  const nlohmann::json flat = base.flatten();
  for (const auto& [path, value] : flat.items()) {
    (void)value;
    auto p = nlohmann::json::json_pointer(path);
    for (; !p.empty(); p = p.parent_pointer()) pointers.push_back(p);
  }
  const std::vector<nlohmann::json> replacements = {nullptr, -1, 4294967296.0, "x", nlohmann::json::array({1}), nlohmann::json::object(), true};
  int loaded = 0, rejected = 0;
  for (const auto& p : pointers)
    for (const auto& r : replacements) {
      nlohmann::json j = base;
      j[p] = r;
      try {
        Tokenizer t = Tokenizer::from_folder(write_case("mutated", j.dump()));
        (void)t.encode("ab ab", false);
        ++loaded;
      } catch (const TokenizerError& e) {
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
        ++rejected;
      }
    }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(loaded, 0);
}

TEST(TokenizerApi, RandomBytesAreEncodedOrRejected) {
  const Tokenizer& q = test::qwen_tokenizer();
  std::mt19937 rng(7);
  int valid = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 24, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? rng() % 256 : 0x20 + rng() % 0x60);
    if (utf8::first_invalid(s) != s.size()) {
      EXPECT_THROW(q.encode(s), std::invalid_argument);
      continue;
    }
    ++valid;
    EXPECT_EQ(q.decode(q.encode(s, false)), nfc(s));
  }
  EXPECT_GT(valid, 100);
}

TEST(TokenizerApi, BadTiktokenFilesNameTheLine) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizer_bad";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "bad.tiktoken") << "YQ== 0\nYg== 1\n!!!! 2\n";
  try {
    load_tiktoken_ranks(dir / "bad.tiktoken");
    FAIL();
  } catch (const TokenizerError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.tiktoken:3: invalid base64"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "gap.tiktoken") << "YQ== 0\nYg== 2\n";
  EXPECT_THROW(load_tiktoken_ranks(dir / "gap.tiktoken"), TokenizerError);
  std::ofstream(dir / "ok.tiktoken") << "YQ== 0\nYg== 1\nYWI= 2\n";
  EXPECT_EQ(load_tiktoken_ranks(dir / "ok.tiktoken"), (std::vector<std::string>{"a", "b", "ab"}));
}

}  // namespace
}  // namespace r1eval::engine
