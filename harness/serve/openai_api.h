// The OpenAI wire format as `r1eval serve` speaks it: request bodies checked field by field into what the
// engine needs, and the response / stream chunk bodies. No I/O here.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/runtime/sampling_params.h"
#include "engine/tokenizer/chat_template.h"

namespace r1eval::harness::serve {

// A request field that is missing, of the wrong type or out of range; `param` names it for the error object.
class BadRequest : public std::invalid_argument {
 public:
  BadRequest(std::string param, const std::string& message) : std::invalid_argument(message), param_(std::move(param)) {}
  const std::string& param() const { return param_; }

 private:
  std::string param_;
};

// The sampling settings a request that names none gets: OpenAI's (temperature 1, top_p 1, no top_k), or,
// as vLLM does by default, the checkpoint's generation_config.json values (0.6 / 0.95 for the R1 distills).
struct SamplingDefaults {
  double temperature = 1.0;
  double top_p = 1.0;
  std::int32_t top_k = 0;  // 0 = off
};

// What both endpoints share once parsed. `max_tokens` is unset when the client gave none.
struct ParsedRequest {
  std::string model;  // as sent, "" when absent
  engine::SamplingParams params;
  std::optional<std::int32_t> max_tokens;
  std::optional<std::uint64_t> seed;
  std::uint32_t n = 1;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  std::string prompt;                           // /v1/completions
  std::vector<engine::ChatMessage> messages;    // /v1/chat/completions
  // /v1/chat/completions' chat_template_kwargs: variables of the checkpoint's own template, over the server's.
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
};

// Parses a /v1/completions body: prompt (a string, or an array of one string), max_tokens, temperature,
// top_p, top_k, seed, n, stop, stream, stream_options. Throws BadRequest naming the first bad field.
ParsedRequest parse_completion_request(const std::string& body, const SamplingDefaults& defaults = {});
// Parses a /v1/chat/completions body: messages (role system/user/assistant, content a string or text parts)
// and the fields above (max_completion_tokens, chat_template_kwargs too). Throws BadRequest naming the first bad field.
ParsedRequest parse_chat_request(const std::string& body, const SamplingDefaults& defaults = {});

// {"error": {...}} as OpenAI answers a bad request.
nlohmann::json error_body(const std::string& message, const std::string& type, const std::string& param);

struct ChoiceResult {
  std::string text;
  std::string finish_reason;
};
struct Usage {
  std::int64_t prompt_tokens = 0, completion_tokens = 0;
};

// Whole responses. `chat` selects chat.completion (message) over text_completion (text).
nlohmann::json response_body(bool chat, const std::string& id, std::int64_t created, const std::string& model,
                             const std::vector<ChoiceResult>& choices, const Usage& usage);
// One stream chunk for choice `index`: a text delta, or (with finish_reason set) the choice's last chunk.
// Chat chunks carry `delta` ({"role": "assistant"} in the first, {"content": ...} after).
nlohmann::json chunk_body(bool chat, const std::string& id, std::int64_t created, const std::string& model,
                          std::uint32_t index, const std::optional<std::string>& text, bool first,
                          const std::optional<std::string>& finish_reason);
// The closing usage chunk (stream_options.include_usage): no choices, the usage of all of them.
nlohmann::json usage_chunk_body(bool chat, const std::string& id, std::int64_t created, const std::string& model,
                                const Usage& usage);

}  // namespace r1eval::harness::serve
