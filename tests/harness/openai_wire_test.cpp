// The endpoint generator's pure parts: request bodies, reading answers and errors, the retry schedule.
#include <gtest/gtest.h>

#include <stdexcept>

#include "harness/run/openai_wire.h"
#include "harness/run/retry_policy.h"

namespace r1eval::harness::run {
namespace {

TEST(OpenAiWire, CompletionsPromptIsTheR1TemplateWithThinkForced) {
  const std::string prompt = completions_prompt("What is 1+1?");
  EXPECT_EQ(prompt,
            "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C><\xEF\xBD\x9CUser\xEF\xBD\x9C>What is 1+1?"
            "<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C><think>\n");
  const nlohmann::json body = request_body(EndpointApi::kCompletions, "m", "What is 1+1?", {0.6, 0.95, 100}, 42);
  EXPECT_EQ(body["prompt"], prompt);
  EXPECT_FALSE(body.contains("messages"));
  const nlohmann::json chat = request_body(EndpointApi::kChat, "m", "What is 1+1?", {0.6, 0.95, 100}, 42);
  EXPECT_EQ(chat["messages"], nlohmann::json::parse(R"([{"role": "user", "content": "What is 1+1?"}])"));
  EXPECT_EQ(chat["seed"], 42);
  EXPECT_EQ(chat["n"], 1);
  // vLLM takes signed 64-bit seeds: one past 2^63 travels as the signed integer of the same bits.
  const std::uint64_t big = (std::uint64_t{1} << 63) + 5;
  const nlohmann::json signed_seed = request_body(EndpointApi::kChat, "m", "q", {0.6, 0.95, 100}, big);
  ASSERT_TRUE(signed_seed["seed"].is_number_integer());
  EXPECT_FALSE(signed_seed["seed"].is_number_unsigned());
  EXPECT_EQ(static_cast<std::uint64_t>(signed_seed["seed"].get<std::int64_t>()), big);
}

// Template variables travel as chat_template_kwargs with the chat API only (the completions prompt has none).
TEST(OpenAiWire, ChatRequestsCarryTheTemplateVariables) {
  const nlohmann::ordered_json kwargs = nlohmann::ordered_json::parse(R"({"enable_thinking": false, "effort": "high"})");
  const nlohmann::json chat = request_body(EndpointApi::kChat, "m", "q", {0.6, 0.95, 100}, 7, kwargs);
  EXPECT_EQ(chat["chat_template_kwargs"], nlohmann::json::parse(R"({"enable_thinking": false, "effort": "high"})"));
  EXPECT_FALSE(request_body(EndpointApi::kChat, "m", "q", {0.6, 0.95, 100}, 7).contains("chat_template_kwargs"));
  EXPECT_THROW(request_body(EndpointApi::kCompletions, "m", "q", {0.6, 0.95, 100}, 7, kwargs), std::invalid_argument);
}

TEST(OpenAiWire, ReadsAnswersWithAndWithoutReasoning) {
  const auto plain = parse_response(EndpointApi::kChat, R"({"choices": [{"message": {"content": "x</think>\\boxed{1}"},
      "finish_reason": "stop"}], "usage": {"prompt_tokens": 3, "completion_tokens": 9}})");
  EXPECT_EQ(plain.text, "x</think>\\boxed{1}");
  EXPECT_EQ(plain.finish_reason, "stop");
  EXPECT_EQ(plain.prompt_tokens, 3);
  EXPECT_EQ(plain.completion_tokens, 9);
  const auto vllm = parse_response(EndpointApi::kChat, R"({"choices": [{"message": {"reasoning": "think", "content": "42"},
      "finish_reason": "length"}]})");
  EXPECT_EQ(vllm.text, "<think>\nthink\n</think>\n\n42");
  EXPECT_EQ(vllm.completion_tokens, -1);  // no usage sent
  // Cut off while thinking: no </think> the model never wrote, as the engine's text of the same cut reads
  // (unfinished thinking: graded by a box only).
  const auto null_content = parse_response(EndpointApi::kChat, R"({"choices": [{"message": {"reasoning_content": "r",
      "content": null}, "finish_reason": "length"}]})");
  EXPECT_EQ(null_content.text, "<think>\nr");
  const auto finished_thinking = parse_response(EndpointApi::kChat, R"({"choices": [{"message": {"reasoning_content": "r",
      "content": null}, "finish_reason": "stop"}]})");
  EXPECT_EQ(finished_thinking.text, "<think>\nr\n</think>\n\n");
  EXPECT_THROW(parse_response(EndpointApi::kCompletions, R"({"choices": []})"), std::runtime_error);
  EXPECT_THROW(parse_response(EndpointApi::kCompletions, "<html>"), std::runtime_error);
  EXPECT_THROW(parse_response(EndpointApi::kChat, R"({"choices": [{"text": "x"}]})"), std::runtime_error);
}

TEST(OpenAiWire, ServerMessageIsOneShortLine) {
  EXPECT_EQ(server_message(R"({"error": {"message": "bad top_p", "param": "top_p"}})"), "bad top_p");
  EXPECT_EQ(server_message(R"({"detail": "Not Found"})"), "Not Found");
  EXPECT_EQ(server_message("line one\nline two"), "line one line two");
  EXPECT_EQ(server_message(""), "(empty body)");
  EXPECT_LE(server_message(std::string(1000, 'x')).size(), 303u);
}

TEST(RetryPolicy, RetriesOnlyWhatMaySucceedLater) {
  for (const long status : {0L, 408L, 429L, 500L, 502L, 503L}) EXPECT_TRUE(is_retryable(status)) << status;
  for (const long status : {200L, 400L, 401L, 403L, 404L, 422L}) EXPECT_FALSE(is_retryable(status)) << status;
}

TEST(RetryPolicy, BacksOffExponentiallyWithJitterAndHonoursRetryAfter) {
  const RetryPolicy policy{6, 1.0, 60.0};
  EXPECT_DOUBLE_EQ(retry_delay_s(policy, 0, std::nullopt, 1.0), 1.0);
  EXPECT_DOUBLE_EQ(retry_delay_s(policy, 3, std::nullopt, 1.0), 8.0);
  EXPECT_DOUBLE_EQ(retry_delay_s(policy, 3, std::nullopt, 0.0), 4.0);  // jitter keeps at least half
  EXPECT_DOUBLE_EQ(retry_delay_s(policy, 10, std::nullopt, 1.0), 60.0);
  EXPECT_DOUBLE_EQ(retry_delay_s(policy, 2, 7.0, 0.3), 7.0);
  EXPECT_DOUBLE_EQ(retry_delay_s(policy, 2, 0.0, 0.3), 0.0);
  EXPECT_DOUBLE_EQ(retry_delay_s(policy, 2, 1e9, 0.3), 600.0);
}

}  // namespace
}  // namespace r1eval::harness::run
