// `r1eval tokenize` and `r1eval generate` on the tiny model folder of test_support.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "cli_checks.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;

TEST(EngineCli, TokenizePrintsTheIds) {
  const auto model = testing::tiny_model("tokenize");
  const auto r = testing::run_r1eval("tokenize --model " + model.string(), "hi there");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json({104, 105, 32, 116, 104, 101, 114, 101}));
}

// --chat shows the prompt a run sends: the checkpoint's own template here (a chat_template.jinja in the folder).
TEST(EngineCli, TokenizeChatShowsThePromptOfARun) {
  const auto model = testing::tiny_model("tokenize_chat");
  std::ofstream(model / "chat_template.jinja")
      << "{% for m in messages %}<{{ m.role }}>{{ m.content | trim }}\n{% endfor %}{% if add_generation_prompt %}<assistant>{% endif %}";
  const auto r = testing::run_r1eval("tokenize --model " + model.string() + " --chat auto --show-text", "  hi ");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["text"], "<user>hi\n<assistant>");
  const auto plain = testing::run_r1eval("tokenize --no-special --model " + model.string(), "<user>hi\n<assistant>");
  EXPECT_EQ(out["ids"], nlohmann::json::parse(plain.out));
  testing::expect_one_line_error(testing::run_r1eval("tokenize --model " + model.string() + " --chat chatml", "x"), "--chat");
  // Template variables, as `run --chat-template-kwargs` gives them (and `generate` the same way).
  std::ofstream(model / "chat_template.jinja") << "[{{ reasoning_effort | default('medium') }}]{{ messages[0].content }}";
  const auto high = testing::run_r1eval(
      "tokenize --model " + model.string() + " --chat model --show-text --chat-template-kwargs '{\"reasoning_effort\": \"high\"}'", "hi");
  ASSERT_EQ(high.exit_code, 0) << high.err;
  EXPECT_EQ(nlohmann::json::parse(high.out)["text"], "[high]hi");
  testing::expect_one_line_error(
      testing::run_r1eval("tokenize --model " + model.string() + " --chat-template-kwargs '{\"a\": 1}'", "hi"), "needs --chat");
  testing::expect_one_line_error(
      testing::run_r1eval("generate --model " + model.string() + " --prompt hi --template plain --chat-template-kwargs '{\"a\": 1}'"),
      "not the native plain one");
}

// --decode turns ids back into text; --no-special skips the special ones; anything but an id array is one line.
TEST(EngineCli, TokenizeDecodesIds) {
  const auto model = testing::tiny_model("tokenize_decode");
  const auto ids = testing::run_r1eval("tokenize --model " + model.string(), "hi there");
  ASSERT_EQ(ids.exit_code, 0) << ids.err;
  const auto text = testing::run_r1eval("tokenize --decode --model " + model.string(), ids.out);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "hi there");
  testing::expect_one_line_error(testing::run_r1eval("tokenize --decode --model " + model.string(), "[1, -2]"),
                                 "expected a JSON array of token ids");
  testing::expect_one_line_error(testing::run_r1eval("tokenize --decode --chat r1 --model " + model.string(), "[1]"),
                                 "--decode and --chat");
}

TEST(EngineCli, GenerateIsReproducibleAndBatchInvariant) {
  const auto model = testing::tiny_model("generate");
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
  testing::expect_one_line_error(r, "/nonexistent/model");
}

}  // namespace
}  // namespace r1eval::harness
