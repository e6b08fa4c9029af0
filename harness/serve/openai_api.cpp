#include "harness/serve/openai_api.h"

#include <limits>

namespace r1eval::harness::serve {
namespace {

using nlohmann::json;

const json* field(const json& body, const char* name) {
  const auto it = body.find(name);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

double number_field(const json& body, const char* name, double fallback, double lo, double hi) {
  const json* v = field(body, name);
  if (!v) return fallback;
  if (!v->is_number()) throw BadRequest(name, std::string(name) + ": expected a number");
  const double x = v->get<double>();
  if (!(x >= lo && x <= hi))
    throw BadRequest(name, std::string(name) + ": expected a number in [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "], got " + v->dump());
  return x;
}

std::optional<std::int64_t> integer_field(const json& body, const char* name, std::int64_t lo, std::int64_t hi) {
  const json* v = field(body, name);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) throw BadRequest(name, std::string(name) + ": expected an integer, got " + v->dump());
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
    throw BadRequest(name, std::string(name) + ": expected at most " + std::to_string(hi) + ", got " + v->dump());
  const std::int64_t x = v->get<std::int64_t>();
  if (x < lo || x > hi)
    throw BadRequest(name, std::string(name) + ": expected an integer in [" + std::to_string(lo) + ", " +
                               std::to_string(hi) + "], got " + v->dump());
  return x;
}

bool bool_field(const json& body, const char* name) {
  const json* v = field(body, name);
  if (!v) return false;
  if (!v->is_boolean()) throw BadRequest(name, std::string(name) + ": expected true or false");
  return v->get<bool>();
}

json parse_object(const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) throw BadRequest("", "request body: expected a JSON object (it is not valid JSON)");
  if (!parsed.is_object()) throw BadRequest("", "request body: expected a JSON object");
  return parsed;
}

// Fields whose non-default value would change the answer in a way r1eval does not implement. Ignoring
// them would hand the client text it did not ask for (an unpenalized sample, no logprobs it then reads
// as missing), so they are refused by name; their defaults (false, 0, 1, empty) are accepted.
void refuse_unsupported(const json& body) {
  const auto refuse = [](const char* name, const std::string& why) {
    throw BadRequest(name, std::string(name) + ": not supported by r1eval serve (" + why + ")");
  };
  const auto is_set = [&](const char* name, double neutral) {
    const json* v = field(body, name);
    if (!v) return false;
    if (v->is_boolean()) return v->get<bool>() != (neutral != 0.0);
    if (v->is_number()) return v->get<double>() != neutral;
    if (v->is_string()) return !v->get_ref<const std::string&>().empty();
    if (v->is_array() || v->is_object()) return !v->empty();
    return true;
  };
  // Completions' integer logprobs asks for log-probabilities even at 0 (the sampled token's), chat's is a flag.
  if (const json* logprobs = field(body, "logprobs"); logprobs && !(logprobs->is_boolean() && !logprobs->get<bool>()))
    refuse("logprobs", "no token log-probabilities are returned");
  if (is_set("top_logprobs", 0)) refuse("top_logprobs", "no token log-probabilities are returned");
  if (is_set("prompt_logprobs", 0)) refuse("prompt_logprobs", "no token log-probabilities are returned");
  if (is_set("echo", 0)) refuse("echo", "the prompt is not scored or echoed");
  if (is_set("presence_penalty", 0)) refuse("presence_penalty", "sampling applies no penalties");
  if (is_set("frequency_penalty", 0)) refuse("frequency_penalty", "sampling applies no penalties");
  if (is_set("repetition_penalty", 1)) refuse("repetition_penalty", "sampling applies no penalties");
  if (is_set("length_penalty", 1)) refuse("length_penalty", "no beam search");
  if (is_set("use_beam_search", 0)) refuse("use_beam_search", "no beam search");
  if (is_set("logit_bias", 0)) refuse("logit_bias", "logits are not biased");
  if (is_set("allowed_token_ids", 0)) refuse("allowed_token_ids", "logits are not masked");
  if (is_set("bad_words", 0)) refuse("bad_words", "logits are not masked");
  if (is_set("suffix", 0)) refuse("suffix", "no insertion mode");
  if (is_set("min_tokens", 0)) refuse("min_tokens", "a sample may end at any step");
  if (is_set("include_stop_str_in_output", 0)) refuse("include_stop_str_in_output", "the text always ends before the stop string");
  if (is_set("skip_special_tokens", 1)) refuse("skip_special_tokens", "special tokens are always decoded as text");
  if (is_set("truncate_prompt_tokens", 0)) refuse("truncate_prompt_tokens", "prompts are never cut");
  for (const char* name : {"tools", "functions"})
    if (is_set(name, 0)) refuse(name, "no tool calling");
  for (const char* name : {"guided_json", "guided_regex", "guided_choice", "guided_grammar", "structured_outputs"})
    if (is_set(name, 0)) refuse(name, "no guided decoding");
  // The chat template is the checkpoint's, applied as `r1eval run` applies it, with the assistant turn opened.
  for (const char* name : {"chat_template", "continue_final_message"})
    if (is_set(name, 0)) refuse(name, "the template is fixed by the server");
  if (const json* open_turn = field(body, "add_generation_prompt"); open_turn && !(open_turn->is_boolean() && open_turn->get<bool>()))
    refuse("add_generation_prompt", "the assistant turn is always opened");
  if (const json* best_of = field(body, "best_of")) {
    const json* n = field(body, "n");
    if (!best_of->is_number_integer() || best_of->get<std::int64_t>() != (n && n->is_number_integer() ? n->get<std::int64_t>() : 1))
      refuse("best_of", "samples are not ranked; set n instead");
  }
  if (const json* format = field(body, "response_format")) {
    if (!format->is_object() || format->value("type", "") != "text")
      refuse("response_format", "only {\"type\": \"text\"}");
  }
}

// The fields both endpoints share.
ParsedRequest parse_common(const json& body, const SamplingDefaults& defaults) {
  refuse_unsupported(body);
  ParsedRequest r;
  if (const json* m = field(body, "model")) {
    if (!m->is_string()) throw BadRequest("model", "model: expected a string");
    r.model = m->get<std::string>();
  }
  r.params.temperature = number_field(body, "temperature", defaults.temperature, 0.0, 100.0);
  r.params.top_p = number_field(body, "top_p", defaults.top_p, 0.0, 1.0);
  if (r.params.top_p <= 0.0) throw BadRequest("top_p", "top_p: expected a number in (0, 1]");
  // vLLM's convention: -1 (or 0) keeps every token.
  const auto top_k = integer_field(body, "top_k", -1, std::numeric_limits<std::int32_t>::max());
  r.params.top_k = !top_k ? defaults.top_k : *top_k > 0 ? static_cast<std::int32_t>(*top_k) : 0;
  if (const auto max_tokens = integer_field(body, "max_tokens", 1, std::numeric_limits<std::int32_t>::max()))
    r.max_tokens = static_cast<std::int32_t>(*max_tokens);
  if (const json* s = field(body, "seed")) {
    // A negative seed is the signed form of a seed past 2^63 (vLLM's range is the signed one): same bits.
    if (!s->is_number_integer()) throw BadRequest("seed", "seed: expected an integer, got " + s->dump());
    r.seed = s->is_number_unsigned() ? s->get<std::uint64_t>() : static_cast<std::uint64_t>(s->get<std::int64_t>());
  }
  r.params.min_p = number_field(body, "min_p", 0.0, 0.0, 1.0);  // vLLM's extension
  r.params.ignore_eos = bool_field(body, "ignore_eos");         // vLLM's extension
  if (const json* ids = field(body, "stop_token_ids")) {        // vLLM's extension
    if (!ids->is_array()) throw BadRequest("stop_token_ids", "stop_token_ids: expected an array of token ids");
    for (const json& id : *ids) {
      if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
          id.get<std::int64_t>() > std::numeric_limits<std::int32_t>::max())
        throw BadRequest("stop_token_ids", "stop_token_ids: expected non-negative token ids, got " + id.dump());
      r.params.stop_token_ids.push_back(static_cast<std::int32_t>(id.get<std::int64_t>()));
    }
  }
  r.n = static_cast<std::uint32_t>(integer_field(body, "n", 1, 1 << 16).value_or(1));
  if (const json* stop = field(body, "stop")) {
    const auto add = [&](const json& s) {
      if (!s.is_string() || s.get<std::string>().empty())
        throw BadRequest("stop", "stop: expected a non-empty string or an array of them");
      r.params.stop_strings.push_back(s.get<std::string>());
    };
    if (stop->is_array()) {
      for (const json& s : *stop) add(s);
    } else {
      add(*stop);
    }
  }
  r.stream = bool_field(body, "stream");
  if (const json* options = field(body, "stream_options")) {
    if (!options->is_object()) throw BadRequest("stream_options", "stream_options: expected an object");
    r.include_usage = bool_field(*options, "include_usage");
  }
  return r;
}

std::string message_content(const json& content, std::size_t index) {
  const std::string where = "messages[" + std::to_string(index) + "].content";
  if (content.is_string()) return content.get<std::string>();
  if (!content.is_array()) throw BadRequest(where, where + ": expected a string or an array of text parts");
  std::string text;
  for (const json& part : content) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string())
      throw BadRequest(where, where + ": expected text parts {\"type\": \"text\", \"text\": ...}");
    text += part["text"].get<std::string>();
  }
  return text;
}

json usage_json(const Usage& u) {
  return {{"prompt_tokens", u.prompt_tokens}, {"completion_tokens", u.completion_tokens},
          {"total_tokens", u.prompt_tokens + u.completion_tokens}};
}

}  // namespace

ParsedRequest parse_completion_request(const std::string& text, const SamplingDefaults& defaults) {
  const json body = parse_object(text);
  ParsedRequest r = parse_common(body, defaults);
  if (const json* kwargs = field(body, "chat_template_kwargs"); kwargs && !(kwargs->is_object() && kwargs->empty()))
    throw BadRequest("chat_template_kwargs", "chat_template_kwargs: not supported by /v1/completions (its prompt "
                                             "goes through no template; send it to /v1/chat/completions)");
  const json* prompt = field(body, "prompt");
  if (prompt && prompt->is_array() && prompt->size() == 1) prompt = &(*prompt)[0];
  if (!prompt || !prompt->is_string())
    throw BadRequest("prompt", "prompt: expected a string (or an array of one string)");
  r.prompt = prompt->get<std::string>();
  if (r.prompt.empty()) throw BadRequest("prompt", "prompt: expected a non-empty string");
  if (!r.max_tokens) r.max_tokens = 16;  // OpenAI's default for completions
  return r;
}

ParsedRequest parse_chat_request(const std::string& text, const SamplingDefaults& defaults) {
  const json body = parse_object(text);
  ParsedRequest r = parse_common(body, defaults);
  if (const auto m = integer_field(body, "max_completion_tokens", 1, std::numeric_limits<std::int32_t>::max()))
    r.max_tokens = static_cast<std::int32_t>(*m);
  const json* messages = field(body, "messages");
  if (!messages || !messages->is_array() || messages->empty())
    throw BadRequest("messages", "messages: expected a non-empty array of {role, content}");
  for (std::size_t i = 0; i < messages->size(); ++i) {
    const json& m = (*messages)[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) throw BadRequest(where, where + ": expected an object {role, content}");
    const std::string role = m.value("role", "");
    if (role != "system" && role != "user" && role != "assistant")
      throw BadRequest(where + ".role", where + ".role: expected system, user or assistant");
    const json* content = field(m, "content");
    if (!content) throw BadRequest(where + ".content", where + ".content: expected a string");
    r.messages.push_back({role, message_content(*content, i)});
  }
  if (const json* kwargs = field(body, "chat_template_kwargs")) {
    try {
      r.template_kwargs = engine::parse_template_kwargs(kwargs->dump(), "chat_template_kwargs");
    } catch (const std::invalid_argument& e) {
      throw BadRequest("chat_template_kwargs", e.what());
    }
  }
  return r;
}

json error_body(const std::string& message, const std::string& type, const std::string& param) {
  return {{"error", {{"message", message}, {"type", type}, {"param", param.empty() ? json(nullptr) : json(param)},
                     {"code", nullptr}}}};
}

json response_body(bool chat, const std::string& id, std::int64_t created, const std::string& model,
                   const std::vector<ChoiceResult>& choices, const Usage& usage) {
  json list = json::array();
  for (std::size_t i = 0; i < choices.size(); ++i) {
    json c = {{"index", i}, {"logprobs", nullptr}, {"finish_reason", choices[i].finish_reason}};
    if (chat)
      c["message"] = {{"role", "assistant"}, {"content", choices[i].text}};
    else
      c["text"] = choices[i].text;
    list.push_back(std::move(c));
  }
  return {{"id", id}, {"object", chat ? "chat.completion" : "text_completion"}, {"created", created},
          {"model", model}, {"choices", list}, {"usage", usage_json(usage)}};
}

json chunk_body(bool chat, const std::string& id, std::int64_t created, const std::string& model, std::uint32_t index,
                const std::optional<std::string>& text, bool first, const std::optional<std::string>& finish_reason) {
  json c = {{"index", index}, {"logprobs", nullptr},
            {"finish_reason", finish_reason ? json(*finish_reason) : json(nullptr)}};
  if (chat) {
    json delta = json::object();
    if (first) delta["role"] = "assistant";
    if (text) delta["content"] = *text;
    c["delta"] = delta;
  } else {
    c["text"] = text.value_or("");
  }
  return {{"id", id}, {"object", chat ? "chat.completion.chunk" : "text_completion"}, {"created", created},
          {"model", model}, {"choices", json::array({c})}};
}

json usage_chunk_body(bool chat, const std::string& id, std::int64_t created, const std::string& model,
                      const Usage& usage) {
  return {{"id", id}, {"object", chat ? "chat.completion.chunk" : "text_completion"}, {"created", created},
          {"model", model}, {"choices", json::array()}, {"usage", usage_json(usage)}};
}

}  // namespace r1eval::harness::serve
