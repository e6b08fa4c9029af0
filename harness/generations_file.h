// Reads completions produced elsewhere (the `grade` path). One JSON object per line:
//   problem:   "problem_id" | "id" | "unique_id" (string or integer) and/or the problem text in "problem" |
//              "question" (when both are given they must name the same problem)
//   response:  "response" | "output" | "completion" | "generation" | "text"      (one sample), or
//              "responses" | "outputs" | "completions" | "generations" | "predictions" (a list: samples 0..n-1)
//   optional:  "sample_index", "finish_reason", "prompt_tokens", "completion_tokens",
//              "gold" (choice tasks: the letter that was correct in the prompt the model saw; math tasks: must
//              agree with the task's answer), "choice_order" (choice tasks: the permutation that prompt used),
//              "prompt" (the prompt the model saw: choice tasks read their option order from it)
// Other tools' lines (lm-eval --log_samples, OpenAI Batch output, completion objects, vLLM RequestOutput,
// reasoning_content beside content) are read through generation_formats.h.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace r1eval::harness {

struct ExternalSample {
  std::size_t line = 0;                 // 1-based line in the file, for messages
  std::optional<std::string> problem_id;
  std::optional<std::string> problem_text;
  std::optional<std::string> prompt;     // the prompt the model saw, when the line gives it
  std::optional<int> sample_index;
  std::string response;
  std::string finish_reason;
  std::int64_t prompt_tokens = -1;
  std::int64_t completion_tokens = -1;
  std::optional<std::string> gold;
  std::vector<int> choice_order;
};

// Throws std::invalid_argument naming file:line and the field on malformed input.
std::vector<ExternalSample> read_generations_file(const std::filesystem::path& path);

}  // namespace r1eval::harness
