// Decode-only steps of a device backend are replayed from CUDA graphs captured per shape: a bucket of
// sequences and a bucket of context length. A graph fixes every kernel argument and launch size, so the
// step is packed at its shape's fixed layout: padded with sequences that attend to one cached token and
// write nothing (slot -1), block tables widened with block 0, the decode bound set to the context bucket
// (the decode kernel's launch depends only on it; splits past a sequence's context exit at once).
// Host-side code, tested with the kernels' CPU twins.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <vector>

#include "engine/backend/forward_batch.h"
#include "engine/backend/packed_batch.h"

namespace r1eval::engine {

struct DecodeGraphShape {
  int seqs = 0;     // sequences (and logit rows) of the padded step
  int context = 0;  // context bucket: a multiple of the block size, >= every sequence's context
  auto operator<=>(const DecodeGraphShape&) const = default;
};

// Sequence buckets 1, 2, 4, 8, then multiples of 8 up to max_seqs; context buckets powers of two from 256
// tokens (rounded up to a multiple of the block size), capped at max_context rounded up the same way.
// nullopt when the step cannot be replayed: a sequence with more than one new token, a sequence without
// its logit row (or rows out of sequence order), more sequences than max_seqs, a context past max_context,
// or more draws than sequences (the graph's upload has room for one draw per sequence).
std::optional<DecodeGraphShape> decode_graph_shape(const ForwardBatch& batch, std::size_t num_draws, int block_size,
                                                   int max_seqs, std::int64_t max_context);

// `batch` (already validated, decode_graph_shape gave `shape`) padded and packed at the shape's fixed
// layout: two steps of one shape have the same offsets and the same bytes before the draws. Logit row r is
// still the batch's logit row r; the padding's rows follow them.
PackedBatch pack_decode_graph_batch(const ForwardBatch& batch, const DecodeGraphShape& shape, int block_size);

// Bytes of a packed step of `shape` with up to shape.seqs draws appended: what a graph's upload buffer holds.
std::size_t decode_graph_upload_bytes(const DecodeGraphShape& shape, int block_size);

// What each graph shape's steps do, decided once for all ranks of a backend: NCCL requires the ranks to
// capture the same collectives into their graphs and to replay them together, so no rank may capture,
// replay or give up on a shape alone.
class DecodeGraphBook {
 public:
  enum class Use { eager, capture, replay };
  // The first step of a shape runs eagerly (cuBLASLt makes its plans outside any capture), the second is
  // captured (then replayed at once), later ones replay; a shape whose capture failed runs eagerly.
  Use use_for(const DecodeGraphShape& shape);
  // Every rank holds the shape's graph.
  void captured(const DecodeGraphShape& shape);
  // Some rank's capture failed and every rank dropped the shape's graph. Out of memory keeps the shape
  // eager until memory moves (dropped_all); any other failure keeps it eager for good.
  void capture_failed(const DecodeGraphShape& shape, bool out_of_memory);
  // Every rank dropped all its graphs (a workspace they point into moved): shapes are captured again at
  // their next step, also those that ran out of memory before.
  void dropped_all();

 private:
  std::set<DecodeGraphShape> warmed_, captured_, out_of_memory_, uncapturable_;
};

}  // namespace r1eval::engine
