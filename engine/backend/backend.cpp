#include "engine/backend/backend.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/sampling.h"

namespace r1eval::engine {

std::vector<std::int32_t> Backend::forward_and_sample(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) {
  const std::string problem = validate_token_draws(draws, batch.logit_rows.size());
  if (!problem.empty()) throw std::invalid_argument("token draws: " + problem);
  const std::vector<float> logits = forward(batch);
  const TokenDrawArrays arrays = split_token_draws(draws);
  // A NaN logit (weights or config values that overflow: a huge attention factor, a tiny RoPE base) would
  // otherwise be read as token 0 at every step, a sample of garbage that looks generated.
  const auto vocab = static_cast<std::size_t>(config().vocab_size);
  for (const std::int32_t row : arrays.rows) {
    const float* first = logits.data() + static_cast<std::size_t>(row) * vocab;
    for (std::size_t t = 0; t < vocab; ++t)
      if (std::isnan(first[t]))
        throw std::runtime_error("the model's logits are not numbers (NaN at token " + std::to_string(t) +
                                 "): its weights or config.json values overflow in the forward pass");
  }
  std::vector<std::int32_t> tokens(draws.size());
  kernels::cpu::sample_token_rows(logits.data(), static_cast<int>(config().vocab_size), arrays.rows.data(),
                                  static_cast<int>(draws.size()), arrays.params.data(), arrays.keys.data(),
                                  tokens.data(), nullptr);
  return tokens;
}

}  // namespace r1eval::engine
