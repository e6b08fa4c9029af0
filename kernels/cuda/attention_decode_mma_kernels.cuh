// Decode attention on tensor cores (bf16 only; launcher in attention.cu): the split pass of the decode kernel
// (attention_kernels.cuh; its reduce pass merges the splits as before) with a kv head's whole query group as
// the 16 rows of mma A fragments (mma.cuh), so a key costs two warp products instead of ~70 instructions
// and the pass is left waiting on memory only. A block owns one split of one sequence for one kv head; its
// warps take 16-key tiles in turn, each keeping an online softmax of the group's rows in registers.
// Nothing is staged in shared memory: every lane loads 16-byte chunks of cache rows straight into operand
// registers, which the operand layouts allow because both products sum in an order of our choosing:
//   scores: k-step s = 2m + h of lane t covers dims 32m + 8t + 4h + {0,1} (first word) and {2,3} (second),
//           so lane (g, t) reads chunk 4m + t of key g of each 8-key n-tile;
//   values: n-tile j = 8hh + jj of lane g is dim 64hh + 8g + jj, so lane (g, t) reads chunks 8hh + g of keys
//           2t, 2t + 1, 2t + 8, 2t + 9 of the tile, each chunk's element jj feeding n-tile j.
// Rows past the group are zero queries whose results are dropped. Against the fp32 twin this rounds the
// softmax weights to bf16 before they multiply V, like the tensor-core prefill.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/attention.h"
#include "kernels/bf16.h"
#include "kernels/cuda/attention_kernels.cuh"
#include "kernels/cuda/bf16_chunks.cuh"
#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/mma.cuh"
#include "kernels/cuda/mma_softmax.cuh"
#include "kernels/kv_cache.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kMmaDecodeMaxGroup = 16;  // query heads per kv head the rows hold
constexpr int kMmaDecodeTileKeys = 16;  // keys a warp scores per tile

// Query heads a decode split block holds on tensor cores (the whole group) or on CUDA cores.
constexpr int decode_heads_per_block(bool tensor_cores) {
  return tensor_cores ? kMmaDecodeMaxGroup : kHeadsPerDecodeBlock;
}

template <int D>
__global__ void __launch_bounds__(kThreads)
    decode_mma_split_kernel(const bf16* q, int q_row_stride, int num_q_heads, KvCacheView cache, PagedBatch batch,
                            float scale, DecodeWorkspace work) {
  wait_for_prior_kernels();
  release_dependents();
  constexpr int kDimSteps = D / 16;  // k-steps of the scores
  constexpr int kDimTiles = D / 8;   // n-tiles of the output
  constexpr int kKeyChunks = D / 32;  // chunks of a key row a lane loads
  constexpr int kHalves = D / 64;    // chunks of a value row a lane loads
  constexpr int H = kMmaDecodeMaxGroup;
  __shared__ float warp_max_of[kWarps][H], warp_sum_of[kWarps][H];
  __shared__ float warp_acc[kWarps][H][D];

  const int split = blockIdx.x, seq = blockIdx.y, kv_head = blockIdx.z;
  const int group = num_q_heads / cache.num_kv_heads;
  const int context = batch.context_lens[seq];
  const int split_begin = split * work.split_tokens;
  // The reduce pass reads only the splits that hold keys of the window (decode_first_split on).
  if (split_begin >= context || split < decode_first_split(context, work)) return;
  const int begin = max(split_begin, decode_window_begin(context, work));
  const int end = min(split_begin + work.split_tokens, context);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane / 4, t = lane % 4;
  const std::int32_t* table = batch.block_tables + static_cast<std::size_t>(seq) * batch.max_blocks_per_seq;

  std::uint32_t query[kDimSteps][4];
R1EVAL_UNROLL
  for (int r = 0; r < 2; ++r) {
    const int row = g + 8 * r;
    const std::uint32_t* q_pairs =
        row < group ? reinterpret_cast<const std::uint32_t*>(q + static_cast<std::size_t>(seq) * q_row_stride +
                                                             (kv_head * group + row) * D)
                    : nullptr;
R1EVAL_UNROLL
    for (int s = 0; s < kDimSteps; ++s) {
      const int pair = (32 * (s / 2) + 8 * t + 4 * (s % 2)) / 2;
      query[s][r] = q_pairs != nullptr ? q_pairs[pair] : 0u;
      query[s][r + 2] = q_pairs != nullptr ? q_pairs[pair + 1] : 0u;
    }
  }

  const float scale_log2 = scale * kLog2e;
  float running_max[2] = {-INFINITY, -INFINITY};
  float running_sum[2] = {0.0f, 0.0f};  // this lane's share; the row's four lanes add up at the end
  float acc[kDimTiles][4];
R1EVAL_UNROLL
  for (int n = 0; n < kDimTiles; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.0f;

  // Lane l looks up the cache row of key tile + l % 16 (0 past the split's end), a tile ahead; the other
  // lanes' keys come by shuffles.
  const auto row_of = [&](int key) { return key < end ? cache_row(cache, table, kv_head, key) : 0ull; };
  constexpr int kStride = kWarps * kMmaDecodeTileKeys;
  unsigned long long next_row = row_of(begin + warp * kMmaDecodeTileKeys + lane % 16);
  for (int tile = begin + warp * kMmaDecodeTileKeys; tile < end; tile += kStride) {
    const unsigned long long my_row = next_row;
    next_row = row_of(tile + kStride + lane % 16);
    // Keys g and 8 + g (the two score n-tiles), values 2t, 2t + 1, 2t + 8, 2t + 9: all loads before any use.
    uint4 key_chunks[2][kKeyChunks], value_chunks[4][kHalves];
R1EVAL_UNROLL
    for (int n = 0; n < 2; ++n) {
      const int k = n * 8 + g;
      const unsigned long long row = __shfl_sync(0xffffffffu, my_row, k);
      const uint4* chunks = reinterpret_cast<const uint4*>(cache.key + row);
R1EVAL_UNROLL
      for (int m = 0; m < kKeyChunks; ++m)
        key_chunks[n][m] = tile + k < end ? chunks[4 * m + t] : uint4{0u, 0u, 0u, 0u};
    }
R1EVAL_UNROLL
    for (int u = 0; u < 4; ++u) {
      const int k = 2 * t + (u & 1) + 8 * (u / 2);
      const unsigned long long row = __shfl_sync(0xffffffffu, my_row, k);
      const uint4* chunks = reinterpret_cast<const uint4*>(cache.value + row);
R1EVAL_UNROLL
      for (int hh = 0; hh < kHalves; ++hh)
        value_chunks[u][hh] = tile + k < end ? chunks[8 * hh + g] : uint4{0u, 0u, 0u, 0u};
    }

    float score[2][4];
R1EVAL_UNROLL
    for (int n = 0; n < 2; ++n) {
      score[n][0] = score[n][1] = score[n][2] = score[n][3] = 0.0f;
R1EVAL_UNROLL
      for (int s = 0; s < kDimSteps; ++s) {
        const uint4& chunk = key_chunks[n][s / 2];
        const std::uint32_t b[2] = {chunk_word(chunk, 2 * (s % 2)), chunk_word(chunk, 2 * (s % 2) + 1)};
        mma_bf16_16x8x16(score[n], query[s], b);
      }
    }
R1EVAL_UNROLL
    for (int n = 0; n < 2; ++n)
R1EVAL_UNROLL
      for (int i = 0; i < 4; ++i)
        score[n][i] = tile + n * 8 + 2 * t + (i & 1) < end ? log2_score(score[n][i], scale, scale_log2, batch.softcap)
                                                          : -INFINITY;
    std::uint32_t weights[1][4];  // the tile's 16 keys as one A fragment
    online_softmax_tile(score, running_max, running_sum, acc, weights);
R1EVAL_UNROLL
    for (int j = 0; j < kDimTiles; ++j) {
      const int hh = j / 8, jj = j % 8;
      const std::uint32_t b[2] = {
          chunk_half(value_chunks[0][hh], jj) | (chunk_half(value_chunks[1][hh], jj) << 16),
          chunk_half(value_chunks[2][hh], jj) | (chunk_half(value_chunks[3][hh], jj) << 16)};
      mma_bf16_16x8x16(acc[j], weights[0], b);
    }
  }

  // This warp's state by row, into shared memory in dim order (a warp with no tile leaves max -inf).
R1EVAL_UNROLL
  for (int r = 0; r < 2; ++r) {
    running_sum[r] = group_sum<4>(running_sum[r]);
    const int row = g + 8 * r;
    if (row >= group) continue;
    if (t == 0) {
      warp_max_of[warp][row] = running_max[r] * kLn2;  // base 2 to e, as the merges expect
      warp_sum_of[warp][row] = running_sum[r];
    }
R1EVAL_UNROLL
    for (int j = 0; j < kDimTiles; ++j) {
      const int dim = 64 * (j / 8) + 16 * t + j % 8;  // columns 2t and 2t + 1 of n-tile j
      warp_acc[warp][row][dim] = acc[j][2 * r];
      warp_acc[warp][row][dim + 8] = acc[j][2 * r + 1];
    }
  }
  __syncthreads();
  store_split_partials<D, H>(warp_max_of, warp_sum_of, warp_acc, group, kv_head * group, seq, split, num_q_heads,
                             work);
}

}  // namespace r1eval::kernels::cuda_detail
