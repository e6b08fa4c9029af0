#include "engine/tokenizer/chat_template.h"

#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/jinja/template.h"

namespace r1eval::engine {
namespace {

constexpr std::string_view kUser = "<\xEF\xBD\x9CUser\xEF\xBD\x9C>";
constexpr std::string_view kAssistant = "<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>";
constexpr std::string_view kEndOfSentence = "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
constexpr std::string_view kThinkOpen = "<think>\n";
constexpr std::string_view kThinkClose = "</think>";

void check_roles(const std::vector<ChatMessage>& messages) {
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const std::string& r = messages[i].role;
    if (r != "system" && r != "user" && r != "assistant")
      throw std::invalid_argument("chat template: message " + std::to_string(i) + ": role '" + r +
                                  "' is not supported (expected system, user or assistant)");
  }
}

std::string_view after_last_think(std::string_view content) {
  const auto pos = content.rfind(kThinkClose);
  return pos == std::string_view::npos ? content : content.substr(pos + kThinkClose.size());
}

std::string render_r1(const std::vector<ChatMessage>& messages, const ChatTemplateOptions& o) {
  std::string out = o.bos_token;
  for (const ChatMessage& m : messages)
    if (m.role == "system") out.assign(o.bos_token).append(m.content);  // the last one wins
  for (const ChatMessage& m : messages) {
    if (m.role == "user") {
      out.append(kUser).append(m.content);
    } else if (m.role == "assistant") {
      out.append(kAssistant).append(after_last_think(m.content)).append(kEndOfSentence);
    }
  }
  if (o.add_generation_prompt) {
    out.append(kAssistant);
    if (o.force_think) out.append(kThinkOpen);
  }
  return out;
}

std::string render_plain(const std::vector<ChatMessage>& messages, const ChatTemplateOptions& o) {
  std::string out;
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      out.append(m.content).append("\n\n");
    } else if (m.role == "user") {
      out.append("User: ").append(m.content).append("\n\n");
    } else {
      out.append("Assistant: ").append(m.content).append("\n\n");
    }
  }
  if (o.add_generation_prompt) {
    out.append("Assistant:");
    if (o.force_think) out.append(" ").append(kThinkOpen);
  }
  return out;
}

// The parsed template of `source`: a run renders every prompt with the same one, so each thread keeps the
// last it parsed.
const jinja::Template& parsed_template(const std::string& source) {
  thread_local std::string cached_source;
  thread_local std::optional<jinja::Template> cached;
  if (!cached || cached_source != source) {
    cached.emplace(source);
    cached_source = source;
  }
  return *cached;
}

}  // namespace

ChatTemplateKind chat_template_kind_from_name(std::string_view name) {
  if (name == "r1") return ChatTemplateKind::kR1Distill;
  if (name == "plain") return ChatTemplateKind::kPlain;
  if (name == "model") return ChatTemplateKind::kCheckpoint;
  throw std::invalid_argument("chat template '" + std::string(name) + "' is unknown (expected r1, plain or model)");
}

ChatTemplateKind automatic_chat_template(const Tokenizer& tokenizer) {
  if (!tokenizer.chat_template()) return ChatTemplateKind::kR1Distill;
  return recognise_chat_template(*tokenizer.chat_template()).value_or(ChatTemplateKind::kCheckpoint);
}

ChatTemplateKind chat_template_for(std::string_view name, const Tokenizer& tokenizer) {
  return name == "auto" ? automatic_chat_template(tokenizer) : chat_template_kind_from_name(name);
}

nlohmann::ordered_json parse_template_kwargs(std::string_view text, std::string_view option) {
  const std::string expected = std::string(option) + ": expected a JSON object of template variables, e.g. "
                                                     "{\"reasoning_effort\": \"high\"}";
  nlohmann::ordered_json kwargs = nlohmann::ordered_json::parse(text, nullptr, false);
  if (kwargs.is_discarded() || !kwargs.is_object()) throw std::invalid_argument(expected + ", not " + std::string(text));
  for (const char* reserved : {"messages", "add_generation_prompt", "tools", "documents"})
    if (kwargs.contains(reserved))
      throw std::invalid_argument(std::string(option) + ": '" + reserved + "' is set by r1eval, not a template variable to give");
  return kwargs;
}

std::string chat_template_description(ChatTemplateKind kind, const ChatTemplateOptions& options) {
  if (kind != ChatTemplateKind::kCheckpoint && !options.template_kwargs.empty())
    throw std::invalid_argument("chat template variables " + options.template_kwargs.dump() +
                                " are for the checkpoint's own template, not the native " +
                                (kind == ChatTemplateKind::kR1Distill ? "R1 distill" : "plain") + " one");
  switch (kind) {
    case ChatTemplateKind::kR1Distill: return options.force_think ? "r1-distill, <think> forced" : "r1-distill";
    case ChatTemplateKind::kPlain: return options.force_think ? "plain, <think> forced" : "plain";
    case ChatTemplateKind::kCheckpoint:
      return options.template_kwargs.empty() ? "checkpoint's own" : "checkpoint's own, " + options.template_kwargs.dump();
  }
  return "?";
}

std::string render_checkpoint_chat(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                                   bool add_generation_prompt, const nlohmann::ordered_json& template_kwargs) {
  if (!tokenizer.chat_template())
    throw std::invalid_argument("chat template: the checkpoint has none (no chat_template.jinja, no chat_template in "
                                "tokenizer_config.json, no chat_template.json); name one: r1 or plain");
  nlohmann::ordered_json context = nlohmann::ordered_json::object();
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const ChatMessage& m : messages) list.push_back({{"role", m.role}, {"content", m.content}});
  context["messages"] = std::move(list);
  context["tools"] = nullptr;  // transformers passes tools and documents as None when there are none
  context["documents"] = nullptr;
  context["add_generation_prompt"] = add_generation_prompt;
  if (tokenizer.bos_token()) context["bos_token"] = *tokenizer.bos_token();
  if (tokenizer.eos_token()) context["eos_token"] = *tokenizer.eos_token();
  if (tokenizer.pad_token()) context["pad_token"] = *tokenizer.pad_token();
  for (const auto& [name, text] : tokenizer.other_special_tokens()) context[name] = text;
  for (const auto& [name, value] : template_kwargs.items()) context[name] = value;  // over the tokens, as transformers
  try {
    return parsed_template(*tokenizer.chat_template()).render(context);
  } catch (const jinja::JinjaError& e) {
    throw std::invalid_argument(std::string("the checkpoint's chat template: ") + e.what());
  }
}

std::optional<ChatTemplateKind> recognise_chat_template(std::string_view jinja) {
  if (jinja.find(kUser) != std::string_view::npos && jinja.find(kAssistant) != std::string_view::npos)
    return ChatTemplateKind::kR1Distill;
  return std::nullopt;
}

std::string render_chat(ChatTemplateKind kind, const std::vector<ChatMessage>& messages, const ChatTemplateOptions& options) {
  check_roles(messages);
  if (kind == ChatTemplateKind::kCheckpoint)
    throw std::invalid_argument("chat template: the checkpoint's own template needs its tokenizer (render_checkpoint_chat)");
  return kind == ChatTemplateKind::kR1Distill ? render_r1(messages, options) : render_plain(messages, options);
}

std::vector<std::uint32_t> encode_chat(const Tokenizer& tokenizer, ChatTemplateKind kind, const std::vector<ChatMessage>& messages,
                                       ChatTemplateOptions options) {
  if (kind == ChatTemplateKind::kCheckpoint)
    return tokenizer.encode(render_checkpoint_chat(tokenizer, messages, options.add_generation_prompt, options.template_kwargs),
                            false);
  chat_template_description(kind, options);  // refuses variables for the native templates
  if (tokenizer.bos_token()) options.bos_token = *tokenizer.bos_token();
  const std::string text = render_chat(kind, messages, options);
  return tokenizer.encode(text, kind == ChatTemplateKind::kPlain);
}

}  // namespace r1eval::engine
