#include "engine/backend/backend.h"

#include <stdexcept>
#include <string>

#include "kernels/sampling.h"

namespace r1eval::engine {

void throw_if_not_a_number(const std::vector<std::int32_t>& drawn_tokens) {
  for (const std::int32_t token : drawn_tokens)
    if (token < 0)
      throw std::runtime_error("the model's logits are not numbers (NaN at token " +
                               std::to_string(kernels::sampling_nan_token_id(token)) +
                               "): its weights or config.json values overflow in the forward pass");
}

std::vector<std::int32_t> Backend::forward_and_sample(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) {
  const std::string problem = validate_token_draws(draws, batch.logit_rows.size());
  if (!problem.empty()) throw std::invalid_argument("token draws: " + problem);
  const std::vector<float> logits = forward(batch);
  const TokenDrawArrays arrays = split_token_draws(draws);
  std::vector<std::int32_t> tokens(draws.size());
  kernels::cpu::sample_token_rows(logits.data(), static_cast<int>(config().vocab_size), arrays.rows.data(),
                                  static_cast<int>(draws.size()), arrays.params.data(), arrays.keys.data(),
                                  tokens.data(), nullptr);
  throw_if_not_a_number(tokens);
  return tokens;
}

}  // namespace r1eval::engine
