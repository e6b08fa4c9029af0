// One warp-wide tensor-core product, D += A * B with A 16x16 and B 16x8 in bf16 and D 16x8 in fp32
// (PTX mma.sync m16n8k16, sm_80 and later). Each lane holds a fixed part of every operand; with
// g = lane / 4 and t = lane % 4, and each 32-bit word two bf16 (the lower-indexed one in the low half):
//   a[0]: A[g][2t, 2t+1]   a[1]: A[g+8][2t, 2t+1]   a[2]: A[g][2t+8, 2t+9]   a[3]: A[g+8][2t+8, 2t+9]
//   b[0]: B[2t, 2t+1][g]   b[1]: B[2t+8, 2t+9][g]
//   d[0], d[1]: D[g][2t, 2t+1]   d[2], d[3]: D[g+8][2t, 2t+1]
// so a warp's D of two neighbouring n-tiles, rounded to bf16, is already the A of a following product.
// Host builds (the SIMT emulator in tests/kernels) define it themselves with the same layout.
#pragma once
#include <cstdint>

#include "kernels/bf16.h"  // pack_bf16_pair, low_bf16, high_bf16: the operand words

#if defined(__CUDACC__)
__device__ __forceinline__ void mma_bf16_16x8x16(float (&d)[4], const std::uint32_t (&a)[4],
                                                 const std::uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}
#endif
