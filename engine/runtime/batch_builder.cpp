#include "engine/runtime/batch_builder.h"

#include <algorithm>

namespace r1eval::engine {

ForwardBatch build_forward_batch(const Schedule& schedule, std::int32_t block_size) {
  ForwardBatch batch;
  batch.seq_starts.push_back(0);
  std::size_t max_blocks = 1;
  for (const ScheduledSequence& entry : schedule.entries) max_blocks = std::max(max_blocks, entry.seq->blocks.size());
  batch.max_blocks_per_seq = static_cast<std::int32_t>(max_blocks);
  for (const ScheduledSequence& entry : schedule.entries) {
    const Sequence& seq = *entry.seq;
    for (std::int64_t pos = seq.num_cached; pos < seq.num_cached + entry.num_new; ++pos) {
      batch.token_ids.push_back(seq.tokens[static_cast<std::size_t>(pos)]);
      batch.positions.push_back(static_cast<std::int32_t>(pos));
      const std::int32_t block = seq.blocks[static_cast<std::size_t>(pos / block_size)];
      batch.slot_mapping.push_back(static_cast<std::int64_t>(block) * block_size + pos % block_size);
    }
    batch.seq_starts.push_back(static_cast<std::int32_t>(batch.token_ids.size()));
    if (entry.needs_logits) batch.logit_rows.push_back(static_cast<std::int32_t>(batch.token_ids.size()) - 1);
    batch.block_tables.insert(batch.block_tables.end(), seq.blocks.begin(), seq.blocks.end());
    batch.block_tables.resize((batch.seq_starts.size() - 1) * max_blocks, -1);
  }
  return batch;
}

}  // namespace r1eval::engine
