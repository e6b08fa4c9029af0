#include "engine/tokenizer/chat_template.h"

#include <stdexcept>

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

}  // namespace

ChatTemplateKind chat_template_kind_from_name(std::string_view name) {
  if (name == "r1") return ChatTemplateKind::kR1Distill;
  if (name == "plain") return ChatTemplateKind::kPlain;
  throw std::invalid_argument("chat template '" + std::string(name) + "' is unknown (expected r1 or plain)");
}

std::optional<ChatTemplateKind> recognise_chat_template(std::string_view jinja) {
  if (jinja.find(kUser) != std::string_view::npos && jinja.find(kAssistant) != std::string_view::npos)
    return ChatTemplateKind::kR1Distill;
  return std::nullopt;
}

std::string render_chat(ChatTemplateKind kind, const std::vector<ChatMessage>& messages, const ChatTemplateOptions& options) {
  check_roles(messages);
  return kind == ChatTemplateKind::kR1Distill ? render_r1(messages, options) : render_plain(messages, options);
}

std::vector<std::uint32_t> encode_chat(const Tokenizer& tokenizer, ChatTemplateKind kind, const std::vector<ChatMessage>& messages,
                                       ChatTemplateOptions options) {
  if (tokenizer.bos_token()) options.bos_token = *tokenizer.bos_token();
  const std::string text = render_chat(kind, messages, options);
  return tokenizer.encode(text, kind == ChatTemplateKind::kPlain);
}

}  // namespace r1eval::engine
