// Embedding lookup: rows of a bf16 table gathered into activations.
#pragma once
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

// output[i][:] = table[token_ids[i]][:] for i < count, widened to fp32 or copied as bf16 (exact either way).
// The CPU twin throws std::out_of_range naming the position and id when an id is outside [0, vocab).
// The CUDA kernel cannot throw: it writes zeros for such a row, so callers validate ids on the host
// (the engine builds every batch there).
namespace cpu {
template <typename T>
void embedding_gather(const std::int32_t* token_ids, int count, const bf16* table, int vocab, int dim, T* output,
                      Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void embedding_gather(const std::int32_t* token_ids, int count, const bf16* table, int vocab, int dim, T* output,
                      Stream stream = nullptr);
}  // namespace cuda

}  // namespace r1eval::kernels
