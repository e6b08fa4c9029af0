// Other tools' output lines, rewritten into the flat fields of a generations file (generations_file.h), so
// `r1eval grade` reads them as they are saved:
//   lm-evaluation-harness --log_samples: {"doc": {...}, "resps": [[...]], "target", "arguments"} -> the doc's
//     id or text, its responses, "target" as "gold", the prompt from "arguments";
//   OpenAI Batch API output: {"custom_id", "response": {"status_code", "body": {"choices": [...]}}} -> the
//     custom_id as the problem id, one sample per choice (a failed request is an error);
//   a chat or text completion object beside an identity: "choices": [{"message": {"content",
//     "reasoning_content"}} | {"text"}] -> one sample per choice;
//   vLLM's RequestOutput: "outputs": [{"text", "finish_reason"}] -> one sample per output;
//   a reasoning split from the answer ("reasoning_content" or "reasoning" beside "content" or "response"):
//     "<think>\n" + reasoning + "\n</think>\n\n" + answer, as the model wrote it;
//   "finish_reason": {"type": "stop"} (SGLang) -> "stop".
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace r1eval::harness {

// `line` rewritten into flat fields when it has one of the shapes above; otherwise unchanged. Responses come
// out as "responses" (strings) with "finish_reasons" beside them when the shape gives one per sample, and
// "unindexed": true when their positions are not sample indices (completion objects, vLLM outputs and batch
// lines come one request per line: their samples take the next free indices of their problem). Throws
// std::invalid_argument (a message without file:line, which the caller adds) for a shape that is recognised
// but broken (a failed batch request, a choice without text).
nlohmann::json flatten_known_formats(const nlohmann::json& line);

}  // namespace r1eval::harness
