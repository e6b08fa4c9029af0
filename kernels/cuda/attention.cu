// Launchers of the paged attention kernels (bodies and design in attention_kernels.cuh).
#include <cstddef>
#include <stdexcept>
#include <string>

#include "kernels/attention.h"
#include "kernels/cuda/check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/attention_kernels.cuh"

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
using cuda_detail::prefill_row_tiles;
using cuda_detail::to_cuda;

namespace {

void check_head_dim(int head_dim, const char* kernel) {
  if (!attention_head_dim_supported(head_dim))
    throw std::invalid_argument(std::string(kernel) + ": head_dim " + std::to_string(head_dim) +
                                " is not built (supported: 64, 128)");
}

template <typename T, int D>
void launch_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                    const PagedBatch& batch, float scale, cudaStream_t stream) {
  const long long row_tiles = prefill_row_tiles(batch, num_q_heads, cache.num_kv_heads);
  if (row_tiles > 0x7fffffffLL || batch.num_seqs > 65535 || cache.num_kv_heads > 65535)
    throw std::invalid_argument("paged_attention_prefill: batch of " + std::to_string(batch.num_seqs) +
                                " sequences x " + std::to_string(batch.max_query_len) +
                                " tokens is too large for one launch");
  launch_kernel("paged_attention prefill_kernel", prefill_kernel<T, D>,
                prefill_grid(batch, num_q_heads, cache.num_kv_heads), dim3(kThreads), stream, q, q_row_stride, out,
                num_q_heads, cache, batch, scale);
}

template <typename T, int D>
void launch_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                   const PagedBatch& batch, float scale, float* workspace, int lanes_per_key, cudaStream_t stream) {
  const DecodeWorkspace work = decode_workspace(workspace, batch, num_q_heads);
  if (batch.num_seqs > 65535 || static_cast<long long>(cache.num_kv_heads) * decode_head_chunks(num_q_heads, cache.num_kv_heads) > 65535)
    throw std::invalid_argument("paged_attention_decode: " + std::to_string(batch.num_seqs) +
                                " sequences is too large for one launch");
  const dim3 grid = decode_grid(work, batch, num_q_heads, cache.num_kv_heads);
  if ((lanes_per_key != 0 ? lanes_per_key : decode_lanes_per_key(work.split_tokens)) == 4)
    launch_kernel("paged_attention decode_split_kernel", decode_split_kernel<T, D, 4>, grid, dim3(kThreads), stream,
                  q, q_row_stride, num_q_heads, cache, batch, scale, work);
  else
    launch_kernel("paged_attention decode_split_kernel", decode_split_kernel<T, D, 1>, grid, dim3(kThreads), stream,
                  q, q_row_stride, num_q_heads, cache, batch, scale, work);
  launch_kernel("paged_attention decode_reduce_kernel", decode_reduce_kernel<T, D>,
                decode_reduce_grid(batch, num_q_heads), decode_reduce_block(work, D), stream, out, num_q_heads, batch.context_lens, work);
}

}  // namespace

template <typename T>
void paged_attention_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                             const PagedBatch& batch, float scale, Stream stream) {
  validate_attention_shape(num_q_heads, cache, batch, q_row_stride);
  check_head_dim(cache.head_dim, "paged_attention_prefill");
  if (batch.num_seqs > 0 && batch.query_starts == nullptr)
    throw std::invalid_argument("paged_attention_prefill: PagedBatch.query_starts must not be null");
  if (batch.num_seqs == 0 || batch.max_query_len <= 0) return;
  if (cache.head_dim == 64)
    launch_prefill<T, 64>(q, q_row_stride, out, num_q_heads, cache, batch, scale, to_cuda(stream));
  else
    launch_prefill<T, 128>(q, q_row_stride, out, num_q_heads, cache, batch, scale, to_cuda(stream));
}

template <typename T>
void paged_attention_decode_tiles(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                                  const PagedBatch& batch, float scale, float* workspace, int lanes_per_key,
                                  Stream stream) {
  validate_attention_shape(num_q_heads, cache, batch, q_row_stride);
  check_head_dim(cache.head_dim, "paged_attention_decode");
  if (workspace == nullptr) throw std::invalid_argument("paged_attention_decode: workspace must not be null");
  if (lanes_per_key != 0 && lanes_per_key != 1 && lanes_per_key != 4)
    throw std::invalid_argument("paged_attention_decode: lanes_per_key must be 0, 1 or 4, got " +
                                std::to_string(lanes_per_key));
  if (batch.num_seqs == 0) return;
  if (cache.head_dim == 64)
    launch_decode<T, 64>(q, q_row_stride, out, num_q_heads, cache, batch, scale, workspace, lanes_per_key,
                         to_cuda(stream));
  else
    launch_decode<T, 128>(q, q_row_stride, out, num_q_heads, cache, batch, scale, workspace, lanes_per_key,
                          to_cuda(stream));
}

template <typename T>
void paged_attention_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                            const PagedBatch& batch, float scale, float* workspace, Stream stream) {
  paged_attention_decode_tiles(q, q_row_stride, out, num_q_heads, cache, batch, scale, workspace, 0, stream);
}

template void paged_attention_prefill<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                             float, Stream);
template void paged_attention_prefill<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                            float, Stream);
template void paged_attention_decode<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                            float, float*, Stream);
template void paged_attention_decode<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                           float, float*, Stream);

template void paged_attention_decode_tiles<float>(const float*, int, float*, int, const KvCacheView&,
                                                  const PagedBatch&, float, float*, int, Stream);
template void paged_attention_decode_tiles<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                                 float, float*, int, Stream);

}  // namespace r1eval::kernels::cuda
