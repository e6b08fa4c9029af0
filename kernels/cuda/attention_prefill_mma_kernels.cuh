// Prefill attention on tensor cores (bf16 only; launcher in attention.cu), FlashAttention-2 style, at head dims
// 64, 96, 128 and 256. A block owns one kv head of one sequence and 64 (query token, query head of the group)
// rows, 16 a warp, so each K/V tile staged in shared memory serves every head of the group. A warp holds its rows' queries as mma
// A fragments (mma.cuh), scores a key tile (64 keys; 32 at head_dim 256) into registers, updates its online softmax there
// (mma_softmax.cuh), rounds the weights to bf16 and multiplies them by the
// value tile without leaving registers: the score fragments of two 8-key n-tiles are the A fragment of the
// next product. Keys are staged as bf16 rows and values transposed ([dim][key]), so every B fragment is one
// 32-bit shared load; rows are padded by 16 bytes so that a warp's loads hit 32 distinct banks.
// Against the fp32 twin this rounds the softmax weights to bf16 before they multiply V (as FlashAttention
// does); the weights' sum is taken from the rounded values, so the output stays a convex combination.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/attention.h"
#include "kernels/bf16.h"
#include "kernels/cuda/attention_kernels.cuh"
#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/mma.cuh"
#include "kernels/cuda/mma_softmax.cuh"
#include "kernels/kv_cache.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kMmaRowsPerWarp = 16;
constexpr int kMmaPrefillRows = kWarps * kMmaRowsPerWarp;
constexpr int kMmaPadPairs = 4;  // 16 bytes of padding per shared row

// Keys a tile stages: 64, or 32 at head_dim 256, whose staged keys and values would otherwise pass the 48 KB of
// static shared memory and whose output accumulators (128 registers a lane) leave no room for 64 keys' scores.
constexpr int mma_prefill_key_tile(int head_dim) { return head_dim > 128 ? 32 : 64; }

// Rows a prefill block owns on tensor cores or on CUDA cores (prefill_kernel) at a head dim.
constexpr int prefill_rows_per_block(bool tensor_cores, int head_dim) {
  return tensor_cores ? kMmaPrefillRows : prefill_cuda_core_rows(head_dim);
}

template <int D>
__global__ void __launch_bounds__(kThreads)
    prefill_mma_kernel(const bf16* q, int q_row_stride, bf16* out, int num_q_heads, KvCacheView cache,
                       PagedBatch batch, float scale) {
  wait_for_prior_kernels();
  release_dependents();
  constexpr int kMmaKeyTile = mma_prefill_key_tile(D);
  constexpr int kDimSteps = D / 16;             // k-steps of Q K^T
  constexpr int kDimTiles = D / 8;              // n-tiles of the output
  constexpr int kKeyTiles = kMmaKeyTile / 8;    // n-tiles of the scores
  constexpr int kKeySteps = kMmaKeyTile / 16;   // k-steps of P V
  constexpr int kKeyPairs = D / 2 + kMmaPadPairs;            // words per staged key row
  constexpr int kValuePairs = kMmaKeyTile / 2 + kMmaPadPairs;  // words per staged value column (one dim)
  constexpr int kChunks = D / 8;                // 16-byte chunks per cache row
  // 35 KB at D = 128, 37 KB at D = 256 (32 keys): under the 48 KB of static shared memory.
  __shared__ uint4 key_storage[kMmaKeyTile * kKeyPairs / 4];   // [key][dim pair], bf16 pairs
  __shared__ std::uint32_t value_pairs[D * kValuePairs];        // [dim][key pair], bf16 pairs
  __shared__ long long key_rows[kMmaKeyTile];                   // cache element offset of each key, -1 past the end
  std::uint32_t* key_pairs = reinterpret_cast<std::uint32_t*>(key_storage);

  const PrefillBlock block = prefill_block(num_q_heads, cache, batch);
  const int row0 = blockIdx.x * kMmaPrefillRows;
  if (row0 >= block.rows_total) return;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int g = lane / 4, t = lane % 4;

  // This lane's two rows (g and g + 8 of the warp's 16) and their causal limits (-1: no such row) and first keys.
  const int warp_row0 = row0 + warp * kMmaRowsPerWarp;
  int position[2], first_key[2];
  std::uint32_t query[kDimSteps][4];
R1EVAL_UNROLL
  for (int r = 0; r < 2; ++r) {
    const int row = warp_row0 + g + 8 * r;
    position[r] = row < block.rows_total ? block.position(row) : -1;
    first_key[r] = row < block.rows_total ? block.first_key(row) : 0;
    const std::uint32_t* q_pairs = nullptr;
    if (row < block.rows_total)
      q_pairs = reinterpret_cast<const std::uint32_t*>(q + block.token_index(row) * q_row_stride + block.head(row) * D);
R1EVAL_UNROLL
    for (int s = 0; s < kDimSteps; ++s) {
      query[s][r] = q_pairs != nullptr ? q_pairs[s * 8 + t] : 0u;
      query[s][r + 2] = q_pairs != nullptr ? q_pairs[s * 8 + 4 + t] : 0u;
    }
  }
  const int block_last_row = min(row0 + kMmaPrefillRows, block.rows_total) - 1;
  const int key_end = block.position(block_last_row) + 1;
  const int warp_last_row = min(warp_row0 + kMmaRowsPerWarp, block.rows_total) - 1;
  const int warp_key_end = warp_row0 < block.rows_total ? block.position(warp_last_row) + 1 : 0;
  const int warp_key_begin = warp_row0 < block.rows_total ? block.first_key(warp_row0) : 0;

  const float scale_log2 = scale * kLog2e;
  float running_max[2] = {-INFINITY, -INFINITY};  // of scaled base-2 scores
  float running_sum[2] = {0.0f, 0.0f};            // this lane's share; the row's four lanes add up at the end
  float acc[kDimTiles][4];
R1EVAL_UNROLL
  for (int n = 0; n < kDimTiles; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.0f;

  for (int tile = block.first_tile(row0, kMmaKeyTile); tile < key_end; tile += kMmaKeyTile) {
    locate_key_tile<kMmaKeyTile>(key_rows, tile, key_end, cache, block.table, block.kv_head);
    // Keys: consecutive threads take consecutive 16-byte chunks of a row. Past the end: zeros (their
    // scores are masked, but a zero times a stale NaN would not be).
    for (int idx = threadIdx.x; idx < kMmaKeyTile * kChunks; idx += kThreads) {
      const int key = idx / kChunks, chunk = idx % kChunks;
      const long long at = key_rows[key];
      key_storage[(key * kKeyPairs) / 4 + chunk] =
          at >= 0 ? reinterpret_cast<const uint4*>(cache.key + at)[chunk] : uint4{0u, 0u, 0u, 0u};
    }
    // Values, transposed: a lane takes two neighbouring keys' chunk and writes eight (key, key + 1) pairs, one
    // per dim; a warp's lanes take consecutive key pairs, so its stores fill consecutive words.
    for (int idx = threadIdx.x; idx < kMmaKeyTile / 2 * kChunks; idx += kThreads) {
      const int pair = idx % (kMmaKeyTile / 2), chunk = idx / (kMmaKeyTile / 2);
      const long long at0 = key_rows[2 * pair], at1 = key_rows[2 * pair + 1];
      const uint4 v0 = at0 >= 0 ? reinterpret_cast<const uint4*>(cache.value + at0)[chunk] : uint4{0u, 0u, 0u, 0u};
      const uint4 v1 = at1 >= 0 ? reinterpret_cast<const uint4*>(cache.value + at1)[chunk] : uint4{0u, 0u, 0u, 0u};
      const std::uint32_t w0[4] = {v0.x, v0.y, v0.z, v0.w}, w1[4] = {v1.x, v1.y, v1.z, v1.w};
      std::uint32_t* column = value_pairs + chunk * 8 * kValuePairs + pair;
R1EVAL_UNROLL
      for (int w = 0; w < 4; ++w) {
        column[(2 * w) * kValuePairs] = (w0[w] & 0xffffu) | (w1[w] << 16);
        column[(2 * w + 1) * kValuePairs] = (w0[w] >> 16) | (w1[w] & 0xffff0000u);
      }
    }
    __syncthreads();
    // Every row of this warp ends before the tile, or its window starts after it (uniform in the warp).
    if (tile >= warp_key_end || tile + kMmaKeyTile <= warp_key_begin) continue;

    float score[kKeyTiles][4];
R1EVAL_UNROLL
    for (int n = 0; n < kKeyTiles; ++n) {
      score[n][0] = score[n][1] = score[n][2] = score[n][3] = 0.0f;
      const std::uint32_t* key_row = key_pairs + (n * 8 + g) * kKeyPairs;
R1EVAL_UNROLL
      for (int s = 0; s < kDimSteps; ++s) {
        const std::uint32_t b[2] = {key_row[s * 8 + t], key_row[s * 8 + 4 + t]};
        mma_bf16_16x8x16(score[n], query[s], b);
      }
    }
R1EVAL_UNROLL
    for (int n = 0; n < kKeyTiles; ++n)
R1EVAL_UNROLL
      for (int i = 0; i < 4; ++i) {
        const int key = tile + n * 8 + 2 * t + (i & 1);
        score[n][i] = key <= position[i / 2] && key >= first_key[i / 2]
                          ? log2_score(score[n][i], scale, scale_log2, batch.softcap)
                          : -INFINITY;
      }
    std::uint32_t weights[kKeySteps][4];
    online_softmax_tile(score, running_max, running_sum, acc, weights);
R1EVAL_UNROLL
    for (int k = 0; k < kKeySteps; ++k) {
R1EVAL_UNROLL
      for (int n = 0; n < kDimTiles; ++n) {
        const std::uint32_t* column = value_pairs + (n * 8 + g) * kValuePairs + 8 * k;
        const std::uint32_t b[2] = {column[t], column[4 + t]};
        mma_bf16_16x8x16(acc[n], weights[k], b);
      }
    }
  }

R1EVAL_UNROLL
  for (int r = 0; r < 2; ++r) {
    running_sum[r] = group_sum<4>(running_sum[r]);
    if (position[r] < 0) continue;
    const int row = warp_row0 + g + 8 * r;
    std::uint32_t* o =
        reinterpret_cast<std::uint32_t*>(out + (block.token_index(row) * num_q_heads + block.head(row)) * D);
    // The running max is in base 2; the sink joins in base e.
    const float total = softmax_total_with_sink(running_sum[r], running_max[r] * kLn2, batch.sinks, block.head(row));
    const float inverse = running_sum[r] > 0.0f ? 1.0f / total : 0.0f;
R1EVAL_UNROLL
    for (int n = 0; n < kDimTiles; ++n)
      o[n * 4 + t] = pack_bf16_pair(acc[n][2 * r] * inverse, acc[n][2 * r + 1] * inverse);
  }
}

}  // namespace r1eval::kernels::cuda_detail
