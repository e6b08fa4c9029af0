// Kernel bodies of the small-batch matrix products (launchers in matmul.cu and projection.cu): y = x W^T
// (+ bias) for at most kGemvMaxRows rows of x, the decode steps of a few sequences. There the product is a
// pass over the weight, so the kernels are built to keep memory busy: a warp per output feature, every lane
// with kGemvChunksInFlight 16-byte weight loads outstanding, and (grid_dependency.cuh) the first of them
// issued before waiting for the kernel that writes x. Device code only and no CUDA headers, so
// tests/kernels/simt_emulator.h can run it on the CPU.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/cuda/bf16_chunks.cuh"
#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/kv_cache.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kGemvThreads = 256;
constexpr int kGemvFeaturesPerBlock = kGemvThreads / 32;
constexpr int kGemvChunksInFlight = 8;  // 8 x 16 bytes per lane: a 1536-wide bf16 row needs 6

inline dim3 gemv_grid(int n) {
  return dim3(static_cast<unsigned>((static_cast<long long>(n) + kGemvFeaturesPerBlock - 1) / kGemvFeaturesPerBlock));
}

// M rows of x ([M][k]) against the weight ([n][k]); k is a multiple of 8, x and weight 16-byte aligned.
// Lane l of the warp for feature j accumulates 16-byte chunks l, l + 32, ... of row j (fp32), the warp sums
// the lanes, and lane i writes y[i][j] = sum + bias[j], rounded once to T.
// With kAccumulate, y is added to: y[i][j] = sum + bias[j] + y[i][j], in fp32, rounded once (the residual
// stream's update; each element is read and written by the one lane that owns it).
template <typename T, int M, bool kAccumulate = false>
__global__ void __launch_bounds__(kGemvThreads)
    gemv_kernel(const bf16* x, const bf16* weight, const bf16* bias, T* y, int n, int k) {
  const int lane = threadIdx.x % 32;
  const int feature = blockIdx.x * kGemvFeaturesPerBlock + threadIdx.x / 32;
  const bool active = feature < n;  // uniform within the warp
  const int chunks = k / 8;
  const uint4* row = reinterpret_cast<const uint4*>(weight) + static_cast<std::size_t>(active ? feature : 0) * chunks;
  uint4 pending[kGemvChunksInFlight] = {};
  // grid_dependency: only weights before the wait. Their first loads are in flight while the kernel
  // that writes x finishes.
  R1EVAL_UNROLL
  for (int u = 0; u < kGemvChunksInFlight; ++u) {
    const int c = lane + 32 * u;
    if (active && c < chunks) pending[u] = row[c];
  }
  wait_for_prior_kernels();
  release_dependents();
  if (!active) return;

  float acc[M];
  for (int i = 0; i < M; ++i) acc[i] = 0.0f;
  for (int first = lane; first < chunks; first += 32 * kGemvChunksInFlight) {
    R1EVAL_UNROLL
    for (int u = 0; u < kGemvChunksInFlight; ++u) {
      const int c = first + 32 * u;
      if (c >= chunks) break;
      float w[8];
      unpack_bf16x8(pending[u], w);
      const int next = c + 32 * kGemvChunksInFlight;
      if (next < chunks) pending[u] = row[next];  // refill the slot as soon as it is unpacked: loads stay in flight
      R1EVAL_UNROLL
      for (int i = 0; i < M; ++i) {
        float v[8];
        load_vec<8>(x + static_cast<std::size_t>(i) * k + static_cast<std::size_t>(c) * 8, v);
        for (int e = 0; e < 8; ++e) acc[i] += v[e] * w[e];
      }
    }
  }
  const float b = bias != nullptr ? to_float(bias[feature]) : 0.0f;
  R1EVAL_UNROLL
  for (int i = 0; i < M; ++i) {
    const float total = warp_sum(acc[i]);
    if (lane == i % 32) {
      T& out = y[static_cast<std::size_t>(i) * n + feature];
      out = store_from_float<T>(kAccumulate ? total + b + load_as_float(out) : total + b);
    }
  }
}

// Elements of the normalized rows a gemv_pair_kernel with kNorm keeps in shared memory (M x k): 32 KiB.
constexpr int kGemvNormTileElements = 16384;

// x = rmsnorm(input) for M rows of k values into `tile`, exactly as rmsnorm_residual_kernel<bf16, 8>
// (without a residual, and with as many threads) computes each row: the same per-thread chunks, the same
// warp and block sums (block_sum's steps, for all M rows at once: one pair of barriers instead of M),
// the same formula. `scratch` holds M * 32 floats. Every thread of the block calls it.
template <int M>
__device__ void normalize_rows(const bf16* input, const bf16* norm_weight, float eps, int k, bf16* tile,
                               float* scratch) {
  const int chunks = k / 8;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32, warps = blockDim.x / 32;
  float sum_squares[M];
  for (int i = 0; i < M; ++i) sum_squares[i] = 0.0f;
  for (int c = threadIdx.x; c < chunks; c += blockDim.x) {
    R1EVAL_UNROLL
    for (int i = 0; i < M; ++i) {
      float v[8];
      load_vec<8>(input + static_cast<std::size_t>(i) * k + c * 8, v);
      for (int e = 0; e < 8; ++e) sum_squares[i] += v[e] * v[e];
    }
  }
  R1EVAL_UNROLL
  for (int i = 0; i < M; ++i) {
    const float warp_total = warp_sum(sum_squares[i]);
    if (lane == 0) scratch[i * 32 + warp] = warp_total;
  }
  __syncthreads();
  float inverse_rms[M];
  R1EVAL_UNROLL
  for (int i = 0; i < M; ++i) {
    const float total = warp_sum(lane < warps ? scratch[i * 32 + lane] : 0.0f);
    inverse_rms[i] = 1.0f / sqrtf(total / static_cast<float>(k) + eps);
  }
  for (int c = threadIdx.x; c < chunks; c += blockDim.x) {
    float w[8];
    load_vec<8>(norm_weight + c * 8, w);
    R1EVAL_UNROLL
    for (int i = 0; i < M; ++i) {
      float v[8];
      load_vec<8>(input + static_cast<std::size_t>(i) * k + c * 8, v);
      for (int e = 0; e < 8; ++e) v[e] = v[e] * inverse_rms[i] * w[e];
      store_vec<8>(tile + static_cast<std::size_t>(i) * k + c * 8, v);
    }
  }
  __syncthreads();
}

// The two-row form for a projection whose output feeds a pointwise step that combines two of its
// features (gate j with up j; a RoPE pair i, i + head_dim / 2): a warp computes both rows of one pair, each
// exactly as gemv_kernel would (the same per-lane order of chunks, the same warp sum), and hands lane i
// the two biased fp32 sums of x row i to Epilogue::store. Epilogue gives pairs(), rows(pair, first,
// second) and store(i, pair, a, b). With kNorm, x is the residual stream and every block first normalizes
// its M rows into shared memory (normalize_rows; M * k <= kGemvNormTileElements), so the layer's RMSNorm
// needs no kernel of its own.
template <typename T, int M, typename Epilogue, bool kNorm = false>
__global__ void __launch_bounds__(kGemvThreads)
    gemv_pair_kernel(const bf16* x, const bf16* weight, const bf16* bias, int k, Epilogue epilogue,
                     const bf16* norm_weight = nullptr, float eps = 0.0f) {
  constexpr int kInFlight = kGemvChunksInFlight / 2;  // per row: the registers of gemv_kernel's one row
  const int lane = threadIdx.x % 32;
  const int pair = blockIdx.x * kGemvFeaturesPerBlock + threadIdx.x / 32;
  const bool active = pair < epilogue.pairs();  // uniform within the warp
  const int chunks = k / 8;
  int first = 0, second = 0;
  if (active) epilogue.rows(pair, first, second);
  const uint4* row_a = reinterpret_cast<const uint4*>(weight) + static_cast<std::size_t>(first) * chunks;
  const uint4* row_b = reinterpret_cast<const uint4*>(weight) + static_cast<std::size_t>(second) * chunks;
  uint4 pending_a[kInFlight] = {}, pending_b[kInFlight] = {};
  // grid_dependency: only weights before the wait (and the epilogue's row map, fixed at launch).
  R1EVAL_UNROLL
  for (int u = 0; u < kInFlight; ++u) {
    const int c = lane + 32 * u;
    if (active && c < chunks) {
      pending_a[u] = row_a[c];
      pending_b[u] = row_b[c];
    }
  }
  wait_for_prior_kernels();
  release_dependents();
  const bf16* xs = x;
  if constexpr (kNorm) {
    __shared__ uint4 tile[kGemvNormTileElements / 8];  // bf16 rows, 16-byte aligned for the 8-wide loads
    __shared__ float scratch[M * 32];
    normalize_rows<M>(x, norm_weight, eps, k, reinterpret_cast<bf16*>(tile), scratch);
    xs = reinterpret_cast<const bf16*>(tile);
  }
  if (!active) return;

  float acc_a[M], acc_b[M];
  for (int i = 0; i < M; ++i) acc_a[i] = acc_b[i] = 0.0f;
  for (int first_chunk = lane; first_chunk < chunks; first_chunk += 32 * kInFlight) {
    R1EVAL_UNROLL
    for (int u = 0; u < kInFlight; ++u) {
      const int c = first_chunk + 32 * u;
      if (c >= chunks) break;
      float wa[8], wb[8];
      unpack_bf16x8(pending_a[u], wa);
      unpack_bf16x8(pending_b[u], wb);
      const int next = c + 32 * kInFlight;
      if (next < chunks) {
        pending_a[u] = row_a[next];
        pending_b[u] = row_b[next];
      }
      R1EVAL_UNROLL
      for (int i = 0; i < M; ++i) {
        float v[8];
        load_vec<8>(xs + static_cast<std::size_t>(i) * k + static_cast<std::size_t>(c) * 8, v);
        for (int e = 0; e < 8; ++e) acc_a[i] += v[e] * wa[e];
        for (int e = 0; e < 8; ++e) acc_b[i] += v[e] * wb[e];
      }
    }
  }
  const float bias_a = bias != nullptr ? to_float(bias[first]) : 0.0f;
  const float bias_b = bias != nullptr ? to_float(bias[second]) : 0.0f;
  R1EVAL_UNROLL
  for (int i = 0; i < M; ++i) {
    const float a = warp_sum(acc_a[i]) + bias_a, b = warp_sum(acc_b[i]) + bias_b;
    if (lane == i % 32) epilogue.store(i, pair, a, b);
  }
}

// The value a T-typed projection output holds: the sum rounded once to T, as matmul stores it.
template <typename T>
__device__ __forceinline__ float as_stored(float v) {
  return load_as_float(store_from_float<T>(v));
}

// Merged [gate | up] rows j and j + inter: out[i][j] = silu(gate) * up, as gated_activation_kernel computes it.
template <typename T>
struct SiluMulPairs {
  T* out;
  int inter;
  __device__ int pairs() const { return inter; }
  __device__ void rows(int pair, int& first, int& second) const {
    first = pair;
    second = pair + inter;
  }
  __device__ void store(int i, int pair, float gate, float up) const {
    const float g = as_stored<T>(gate), u = as_stored<T>(up);
    out[static_cast<std::size_t>(i) * inter + pair] = store_from_float<T>(g / (1.0f + expf(-g)) * u);
  }
};

// Merged [q | k | v] rows: pair p of head h combines the rows h * head_dim + rotary_pair_dims(p); q and k
// pairs rotated as rope_write_kv_kernel rotates them, v pairs kept; qkv gets every value, the cache the
// token's k and v.
template <typename T>
struct RopeWritePairs {
  T* qkv;
  int num_q_heads;
  const std::int32_t* positions;
  const std::int64_t* slot_mapping;
  Rotary rotary;
  KvCacheView cache;
  __device__ int pairs() const { return (num_q_heads + 2 * cache.num_kv_heads) * (cache.head_dim / 2); }
  __device__ void rows(int pair, int& first, int& second) const {
    const int half = cache.head_dim / 2;
    rotary_pair_dims(pair % half, half, rotary.pairs, first, second);
    first += (pair / half) * cache.head_dim;
    second += (pair / half) * cache.head_dim;
  }
  __device__ void store(int i, int pair, float a, float b) const {
    const int d = cache.head_dim, half = d / 2, kv_heads = cache.num_kv_heads;
    const int h = pair / half, p = pair % half;
    int first = 0, second = 0;
    rotary_pair_dims(p, half, rotary.pairs, first, second);
    float x = as_stored<T>(a), y = as_stored<T>(b);
    if (h < num_q_heads + kv_heads && p < rotary.pairs) {
      float s, c;
      sincosf(static_cast<float>(positions[i]) * rotary.inv_freq[p], &s, &c);
      s *= rotary.scale;
      c *= rotary.scale;
      const float rx = x * c - y * s, ry = y * c + x * s;
      x = as_stored<T>(rx);
      y = as_stored<T>(ry);
    }
    T* head = qkv + static_cast<std::size_t>(i) * (num_q_heads + 2 * kv_heads) * d + static_cast<std::size_t>(h) * d;
    head[first] = store_from_float<T>(x);
    head[second] = store_from_float<T>(y);
    const std::int64_t slot = slot_mapping[i];
    if (h < num_q_heads || slot < 0 || slot >= static_cast<std::int64_t>(cache.num_blocks) * cache.block_size) return;
    const std::int64_t block = slot / cache.block_size;
    const int offset = static_cast<int>(slot % cache.block_size);
    const bool is_key = h < num_q_heads + kv_heads;
    const int kv_head = is_key ? h - num_q_heads : h - num_q_heads - kv_heads;
    bf16* pool = is_key ? cache.key : cache.value;
    pool[kv_cache_index(cache, block, kv_head, offset, first)] = to_bf16(x);
    pool[kv_cache_index(cache, block, kv_head, offset, second)] = to_bf16(y);
  }
};

inline dim3 gemv_pair_grid(int pairs) { return gemv_grid(pairs); }

}  // namespace r1eval::kernels::cuda_detail
