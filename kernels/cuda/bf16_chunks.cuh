// 16-byte chunks of eight bf16 (uint4: the kernels' widest load), taken apart. Device code only and no CUDA
// headers, so the SIMT emulator (tests/kernels) can run it too.
#pragma once
#include <cstdint>

#include "kernels/bf16.h"

namespace r1eval::kernels::cuda_detail {

// Word w (0..3): bf16 elements 2w (low half) and 2w + 1.
__device__ __forceinline__ unsigned chunk_word(const uint4& chunk, int word) {
  return word < 2 ? (word == 0 ? chunk.x : chunk.y) : (word == 2 ? chunk.z : chunk.w);
}
// Element e (0..7), as the low 16 bits.
__device__ __forceinline__ std::uint32_t chunk_half(const uint4& chunk, int element) {
  const unsigned word = chunk_word(chunk, element / 2);
  return element % 2 == 0 ? word & 0xffffu : word >> 16;
}
// All eight, widened.
__device__ __forceinline__ void unpack_bf16x8(const uint4& chunk, float (&v)[8]) {
  const unsigned words[4] = {chunk.x, chunk.y, chunk.z, chunk.w};
  for (int i = 0; i < 4; ++i) {
    v[2 * i] = low_bf16(words[i]);
    v[2 * i + 1] = high_bf16(words[i]);
  }
}

}  // namespace r1eval::kernels::cuda_detail
