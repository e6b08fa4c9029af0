#include "engine/backend/forward_batch.h"

#include <stdexcept>

namespace r1eval::engine {

std::string validate_forward_batch(const ForwardBatch& batch, std::int64_t vocab_size, std::int64_t num_blocks,
                                   std::int32_t block_size) {
  const std::size_t n = batch.token_ids.size();
  if (batch.positions.size() != n || batch.slot_mapping.size() != n) {
    return "positions and slot_mapping must have one entry per token";
  }
  if (batch.seq_starts.size() < 2 || batch.seq_starts.front() != 0 ||
      batch.seq_starts.back() != static_cast<std::int32_t>(n)) {
    return "seq_starts must run from 0 to the number of tokens";
  }
  const std::size_t seqs = batch.num_seqs();
  if (batch.max_blocks_per_seq <= 0 ||
      batch.block_tables.size() != seqs * static_cast<std::size_t>(batch.max_blocks_per_seq)) {
    return "block_tables must be num_seqs x max_blocks_per_seq";
  }
  const std::int64_t slots = num_blocks * block_size;
  for (std::size_t s = 0; s < seqs; ++s) {
    const std::int32_t begin = batch.seq_starts[s];
    const std::int32_t end = batch.seq_starts[s + 1];
    if (end <= begin) return "sequence " + std::to_string(s) + " has no tokens";
    const std::int32_t* table = batch.block_tables.data() + s * static_cast<std::size_t>(batch.max_blocks_per_seq);
    for (std::int32_t t = begin; t < end; ++t) {
      const auto i = static_cast<std::size_t>(t);
      if (batch.token_ids[i] < 0 || batch.token_ids[i] >= vocab_size) {
        return "token " + std::to_string(t) + ": id " + std::to_string(batch.token_ids[i]) + " outside the vocabulary";
      }
      if (t > begin && batch.positions[i] != batch.positions[i - 1] + 1) {
        return "token " + std::to_string(t) + ": positions of a sequence must be consecutive";
      }
      if (batch.positions[i] < 0 || batch.positions[i] / block_size >= batch.max_blocks_per_seq) {
        return "token " + std::to_string(t) + ": position " + std::to_string(batch.positions[i]) +
               " beyond the block table";
      }
      if (batch.slot_mapping[i] < 0 || batch.slot_mapping[i] >= slots) {
        return "token " + std::to_string(t) + ": slot outside the KV cache";
      }
    }
    const std::int32_t used_blocks = batch.positions[static_cast<std::size_t>(end - 1)] / block_size + 1;
    for (std::int32_t b = 0; b < used_blocks; ++b) {
      if (table[b] < 0 || table[b] >= num_blocks) {
        return "sequence " + std::to_string(s) + ": block table entry " + std::to_string(b) + " outside the KV cache";
      }
    }
  }
  for (const std::int32_t row : batch.logit_rows) {
    if (row < 0 || row >= static_cast<std::int32_t>(n)) return "logit row " + std::to_string(row) + " is not a token";
  }
  return {};
}

TokenDrawArrays split_token_draws(const std::vector<TokenDraw>& draws) {
  TokenDrawArrays arrays;
  arrays.rows.reserve(draws.size());
  arrays.params.reserve(draws.size());
  arrays.keys.reserve(draws.size());
  for (const TokenDraw& draw : draws) {
    arrays.rows.push_back(draw.row);
    arrays.params.push_back(draw.params);
    arrays.keys.push_back(draw.key);
  }
  return arrays;
}

std::string validate_token_draws(const std::vector<TokenDraw>& draws, std::size_t num_logit_rows) {
  for (std::size_t d = 0; d < draws.size(); ++d) {
    const std::int32_t row = draws[d].row;
    if (row < 0 || static_cast<std::size_t>(row) >= num_logit_rows) {
      return "draw " + std::to_string(d) + " reads logit row " + std::to_string(row) + ", expected one of the " +
             std::to_string(num_logit_rows) + " logit rows";
    }
  }
  return {};
}

void check_forward_step(const ForwardBatch& batch, const std::vector<TokenDraw>& draws, std::int64_t vocab_size,
                        std::int64_t num_blocks, std::int32_t block_size) {
  std::string problem = validate_forward_batch(batch, vocab_size, num_blocks, block_size);
  if (!problem.empty()) throw std::invalid_argument("forward batch: " + problem);
  problem = validate_token_draws(draws, batch.logit_rows.size());
  if (!problem.empty()) throw std::invalid_argument("token draws: " + problem);
}

}  // namespace r1eval::engine
