// How the tokens of one request are chosen and when its samples stop.
#pragma once
#include <cstdint>
#include <vector>

namespace r1eval::engine {

struct SamplingParams {
  double temperature = 1.0;  // 0 = greedy (argmax, lowest id on ties)
  double top_p = 1.0;        // keep the most probable tokens whose mass reaches top_p (1 = all)
  std::int32_t top_k = 0;    // keep the k most probable tokens (0 = all)
  double min_p = 0.0;        // drop tokens below min_p times the most probable one's probability
  std::int32_t max_tokens = 256;  // generated tokens per sample, at most
  std::uint64_t seed = 0;
  bool ignore_eos = false;
  std::vector<std::int32_t> stop_token_ids;  // besides the model's eos ids
};

}  // namespace r1eval::engine
