// Kernel bodies of the per-token kernels (launchers in pointwise.cu). Device code only and no CUDA
// headers, so tests/kernels/simt_emulator.h can also run them on the CPU.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include "kernels/activation.h"
#include "kernels/bf16.h"
#include "kernels/cuda/bf16_chunks.cuh"
#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/elementwise.h"
#include "kernels/kv_cache.h"
#include "kernels/norm.h"
#include "kernels/rope.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kNormThreads = 256;

// kVec consecutive values as floats. With kVec == 8 the values come in 16-byte loads (one for bf16,
// two for float): the caller guarantees 16-byte alignment. kVec == 1 is the unaligned fallback.
template <int kVec, typename T>
__device__ __forceinline__ void load_vec(const T* p, float (&v)[kVec]) {
  if constexpr (kVec == 8 && std::is_same_v<T, bf16>) {
    unpack_bf16x8(*reinterpret_cast<const uint4*>(p), v);
  } else if constexpr (kVec == 8) {
    const uint4 a = reinterpret_cast<const uint4*>(p)[0], b = reinterpret_cast<const uint4*>(p)[1];
    const unsigned words[8] = {a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w};
    for (int i = 0; i < 8; ++i) v[i] = bits_float(words[i]);
  } else {
    for (int i = 0; i < kVec; ++i) v[i] = load_as_float(p[i]);
  }
}

// Stores kVec floats rounded to T, in 16-byte stores when kVec == 8 (aligned as for load_vec).
template <int kVec, typename T>
__device__ __forceinline__ void store_vec(T* p, const float (&v)[kVec]) {
  if constexpr (kVec == 8 && std::is_same_v<T, bf16>) {
    unsigned words[4];
    for (int i = 0; i < 4; ++i) words[i] = pack_bf16_pair(v[2 * i], v[2 * i + 1]);
    *reinterpret_cast<uint4*>(p) = uint4{words[0], words[1], words[2], words[3]};
  } else if constexpr (kVec == 8) {
    reinterpret_cast<uint4*>(p)[0] = uint4{float_bits(v[0]), float_bits(v[1]), float_bits(v[2]), float_bits(v[3])};
    reinterpret_cast<uint4*>(p)[1] = uint4{float_bits(v[4]), float_bits(v[5]), float_bits(v[6]), float_bits(v[7])};
  } else {
    for (int i = 0; i < kVec; ++i) p[i] = store_from_float<T>(v[i]);
  }
}

// One block per row, kVec values per thread step (dim is a multiple of kVec); the summed row is written
// first and re-read in its stored precision.
template <typename T, int kVec>
__global__ void __launch_bounds__(kNormThreads)
    rmsnorm_residual_kernel(const T* input, T* residual, T* output, const bf16* weight, int dim, float eps) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ float scratch[32];
  const std::size_t base = static_cast<std::size_t>(blockIdx.x) * dim;
  const int chunks = dim / kVec;
  float sum_squares = 0.0f;
  for (int c = threadIdx.x; c < chunks; c += blockDim.x) {
    float v[kVec];
    load_vec<kVec>(input + base + c * kVec, v);
    if (residual != nullptr) {
      float r[kVec];
      load_vec<kVec>(residual + base + c * kVec, r);
      for (int e = 0; e < kVec; ++e) v[e] = load_as_float(store_from_float<T>(v[e] + r[e]));
      store_vec<kVec>(residual + base + c * kVec, v);
    }
    for (int e = 0; e < kVec; ++e) sum_squares += v[e] * v[e];
  }
  sum_squares = cuda_detail::block_sum(sum_squares, scratch);
  const float inverse_rms = 1.0f / sqrtf(sum_squares / static_cast<float>(dim) + eps);
  const T* source = residual != nullptr ? residual : input;
  for (int c = threadIdx.x; c < chunks; c += blockDim.x) {
    float v[kVec], w[kVec];
    load_vec<kVec>(source + base + c * kVec, v);
    load_vec<kVec>(weight + c * kVec, w);
    for (int e = 0; e < kVec; ++e) v[e] = v[e] * inverse_rms * w[e];
    store_vec<kVec>(output + base + c * kVec, v);
  }
}

// The sum of squares of `chunks` chunks of kVec values at x over the block's threads (to every thread).
template <int kVec, typename T>
__device__ __forceinline__ float block_sum_of_squares(const T* x, int chunks, float* scratch) {
  float sum = 0.0f;
  for (int c = threadIdx.x; c < chunks; c += blockDim.x) {
    float v[kVec];
    load_vec<kVec>(x + c * kVec, v);
    for (int e = 0; e < kVec; ++e) sum += v[e] * v[e];
  }
  return cuda_detail::block_sum(sum, scratch);
}

// rmsnorm_add: one block per row, as rmsnorm_residual_kernel; each thread re-reads the input values it summed
// (no other thread writes them) and adds their rounded norm into the stream.
template <typename T, int kVec>
__global__ void __launch_bounds__(kNormThreads)
    rmsnorm_add_kernel(const T* input, T* residual, const bf16* weight, int dim, float eps) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ float scratch[32];
  const std::size_t base = static_cast<std::size_t>(blockIdx.x) * dim;
  const int chunks = dim / kVec;
  const float sum_squares = block_sum_of_squares<kVec>(input + base, chunks, scratch);
  const float inverse_rms = 1.0f / sqrtf(sum_squares / static_cast<float>(dim) + eps);
  for (int c = threadIdx.x; c < chunks; c += blockDim.x) {
    float v[kVec], w[kVec], r[kVec];
    load_vec<kVec>(input + base + c * kVec, v);
    load_vec<kVec>(weight + c * kVec, w);
    load_vec<kVec>(residual + base + c * kVec, r);
    for (int e = 0; e < kVec; ++e) r[e] += load_as_float(store_from_float<T>(v[e] * inverse_rms * w[e]));
    store_vec<kVec>(residual + base + c * kVec, r);
  }
}

// qk_sum_squares and qk_projection_norm: one block per row of [q | k | v].
template <typename T>
__global__ void __launch_bounds__(kNormThreads)
    qk_sum_squares_kernel(const T* qkv, int q_width, int kv_width, float* sums) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ float scratch[32];
  const T* row = qkv + static_cast<std::size_t>(blockIdx.x) * (q_width + 2 * static_cast<std::size_t>(kv_width));
  const float q = block_sum_of_squares<1>(row, q_width, scratch);
  const float k = block_sum_of_squares<1>(row + q_width, kv_width, scratch);
  if (threadIdx.x == 0) {
    sums[2 * blockIdx.x] = q;
    sums[2 * blockIdx.x + 1] = k;
  }
}

template <typename T>
__global__ void __launch_bounds__(kNormThreads)
    qk_projection_norm_kernel(T* qkv, int q_width, int kv_width, ProjectionNorm norm) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ float scratch[32];
  T* row = qkv + static_cast<std::size_t>(blockIdx.x) * (q_width + 2 * static_cast<std::size_t>(kv_width));
  float q_sum, k_sum;
  if (norm.sums != nullptr) {
    q_sum = norm.sums[2 * blockIdx.x];
    k_sum = norm.sums[2 * blockIdx.x + 1];
  } else {
    q_sum = block_sum_of_squares<1>(row, q_width, scratch);
    k_sum = block_sum_of_squares<1>(row + q_width, kv_width, scratch);  // its barriers end the reads of q_sum's pass
  }
  const int q_total = norm.q_total > 0 ? norm.q_total : q_width;
  const int kv_total = norm.kv_total > 0 ? norm.kv_total : kv_width;
  const float q_scale = 1.0f / sqrtf(q_sum / static_cast<float>(q_total) + norm.eps);
  const float k_scale = 1.0f / sqrtf(k_sum / static_cast<float>(kv_total) + norm.eps);
  // Without sums, the barriers of the two block sums put every read of the row before any write.
  for (int i = threadIdx.x; i < q_width + kv_width; i += blockDim.x) {
    const bool is_q = i < q_width;
    const float weight = to_float(is_q ? norm.q_weight[i] : norm.k_weight[i - q_width]);
    row[i] = store_from_float<T>(load_as_float(row[i]) * (is_q ? q_scale : k_scale) * weight);
  }
}

// Rows over blockIdx.y (striding when there are more than the grid holds), kVec columns per thread over
// x: no per-element division. cols is a multiple of kVec.
template <typename T, int kVec, GateActivation kActivation = GateActivation::silu>
__global__ void gated_activation_kernel(const T* gate_up, T* output, int rows, int cols) {
  wait_for_prior_kernels();
  release_dependents();
  const int chunks = cols / kVec;
  for (int r = blockIdx.y; r < rows; r += gridDim.y) {
    const T* gate = gate_up + static_cast<std::size_t>(r) * 2 * cols;
    const T* up = gate + cols;
    T* out = output + static_cast<std::size_t>(r) * cols;
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < chunks; c += gridDim.x * blockDim.x) {
      float g[kVec], u[kVec];
      load_vec<kVec>(gate + c * kVec, g);
      load_vec<kVec>(up + c * kVec, u);
      for (int e = 0; e < kVec; ++e) g[e] = gate_activation(g[e], kActivation) * u[e];
      store_vec<kVec>(out + c * kVec, g);
    }
  }
}

// x[i] = round(x[i] * factor) or, with kSoftCap, round(soft_cap_value(x[i], factor)), over a grid-stride loop.
template <typename T, bool kSoftCap>
__global__ void elementwise_kernel(T* x, std::size_t count, float factor) {
  wait_for_prior_kernels();
  release_dependents();
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count; i += stride) {
    const float v = load_as_float(x[i]);
    x[i] = store_from_float<T>(kSoftCap ? soft_cap_value(v, factor) : v * factor);
  }
}

template <typename T>
__global__ void embedding_gather_kernel(const std::int32_t* token_ids, int count, const bf16* table, int vocab,
                                        int dim, T* output) {
  wait_for_prior_kernels();
  release_dependents();
  for (int i = blockIdx.y; i < count; i += gridDim.y) {
    const std::int32_t id = token_ids[i];
    const bool valid = id >= 0 && id < vocab;
    const bf16* row = table + static_cast<std::size_t>(valid ? id : 0) * dim;
    T* out = output + static_cast<std::size_t>(i) * dim;
    for (int d = blockIdx.x * blockDim.x + threadIdx.x; d < dim; d += gridDim.x * blockDim.x)
      out[d] = store_from_float<T>(valid ? to_float(row[d]) : 0.0f);
  }
}

// Grid of the row-wise kernels above: enough x blocks to cover a row, rows on y (at most 65535).
inline dim3 row_grid(int rows, int cols, int threads) {
  const int x = (cols + threads - 1) / threads;
  return dim3(static_cast<unsigned>(x < 1 ? 1 : x), static_cast<unsigned>(rows < 65535 ? (rows < 1 ? 1 : rows) : 65535));
}

// Whether rows of `width` elements starting at these pointers allow the 8-wide 16-byte path.
inline bool vector8_ok(int width, std::initializer_list<const void*> pointers) {
  if (width % 8 != 0) return false;
  for (const void* p : pointers)
    if (reinterpret_cast<std::uintptr_t>(p) % 16 != 0) return false;
  return true;
}

constexpr int kRopeThreads = 256;
constexpr int kRopeMaxHalf = 256;  // head_dim up to 512

// One block per token: the token's cos/sin table is computed once into shared memory (and, with a HeadNorm,
// each q and k head's 1/rms by one warp), then every thread takes (head, pair) items of q and k, rotating the
// rotary pairs and keeping the rest; k and v go to the token's cache slot. norm.q_weight null: no norm.
template <typename T>
__global__ void __launch_bounds__(kRopeThreads)
    rope_write_kv_kernel(T* qkv, int num_q_heads, const std::int32_t* positions, const std::int64_t* slot_mapping,
                         Rotary rotary, KvCacheView cache, HeadNorm norm) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ float cos_table[kRopeMaxHalf], sin_table[kRopeMaxHalf], head_scale[kMaxNormedHeads];
  const int t = blockIdx.x, d = cache.head_dim, half = d / 2, kv_heads = cache.num_kv_heads, pairs = rotary.pairs;
  const int rotated_heads = num_q_heads + kv_heads;
  T* token = qkv + static_cast<std::size_t>(t) * (num_q_heads + 2 * kv_heads) * d;
  const float position = static_cast<float>(positions[t]);
  for (int i = threadIdx.x; i < pairs; i += blockDim.x) {
    sincosf(position * rotary.inv_freq[i], &sin_table[i], &cos_table[i]);
    sin_table[i] *= rotary.scale;
    cos_table[i] *= rotary.scale;
  }
  const bool normed = norm.q_weight != nullptr;
  if (normed) {
    const int lane = threadIdx.x % 32, warps = blockDim.x / 32;
    for (int h = threadIdx.x / 32; h < rotated_heads; h += warps) {  // warp-uniform: the shuffles converge
      const T* head = token + static_cast<std::size_t>(h) * d;
      float squares = 0.0f;
      for (int i = lane; i < d; i += 32) {
        const float v = load_as_float(head[i]);
        squares += v * v;
      }
      squares = warp_sum(squares);
      if (lane == 0) head_scale[h] = 1.0f / sqrtf(squares / static_cast<float>(d) + norm.eps);
    }
  }
  __syncthreads();
  const std::int64_t slot = slot_mapping[t];
  const std::int64_t slots = static_cast<std::int64_t>(cache.num_blocks) * cache.block_size;
  const bool store = slot >= 0 && slot < slots;
  const std::int64_t block = store ? slot / cache.block_size : 0;
  const int offset = store ? static_cast<int>(slot % cache.block_size) : 0;
  for (int item = threadIdx.x; item < rotated_heads * half; item += blockDim.x) {
    const int h = item / half, p = item % half;
    int first = 0, second = 0;
    rotary_pair_dims(p, half, pairs, first, second);
    T* head = token + static_cast<std::size_t>(h) * d;
    float x = load_as_float(head[first]), y = load_as_float(head[second]);
    if (normed) {
      const bf16* weight = h < num_q_heads ? norm.q_weight : norm.k_weight;
      x *= head_scale[h] * to_float(weight[first]);
      y *= head_scale[h] * to_float(weight[second]);
    }
    if (p < pairs) {
      const float c = cos_table[p], s = sin_table[p];
      const float rx = x * c - y * s;
      y = y * c + x * s;
      x = rx;
    }
    const T rx = store_from_float<T>(x), ry = store_from_float<T>(y);
    head[first] = rx;
    head[second] = ry;
    if (store && h >= num_q_heads) {
      const int kv_head = h - num_q_heads;
      cache.key[kv_cache_index(cache, block, kv_head, offset, first)] = to_bf16(load_as_float(rx));
      cache.key[kv_cache_index(cache, block, kv_head, offset, second)] = to_bf16(load_as_float(ry));
    }
  }
  if (!store) return;
  const T* values = token + static_cast<std::size_t>(rotated_heads) * d;
  for (int item = threadIdx.x; item < kv_heads * d; item += blockDim.x)
    cache.value[kv_cache_index(cache, block, item / d, offset, item % d)] = to_bf16(load_as_float(values[item]));
}

}  // namespace r1eval::kernels::cuda_detail
