// `r1eval tokenize` and `r1eval generate` on a tiny random-weight checkpoint (tests/fixtures/engine) given a
// byte-level tokenizer.json written here (256 byte tokens, the fixture's vocabulary size).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;

// GPT-2's byte -> printable code point map, which byte-level BPE vocabularies are written in.
std::string byte_token(int b) {
  const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  int code = b;
  if (!printable) {
    int n = 0;
    for (int x = 0; x < b; ++x)
      if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) ++n;
    code = 256 + n;
  }
  std::string utf8;
  if (code < 0x80) {
    utf8 += static_cast<char>(code);
  } else {
    utf8 += static_cast<char>(0xC0 | (code >> 6));
    utf8 += static_cast<char>(0x80 | (code & 0x3F));
  }
  return utf8;
}

// A separate folder per test: CTest runs tests in parallel processes.
std::filesystem::path tiny_model(const std::string& name) {
  const auto dir = testing::scratch_dir("tiny_model_" + name);
  const auto fixture = std::filesystem::path(R1EVAL_SOURCE_DIR) / "tests/fixtures/engine/qwen2_fp32";
  for (const auto& entry : std::filesystem::directory_iterator(fixture))
    std::filesystem::copy_file(entry.path(), dir / entry.path().filename());
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[byte_token(b)] = b;
  const nlohmann::json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  const nlohmann::json tokenizer = {
      {"version", "1.0"}, {"added_tokens", nlohmann::json::array()}, {"normalizer", nullptr},
      {"pre_tokenizer", byte_level}, {"post_processor", nullptr}, {"decoder", byte_level},
      {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                 {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
                 {"ignore_merges", false}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
  testing::write_text(dir / "tokenizer.json", tokenizer.dump());
  return dir;
}

TEST(EngineCli, TokenizePrintsTheIds) {
  const auto model = tiny_model("tokenize");
  const auto r = testing::run_r1eval("tokenize --model " + model.string(), "hi there");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json({104, 105, 32, 116, 104, 101, 114, 101}));
}

TEST(EngineCli, GenerateIsReproducibleAndBatchInvariant) {
  const auto model = tiny_model("generate");
  const std::string base = "generate --model " + model.string() + " --prompt 'What is 1+1?' --template plain "
                           "--max-tokens 12 --seed 7 --format json";
  const auto one = testing::run_r1eval(base + " --n 1");
  const auto three = testing::run_r1eval(base + " --n 3");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_EQ(three.exit_code, 0) << three.err;
  const auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(three.out);
  ASSERT_EQ(b["completions"].size(), 3u);
  // Sample 0 draws the same tokens whether it runs alone or beside two others.
  EXPECT_EQ(a["completions"][0]["tokens"], b["completions"][0]["tokens"]);
  EXPECT_EQ(a["completions"][0]["tokens"].size(), 12u);
  EXPECT_EQ(a["completions"][0]["finish_reason"], "length");
  EXPECT_NE(b["completions"][0]["tokens"], b["completions"][1]["tokens"]);
  EXPECT_GT(a["prompt_tokens"].get<int>(), 0);
  EXPECT_EQ(nlohmann::json::parse(testing::run_r1eval(base + " --n 1").out)["completions"], a["completions"]);
}

TEST(EngineCli, BadModelFolderIsOneLine) {
  const auto r = testing::run_r1eval("generate --model /nonexistent/model --prompt x");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("/nonexistent/model"));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace r1eval::harness
