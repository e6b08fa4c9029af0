// The native R1 chat template against jinja2 renderings of the real template
// (tools/tokenizer_corpus/chat_template_cases.json), plus golden bytes and ids.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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
  EXPECT_EQ(chat_template_kind_from_name("model"), ChatTemplateKind::kCheckpoint);
  EXPECT_THROW(chat_template_kind_from_name("chatml"), std::invalid_argument);
  const auto& config_template = test::qwen_tokenizer().chat_template();
  ASSERT_TRUE(config_template.has_value());
  EXPECT_EQ(recognise_chat_template(*config_template), ChatTemplateKind::kR1Distill);
  EXPECT_EQ(recognise_chat_template("{{ messages }}"), std::nullopt);
}

// A copy of the demo model's tokenizer folder with `template_file` as its chat_template.jinja (none when empty).
std::filesystem::path tokenizer_folder_with(const std::string& name, const std::string& template_file) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / ("chat_template_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto demo = std::filesystem::path(R1EVAL_SOURCE_DIR) / "tests" / "fixtures" / "demo_model";
  std::filesystem::copy_file(demo / "tokenizer.json", dir / "tokenizer.json");
  std::filesystem::copy_file(demo / "tokenizer_config.json", dir / "tokenizer_config.json");
  if (!template_file.empty()) std::ofstream(dir / "chat_template.jinja") << template_file;
  return dir;
}

// A checkpoint whose own template is not the R1 one is prompted with it, rendered as transformers does
// (chat_template.jinja preferred to tokenizer_config.json's template, tools None, bos / eos tokens given).
TEST(TokenizerChatTemplate, OtherCheckpointsArePromptedWithTheirOwnTemplate) {
  const std::string chatml =
      "{%- if tools is none and messages[0]['role'] != 'system' %}{{- '<|im_start|>system\nYou are helpful.<|im_end|>\n' }}"
      "{%- endif %}\n{%- for message in messages %}\n  {{- '<|im_start|>' + message.role + '\n' + message.content | trim + "
      "'<|im_end|>\n' }}\n{%- endfor %}\n{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n<think>\n' }}{%- endif %}"
      "{{- eos_token if false }}\n";
  const Tokenizer tokenizer = Tokenizer::from_folder(tokenizer_folder_with("chatml", chatml));
  EXPECT_EQ(automatic_chat_template(tokenizer), ChatTemplateKind::kCheckpoint);
  EXPECT_EQ(chat_template_for("auto", tokenizer), ChatTemplateKind::kCheckpoint);
  const std::string expected =
      "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n<think>\n";
  EXPECT_EQ(render_checkpoint_chat(tokenizer, {{"user", "  What is 2+3? "}}), expected);
  EXPECT_EQ(encode_chat(tokenizer, ChatTemplateKind::kCheckpoint, {{"user", "  What is 2+3? "}}), tokenizer.encode(expected, false));
  EXPECT_EQ(chat_template_description(ChatTemplateKind::kCheckpoint), "checkpoint's own");

  // The demo model's template is the R1 one: auto renders it natively, and the interpreter agrees.
  const Tokenizer r1 = Tokenizer::from_folder(tokenizer_folder_with("r1", ""));
  EXPECT_EQ(automatic_chat_template(r1), ChatTemplateKind::kR1Distill);
  EXPECT_EQ(encode_chat(r1, ChatTemplateKind::kCheckpoint, {{"user", "What is 2+3?"}}),
            encode_chat(r1, ChatTemplateKind::kR1Distill, {{"user", "What is 2+3?"}}));

  // A template that fails names itself and its line.
  const Tokenizer broken = Tokenizer::from_folder(tokenizer_folder_with("broken", "ok\n{{ raise_exception('no system role') }}"));
  try {
    render_checkpoint_chat(broken, {{"user", "x"}});
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "the checkpoint's chat template: line 2: no system role");
  }
}

// Template variables (transformers' apply_chat_template(**kwargs)): given to the template, over the special tokens,
// named in the description; refused for the native templates and when malformed or reserved.
TEST(TokenizerChatTemplate, TemplateVariablesReachTheCheckpointsTemplate) {
  const Tokenizer tokenizer = Tokenizer::from_folder(tokenizer_folder_with(
      "kwargs", "{{ bos_token }}[{{ reasoning_effort | default('medium') }}]{{ messages[0].content }}"));
  const auto bos = *tokenizer.bos_token();
  EXPECT_EQ(render_checkpoint_chat(tokenizer, {{"user", "x"}}), bos + "[medium]x");
  const nlohmann::ordered_json high = parse_template_kwargs(R"({"reasoning_effort": "high"})", "--kw");
  EXPECT_EQ(render_checkpoint_chat(tokenizer, {{"user", "x"}}, true, high), bos + "[high]x");
  EXPECT_EQ(render_checkpoint_chat(tokenizer, {{"user", "x"}}, true, parse_template_kwargs(R"({"bos_token": "B"})", "--kw")),
            "B[medium]x");
  ChatTemplateOptions options;
  options.template_kwargs = high;
  EXPECT_EQ(encode_chat(tokenizer, ChatTemplateKind::kCheckpoint, {{"user", "x"}}, options),
            tokenizer.encode(bos + "[high]x", false));
  EXPECT_EQ(chat_template_description(ChatTemplateKind::kCheckpoint, options), "checkpoint's own, {\"reasoning_effort\":\"high\"}");
  EXPECT_THROW(chat_template_description(ChatTemplateKind::kR1Distill, options), std::invalid_argument);
  EXPECT_THROW(encode_chat(tokenizer, ChatTemplateKind::kPlain, {{"user", "x"}}, options), std::invalid_argument);
  for (const char* bad : {"[1]", "not json", "3", R"({"messages": []})", R"({"add_generation_prompt": false})"})
    EXPECT_THROW(parse_template_kwargs(bad, "--kw"), std::invalid_argument) << bad;
}

// A processor's chat_template.json (image-text checkpoints) serves when the tokenizer has no template of its own,
// as vLLM reads it too; a template of the tokenizer's wins; a malformed file is named.
TEST(TokenizerChatTemplate, AProcessorsChatTemplateJsonServesWhenTheTokenizerHasNone) {
  const auto dir = tokenizer_folder_with("processor_json", "");
  nlohmann::json config = nlohmann::json::parse(std::ifstream(dir / "tokenizer_config.json"));
  config.erase("chat_template");
  std::ofstream(dir / "tokenizer_config.json") << config.dump();
  EXPECT_FALSE(Tokenizer::from_folder(dir).chat_template().has_value());
  std::ofstream(dir / "chat_template.json") << nlohmann::json{{"chat_template", "[{{ messages[0].content }}]"}}.dump();
  EXPECT_EQ(render_checkpoint_chat(Tokenizer::from_folder(dir), {{"user", "x"}}), "[x]");
  std::ofstream(dir / "chat_template.jinja") << "<{{ messages[0].content }}>";
  EXPECT_EQ(render_checkpoint_chat(Tokenizer::from_folder(dir), {{"user", "x"}}), "<x>");
  std::filesystem::remove(dir / "chat_template.jinja");
  for (const char* bad : {"{\"chat_template\": 3}", "[1]", "not json"}) {
    std::ofstream(dir / "chat_template.json") << bad;
    try {
      Tokenizer::from_folder(dir);
      ADD_FAILURE() << "no error for " << bad;
    } catch (const TokenizerError& e) {
      EXPECT_NE(std::string(e.what()).find("chat_template.json: expected a JSON object with a \"chat_template\" string"),
                std::string::npos) << e.what();
    }
  }
  // The tokenizer's own template wins over the processor's file.
  const auto own = tokenizer_folder_with("processor_json_own", "");
  std::ofstream(own / "chat_template.json") << nlohmann::json{{"chat_template", "[{{ messages[0].content }}]"}}.dump();
  EXPECT_EQ(automatic_chat_template(Tokenizer::from_folder(own)), ChatTemplateKind::kR1Distill);
}

// tokenizer_config.json's chat_template of the wrong shape is named, not taken for "no template".
TEST(TokenizerChatTemplate, AMalformedConfigTemplateIsNamed) {
  const auto dir = tokenizer_folder_with("config_template_shapes", "");
  nlohmann::json config = nlohmann::json::parse(std::ifstream(dir / "tokenizer_config.json"));
  for (const auto& [value, where] : std::vector<std::pair<nlohmann::json, std::string>>{
           {5, "tokenizer_config.json: chat_template: expected a string or a list of named templates"},
           {nlohmann::json::array({{{"name", 1}, {"template", "x"}}}), "tokenizer_config.json: chat_template[0]: expected"}}) {
    config["chat_template"] = value;
    std::ofstream(dir / "tokenizer_config.json") << config.dump();
    try {
      Tokenizer::from_folder(dir);
      ADD_FAILURE() << "no error for " << value.dump();
    } catch (const TokenizerError& e) {
      EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << e.what();
    }
  }
  config["chat_template"] = nlohmann::json::array({{{"name", "tool_use"}, {"template", "t"}}, {{"name", "default"}, {"template", "d"}}});
  std::ofstream(dir / "tokenizer_config.json") << config.dump();
  EXPECT_EQ(Tokenizer::from_folder(dir).chat_template(), std::optional<std::string>("d"));
}

// transformers hands the template every special token tokenizer_config.json names, unk_token included.
TEST(TokenizerChatTemplate, TheTemplateSeesEverySpecialTokenOfTheConfig) {
  const auto dir = tokenizer_folder_with("special_tokens", "[{{ unk_token }}|{{ sep_token }}|{{ mask_token is defined }}]");
  nlohmann::json config = nlohmann::json::parse(std::ifstream(dir / "tokenizer_config.json"));
  config["unk_token"] = "<unk>";
  config["sep_token"] = {{"content", "<sep>"}, {"lstrip", false}};
  std::ofstream(dir / "tokenizer_config.json") << config.dump();
  EXPECT_EQ(render_checkpoint_chat(Tokenizer::from_folder(dir), {{"user", "x"}}), "[<unk>|<sep>|False]");
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
