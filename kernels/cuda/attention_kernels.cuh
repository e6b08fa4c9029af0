// Kernel bodies of paged attention (launchers in attention.cu). Device code only and no CUDA headers,
// so tests/kernels/simt_emulator.h can also run them on the CPU.
//
// Prefill: FlashAttention-style tiling on CUDA cores. A block owns one kv head of one sequence and 16
// (query token, query head of the group) rows (8 at head_dim 256, to stay in 48 KB of shared memory), so each
// K/V tile staged in shared memory serves every query head that reads it; each warp owns 4 rows (2) and keeps
// their online-softmax state in registers. Keys and values are staged as bf16, as the cache holds them.
// Decode: split-K. A block owns one split (decode_split_tokens keys) of one sequence for one kv head and
// up to 8 of its query heads, so K/V are read from memory once per group; a warp scores a tile of keys
// against all of those heads, 32 keys a lane each or, for splits under 128 keys (small batches), 8 keys
// four lanes each. A warp issues all loads of its tile (its key slices, its dims of the value rows) before
// using any, so it waits one memory latency per tile: small batches have too few warps to hide latency,
// so at batch 1 that wait is the kernel's cost. A second pass merges the splits' (max, sum, partial
// output), several splits' loads in flight at once.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/attention.h"
#include "kernels/bf16.h"
#include "kernels/cuda/bf16_chunks.cuh"
#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/kv_cache.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / 32;
constexpr int kKeyTile = 32;
// Rows a warp and a block of prefill_kernel own at a head dim.
constexpr int prefill_rows_per_warp(int head_dim) { return head_dim > 128 ? 2 : 4; }
constexpr int prefill_cuda_core_rows(int head_dim) { return kWarps * prefill_rows_per_warp(head_dim); }
constexpr int kHeadsPerDecodeBlock = 8;

__device__ __forceinline__ std::size_t cache_row(const KvCacheView& cache, const std::int32_t* table, int kv_head,
                                                 int key) {
  return kv_cache_index(cache, table[key / cache.block_size], kv_head, key % cache.block_size, 0);
}

// The sequence (blockIdx.y) and kv head (blockIdx.z) a prefill block works on. Its rows are (query token,
// query head of the group) pairs: row r is token r / group of the sequence's query, with head
// kv_head * group + r % group, and attends to keys first_key(r) .. position(r): from 0, or from the last
// `window` positions under a sliding window.
struct PrefillBlock {
  int kv_head, group, q_begin, q_len, context, rows_total, window;
  const std::int32_t* table;
  __device__ __forceinline__ int position(int row) const { return context - q_len + row / group; }
  __device__ __forceinline__ int first_key(int row) const {
    return window > 0 ? max(0, position(row) - window + 1) : 0;
  }
  // The first key tile any row from `row` on needs (rows are in position order): tiles wholly before the
  // window of every row are skipped.
  __device__ __forceinline__ int first_tile(int row, int tile_keys) const {
    return first_key(row) / tile_keys * tile_keys;
  }
  __device__ __forceinline__ std::size_t token_index(int row) const {  // in the flat batch
    return static_cast<std::size_t>(q_begin + row / group);
  }
  __device__ __forceinline__ int head(int row) const { return kv_head * group + row % group; }
};
__device__ __forceinline__ PrefillBlock prefill_block(int num_q_heads, const KvCacheView& cache,
                                                      const PagedBatch& batch) {
  PrefillBlock block;
  const int seq = blockIdx.y;
  block.kv_head = blockIdx.z;
  block.group = num_q_heads / cache.num_kv_heads;
  block.q_begin = batch.query_starts[seq];
  block.q_len = batch.query_starts[seq + 1] - block.q_begin;
  block.context = batch.context_lens[seq];
  block.rows_total = block.q_len * block.group;
  block.window = batch.window;
  block.table = batch.block_tables + static_cast<std::size_t>(seq) * batch.max_blocks_per_seq;
  return block;
}

// Between two barriers (the previous tile's readers are done; this tile's are not yet started): the cache
// offsets of keys tile .. tile + kTileKeys - 1 into key_rows, -1 from key_end on. kTileKeys <= kThreads.
template <int kTileKeys>
__device__ __forceinline__ void locate_key_tile(long long* key_rows, int tile, int key_end, const KvCacheView& cache,
                                                const std::int32_t* table, int kv_head) {
  __syncthreads();
  if (threadIdx.x < kTileKeys) {
    const int key = tile + threadIdx.x;
    key_rows[threadIdx.x] = key < key_end ? static_cast<long long>(cache_row(cache, table, kv_head, key)) : -1;
  }
  __syncthreads();
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    prefill_kernel(const T* q, int q_row_stride, T* out, int num_q_heads, KvCacheView cache, PagedBatch batch,
                   float scale) {
  wait_for_prior_kernels();
  release_dependents();
  static_assert(D % 32 == 0 && D <= 256, "a lane owns dims lane + 32 e");
  constexpr int E = D / 32;  // output dims per lane: lane + 32 * e
  constexpr int kRowsPerWarp = prefill_rows_per_warp(D);
  constexpr int kRows = prefill_cuda_core_rows(D);
  constexpr int kKeyStride = D + 2;  // bf16 per staged key row: an odd number of words, so lanes' rows differ in bank
  // 24 KB at D = 128, 40 KB at D = 256: under the 48 KB of static shared memory.
  __shared__ float q_tile[kRows * D];              // [row][dim], pre-scaled
  __shared__ bf16 k_tile[kKeyTile * kKeyStride];   // [key][dim]
  __shared__ bf16 v_tile[kKeyTile * D];            // [key][dim]
  __shared__ long long key_rows[kKeyTile];         // cache element offset of each key, -1 past the end

  const PrefillBlock block = prefill_block(num_q_heads, cache, batch);
  const int row0 = blockIdx.x * kRows;
  if (row0 >= block.rows_total) return;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const float softcap = batch.softcap;

  for (int idx = threadIdx.x; idx < kRows * D; idx += kThreads) {
    const int row = row0 + idx / D, dim = idx % D;
    float v = 0.0f;
    if (row < block.rows_total)
      v = load_as_float(q[block.token_index(row) * q_row_stride + block.head(row) * D + dim]) * scale;
    q_tile[idx] = v;
  }

  const int last_row = min(row0 + kRows, block.rows_total) - 1;
  const int key_end = block.position(last_row) + 1;

  int position[kRowsPerWarp], first_key[kRowsPerWarp];
  float running_max[kRowsPerWarp], running_sum[kRowsPerWarp], acc[kRowsPerWarp][E];
R1EVAL_UNROLL
  for (int i = 0; i < kRowsPerWarp; ++i) {
    const int row = row0 + warp * kRowsPerWarp + i;
    position[i] = row < block.rows_total ? block.position(row) : -1;
    first_key[i] = row < block.rows_total ? block.first_key(row) : 0;
    running_max[i] = -INFINITY;
    running_sum[i] = 0.0f;
R1EVAL_UNROLL
    for (int e = 0; e < E; ++e) acc[i][e] = 0.0f;
  }

  const bf16 zero{0};
  for (int tile = block.first_tile(row0, kKeyTile); tile < key_end; tile += kKeyTile) {
    locate_key_tile<kKeyTile>(key_rows, tile, key_end, cache, block.table, block.kv_head);  // q_tile is complete after it
    for (int idx = threadIdx.x; idx < kKeyTile * D; idx += kThreads) {
      const int j = idx / D, dim = idx % D;
      const long long at = key_rows[j];
      k_tile[j * kKeyStride + dim] = at >= 0 ? cache.key[at + dim] : zero;
      v_tile[j * D + dim] = at >= 0 ? cache.value[at + dim] : zero;
    }
    __syncthreads();

R1EVAL_UNROLL
    for (int i = 0; i < kRowsPerWarp; ++i) {
      // The whole tile in this row's future, or before its window (uniform in the warp).
      if (position[i] < tile || tile + kKeyTile <= first_key[i]) continue;
      const float* query = q_tile + (warp * kRowsPerWarp + i) * D;
      const int key = tile + lane;
      const bool visible = key <= position[i] && key >= first_key[i];
      float score = -INFINITY;
      if (visible) {
        float dot = 0.0f;
        const bf16* k = k_tile + lane * kKeyStride;
R1EVAL_UNROLL_BY(16)
        for (int dim = 0; dim < D; ++dim) dot += query[dim] * to_float(k[dim]);
        score = soft_capped_score(dot, softcap);
      }
      const float new_max = fmaxf(running_max[i], cuda_detail::warp_max(score));  // finite: a key of the tile is visible
      const float rescale = expf(running_max[i] - new_max);
      const float p = visible ? expf(score - new_max) : 0.0f;
      running_sum[i] = running_sum[i] * rescale + p;  // per-lane partial; summed over the warp at the end
R1EVAL_UNROLL
      for (int e = 0; e < E; ++e) acc[i][e] *= rescale;
      for (int j = 0; j < kKeyTile; ++j) {
        const float pj = __shfl_sync(0xffffffffu, p, j);
R1EVAL_UNROLL
        for (int e = 0; e < E; ++e) acc[i][e] += pj * to_float(v_tile[j * D + lane + 32 * e]);
      }
      running_max[i] = new_max;
    }
  }

R1EVAL_UNROLL
  for (int i = 0; i < kRowsPerWarp; ++i) {
    if (position[i] < 0) continue;
    const int row = row0 + warp * kRowsPerWarp + i;
    const float total =
        softmax_total_with_sink(cuda_detail::warp_sum(running_sum[i]), running_max[i], batch.sinks, block.head(row));
    T* o = out + (block.token_index(row) * num_q_heads + block.head(row)) * D;
    const float inverse_total = total > 0.0f ? 1.0f / total : 0.0f;
R1EVAL_UNROLL
    for (int e = 0; e < E; ++e) o[lane + 32 * e] = store_from_float<T>(acc[i][e] * inverse_total);
  }
}

struct DecodeWorkspace {
  float* max;   // [num_seqs][num_q_heads][num_splits]
  float* sum;   // same
  float* acc;   // [num_seqs][num_q_heads][num_splits][D], unnormalized
  int num_splits;
  int split_tokens;  // keys per split (decode_split_tokens)
  int window;        // the batch's sliding window (PagedBatch::window), 0: none
  const bf16* sinks;  // PagedBatch::sinks: joined to the merged denominator by the reduce pass
};

// The first key a decode query at context `context` sees, and the split holding it: splits before it hold
// no key of the window and are neither written nor read.
__host__ __device__ __forceinline__ int decode_window_begin(int context, const DecodeWorkspace& work) {
  return work.window > 0 && context > work.window ? context - work.window : 0;
}
__host__ __device__ __forceinline__ int decode_first_split(int context, const DecodeWorkspace& work) {
  return decode_window_begin(context, work) / work.split_tokens;
}

// After a barrier, by every thread of a decode block: its warps' softmax states (max and sum by head, the
// unnormalized values by head and dim; a warp that saw no key has max -inf) merged into this split's
// partials of query heads first_head .. first_head + heads - 1.
template <int D, int kMaxHeads>
__device__ __forceinline__ void store_split_partials(const float (&warp_max_of)[kWarps][kMaxHeads],
                                                     const float (&warp_sum_of)[kWarps][kMaxHeads],
                                                     const float (&warp_acc)[kWarps][kMaxHeads][D], int heads,
                                                     int first_head, int seq, int split, int num_q_heads,
                                                     const DecodeWorkspace& work) {
  for (int idx = threadIdx.x; idx < heads * D; idx += kThreads) {
    const int g = idx / D, dim = idx % D;
    float block_max = -INFINITY;
    for (int w = 0; w < kWarps; ++w) block_max = fmaxf(block_max, warp_max_of[w][g]);
    float total = 0.0f, value = 0.0f;
    for (int w = 0; w < kWarps; ++w) {
      const float weight = expf(warp_max_of[w][g] - block_max);  // 0 for a warp that saw no key
      total += warp_sum_of[w][g] * weight;
      value += warp_acc[w][g][dim] * weight;
    }
    const std::size_t slot = (static_cast<std::size_t>(seq) * num_q_heads + first_head + g) * work.num_splits + split;
    work.acc[slot * D + dim] = value;
    if (dim == 0) {
      work.max[slot] = block_max;
      work.sum[slot] = total;
    }
  }
}

// E consecutive bf16 values as raw bits: E = 2, 4, 8 (head_dim 64, 128, 256) in one load, widened when used;
// other widths (3 at head_dim 96, whose lanes' values are 6 bytes apart) one value at a time.
template <int E>
struct ValueBitsOf {
  struct type {
    std::uint16_t half[E];
  };
};
template <>
struct ValueBitsOf<2> {
  using type = unsigned;
};
template <>
struct ValueBitsOf<4> {
  using type = uint2;
};
template <>
struct ValueBitsOf<8> {
  using type = uint4;
};
template <int E>
using ValueBits = typename ValueBitsOf<E>::type;

template <int E>
__device__ __forceinline__ ValueBits<E> load_value_bits(const bf16* source) {
  if constexpr (E == 2 || E == 4 || E == 8) {
    return *reinterpret_cast<const ValueBits<E>*>(source);
  } else {
    ValueBits<E> bits;
R1EVAL_UNROLL
    for (int e = 0; e < E; ++e) bits.half[e] = source[e].bits;
    return bits;
  }
}

// This lane's E dims of the value rows of a tile's keys first .. first + N - 1 (row: the cache row of the
// key a lane scores, kLanesPerKey lanes per key; keys past keys_here are not loaded).
template <int E, int N, int kLanesPerKey>
__device__ __forceinline__ void load_value_rows(const KvCacheView& cache, unsigned long long row, int first,
                                                int keys_here, int lane, ValueBits<E>* out) {
R1EVAL_UNROLL
  for (int u = 0; u < N; ++u) {
    const unsigned long long row_u = __shfl_sync(0xffffffffu, row, (first + u) * kLanesPerKey);
    if (first + u < keys_here) out[u] = load_value_bits<E>(cache.value + row_u + lane * E);
  }
}

template <int E>
__device__ __forceinline__ void value_floats(const ValueBits<E>& raw, float (&out)[E]) {
  if constexpr (E == 8) {
    unpack_bf16x8(raw, out);
  } else if constexpr (E == 4) {
    out[0] = low_bf16(raw.x);
    out[1] = high_bf16(raw.x);
    out[2] = low_bf16(raw.y);
    out[3] = high_bf16(raw.y);
  } else if constexpr (E == 2) {
    out[0] = low_bf16(raw);
    out[1] = high_bf16(raw);
  } else {
R1EVAL_UNROLL
    for (int e = 0; e < E; ++e) out[e] = low_bf16(raw.half[e]);
  }
}

// kLanesPerKey lanes score each key (a D / kLanesPerKey slice of it each, summed by shuffles), so a warp's
// tile holds 32 / kLanesPerKey keys: 1 for large batches (32-key tiles, the fewest instructions per key),
// 4 for small ones (8-key tiles: a quarter of the instructions per warp, four times the warps, so a batch-1
// layer waits on less arithmetic in a row).
template <typename T, int D, int kLanesPerKey>
__global__ void __launch_bounds__(kThreads)
    decode_split_kernel(const T* q, int q_row_stride, int num_q_heads, KvCacheView cache, PagedBatch batch,
                        float scale, DecodeWorkspace work) {
  wait_for_prior_kernels();
  release_dependents();
  constexpr int E = D / 32;  // value dims per lane: lane * E + e
  constexpr int H = kHeadsPerDecodeBlock;
  constexpr int L = kLanesPerKey;
  constexpr int kTileKeys = 32 / L;
  constexpr int kKeyDims = D / L;  // dims of its key a lane scores
  static_assert(D % 32 == 0 && kKeyDims % 8 == 0 && kKeyDims <= 128,
                "a lane's key slice is whole 16-byte chunks, at most 16 of them (decode_lanes_per_key)");
  // q, pre-scaled, each 32-dim segment padded by 4 floats: the lanes of a key read four segments at once,
  // which would otherwise sit in the same banks (a 4-way conflict on every read).
  constexpr int kQStride = D + (D / 32) * 4;
  __shared__ float q_tile[H][kQStride];
  __shared__ float warp_max_of[kWarps][H], warp_sum_of[kWarps][H];
  __shared__ float warp_acc[kWarps][H][D];

  const int split = blockIdx.x, seq = blockIdx.y;
  const int group = num_q_heads / cache.num_kv_heads;
  const int chunks = (group + H - 1) / H;
  const int kv_head = blockIdx.z / chunks, first = (blockIdx.z % chunks) * H;
  const int heads = min(H, group - first);
  const int context = batch.context_lens[seq];
  const int split_begin = split * work.split_tokens;
  // The reduce pass reads only the splits that hold keys of the window (decode_first_split on).
  if (split_begin >= context || split < decode_first_split(context, work)) return;
  const int begin = max(split_begin, decode_window_begin(context, work));
  const int end = min(split_begin + work.split_tokens, context);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int key_lane = lane / L, part = lane % L;
  const std::int32_t* table = batch.block_tables + static_cast<std::size_t>(seq) * batch.max_blocks_per_seq;

  // Cache row of this lane's key in the warp's next tile: looked up one tile ahead, so the block-table
  // read of the first tile overlaps staging q, and that of the next tile overlaps this one.
  const auto row_of = [&](int key) { return key < end ? cache_row(cache, table, kv_head, key) : 0ull; };
  unsigned long long next_row = row_of(begin + warp * kTileKeys + key_lane);
  for (int idx = threadIdx.x; idx < heads * D; idx += kThreads) {
    const int g = idx / D, dim = idx % D;
    const int head = kv_head * group + first + g;
    q_tile[g][dim + (dim / 32) * 4] =
        load_as_float(q[static_cast<std::size_t>(seq) * q_row_stride + head * D + dim]) * scale;
  }
  __syncthreads();

  float running_max[H], running_sum[H], acc[H][E];
R1EVAL_UNROLL
  for (int g = 0; g < H; ++g) {
    running_max[g] = -INFINITY;
    running_sum[g] = 0.0f;
R1EVAL_UNROLL
    for (int e = 0; e < E; ++e) acc[g][e] = 0.0f;
  }

  constexpr int kWave = kTileKeys > 16 ? 16 : kTileKeys;  // value rows per load wave
  constexpr int kWaves = kTileKeys / kWave;
  for (int tile = begin + warp * kTileKeys; tile < end; tile += kWarps * kTileKeys) {
    const int key = tile + key_lane;
    const bool valid = key < end;
    const int keys_here = min(kTileKeys, end - tile);  // uniform over the warp
    const unsigned long long row = next_row;
    next_row = row_of(key + kWarps * kTileKeys);
    // The tile's loads are issued before they are used: this lane's slice of its key with its E dims of the
    // first value rows, then (once the key registers are free) those of the rest. A warp waits about one
    // memory latency per tile instead of one per few loads; at batch 1 that wait is most of the kernel's
    // cost. All 32 value rows with the keys in one wave would spill at head_dim 128.
    uint4 key_raw[kKeyDims / 8];
    ValueBits<E> value_raw[kWaves][kWave];
    if (valid) {
      const uint4* k = reinterpret_cast<const uint4*>(cache.key + row + part * kKeyDims);
R1EVAL_UNROLL
      for (int c = 0; c < kKeyDims / 8; ++c) key_raw[c] = k[c];
    }
    load_value_rows<E, kWave, L>(cache, row, 0, keys_here, lane, value_raw[0]);
    float score[H];
R1EVAL_UNROLL
    for (int g = 0; g < H; ++g) score[g] = 0.0f;
    if (valid) {
R1EVAL_UNROLL
      for (int c = 0; c < kKeyDims / 8; ++c) {
        const int d0 = part * kKeyDims + c * 8;  // 8 dims, never across a 32-dim segment
        const int q_at = d0 + (d0 / 32) * 4;
        const uint4 raw = key_raw[c];
        float kf[8];
        unpack_bf16x8(raw, kf);
R1EVAL_UNROLL
        for (int g = 0; g < H; ++g) {
          if (g < heads) {
R1EVAL_UNROLL
            for (int t = 0; t < 8; ++t) score[g] += q_tile[g][q_at + t] * kf[t];
          }
        }
      }
    }
    if constexpr (L > 1) {  // the key's slices, summed within its lanes (consecutive, aligned to L)
R1EVAL_UNROLL
      for (int g = 0; g < H; ++g) score[g] = group_sum<L>(score[g]);
    }
R1EVAL_UNROLL
    for (int w = 1; w < kWaves; ++w) load_value_rows<E, kWave, L>(cache, row, w * kWave, keys_here, lane, value_raw[w]);
    float p[H];
R1EVAL_UNROLL
    for (int g = 0; g < H; ++g) {
      p[g] = 0.0f;
      if (g < heads) {  // uniform over the block
        const float s = valid ? soft_capped_score(score[g], batch.softcap) : -INFINITY;
        const float new_max = fmaxf(running_max[g], cuda_detail::warp_max(s));  // finite: lane 0 is valid
        const float rescale = expf(running_max[g] - new_max);
        p[g] = valid ? expf(s - new_max) : 0.0f;
        // Per-lane partial sums, added over the warp at the end: one lane of each key's group counts it.
        running_sum[g] = running_sum[g] * rescale + (part == 0 ? p[g] : 0.0f);
R1EVAL_UNROLL
        for (int e = 0; e < E; ++e) acc[g][e] *= rescale;
        running_max[g] = new_max;
      }
    }
    // Accumulated key by key, in order.
R1EVAL_UNROLL
    for (int u = 0; u < kTileKeys; ++u) {
      if (u >= keys_here) break;
      float v[E];
      value_floats<E>(value_raw[u / kWave][u % kWave], v);
R1EVAL_UNROLL
      for (int g = 0; g < H; ++g) {
        if (g < heads) {
          const float pj = __shfl_sync(0xffffffffu, p[g], u * L);
R1EVAL_UNROLL
          for (int e = 0; e < E; ++e) acc[g][e] += pj * v[e];
        }
      }
    }
  }

R1EVAL_UNROLL
  for (int g = 0; g < H; ++g) {
    if (g < heads) {
      const float total = cuda_detail::warp_sum(running_sum[g]);
      if (lane == 0) {
        warp_max_of[warp][g] = running_max[g];
        warp_sum_of[warp][g] = total;
      }
R1EVAL_UNROLL
      for (int e = 0; e < E; ++e) warp_acc[warp][g][lane * E + e] = acc[g][e];
    }
  }
  __syncthreads();
  store_split_partials<D, H>(warp_max_of, warp_sum_of, warp_acc, heads, kv_head * group + first, seq, split,
                             num_q_heads, work);
}

// The merge of the splits: each thread keeps an online softmax state (max, sum, value) for one output
// dim over a share of the splits, loading kReduceBatch splits before merging any (one memory latency per
// batch, not per split); with many splits, kMaxReduceParts threads per dim take interleaved batches and
// their states are merged at the end, so a batch-1 step with 64+ splits waits a few latencies, not 64.
constexpr int kReduceBatch = 8;
constexpr int kMaxReduceParts = 4;
inline int decode_reduce_parts(int num_splits) { return num_splits > 2 * kReduceBatch ? kMaxReduceParts : 1; }

struct SoftmaxState {  // trivial: it also lives in shared memory
  float max, sum, value;
};

__device__ __forceinline__ void merge_softmax(SoftmaxState& state, float max, float sum, float value) {
  if (max == -INFINITY) return;  // nothing in that share
  const float new_max = fmaxf(state.max, max);
  const float keep = expf(state.max - new_max), add = expf(max - new_max);
  state.sum = state.sum * keep + sum * add;
  state.value = state.value * keep + value * add;
  state.max = new_max;
}

template <typename T, int D>
__global__ void __launch_bounds__(kMaxReduceParts * D)
    decode_reduce_kernel(T* out, int num_q_heads, const std::int32_t* context_lens, DecodeWorkspace work) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ SoftmaxState part_state[kMaxReduceParts][D];
  const int head = blockIdx.x, seq = blockIdx.y;
  const int dim = threadIdx.x % D, part = threadIdx.x / D, parts = blockDim.x / D;
  const int context = context_lens[seq];
  int used = (context + work.split_tokens - 1) / work.split_tokens;
  if (used > work.num_splits) used = work.num_splits;
  T* o = out + (static_cast<std::size_t>(seq) * num_q_heads + head) * D;
  if (used <= 0) {  // uniform over the block
    if (part == 0) o[dim] = store_from_float<T>(0.0f);
    return;
  }
  const std::size_t first = (static_cast<std::size_t>(seq) * num_q_heads + head) * work.num_splits;
  SoftmaxState state{-INFINITY, 0.0f, 0.0f};
  for (int s0 = decode_first_split(context, work) + part * kReduceBatch; s0 < used; s0 += parts * kReduceBatch) {
    float max[kReduceBatch], sum[kReduceBatch], value[kReduceBatch];
R1EVAL_UNROLL
    for (int u = 0; u < kReduceBatch; ++u) {
      const int s = s0 + u;
      max[u] = s < used ? work.max[first + s] : -INFINITY;
      sum[u] = s < used ? work.sum[first + s] : 0.0f;
      value[u] = s < used ? work.acc[(first + s) * D + dim] : 0.0f;
    }
R1EVAL_UNROLL
    for (int u = 0; u < kReduceBatch; ++u) merge_softmax(state, max[u], sum[u], value[u]);
  }
  if (parts > 1) {
    part_state[part][dim] = state;
    __syncthreads();
    if (part != 0) return;
    for (int other = 1; other < parts; ++other) {
      const SoftmaxState& s = part_state[other][dim];
      merge_softmax(state, s.max, s.sum, s.value);
    }
  }
  if (part == 0) {
    const float total = softmax_total_with_sink(state.sum, state.max, work.sinks, head);
    o[dim] = store_from_float<T>(state.sum > 0.0f ? state.value / total : 0.0f);
  }
}

// Launch geometry, shared by the launchers (attention.cu) and the emulator tests. Prefill blocks own
// rows_per_block rows (prefill_rows_per_block in attention_prefill_mma_kernels.cuh).
inline long long prefill_row_tiles(const PagedBatch& batch, int num_q_heads, int num_kv_heads, int rows_per_block) {
  const long long group = num_q_heads / num_kv_heads;
  return (static_cast<long long>(batch.max_query_len) * group + rows_per_block - 1) / rows_per_block;
}
inline dim3 prefill_grid(const PagedBatch& batch, int num_q_heads, int num_kv_heads, int rows_per_block) {
  return dim3(static_cast<unsigned>(prefill_row_tiles(batch, num_q_heads, num_kv_heads, rows_per_block)),
              static_cast<unsigned>(batch.num_seqs), static_cast<unsigned>(num_kv_heads));
}
// Decode blocks hold heads_per_block query heads of a kv head (decode_heads_per_block in
// attention_decode_mma_kernels.cuh).
inline int decode_head_chunks(int num_q_heads, int num_kv_heads, int heads_per_block) {
  return (num_q_heads / num_kv_heads + heads_per_block - 1) / heads_per_block;
}
// Carves the caller's workspace (decode_workspace_floats of it) into the three partial arrays.
inline DecodeWorkspace decode_workspace(float* workspace, const PagedBatch& batch, int num_q_heads) {
  DecodeWorkspace work{};
  work.split_tokens = decode_split_tokens(batch.num_seqs, batch.max_context_len);
  work.num_splits = (batch.max_context_len + work.split_tokens - 1) / work.split_tokens;
  if (work.num_splits < 1) work.num_splits = 1;
  work.window = batch.window;
  work.sinks = batch.sinks;
  const std::size_t slots = static_cast<std::size_t>(batch.num_seqs) * num_q_heads * work.num_splits;
  work.max = workspace;
  work.sum = workspace + slots;
  work.acc = workspace + 2 * slots;
  return work;
}
inline dim3 decode_grid(const DecodeWorkspace& work, const PagedBatch& batch, int num_q_heads, int num_kv_heads,
                        int heads_per_block) {
  return dim3(static_cast<unsigned>(work.num_splits), static_cast<unsigned>(batch.num_seqs),
              static_cast<unsigned>(num_kv_heads * decode_head_chunks(num_q_heads, num_kv_heads, heads_per_block)));
}
// Lanes per key of the decode kernel for a split size: 8-key tiles (4 lanes a key) when a split is shorter
// than the block's four 32-key tiles, so that all four warps have keys; always at head dims other than 64
// and 128, whose whole key rows (or 96-dim rows with 3 value dims a lane) would crowd a lane's registers.
inline int decode_lanes_per_key(int split_tokens, int head_dim) {
  return split_tokens < kWarps * 32 || (head_dim != 64 && head_dim != 128) ? 4 : 1;
}
inline dim3 decode_reduce_grid(const PagedBatch& batch, int num_q_heads) {
  return dim3(static_cast<unsigned>(num_q_heads), static_cast<unsigned>(batch.num_seqs));
}
inline dim3 decode_reduce_block(const DecodeWorkspace& work, int head_dim) {
  return dim3(static_cast<unsigned>(head_dim * decode_reduce_parts(work.num_splits)));
}

}  // namespace r1eval::kernels::cuda_detail
