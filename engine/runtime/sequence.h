// One sample of a request as it moves through the engine: its tokens, how many of them have keys and
// values in the cache, and the cache blocks holding them.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/runtime/sampling_params.h"

namespace r1eval::engine {

enum class FinishReason { kNone, kStop, kLength };

// "stop", "length" or "none": the names completions and sample records carry.
inline const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kNone: break;
  }
  return "none";
}
enum class SequenceStatus { kWaiting, kRunning, kFinished };

struct Sequence {
  std::uint64_t request_id = 0;
  std::uint32_t sample_index = 0;
  // Keys of this sample's random draws (SampleKey without the position).
  std::uint64_t key_seed = 0, key_request = 0;
  std::uint32_t key_sample = 0;
  std::shared_ptr<const SamplingParams> params;
  std::vector<std::int32_t> tokens;  // prompt, then generated tokens
  std::int64_t prompt_len = 0;
  std::int64_t num_cached = 0;       // tokens whose keys/values are in the cache
  std::vector<std::int32_t> blocks;  // cache blocks in position order
  std::uint32_t pending_forks = 0;   // further samples to fork from this one once its prompt is processed
  std::string generated_bytes;       // the generated tokens' bytes, kept only when stop strings are watched
  std::string matched_stop_string;
  SequenceStatus status = SequenceStatus::kWaiting;
  FinishReason finish_reason = FinishReason::kNone;

  std::int64_t num_generated() const { return static_cast<std::int64_t>(tokens.size()) - prompt_len; }
  std::int64_t num_uncached() const { return static_cast<std::int64_t>(tokens.size()) - num_cached; }
};

}  // namespace r1eval::engine
