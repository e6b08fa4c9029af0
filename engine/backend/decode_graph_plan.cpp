#include "engine/backend/decode_graph_plan.h"

#include <algorithm>

namespace r1eval::engine {

namespace {

int seq_bucket(int seqs) {
  if (seqs <= 8) {
    int bucket = 1;
    while (bucket < seqs) bucket *= 2;
    return bucket;
  }
  return (seqs + 7) / 8 * 8;
}

std::int64_t round_up(std::int64_t value, std::int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

}  // namespace

std::optional<DecodeGraphShape> decode_graph_shape(const ForwardBatch& batch, std::size_t num_draws, int block_size,
                                                   int max_seqs, std::int64_t max_context) {
  const std::size_t seqs = batch.num_seqs();
  if (seqs == 0 || block_size <= 0 || static_cast<int>(seqs) > max_seqs || num_draws > seqs) return std::nullopt;
  if (batch.num_tokens() != seqs || batch.logit_rows.size() != seqs) return std::nullopt;
  std::int64_t longest = 0;
  for (std::size_t s = 0; s < seqs; ++s) {
    if (batch.logit_rows[s] != static_cast<std::int32_t>(s)) return std::nullopt;
    longest = std::max<std::int64_t>(longest, batch.positions[s] + 1);
  }
  const std::int64_t cap = round_up(std::max<std::int64_t>(max_context, 1), block_size);
  if (longest > cap) return std::nullopt;
  std::int64_t context = 256;
  while (context < longest) context *= 2;
  context = std::min(round_up(context, block_size), cap);
  const int seq_cap = std::max(max_seqs, 1);
  return DecodeGraphShape{std::min(seq_bucket(static_cast<int>(seqs)), seq_cap), static_cast<int>(context)};
}

PackedBatch pack_decode_graph_batch(const ForwardBatch& batch, const DecodeGraphShape& shape, int block_size) {
  const std::size_t seqs = batch.num_seqs();
  const auto width = static_cast<std::size_t>(shape.context / block_size);
  ForwardBatch padded;
  padded.max_blocks_per_seq = static_cast<std::int32_t>(width);
  padded.seq_starts.reserve(static_cast<std::size_t>(shape.seqs) + 1);
  padded.block_tables.assign(static_cast<std::size_t>(shape.seqs) * width, 0);
  const auto old_width = static_cast<std::size_t>(batch.max_blocks_per_seq);
  for (std::size_t s = 0; s < static_cast<std::size_t>(shape.seqs); ++s) {
    const bool real = s < seqs;
    padded.seq_starts.push_back(static_cast<std::int32_t>(s));
    padded.token_ids.push_back(real ? batch.token_ids[s] : 0);
    padded.positions.push_back(real ? batch.positions[s] : 0);
    padded.slot_mapping.push_back(real ? batch.slot_mapping[s] : -1);  // padding writes nothing
    padded.logit_rows.push_back(static_cast<std::int32_t>(s));
    if (real) {
      // The blocks the context covers; the rest of the row stays block 0 (never read past the context).
      const auto used = std::min(old_width, static_cast<std::size_t>((batch.positions[s] + block_size) / block_size));
      std::copy_n(batch.block_tables.begin() + static_cast<std::ptrdiff_t>(s * old_width), used,
                  padded.block_tables.begin() + static_cast<std::ptrdiff_t>(s * width));
    }
  }
  padded.seq_starts.push_back(shape.seqs);
  PackedBatch packed = pack_forward_batch(padded);
  packed.max_decode_context_len = shape.context;
  return packed;
}

std::size_t decode_graph_upload_bytes(const DecodeGraphShape& shape, int block_size) {
  // The layout depends on the shape alone: pack a step of padding only, with a draw per sequence.
  ForwardBatch nothing;
  nothing.seq_starts = {0};
  PackedBatch packed = pack_decode_graph_batch(nothing, shape, block_size);
  append_token_draws(packed, std::vector<TokenDraw>(static_cast<std::size_t>(shape.seqs)));
  return packed.bytes.size();
}

DecodeGraphBook::Use DecodeGraphBook::use_for(const DecodeGraphShape& shape) {
  if (uncapturable_.count(shape) != 0 || out_of_memory_.count(shape) != 0) return Use::eager;
  if (captured_.count(shape) != 0) return Use::replay;
  return warmed_.insert(shape).second ? Use::eager : Use::capture;
}

void DecodeGraphBook::captured(const DecodeGraphShape& shape) { captured_.insert(shape); }

void DecodeGraphBook::capture_failed(const DecodeGraphShape& shape, bool out_of_memory) {
  captured_.erase(shape);
  (out_of_memory ? out_of_memory_ : uncapturable_).insert(shape);
}

void DecodeGraphBook::dropped_all() {
  captured_.clear();
  out_of_memory_.clear();
}

}  // namespace r1eval::engine
