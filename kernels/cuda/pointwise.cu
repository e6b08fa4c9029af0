// Memory-bound per-token kernels: RMSNorm + residual, SiLU * up, embedding gather, RoPE + KV-cache write.
#include <cstddef>
#include <stdexcept>
#include <string>

#include "kernels/activation.h"
#include "kernels/cuda/check.h"
#include "kernels/cuda/reduce.cuh"
#include "kernels/embedding.h"
#include "kernels/norm.h"
#include "kernels/rope.h"

namespace r1eval::kernels::cuda {

using cuda_detail::blocks_for;
using cuda_detail::check_launch;
using cuda_detail::to_cuda;

namespace {

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

}  // namespace

template <typename T>
void rmsnorm_residual(const T* input, T* residual, T* output, const bf16* weight, int rows, int dim, float eps,
                      Stream stream) {
  if (rows < 0) throw std::invalid_argument("rmsnorm_residual: rows must be >= 0, got " + std::to_string(rows));
  if (dim <= 0) throw std::invalid_argument("rmsnorm_residual: dim must be > 0, got " + std::to_string(dim));
  if (rows == 0) return;
  rmsnorm_residual_kernel<T><<<rows, kNormThreads, 0, to_cuda(stream)>>>(input, residual, output, weight, dim, eps);
  check_launch("rmsnorm_residual_kernel");
}

template <typename T>
void silu_mul(const T* gate_up, T* output, int rows, int cols, Stream stream) {
  if (rows < 0) throw std::invalid_argument("silu_mul: rows must be >= 0, got " + std::to_string(rows));
  if (cols <= 0) throw std::invalid_argument("silu_mul: cols must be > 0, got " + std::to_string(cols));
  if (rows == 0) return;
  silu_mul_kernel<T><<<blocks_for(static_cast<long long>(rows) * cols, 256), 256, 0, to_cuda(stream)>>>(
      gate_up, output, rows, cols);
  check_launch("silu_mul_kernel");
}

template <typename T>
void embedding_gather(const std::int32_t* token_ids, int count, const bf16* table, int vocab, int dim, T* output,
                      Stream stream) {
  if (count < 0) throw std::invalid_argument("embedding_gather: count must be >= 0, got " + std::to_string(count));
  if (vocab <= 0 || dim <= 0)
    throw std::invalid_argument("embedding_gather: vocab and dim must be > 0, got " + std::to_string(vocab) + " x " +
                                std::to_string(dim));
  if (count == 0) return;
  embedding_gather_kernel<T><<<blocks_for(static_cast<long long>(count) * dim, 256), 256, 0, to_cuda(stream)>>>(
      token_ids, count, table, vocab, dim, output);
  check_launch("embedding_gather_kernel");
}

template <typename T>
void rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const std::int32_t* positions,
                   const std::int64_t* slot_mapping, const float* inv_freq, const KvCacheView& cache,
                   Stream stream) {
  validate_kv_cache(cache);
  if (num_tokens < 0) throw std::invalid_argument("rope_write_kv: num_tokens must be >= 0");
  if (num_q_heads <= 0) throw std::invalid_argument("rope_write_kv: num_q_heads must be > 0");
  if (cache.head_dim % 2 != 0) throw std::invalid_argument("rope_write_kv: head_dim must be even");
  if (num_tokens == 0) return;
  rope_write_kv_kernel<T><<<num_tokens, 256, 0, to_cuda(stream)>>>(qkv, num_q_heads, positions, slot_mapping,
                                                                   inv_freq, cache);
  check_launch("rope_write_kv_kernel");
}

template void rmsnorm_residual<float>(const float*, float*, float*, const bf16*, int, int, float, Stream);
template void rmsnorm_residual<bf16>(const bf16*, bf16*, bf16*, const bf16*, int, int, float, Stream);
template void silu_mul<float>(const float*, float*, int, int, Stream);
template void silu_mul<bf16>(const bf16*, bf16*, int, int, Stream);
template void embedding_gather<float>(const std::int32_t*, int, const bf16*, int, int, float*, Stream);
template void embedding_gather<bf16>(const std::int32_t*, int, const bf16*, int, int, bf16*, Stream);
template void rope_write_kv<float>(float*, int, int, const std::int32_t*, const std::int64_t*, const float*,
                                   const KvCacheView&, Stream);
template void rope_write_kv<bf16>(bf16*, int, int, const std::int32_t*, const std::int64_t*, const float*,
                                  const KvCacheView&, Stream);

}  // namespace r1eval::kernels::cuda
