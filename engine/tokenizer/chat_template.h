#pragma once
// Prompt rendering for chat models. The R1 distill template is rendered natively: exactly what the
// `chat_template` of their tokenizer_config.json renders (checked against jinja2 by
// tools/tokenizer_corpus/make_chat_template_cases.py), with "<think>\n" forced as DeepSeek recommends. Any other
// checkpoint's own template is rendered by the Jinja interpreter (jinja/template.h) as transformers'
// apply_chat_template renders it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/tokenizer.h"

namespace r1eval::engine {

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

enum class ChatTemplateKind {
  kR1Distill,   // {bos}{system}<｜User｜>{user}<｜Assistant｜>{answer}<｜end▁of▁sentence｜>...
  kPlain,       // for base models: "{system}\n\nUser: {user}\n\nAssistant: {answer}\n\n..."
  kCheckpoint,  // the tokenizer's own chat_template (chat_template.jinja or tokenizer_config.json)
};

struct ChatTemplateOptions {
  bool add_generation_prompt = true;  // end with an open assistant turn
  bool force_think = true;            // the open assistant turn starts with "<think>\n" (DeepSeek's Feb 2025 template)
  std::string bos_token = "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
  // Extra variables of the checkpoint's own template (transformers' apply_chat_template(**kwargs), vLLM's
  // chat_template_kwargs): gpt-oss's {"reasoning_effort": "high"}, Qwen3's {"enable_thinking": false}. An object;
  // parse_template_kwargs makes one from a command line.
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
};

// A JSON object of template variables as a command line gives it. Throws std::invalid_argument (one line naming
// `option`) for text that is not a JSON object, or names a variable r1eval sets itself (messages,
// add_generation_prompt, tools, documents).
nlohmann::ordered_json parse_template_kwargs(std::string_view text, std::string_view option);

// "r1", "plain" or "model" (the checkpoint's own); throws std::invalid_argument naming the value otherwise.
ChatTemplateKind chat_template_kind_from_name(std::string_view name);

// The template a checkpoint is prompted with when none is named ("auto"): the R1 distill template when its
// own is one (recognise_chat_template), else its own, else (it has none) the R1 distill template.
ChatTemplateKind automatic_chat_template(const Tokenizer& tokenizer);

// "auto" (automatic_chat_template) or a name of chat_template_kind_from_name.
ChatTemplateKind chat_template_for(std::string_view name, const Tokenizer& tokenizer);

// A name for run records and messages: "r1-distill, <think> forced", "checkpoint's own", "plain"; the checkpoint's
// with its variables: "checkpoint's own, {"reasoning_effort":"high"}". Throws std::invalid_argument when variables
// are given to a template other than the checkpoint's (the native ones take none).
std::string chat_template_description(ChatTemplateKind kind, const ChatTemplateOptions& options = {});

// The kind whose output matches a tokenizer_config.json chat_template, if it is one we render
// natively (the R1 distill template is recognised by its <｜User｜> / <｜Assistant｜> markers).
std::optional<ChatTemplateKind> recognise_chat_template(std::string_view jinja);

// The prompt text. R1: the last system message is the system prompt (as the template does); an
// assistant message keeps only the text after its last "</think>". Plain: turns separated by blank
// lines. Throws std::invalid_argument naming the message index for a role other than
// system / user / assistant.
std::string render_chat(ChatTemplateKind kind, const std::vector<ChatMessage>& messages, const ChatTemplateOptions& options = {});

// The prompt text of the checkpoint's own template, rendered as transformers' apply_chat_template does:
// messages, add_generation_prompt, tools and documents (None), the tokenizer's bos / eos / pad tokens, and
// `template_kwargs` over those (ChatTemplateOptions::template_kwargs). Throws std::invalid_argument when the tokenizer
// has no template or it fails to render (one line, with the template's line).
std::string render_checkpoint_chat(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                                   bool add_generation_prompt = true,
                                   const nlohmann::ordered_json& template_kwargs = nlohmann::ordered_json::object());

// Ids of the rendered prompt: the R1 and checkpoint texts already hold their special tokens, so they are
// encoded without adding any (as transformers' apply_chat_template does); the plain text gets the
// tokenizer's BOS. Options' bos_token is taken from the tokenizer when it names one.
std::vector<std::uint32_t> encode_chat(const Tokenizer& tokenizer, ChatTemplateKind kind, const std::vector<ChatMessage>& messages,
                                       ChatTemplateOptions options = {});

}  // namespace r1eval::engine
