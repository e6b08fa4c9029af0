#include "harness/run/openai_wire.h"

#include <stdexcept>

#include "engine/tokenizer/chat_template.h"

namespace r1eval::harness::run {

using nlohmann::json;

EndpointApi endpoint_api_from_name(const std::string& name) {
  if (name == "chat") return EndpointApi::kChat;
  if (name == "completions") return EndpointApi::kCompletions;
  throw std::invalid_argument("--api " + name + ": expected chat or completions");
}

const char* endpoint_api_name(EndpointApi api) { return api == EndpointApi::kChat ? "chat" : "completions"; }

std::string completions_prompt(const std::string& user_turn) {
  engine::ChatTemplateOptions options;
  options.force_think = true;
  return engine::render_chat(engine::ChatTemplateKind::kR1Distill, {{"user", user_turn}}, options);
}

json request_body(EndpointApi api, const std::string& model, const std::string& user_turn,
                  const GenerationSettings& settings, std::uint64_t seed, const nlohmann::ordered_json& template_kwargs) {
  // vLLM (and OpenAI) take a signed 64-bit seed: a seed past 2^63 is sent as the signed integer of the same
  // bits, which r1eval serve maps back, and torch's manual_seed accepts.
  json body = {{"model", model}, {"n", 1}, {"seed", static_cast<std::int64_t>(seed)}, {"temperature", settings.temperature},
               {"top_p", settings.top_p}, {"max_tokens", settings.max_tokens}, {"stream", false}};
  if (api == EndpointApi::kChat) {
    body["messages"] = json::array({{{"role", "user"}, {"content", user_turn}}});
    // Parsed back into the body's (unordered) json: the server reads variables by name.
    if (!template_kwargs.empty()) body["chat_template_kwargs"] = json::parse(template_kwargs.dump());
  } else {
    if (!template_kwargs.empty())
      throw std::invalid_argument("chat template variables go with the chat API only (completions sends the prompt "
                                  "r1eval renders with the R1 distill template)");
    body["prompt"] = completions_prompt(user_turn);
  }
  return body;
}

namespace {

std::string string_or_empty(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

EndpointCompletion parse_response(EndpointApi api, const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object())
    throw std::runtime_error("response is not a JSON object: " + server_message(body));
  const auto choices = parsed.find("choices");
  if (choices == parsed.end() || !choices->is_array() || choices->empty() || !(*choices)[0].is_object())
    throw std::runtime_error("response has no choices: " + server_message(body));
  const json& choice = (*choices)[0];
  EndpointCompletion out;
  if (api == EndpointApi::kChat) {
    const auto message = choice.find("message");
    if (message == choice.end() || !message->is_object())
      throw std::runtime_error("response choice has no message: " + server_message(body));
    const std::string content = string_or_empty(*message, "content");
    // DeepSeek's API and vLLM's reasoning parsers move the thinking out of content; newer vLLM calls it
    // `reasoning`. Put it back where the graders expect it: before </think>, the answer after.
    std::string reasoning = string_or_empty(*message, "reasoning_content");
    if (reasoning.empty()) reasoning = string_or_empty(*message, "reasoning");
    // A sample cut off while thinking has no answer part: no </think> the model never wrote is added, so it
    // reads as the engine's text of the same cut (unfinished thinking: no answer but a box).
    const bool cut_while_thinking = content.empty() && string_or_empty(choice, "finish_reason") == "length";
    if (reasoning.empty()) out.text = content;
    else if (cut_while_thinking) out.text = "<think>\n" + reasoning;
    else out.text = "<think>\n" + reasoning + "\n</think>\n\n" + content;
  } else {
    const auto text = choice.find("text");
    if (text == choice.end() || !text->is_string())
      throw std::runtime_error("response choice has no text: " + server_message(body));
    // The completions prompt (completions_prompt) opened the thinking: the turn as written starts there.
    out.text = "<think>\n" + text->get<std::string>();
  }
  out.finish_reason = string_or_empty(choice, "finish_reason");
  if (out.finish_reason.empty()) out.finish_reason = "unknown";
  if (const auto usage = parsed.find("usage"); usage != parsed.end() && usage->is_object()) {
    if (usage->contains("prompt_tokens") && (*usage)["prompt_tokens"].is_number_integer())
      out.prompt_tokens = (*usage)["prompt_tokens"].get<std::int64_t>();
    if (usage->contains("completion_tokens") && (*usage)["completion_tokens"].is_number_integer())
      out.completion_tokens = (*usage)["completion_tokens"].get<std::int64_t>();
  }
  return out;
}

std::string server_message(const std::string& body) {
  const json parsed = json::parse(body, nullptr, false);
  std::string message;
  if (!parsed.is_discarded() && parsed.is_object()) {
    const auto error = parsed.find("error");
    if (error != parsed.end() && error->is_object()) message = string_or_empty(*error, "message");
    else if (error != parsed.end() && error->is_string()) message = error->get<std::string>();
    if (message.empty()) message = string_or_empty(parsed, "message");
    if (message.empty()) message = string_or_empty(parsed, "detail");
  }
  if (message.empty()) message = body.empty() ? "(empty body)" : body;
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  if (message.size() > 300) message = message.substr(0, 300) + "...";
  return message;
}

}  // namespace r1eval::harness::run
