// Flattens a scheduled step into the one ragged batch the backend runs.
#pragma once
#include <cstdint>

#include "engine/backend/forward_batch.h"
#include "engine/runtime/scheduler.h"

namespace r1eval::engine {

// The batch for `schedule`: each entry's tokens [num_cached, num_cached + num_new) with their positions
// and cache slots (from the sequence's block table, blocks of `block_size` slots), the block tables
// padded with -1 to the longest, and one logit row, the chunk's last token, per entry that needs logits.
// Precondition: the scheduler reserved the blocks (every position has a block).
ForwardBatch build_forward_batch(const Schedule& schedule, std::int32_t block_size);

}  // namespace r1eval::engine
