#include "engine/backend/backend.h"

#include <stdexcept>
#include <string>

#include "kernels/sampling.h"

namespace r1eval::engine {

std::vector<std::int32_t> Backend::forward_and_sample(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) {
  const std::string problem = validate_token_draws(draws, batch.logit_rows.size());
  if (!problem.empty()) throw std::invalid_argument("token draws: " + problem);
  const std::vector<float> logits = forward(batch);
  const TokenDrawArrays arrays = split_token_draws(draws);
  std::vector<std::int32_t> tokens(draws.size());
  kernels::cpu::sample_token_rows(logits.data(), static_cast<int>(config().vocab_size), arrays.rows.data(),
                                  static_cast<int>(draws.size()), arrays.params.data(), arrays.keys.data(),
                                  tokens.data(), nullptr);
  return tokens;
}

}  // namespace r1eval::engine
