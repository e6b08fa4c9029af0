// The client side of the OpenAI wire format for the endpoint generator: request bodies, and what a
// response says (text, finish reason, token counts). No I/O here.
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/run/generator.h"

namespace r1eval::harness::run {

enum class EndpointApi { kChat, kCompletions };

// "chat" or "completions"; throws std::invalid_argument naming the value otherwise.
EndpointApi endpoint_api_from_name(const std::string& name);
const char* endpoint_api_name(EndpointApi api);

// The text the completions API sends for a user turn: the R1 distill template with "<think>\n" forced,
// BOS included, exactly as `r1eval run --model` tokenizes it.
std::string completions_prompt(const std::string& user_turn);

// One sample's request body: n = 1, `seed`, the settings' temperature / top_p / max_tokens. Chat sends the
// user turn as the only message, and `template_kwargs` (when not empty) as chat_template_kwargs, the variables of
// the server's template (vLLM's and r1eval serve's field); completions sends completions_prompt(user_turn).
nlohmann::json request_body(EndpointApi api, const std::string& model, const std::string& user_turn,
                            const GenerationSettings& settings, std::uint64_t seed,
                            const nlohmann::ordered_json& template_kwargs = nlohmann::ordered_json::object());

struct EndpointCompletion {
  std::string text;  // the assistant's turn from its "<think>\n" (completions: the prompt opened it; chat with a
                     // reasoning field: "<think>\n" + reasoning + "\n</think>\n\n" + content)
  std::string finish_reason;
  std::int64_t prompt_tokens = -1, completion_tokens = -1;  // -1 when the server sent no usage
};

// Reads a 200 response body. Throws std::runtime_error (one line) when it is not the expected shape.
EndpointCompletion parse_response(EndpointApi api, const std::string& body);

// The server's own words on a failed request: error.message of an OpenAI error object, else the body's
// start (one line, at most 300 characters).
std::string server_message(const std::string& body);

}  // namespace r1eval::harness::run
