// Paged attention on the GPU.
// Prefill: FlashAttention-style tiling on CUDA cores. A block owns one kv head of one sequence and 16
// (query token, query head of the group) rows, so each K/V tile staged in shared memory serves every
// query head that reads it; each warp owns 4 rows and keeps their online-softmax state in registers.
// Decode: split-K. A block owns one split (kDecodeSplitTokens keys) of one sequence for one kv head and
// up to 8 of its query heads, so K/V are read from memory once per group; each lane scores one key at
// a time against all of those heads. A second pass merges the splits' (max, sum, partial output).
#include <cstddef>
#include <stdexcept>
#include <string>

#include "kernels/attention.h"
#include "kernels/cuda/check.h"
#include "kernels/cuda/reduce.cuh"

namespace r1eval::kernels::cuda {

using cuda_detail::check_launch;
using cuda_detail::to_cuda;

namespace {

constexpr int kThreads = 128;
constexpr int kWarps = kThreads / 32;
constexpr int kRowsPerWarp = 4;
constexpr int kPrefillRows = kWarps * kRowsPerWarp;
constexpr int kKeyTile = 32;
constexpr int kHeadsPerDecodeBlock = 8;

template <int D>
constexpr std::size_t prefill_shared_bytes() {
  return sizeof(float) * (kPrefillRows * D + kKeyTile * (D + 1) + kKeyTile * D);
}

__device__ __forceinline__ std::size_t cache_row(const KvCacheView& cache, const std::int32_t* table, int kv_head,
                                                 int key) {
  return kv_cache_index(cache, table[key / cache.block_size], kv_head, key % cache.block_size, 0);
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    prefill_kernel(const T* q, int q_row_stride, T* out, int num_q_heads, KvCacheView cache, PagedBatch batch,
                   float scale) {
  constexpr int E = D / 32;  // output dims per lane: lane + 32 * e
  extern __shared__ float shared[];
  float* q_tile = shared;                          // [kPrefillRows][D], pre-scaled
  float* k_tile = q_tile + kPrefillRows * D;       // [kKeyTile][D + 1], padded against bank conflicts
  float* v_tile = k_tile + kKeyTile * (D + 1);     // [kKeyTile][D]
  __shared__ long long key_rows[kKeyTile];         // cache element offset of each key, -1 past the end

  const int seq = blockIdx.y, kv_head = blockIdx.z;
  const int group = num_q_heads / cache.num_kv_heads;
  const int q_begin = batch.query_starts[seq];
  const int q_len = batch.query_starts[seq + 1] - q_begin;
  const int context = batch.context_lens[seq];
  const int rows_total = q_len * group;
  const int row0 = blockIdx.x * kPrefillRows;
  if (row0 >= rows_total) return;
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const std::int32_t* table = batch.block_tables + static_cast<std::size_t>(seq) * batch.max_blocks_per_seq;

  for (int idx = threadIdx.x; idx < kPrefillRows * D; idx += kThreads) {
    const int row = row0 + idx / D, dim = idx % D;
    float v = 0.0f;
    if (row < rows_total) {
      const int token = row / group, head = kv_head * group + row % group;
      v = load_as_float(q[static_cast<std::size_t>(q_begin + token) * q_row_stride + head * D + dim]) * scale;
    }
    q_tile[idx] = v;
  }

  const int last_row = min(row0 + kPrefillRows, rows_total) - 1;
  const int key_end = context - q_len + last_row / group + 1;

  int position[kRowsPerWarp];
  float running_max[kRowsPerWarp], running_sum[kRowsPerWarp], acc[kRowsPerWarp][E];
#pragma unroll
  for (int i = 0; i < kRowsPerWarp; ++i) {
    const int row = row0 + warp * kRowsPerWarp + i;
    position[i] = row < rows_total ? context - q_len + row / group : -1;
    running_max[i] = -INFINITY;
    running_sum[i] = 0.0f;
#pragma unroll
    for (int e = 0; e < E; ++e) acc[i][e] = 0.0f;
  }

  for (int tile = 0; tile < key_end; tile += kKeyTile) {
    __syncthreads();  // the previous tile is consumed (and q_tile is complete on the first pass)
    if (threadIdx.x < kKeyTile) {
      const int key = tile + threadIdx.x;
      key_rows[threadIdx.x] = key < key_end ? static_cast<long long>(cache_row(cache, table, kv_head, key)) : -1;
    }
    __syncthreads();
    for (int idx = threadIdx.x; idx < kKeyTile * D; idx += kThreads) {
      const int j = idx / D, dim = idx % D;
      const long long at = key_rows[j];
      k_tile[j * (D + 1) + dim] = at >= 0 ? to_float(cache.key[at + dim]) : 0.0f;
      v_tile[j * D + dim] = at >= 0 ? to_float(cache.value[at + dim]) : 0.0f;
    }
    __syncthreads();

#pragma unroll
    for (int i = 0; i < kRowsPerWarp; ++i) {
      if (position[i] < tile) continue;  // the whole tile is in this row's future (uniform in the warp)
      const float* query = q_tile + (warp * kRowsPerWarp + i) * D;
      const int key = tile + lane;
      const bool visible = key <= position[i];
      float score = -INFINITY;
      if (visible) {
        score = 0.0f;
        const float* k = k_tile + lane * (D + 1);
#pragma unroll 16
        for (int dim = 0; dim < D; ++dim) score += query[dim] * k[dim];
      }
      const float new_max = fmaxf(running_max[i], cuda_detail::warp_max(score));  // finite: key `tile` is visible
      const float rescale = expf(running_max[i] - new_max);
      const float p = visible ? expf(score - new_max) : 0.0f;
      running_sum[i] = running_sum[i] * rescale + p;  // per-lane partial; summed over the warp at the end
#pragma unroll
      for (int e = 0; e < E; ++e) acc[i][e] *= rescale;
      for (int j = 0; j < kKeyTile; ++j) {
        const float pj = __shfl_sync(0xffffffffu, p, j);
#pragma unroll
        for (int e = 0; e < E; ++e) acc[i][e] += pj * v_tile[j * D + lane + 32 * e];
      }
      running_max[i] = new_max;
    }
  }

#pragma unroll
  for (int i = 0; i < kRowsPerWarp; ++i) {
    if (position[i] < 0) continue;
    const float total = cuda_detail::warp_sum(running_sum[i]);
    const int row = row0 + warp * kRowsPerWarp + i;
    const int token = row / group, head = kv_head * group + row % group;
    T* o = out + (static_cast<std::size_t>(q_begin + token) * num_q_heads + head) * D;
    const float inverse_total = total > 0.0f ? 1.0f / total : 0.0f;
#pragma unroll
    for (int e = 0; e < E; ++e) o[lane + 32 * e] = store_from_float<T>(acc[i][e] * inverse_total);
  }
}

struct DecodeWorkspace {
  float* max;   // [num_seqs][num_q_heads][num_splits]
  float* sum;   // same
  float* acc;   // [num_seqs][num_q_heads][num_splits][D], unnormalized
  int num_splits;
};

// Loads E consecutive bf16 values (E = 2 or 4) as floats.
template <int E>
__device__ __forceinline__ void load_bf16(const bf16* source, float* out) {
  if constexpr (E == 4) {
    const uint2 raw = *reinterpret_cast<const uint2*>(source);
    out[0] = bits_float(raw.x << 16);
    out[1] = bits_float(raw.x & 0xffff0000u);
    out[2] = bits_float(raw.y << 16);
    out[3] = bits_float(raw.y & 0xffff0000u);
  } else {
    const unsigned raw = *reinterpret_cast<const unsigned*>(source);
    out[0] = bits_float(raw << 16);
    out[1] = bits_float(raw & 0xffff0000u);
  }
}

template <typename T, int D>
__global__ void __launch_bounds__(kThreads)
    decode_split_kernel(const T* q, int q_row_stride, int num_q_heads, KvCacheView cache, PagedBatch batch,
                        float scale, DecodeWorkspace work) {
  constexpr int E = D / 32;  // value dims per lane: lane * E + e
  constexpr int H = kHeadsPerDecodeBlock;
  __shared__ float q_tile[H][D];
  __shared__ float warp_max_of[kWarps][H], warp_sum_of[kWarps][H];
  __shared__ float warp_acc[kWarps][H][D];

  const int split = blockIdx.x, seq = blockIdx.y;
  const int group = num_q_heads / cache.num_kv_heads;
  const int chunks = (group + H - 1) / H;
  const int kv_head = blockIdx.z / chunks, first = (blockIdx.z % chunks) * H;
  const int heads = min(H, group - first);
  const int context = batch.context_lens[seq];
  const int begin = split * kDecodeSplitTokens;
  if (begin >= context) return;  // the reduce pass only reads splits that hold keys
  const int end = min(begin + kDecodeSplitTokens, context);
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const std::int32_t* table = batch.block_tables + static_cast<std::size_t>(seq) * batch.max_blocks_per_seq;

  for (int idx = threadIdx.x; idx < heads * D; idx += kThreads) {
    const int g = idx / D, dim = idx % D;
    const int head = kv_head * group + first + g;
    q_tile[g][dim] = load_as_float(q[static_cast<std::size_t>(seq) * q_row_stride + head * D + dim]) * scale;
  }
  __syncthreads();

  float running_max[H], running_sum[H], acc[H][E];
#pragma unroll
  for (int g = 0; g < H; ++g) {
    running_max[g] = -INFINITY;
    running_sum[g] = 0.0f;
#pragma unroll
    for (int e = 0; e < E; ++e) acc[g][e] = 0.0f;
  }

  for (int tile = begin + warp * 32; tile < end; tile += kThreads) {
    const int key = tile + lane;
    const bool valid = key < end;
    const unsigned long long row = valid ? cache_row(cache, table, kv_head, key) : 0ull;
    float score[H];
#pragma unroll
    for (int g = 0; g < H; ++g) score[g] = 0.0f;
    if (valid) {
      const bf16* k = cache.key + row;
#pragma unroll 4
      for (int d0 = 0; d0 < D; d0 += 8) {
        const uint4 raw = *reinterpret_cast<const uint4*>(k + d0);
        const float kf[8] = {bits_float(raw.x << 16), bits_float(raw.x & 0xffff0000u), bits_float(raw.y << 16),
                             bits_float(raw.y & 0xffff0000u), bits_float(raw.z << 16), bits_float(raw.z & 0xffff0000u),
                             bits_float(raw.w << 16), bits_float(raw.w & 0xffff0000u)};
#pragma unroll
        for (int g = 0; g < H; ++g) {
          if (g < heads) {
#pragma unroll
            for (int t = 0; t < 8; ++t) score[g] += q_tile[g][d0 + t] * kf[t];
          }
        }
      }
    }
    float p[H];
#pragma unroll
    for (int g = 0; g < H; ++g) {
      p[g] = 0.0f;
      if (g < heads) {  // uniform over the block
        const float s = valid ? score[g] : -INFINITY;
        const float new_max = fmaxf(running_max[g], cuda_detail::warp_max(s));  // finite: lane 0 is valid
        const float rescale = expf(running_max[g] - new_max);
        p[g] = valid ? expf(s - new_max) : 0.0f;
        running_sum[g] = running_sum[g] * rescale + p[g];
#pragma unroll
        for (int e = 0; e < E; ++e) acc[g][e] *= rescale;
        running_max[g] = new_max;
      }
    }
    const int keys_here = min(32, end - tile);
    for (int j = 0; j < keys_here; ++j) {
      const unsigned long long row_j = __shfl_sync(0xffffffffu, row, j);
      float v[E];
      load_bf16<E>(cache.value + row_j + lane * E, v);
#pragma unroll
      for (int g = 0; g < H; ++g) {
        if (g < heads) {
          const float pj = __shfl_sync(0xffffffffu, p[g], j);
#pragma unroll
          for (int e = 0; e < E; ++e) acc[g][e] += pj * v[e];
        }
      }
    }
  }

#pragma unroll
  for (int g = 0; g < H; ++g) {
    if (g < heads) {
      const float total = cuda_detail::warp_sum(running_sum[g]);
      if (lane == 0) {
        warp_max_of[warp][g] = running_max[g];
        warp_sum_of[warp][g] = total;
      }
#pragma unroll
      for (int e = 0; e < E; ++e) warp_acc[warp][g][lane * E + e] = acc[g][e];
    }
  }
  __syncthreads();

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
    const int head = kv_head * group + first + g;
    const std::size_t slot = (static_cast<std::size_t>(seq) * num_q_heads + head) * work.num_splits + split;
    work.acc[slot * D + dim] = value;
    if (dim == 0) {
      work.max[slot] = block_max;
      work.sum[slot] = total;
    }
  }
}

template <typename T, int D>
__global__ void __launch_bounds__(D)
    decode_reduce_kernel(T* out, int num_q_heads, const std::int32_t* context_lens, DecodeWorkspace work) {
  const int head = blockIdx.x, seq = blockIdx.y, dim = threadIdx.x;
  const int context = context_lens[seq];
  int used = (context + kDecodeSplitTokens - 1) / kDecodeSplitTokens;
  if (used > work.num_splits) used = work.num_splits;
  T* o = out + (static_cast<std::size_t>(seq) * num_q_heads + head) * D;
  if (used <= 0) {
    o[dim] = store_from_float<T>(0.0f);
    return;
  }
  const std::size_t first = (static_cast<std::size_t>(seq) * num_q_heads + head) * work.num_splits;
  float global_max = -INFINITY;
  for (int s = 0; s < used; ++s) global_max = fmaxf(global_max, work.max[first + s]);
  float total = 0.0f, value = 0.0f;
  for (int s = 0; s < used; ++s) {
    const float weight = expf(work.max[first + s] - global_max);
    total += work.sum[first + s] * weight;
    value += work.acc[(first + s) * D + dim] * weight;
  }
  o[dim] = store_from_float<T>(total > 0.0f ? value / total : 0.0f);
}

void check_head_dim(int head_dim, const char* kernel) {
  if (!attention_head_dim_supported(head_dim))
    throw std::invalid_argument(std::string(kernel) + ": head_dim " + std::to_string(head_dim) +
                                " is not built (supported: 64, 128)");
}

template <typename T, int D>
void launch_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                    const PagedBatch& batch, float scale, cudaStream_t stream) {
  const int group = num_q_heads / cache.num_kv_heads;
  const long long row_tiles = (static_cast<long long>(batch.max_query_len) * group + kPrefillRows - 1) / kPrefillRows;
  if (row_tiles > 0x7fffffffLL || batch.num_seqs > 65535 || cache.num_kv_heads > 65535)
    throw std::invalid_argument("paged_attention_prefill: batch of " + std::to_string(batch.num_seqs) +
                                " sequences x " + std::to_string(batch.max_query_len) + " tokens is too large for one launch");
  const dim3 grid(static_cast<unsigned>(row_tiles), static_cast<unsigned>(batch.num_seqs),
                  static_cast<unsigned>(cache.num_kv_heads));
  prefill_kernel<T, D><<<grid, kThreads, prefill_shared_bytes<D>(), stream>>>(q, q_row_stride, out, num_q_heads, cache,
                                                                            batch, scale);
  check_launch("paged_attention prefill_kernel");
}

template <typename T, int D>
void launch_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                   const PagedBatch& batch, float scale, float* workspace, cudaStream_t stream) {
  const int group = num_q_heads / cache.num_kv_heads;
  const int chunks = (group + kHeadsPerDecodeBlock - 1) / kHeadsPerDecodeBlock;
  DecodeWorkspace work{};
  work.num_splits = (batch.max_context_len + kDecodeSplitTokens - 1) / kDecodeSplitTokens;
  if (work.num_splits < 1) work.num_splits = 1;
  const std::size_t slots = static_cast<std::size_t>(batch.num_seqs) * num_q_heads * work.num_splits;
  work.max = workspace;
  work.sum = workspace + slots;
  work.acc = workspace + 2 * slots;
  if (batch.num_seqs > 65535 || static_cast<long long>(cache.num_kv_heads) * chunks > 65535)
    throw std::invalid_argument("paged_attention_decode: " + std::to_string(batch.num_seqs) +
                                " sequences is too large for one launch");
  const dim3 grid(static_cast<unsigned>(work.num_splits), static_cast<unsigned>(batch.num_seqs),
                  static_cast<unsigned>(cache.num_kv_heads * chunks));
  decode_split_kernel<T, D><<<grid, kThreads, 0, stream>>>(q, q_row_stride, num_q_heads, cache, batch, scale, work);
  check_launch("paged_attention decode_split_kernel");
  const dim3 reduce_grid(static_cast<unsigned>(num_q_heads), static_cast<unsigned>(batch.num_seqs));
  decode_reduce_kernel<T, D><<<reduce_grid, D, 0, stream>>>(out, num_q_heads, batch.context_lens, work);
  check_launch("paged_attention decode_reduce_kernel");
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
void paged_attention_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                            const PagedBatch& batch, float scale, float* workspace, Stream stream) {
  validate_attention_shape(num_q_heads, cache, batch, q_row_stride);
  check_head_dim(cache.head_dim, "paged_attention_decode");
  if (workspace == nullptr) throw std::invalid_argument("paged_attention_decode: workspace must not be null");
  if (batch.num_seqs == 0) return;
  if (cache.head_dim == 64)
    launch_decode<T, 64>(q, q_row_stride, out, num_q_heads, cache, batch, scale, workspace, to_cuda(stream));
  else
    launch_decode<T, 128>(q, q_row_stride, out, num_q_heads, cache, batch, scale, workspace, to_cuda(stream));
}

template void paged_attention_prefill<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                             float, Stream);
template void paged_attention_prefill<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                            float, Stream);
template void paged_attention_decode<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                            float, float*, Stream);
template void paged_attention_decode<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                           float, float*, Stream);

}  // namespace r1eval::kernels::cuda
