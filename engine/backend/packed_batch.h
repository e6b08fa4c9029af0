// A ForwardBatch flattened into one byte buffer for a device backend: every array the kernels read,
// laid out so that one host->device copy moves the whole step. Tokens are reordered so that the
// sequences with a single new token (decode) come first, then the others (prefill chunks): each group
// is then a contiguous run of rows that one attention launch covers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/backend/forward_batch.h"

namespace r1eval::engine {

// Byte offsets of the arrays inside PackedBatch::bytes (each 16-byte aligned).
struct PackedOffsets {
  std::size_t token_ids = 0;             // int32 [num_tokens], device order
  std::size_t positions = 0;             // int32 [num_tokens]
  std::size_t slot_mapping = 0;          // int64 [num_tokens]
  std::size_t logit_rows = 0;            // int32 [num_logit_rows]: device-order rows, in the batch's output order
  std::size_t decode_context_lens = 0;   // int32 [num_decode]
  std::size_t decode_block_tables = 0;   // int32 [num_decode * max_blocks_per_seq]
  std::size_t prefill_query_starts = 0;  // int32 [num_prefill_seqs + 1], relative to the first prefill row
  std::size_t prefill_context_lens = 0;  // int32 [num_prefill_seqs]
  std::size_t prefill_block_tables = 0;  // int32 [num_prefill_seqs * max_blocks_per_seq]
};

struct PackedBatch {
  int num_tokens = 0;
  int num_decode = 0;        // sequences with one new token; they own device rows [0, num_decode)
  int num_prefill_seqs = 0;  // the other sequences; they own rows [num_decode, num_tokens)
  int num_logit_rows = 0;
  int max_blocks_per_seq = 0;
  int max_decode_context_len = 0;   // bounds the decode launch (0 without decode rows)
  int max_prefill_query_len = 0;    // bounds the prefill launch (0 without prefill rows)
  int max_prefill_context_len = 0;
  PackedOffsets offsets;
  std::vector<std::byte> bytes;
};

// The token draws of a step appended to its packed batch, so that the same one copy carries them:
// offsets into PackedBatch::bytes of int32 rows (device logit rows: the batch's logit row order, which
// packing keeps), kernels::SamplingParams and kernels::SampleKey arrays of num_draws entries each.
struct PackedDraws {
  int num_draws = 0;
  std::size_t rows = 0, params = 0, keys = 0;
};

// Packs an already validated batch (validate_forward_batch). Logit row r of the backend's output is the
// token batch.logit_rows[r], as the Backend contract requires, whatever the reordering.
PackedBatch pack_forward_batch(const ForwardBatch& batch);

// Whether logit row r is device row r for every row, all rows having one (decode steps): the head then
// reads the activations in place, with no gather of the rows first.
bool logit_rows_are_tokens(const PackedBatch& packed);

// Appends already validated draws (validate_token_draws) to `packed`.
PackedDraws append_token_draws(PackedBatch& packed, const std::vector<TokenDraw>& draws);

}  // namespace r1eval::engine
