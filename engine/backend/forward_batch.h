// One step of work for a backend: a flat ragged batch of new tokens from several sequences, with where
// their keys and values go in the paged KV cache and where each sequence's earlier ones are.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/sampling.h"

namespace r1eval::engine {

struct ForwardBatch {
  // New tokens of every sequence, concatenated: sequence s owns tokens [seq_starts[s], seq_starts[s+1]).
  std::vector<std::int32_t> token_ids;
  // Position of each token within its sequence; a sequence's new tokens are consecutive positions.
  std::vector<std::int32_t> positions;
  std::vector<std::int32_t> seq_starts;  // num_seqs + 1 entries, first 0, last token_ids.size()
  // Cache slot (block * block_size + offset) receiving each token's keys and values.
  std::vector<std::int64_t> slot_mapping;
  // Row-major [num_seqs, max_blocks_per_seq]: the cache blocks of each sequence in position order.
  std::vector<std::int32_t> block_tables;
  std::int32_t max_blocks_per_seq = 0;
  // Tokens whose next-token logits are wanted (indices into token_ids), in output order.
  std::vector<std::int32_t> logit_rows;

  std::size_t num_tokens() const { return token_ids.size(); }
  std::size_t num_seqs() const { return seq_starts.empty() ? 0 : seq_starts.size() - 1; }
};

// A whole KV cache block to duplicate (all layers), e.g. before a sample writes into a shared block.
struct BlockCopy {
  std::int32_t src = 0;
  std::int32_t dst = 0;
};

// One token to choose after a forward pass: from logit row `row` (an index into the batch's logit_rows), under
// `params`, with the random number of `key` (kernels/sampling.h). Several draws may share a row: the
// samples of one prompt draw their first tokens from its last row.
struct TokenDraw {
  std::int32_t row = 0;
  kernels::SamplingParams params;
  kernels::SampleKey key;
};

// The draws as the three arrays the sampling kernels read.
struct TokenDrawArrays {
  std::vector<std::int32_t> rows;
  std::vector<kernels::SamplingParams> params;
  std::vector<kernels::SampleKey> keys;
};
TokenDrawArrays split_token_draws(const std::vector<TokenDraw>& draws);

// Returns "" when every draw names a row in [0, num_logit_rows), else one line naming the first that does not.
std::string validate_token_draws(const std::vector<TokenDraw>& draws, std::size_t num_logit_rows);

// Checks that `batch` is well formed for a cache of `num_blocks` blocks of `block_size` slots and a
// vocabulary of `vocab_size`: sizes agree, ids in the vocabulary, block tables cover every position
// attended to, slots inside the cache. Returns an empty string, or one line saying what is wrong.
std::string validate_forward_batch(const ForwardBatch& batch, std::int64_t vocab_size, std::int64_t num_blocks,
                                   std::int32_t block_size);

// Throws std::invalid_argument, one line starting "forward batch: " or "token draws: ", unless both
// validators above accept the step. What every backend does before it runs anything.
void check_forward_step(const ForwardBatch& batch, const std::vector<TokenDraw>& draws, std::int64_t vocab_size,
                        std::int64_t num_blocks, std::int32_t block_size);

}  // namespace r1eval::engine
