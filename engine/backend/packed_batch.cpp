#include "engine/backend/packed_batch.h"

#include <algorithm>
#include <cstring>

namespace r1eval::engine {

namespace {

// Appends `count` elements to the buffer at the next 16-byte boundary and returns their offset.
template <typename T>
std::size_t append(std::vector<std::byte>& bytes, const T* data, std::size_t count) {
  const std::size_t offset = (bytes.size() + 15) & ~std::size_t{15};
  bytes.resize(offset + count * sizeof(T));
  if (count > 0) std::memcpy(bytes.data() + offset, data, count * sizeof(T));
  return offset;
}

}  // namespace

PackedBatch pack_forward_batch(const ForwardBatch& batch) {
  PackedBatch packed;
  const std::size_t seqs = batch.num_seqs();
  const auto table_width = static_cast<std::size_t>(batch.max_blocks_per_seq);
  packed.num_tokens = static_cast<int>(batch.num_tokens());
  packed.max_blocks_per_seq = batch.max_blocks_per_seq;

  // Decode sequences first, each group in batch order.
  std::vector<std::size_t> order;
  order.reserve(seqs);
  for (std::size_t s = 0; s < seqs; ++s)
    if (batch.seq_starts[s + 1] - batch.seq_starts[s] == 1) order.push_back(s);
  packed.num_decode = static_cast<int>(order.size());
  for (std::size_t s = 0; s < seqs; ++s)
    if (batch.seq_starts[s + 1] - batch.seq_starts[s] != 1) order.push_back(s);
  packed.num_prefill_seqs = static_cast<int>(seqs) - packed.num_decode;

  std::vector<std::int32_t> token_ids, positions, device_row(batch.num_tokens());
  std::vector<std::int64_t> slots;
  std::vector<std::int32_t> decode_lens, decode_tables, prefill_starts{0}, prefill_lens, prefill_tables;
  token_ids.reserve(batch.num_tokens());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::size_t s = order[i];
    const std::int32_t begin = batch.seq_starts[s], end = batch.seq_starts[s + 1];
    for (std::int32_t t = begin; t < end; ++t) {
      const auto ti = static_cast<std::size_t>(t);
      device_row[ti] = static_cast<std::int32_t>(token_ids.size());
      token_ids.push_back(batch.token_ids[ti]);
      positions.push_back(batch.positions[ti]);
      slots.push_back(batch.slot_mapping[ti]);
    }
    const std::int32_t context = batch.positions[static_cast<std::size_t>(end - 1)] + 1;
    const auto table = batch.block_tables.begin() + static_cast<std::ptrdiff_t>(s * table_width);
    if (static_cast<int>(i) < packed.num_decode) {
      decode_lens.push_back(context);
      decode_tables.insert(decode_tables.end(), table, table + static_cast<std::ptrdiff_t>(table_width));
      packed.max_decode_context_len = std::max(packed.max_decode_context_len, context);
    } else {
      prefill_starts.push_back(prefill_starts.back() + (end - begin));
      prefill_lens.push_back(context);
      prefill_tables.insert(prefill_tables.end(), table, table + static_cast<std::ptrdiff_t>(table_width));
      packed.max_prefill_query_len = std::max(packed.max_prefill_query_len, end - begin);
      packed.max_prefill_context_len = std::max(packed.max_prefill_context_len, context);
    }
  }
  std::vector<std::int32_t> logit_rows;
  logit_rows.reserve(batch.logit_rows.size());
  for (const std::int32_t row : batch.logit_rows) logit_rows.push_back(device_row[static_cast<std::size_t>(row)]);
  packed.num_logit_rows = static_cast<int>(logit_rows.size());

  auto& b = packed.bytes;
  PackedOffsets& o = packed.offsets;
  o.token_ids = append(b, token_ids.data(), token_ids.size());
  o.positions = append(b, positions.data(), positions.size());
  o.slot_mapping = append(b, slots.data(), slots.size());
  o.logit_rows = append(b, logit_rows.data(), logit_rows.size());
  o.decode_context_lens = append(b, decode_lens.data(), decode_lens.size());
  o.decode_block_tables = append(b, decode_tables.data(), decode_tables.size());
  o.prefill_query_starts = append(b, prefill_starts.data(), prefill_starts.size());
  o.prefill_context_lens = append(b, prefill_lens.data(), prefill_lens.size());
  o.prefill_block_tables = append(b, prefill_tables.data(), prefill_tables.size());
  b.resize((b.size() + 15) & ~std::size_t{15});
  return packed;
}

PackedDraws append_token_draws(PackedBatch& packed, const std::vector<TokenDraw>& draws) {
  const TokenDrawArrays arrays = split_token_draws(draws);
  PackedDraws packed_draws;
  packed_draws.num_draws = static_cast<int>(draws.size());
  packed_draws.rows = append(packed.bytes, arrays.rows.data(), arrays.rows.size());
  packed_draws.params = append(packed.bytes, arrays.params.data(), arrays.params.size());
  packed_draws.keys = append(packed.bytes, arrays.keys.data(), arrays.keys.size());
  return packed_draws;
}

bool logit_rows_are_tokens(const PackedBatch& packed) {
  if (packed.num_logit_rows != packed.num_tokens) return false;
  for (int r = 0; r < packed.num_logit_rows; ++r) {
    std::int32_t row;
    std::memcpy(&row, packed.bytes.data() + packed.offsets.logit_rows + static_cast<std::size_t>(r) * sizeof row,
                sizeof row);
    if (row != r) return false;
  }
  return true;
}

}  // namespace r1eval::engine
