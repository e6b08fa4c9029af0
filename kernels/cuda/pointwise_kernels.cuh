// Kernel bodies of the per-token kernels (launchers in pointwise.cu). Device code only and no CUDA
// headers, so tests/kernels/simt_emulator.h can also run them on the CPU.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/cuda/reduce.cuh"
#include "kernels/kv_cache.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kNormThreads = 256;

// One block per row; the summed row is written first and re-read in its stored precision.
template <typename T>
__global__ void __launch_bounds__(kNormThreads)
    rmsnorm_residual_kernel(const T* input, T* residual, T* output, const bf16* weight, int dim, float eps) {
  __shared__ float scratch[32];
  const std::size_t base = static_cast<std::size_t>(blockIdx.x) * dim;
  float sum_squares = 0.0f;
  for (int i = threadIdx.x; i < dim; i += blockDim.x) {
    float v = load_as_float(input[base + i]);
    if (residual != nullptr) {
      const T stored = store_from_float<T>(v + load_as_float(residual[base + i]));
      residual[base + i] = stored;
      v = load_as_float(stored);
    }
    sum_squares += v * v;
  }
  sum_squares = cuda_detail::block_sum(sum_squares, scratch);
  const float inverse_rms = 1.0f / sqrtf(sum_squares / static_cast<float>(dim) + eps);
  const T* source = residual != nullptr ? residual : input;
  for (int i = threadIdx.x; i < dim; i += blockDim.x)
    output[base + i] = store_from_float<T>(load_as_float(source[base + i]) * inverse_rms * to_float(weight[i]));
}

// Rows over blockIdx.y (striding when there are more than the grid holds), columns over x: no
// per-element division.
template <typename T>
__global__ void silu_mul_kernel(const T* gate_up, T* output, int rows, int cols) {
  for (int r = blockIdx.y; r < rows; r += gridDim.y) {
    const T* gate = gate_up + static_cast<std::size_t>(r) * 2 * cols;
    const T* up = gate + cols;
    T* out = output + static_cast<std::size_t>(r) * cols;
    for (int c = blockIdx.x * blockDim.x + threadIdx.x; c < cols; c += gridDim.x * blockDim.x) {
      const float g = load_as_float(gate[c]);
      out[c] = store_from_float<T>(g / (1.0f + expf(-g)) * load_as_float(up[c]));
    }
  }
}

template <typename T>
__global__ void embedding_gather_kernel(const std::int32_t* token_ids, int count, const bf16* table, int vocab,
                                        int dim, T* output) {
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

// One block per token: every thread rotates (head, pair) items of q and k, then copies v; rotated k and
// v go to the token's cache slot.
template <typename T>
__global__ void rope_write_kv_kernel(T* qkv, int num_q_heads, const std::int32_t* positions,
                                     const std::int64_t* slot_mapping, const float* inv_freq, KvCacheView cache) {
  const int t = blockIdx.x, d = cache.head_dim, half = d / 2, kv_heads = cache.num_kv_heads;
  T* token = qkv + static_cast<std::size_t>(t) * (num_q_heads + 2 * kv_heads) * d;
  const float position = static_cast<float>(positions[t]);
  const std::int64_t slot = slot_mapping[t];
  const std::int64_t slots = static_cast<std::int64_t>(cache.num_blocks) * cache.block_size;
  const bool store = slot >= 0 && slot < slots;
  const std::int64_t block = store ? slot / cache.block_size : 0;
  const int offset = store ? static_cast<int>(slot % cache.block_size) : 0;
  for (int item = threadIdx.x; item < (num_q_heads + kv_heads) * half; item += blockDim.x) {
    const int h = item / half, i = item % half;
    float s, c;
    sincosf(position * inv_freq[i], &s, &c);
    T* head = token + static_cast<std::size_t>(h) * d;
    const float x = load_as_float(head[i]), y = load_as_float(head[i + half]);
    const T rx = store_from_float<T>(x * c - y * s), ry = store_from_float<T>(y * c + x * s);
    head[i] = rx;
    head[i + half] = ry;
    if (store && h >= num_q_heads) {
      const int kv_head = h - num_q_heads;
      cache.key[kv_cache_index(cache, block, kv_head, offset, i)] = to_bf16(load_as_float(rx));
      cache.key[kv_cache_index(cache, block, kv_head, offset, i + half)] = to_bf16(load_as_float(ry));
    }
  }
  if (!store) return;
  const T* values = token + static_cast<std::size_t>(num_q_heads + kv_heads) * d;
  for (int item = threadIdx.x; item < kv_heads * d; item += blockDim.x)
    cache.value[kv_cache_index(cache, block, item / d, offset, item % d)] = to_bf16(load_as_float(values[item]));
}

}  // namespace r1eval::kernels::cuda_detail
