// The forward step the engine benchmarks time: `seqs` sequences, each adding `new_tokens` tokens from position
// `start`; sequence s owns cache blocks [s * blocks_per_seq, ...); logits for each sequence's last token;
// token ids from token(sequence, position).
#pragma once
#include <cstdint>
#include <functional>

#include "engine/backend/backend.h"

namespace r1eval::bench {

inline engine::ForwardBatch benchmark_step(const engine::Backend& backend, int seqs, int new_tokens, int start,
                                           int blocks_per_seq, const std::function<std::int32_t(int, int)>& token) {
  const int block_size = backend.kv_block_size();
  engine::ForwardBatch batch;
  batch.max_blocks_per_seq = blocks_per_seq;
  batch.seq_starts.push_back(0);
  for (int s = 0; s < seqs; ++s) {
    for (int pos = start; pos < start + new_tokens; ++pos) {
      batch.token_ids.push_back(token(s, pos));
      batch.positions.push_back(pos);
      batch.slot_mapping.push_back(static_cast<std::int64_t>(s * blocks_per_seq + pos / block_size) * block_size +
                                   pos % block_size);
    }
    batch.seq_starts.push_back(static_cast<std::int32_t>(batch.token_ids.size()));
    batch.logit_rows.push_back(static_cast<std::int32_t>(batch.token_ids.size()) - 1);
    for (int b = 0; b < blocks_per_seq; ++b) batch.block_tables.push_back(s * blocks_per_seq + b);
  }
  return batch;
}

}  // namespace r1eval::bench
