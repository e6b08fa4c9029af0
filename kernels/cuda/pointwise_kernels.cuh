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

template <typename T>
__global__ void silu_mul_kernel(const T* gate_up, T* output, int rows, int cols) {
  const long long total = static_cast<long long>(rows) * cols;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const long long r = i / cols, c = i % cols;
    const float g = load_as_float(gate_up[r * 2 * cols + c]);
    const float u = load_as_float(gate_up[r * 2 * cols + cols + c]);
    output[i] = store_from_float<T>(g / (1.0f + expf(-g)) * u);
  }
}

template <typename T>
__global__ void embedding_gather_kernel(const std::int32_t* token_ids, int count, const bf16* table, int vocab,
                                        int dim, T* output) {
  const long long total = static_cast<long long>(count) * dim;
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long long>(gridDim.x) * blockDim.x) {
    const std::int32_t id = token_ids[i / dim];
    const float v = (id >= 0 && id < vocab) ? to_float(table[static_cast<long long>(id) * dim + i % dim]) : 0.0f;
    output[i] = store_from_float<T>(v);
  }
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
