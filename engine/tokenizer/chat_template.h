#pragma once
// Prompt rendering for chat models, natively (no Jinja at run time). The R1 distill template renders
// exactly what the `chat_template` of their tokenizer_config.json renders (checked against jinja2 by
// tools/tokenizer_corpus/make_chat_template_cases.py), for system / user / assistant messages.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer.h"

namespace r1eval::engine {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

enum class ChatTemplateKind {
  kR1Distill,  // {bos}{system}<｜User｜>{user}<｜Assistant｜>{answer}<｜end▁of▁sentence｜>...
  kPlain,      // for base models: "{system}\n\nUser: {user}\n\nAssistant: {answer}\n\n..."
};

struct ChatTemplateOptions {
  bool add_generation_prompt = true;  // end with an open assistant turn
  bool force_think = true;            // the open assistant turn starts with "<think>\n" (DeepSeek's Feb 2025 template)
  std::string bos_token = "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
};

// "r1" or "plain"; throws std::invalid_argument naming the value otherwise.
ChatTemplateKind chat_template_kind_from_name(std::string_view name);

// The kind whose output matches a tokenizer_config.json chat_template, if it is one we render
// natively (the R1 distill template is recognised by its <｜User｜> / <｜Assistant｜> markers).
std::optional<ChatTemplateKind> recognise_chat_template(std::string_view jinja);

// The prompt text. R1: the last system message is the system prompt (as the template does); an
// assistant message keeps only the text after its last "</think>". Plain: turns separated by blank
// lines. Throws std::invalid_argument naming the message index for a role other than
// system / user / assistant.
std::string render_chat(ChatTemplateKind kind, const std::vector<ChatMessage>& messages, const ChatTemplateOptions& options = {});

// Ids of the rendered prompt: the R1 text already holds the BOS token, so it is encoded without
// special tokens (as transformers' apply_chat_template does); the plain text gets the tokenizer's
// BOS. Options' bos_token is taken from the tokenizer when it names one.
std::vector<std::uint32_t> encode_chat(const Tokenizer& tokenizer, ChatTemplateKind kind, const std::vector<ChatMessage>& messages,
                                       ChatTemplateOptions options = {});

}  // namespace r1eval::engine
