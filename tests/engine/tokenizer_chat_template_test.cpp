// The native R1 chat template against jinja2 renderings of the real template
// (tools/tokenizer_corpus/chat_template_cases.json), plus golden bytes and ids.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/chat_template.h"
#include "tokenizer_test_files.h"

namespace r1eval::engine {
namespace {

const std::string kPrompt =
    "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C><\xEF\xBD\x9CUser\xEF\xBD\x9C>What is 1+1?<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C><think>\n";

TEST(TokenizerChatTemplate, GoldenBytesAndIds) {
  const std::vector<ChatMessage> messages = {{"user", "What is 1+1?"}};
  EXPECT_EQ(render_chat(ChatTemplateKind::kR1Distill, messages), kPrompt);
  EXPECT_EQ(encode_chat(test::qwen_tokenizer(), ChatTemplateKind::kR1Distill, messages),
            (std::vector<std::uint32_t>{151646, 151644, 3838, 374, 220, 16, 10, 16, 30, 151645, 151648, 198}));
  EXPECT_EQ(encode_chat(test::llama_tokenizer(), ChatTemplateKind::kR1Distill, messages),
            (std::vector<std::uint32_t>{128000, 128011, 3923, 374, 220, 16, 10, 16, 30, 128012, 128013, 198}));
}

TEST(TokenizerChatTemplate, MatchesJinja2RenderingOfTheRealTemplate) {
  const auto cases = nlohmann::json::parse(test::read_text_file(std::filesystem::path(R1EVAL_SOURCE_DIR) / "tools" /
                                                                "tokenizer_corpus" / "chat_template_cases.json"));
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    std::vector<ChatMessage> messages;
    for (const auto& m : c.at("messages")) messages.push_back({m.at("role").get<std::string>(), m.at("content").get<std::string>()});
    ChatTemplateOptions options;
    options.add_generation_prompt = c.at("add_generation_prompt").get<bool>();
    EXPECT_EQ(render_chat(ChatTemplateKind::kR1Distill, messages, options), c.at("rendered").get<std::string>()) << c.dump();
  }
}

TEST(TokenizerChatTemplate, ThinkCanBeLeftOpenToTheModel) {
  ChatTemplateOptions options;
  options.force_think = false;
  EXPECT_EQ(render_chat(ChatTemplateKind::kR1Distill, {{"user", "What is 1+1?"}}, options),
            kPrompt.substr(0, kPrompt.size() - std::string("<think>\n").size()));
}

TEST(TokenizerChatTemplate, PlainTemplateForBaseModels) {
  const std::vector<ChatMessage> messages = {{"system", "Be brief."}, {"user", "What is 1+1?"}, {"assistant", "2"}, {"user", "And 2+2?"}};
  EXPECT_EQ(render_chat(ChatTemplateKind::kPlain, messages),
            "Be brief.\n\nUser: What is 1+1?\n\nAssistant: 2\n\nUser: And 2+2?\n\nAssistant: <think>\n");
  ChatTemplateOptions options;
  options.force_think = false;
  EXPECT_EQ(render_chat(ChatTemplateKind::kPlain, {{"user", "Hi"}}, options), "User: Hi\n\nAssistant:");
  // The plain text carries no BOS itself: the tokenizer adds it.
  const auto ids = encode_chat(test::qwen_tokenizer(), ChatTemplateKind::kPlain, {{"user", "Hi"}}, options);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front(), 151646u);
  EXPECT_EQ(test::qwen_tokenizer().decode(std::span(ids).subspan(1)), "User: Hi\n\nAssistant:");
}

TEST(TokenizerChatTemplate, NamesAndRecognition) {
  EXPECT_EQ(chat_template_kind_from_name("r1"), ChatTemplateKind::kR1Distill);
  EXPECT_EQ(chat_template_kind_from_name("plain"), ChatTemplateKind::kPlain);
  EXPECT_THROW(chat_template_kind_from_name("chatml"), std::invalid_argument);
  const auto& config_template = test::qwen_tokenizer().chat_template();
  ASSERT_TRUE(config_template.has_value());
  EXPECT_EQ(recognise_chat_template(*config_template), ChatTemplateKind::kR1Distill);
  EXPECT_EQ(recognise_chat_template("{{ messages }}"), std::nullopt);
}

TEST(TokenizerChatTemplate, UnknownRoleIsRejectedWithItsIndex) {
  try {
    render_chat(ChatTemplateKind::kR1Distill, {{"user", "a"}, {"tool", "b"}});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("message 1: role 'tool'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace r1eval::engine
