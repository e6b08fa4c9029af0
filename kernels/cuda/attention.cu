// Launchers of the paged attention kernels (bodies and design in attention_kernels.cuh and, for tensor
// cores, attention_prefill_mma_kernels.cuh and attention_decode_mma_kernels.cuh).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "kernels/attention.h"
#include "kernels/cuda/check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/attention_decode_mma_kernels.cuh"
#include "kernels/cuda/attention_kernels.cuh"
#include "kernels/cuda/attention_prefill_mma_kernels.cuh"

namespace r1eval::kernels::cuda {

using cuda_detail::launch_kernel;
using cuda_detail::decode_reduce_kernel;
using cuda_detail::decode_split_kernel;
using cuda_detail::decode_grid;
using cuda_detail::decode_head_chunks;
using cuda_detail::decode_lanes_per_key;
using cuda_detail::decode_reduce_block;
using cuda_detail::decode_reduce_grid;
using cuda_detail::decode_workspace;
using cuda_detail::DecodeWorkspace;
using cuda_detail::kThreads;
using cuda_detail::prefill_grid;
using cuda_detail::prefill_kernel;
using cuda_detail::decode_heads_per_block;
using cuda_detail::decode_mma_split_kernel;
using cuda_detail::kMmaDecodeMaxGroup;
using cuda_detail::prefill_mma_kernel;
using cuda_detail::prefill_rows_per_block;
using cuda_detail::prefill_row_tiles;
using cuda_detail::to_cuda;

namespace {

void check_head_dim(int head_dim, const char* kernel) {
  if (!attention_head_dim_supported(head_dim))
    throw std::invalid_argument(std::string(kernel) + ": head_dim " + std::to_string(head_dim) +
                                " is not built (supported: 64, 96, 128, 256)");
}

// Runs f(std::integral_constant<int, D>) for the cache's head dim (one of attention_head_dim_supported).
template <typename F>
void with_head_dim(int head_dim, F&& f) {
  switch (head_dim) {
    case 64: return f(std::integral_constant<int, 64>{});
    case 96: return f(std::integral_constant<int, 96>{});
    case 128: return f(std::integral_constant<int, 128>{});
    default: return f(std::integral_constant<int, 256>{});
  }
}

bool tensor_core_attention_allowed_by_environment() {
  static const bool allowed = cuda_detail::enabled_by_environment("R1EVAL_TENSOR_CORE_ATTENTION");
  return allowed;
}

bool pools_aligned_16(const KvCacheView& cache) { return aligned_to(cache.key, 16) && aligned_to(cache.value, 16); }

// Why the tensor-core kernels cannot run these arguments, or null when they can (out: null for decode,
// whose output the CUDA-core reduce pass writes).
template <typename T>
const char* tensor_core_refusal(const T* q, int q_row_stride, const T* out, const KvCacheView& cache, bool decode) {
  if (!std::is_same_v<T, bf16>) return "needs bf16 activations";
  if (decode && !attention_tensor_core_decode_head_dim(cache.head_dim)) return "is built for head_dim 64 and 128 only";
  if (q_row_stride % 2 != 0 || !aligned_to(q, 4) || !aligned_to(out, 4)) return "needs 4-byte aligned q and out rows";
  if (!pools_aligned_16(cache)) return "needs 16-byte aligned cache pools";
  return nullptr;
}

template <typename T, int D>
void launch_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                    const PagedBatch& batch, float scale, bool tensor_cores, cudaStream_t stream) {
  const int rows_per_block = prefill_rows_per_block(tensor_cores, D);
  const long long row_tiles = prefill_row_tiles(batch, num_q_heads, cache.num_kv_heads, rows_per_block);
  if (row_tiles > 0x7fffffffLL || batch.num_seqs > 65535 || cache.num_kv_heads > 65535)
    throw std::invalid_argument("paged_attention_prefill: batch of " + std::to_string(batch.num_seqs) +
                                " sequences x " + std::to_string(batch.max_query_len) +
                                " tokens is too large for one launch");
  const dim3 grid = prefill_grid(batch, num_q_heads, cache.num_kv_heads, rows_per_block);
  if constexpr (std::is_same_v<T, bf16> && attention_tensor_core_prefill_head_dim(D)) {
    if (tensor_cores) {
      launch_kernel("paged_attention prefill_mma_kernel", prefill_mma_kernel<D>, grid, dim3(kThreads), stream, q,
                    q_row_stride, out, num_q_heads, cache, batch, scale);
      return;
    }
  }
  launch_kernel("paged_attention prefill_kernel", prefill_kernel<T, D>, grid, dim3(kThreads), stream, q, q_row_stride,
                out, num_q_heads, cache, batch, scale);
}

template <typename T, int D>
void launch_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                   const PagedBatch& batch, float scale, const DecodeWorkspace& work, DecodeKernel kernel,
                   cudaStream_t stream) {
  const int heads_per_block = decode_heads_per_block(kernel == DecodeKernel::tensor_cores);
  if (batch.num_seqs > 65535 ||
      static_cast<long long>(cache.num_kv_heads) * decode_head_chunks(num_q_heads, cache.num_kv_heads, heads_per_block) > 65535)
    throw std::invalid_argument("paged_attention_decode: " + std::to_string(batch.num_seqs) +
                                " sequences is too large for one launch");
  const dim3 grid = decode_grid(work, batch, num_q_heads, cache.num_kv_heads, heads_per_block);
  const auto split_pass = [&] {
    if constexpr (std::is_same_v<T, bf16> && attention_tensor_core_decode_head_dim(D)) {
      if (kernel == DecodeKernel::tensor_cores)
        return launch_kernel("paged_attention decode_mma_split_kernel", decode_mma_split_kernel<D>, grid,
                             dim3(kThreads), stream, q, q_row_stride, num_q_heads, cache, batch, scale, work);
    }
    if (kernel == DecodeKernel::cuda_cores_8_key_tiles)
      return launch_kernel("paged_attention decode_split_kernel", decode_split_kernel<T, D, 4>, grid, dim3(kThreads),
                           stream, q, q_row_stride, num_q_heads, cache, batch, scale, work);
    if constexpr (D == 64 || D == 128)  // paged_attention_decode_with refuses 32-key tiles at other head dims
      launch_kernel("paged_attention decode_split_kernel", decode_split_kernel<T, D, 1>, grid, dim3(kThreads), stream, q,
                  q_row_stride, num_q_heads, cache, batch, scale, work);
  };
  split_pass();
  launch_kernel("paged_attention decode_reduce_kernel", decode_reduce_kernel<T, D>,
                decode_reduce_grid(batch, num_q_heads), decode_reduce_block(work, D), stream, out, num_q_heads, batch.context_lens, work);
}

}  // namespace

template <typename T>
void paged_attention_prefill_with(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                                  const PagedBatch& batch, float scale, PrefillKernel kernel, Stream stream) {
  validate_attention_shape(num_q_heads, cache, batch, q_row_stride);
  check_head_dim(cache.head_dim, "paged_attention_prefill");
  if (batch.num_seqs > 0 && batch.query_starts == nullptr)
    throw std::invalid_argument("paged_attention_prefill: PagedBatch.query_starts must not be null");
  const char* refusal = tensor_core_refusal(q, q_row_stride, out, cache, false);
  if (kernel == PrefillKernel::tensor_cores && refusal != nullptr)
    throw std::invalid_argument(std::string("paged_attention_prefill: the tensor-core kernel ") + refusal);
  const bool tensor_cores = kernel == PrefillKernel::tensor_cores ||
                            (kernel == PrefillKernel::automatic && refusal == nullptr &&
                             tensor_core_attention_allowed_by_environment());
  if (batch.num_seqs == 0 || batch.max_query_len <= 0) return;
  with_head_dim(cache.head_dim, [&](auto head_dim) {
    launch_prefill<T, decltype(head_dim)::value>(q, q_row_stride, out, num_q_heads, cache, batch, scale, tensor_cores,
                                                 to_cuda(stream));
  });
}

template <typename T>
void paged_attention_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                             const PagedBatch& batch, float scale, Stream stream) {
  paged_attention_prefill_with(q, q_row_stride, out, num_q_heads, cache, batch, scale, PrefillKernel::automatic,
                               stream);
}

template <typename T>
void paged_attention_decode_with(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                                 const PagedBatch& batch, float scale, float* workspace, DecodeKernel kernel,
                                 Stream stream) {
  validate_attention_shape(num_q_heads, cache, batch, q_row_stride);
  check_head_dim(cache.head_dim, "paged_attention_decode");
  if (workspace == nullptr) throw std::invalid_argument("paged_attention_decode: workspace must not be null");
  // Every split pass reads keys in 16-byte chunks (the bf16 pools the engine allocates always are).
  if (!pools_aligned_16(cache))
    throw std::invalid_argument("paged_attention_decode: the cache pools must be 16-byte aligned");
  const char* refusal = tensor_core_refusal<T>(q, q_row_stride, nullptr, cache, true);
  if (refusal == nullptr && num_q_heads / cache.num_kv_heads > kMmaDecodeMaxGroup)
    refusal = "holds at most 16 query heads per kv head";
  if (kernel == DecodeKernel::tensor_cores && refusal != nullptr)
    throw std::invalid_argument(std::string("paged_attention_decode: the tensor-core kernel ") + refusal);
  const DecodeWorkspace work = decode_workspace(workspace, batch, num_q_heads);
  if (kernel == DecodeKernel::automatic) {
    if (decode_lanes_per_key(work.split_tokens, cache.head_dim) == 4)
      kernel = DecodeKernel::cuda_cores_8_key_tiles;
    else if (refusal == nullptr && tensor_core_attention_allowed_by_environment())
      kernel = DecodeKernel::tensor_cores;
    else
      kernel = DecodeKernel::cuda_cores_32_key_tiles;
  }
  if (kernel == DecodeKernel::cuda_cores_32_key_tiles && decode_lanes_per_key(kDecodeSplitTokens, cache.head_dim) == 4)
    throw std::invalid_argument("paged_attention_decode: the 32-key-tile kernel is built for head_dim 64 and 128 only");
  if (batch.num_seqs == 0) return;
  with_head_dim(cache.head_dim, [&](auto head_dim) {
    launch_decode<T, decltype(head_dim)::value>(q, q_row_stride, out, num_q_heads, cache, batch, scale, work, kernel,
                                                to_cuda(stream));
  });
}

template <typename T>
void paged_attention_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                            const PagedBatch& batch, float scale, float* workspace, Stream stream) {
  paged_attention_decode_with(q, q_row_stride, out, num_q_heads, cache, batch, scale, workspace,
                              DecodeKernel::automatic, stream);
}

template void paged_attention_prefill<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                             float, Stream);
template void paged_attention_prefill<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                            float, Stream);
template void paged_attention_prefill_with<float>(const float*, int, float*, int, const KvCacheView&,
                                                  const PagedBatch&, float, PrefillKernel, Stream);
template void paged_attention_prefill_with<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                                 float, PrefillKernel, Stream);
template void paged_attention_decode<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                            float, float*, Stream);
template void paged_attention_decode<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                           float, float*, Stream);

template void paged_attention_decode_with<float>(const float*, int, float*, int, const KvCacheView&,
                                                 const PagedBatch&, float, float*, DecodeKernel, Stream);
template void paged_attention_decode_with<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                                float, float*, DecodeKernel, Stream);

}  // namespace r1eval::kernels::cuda
