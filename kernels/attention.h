// Paged attention over the KV cache: prefill (many query tokens per sequence, causal) and decode
// (one query token per sequence, split over long contexts). Grouped-query: query head h reads kv head
// h / (num_q_heads / num_kv_heads).
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/host_device.h"
#include "kernels/kv_cache.h"

namespace r1eval::kernels {

// A flat ragged batch. Sequence s owns query rows [query_starts[s], query_starts[s+1]); they are its
// last tokens, so query row i of a sequence with q_len rows sits at position context_lens[s] - q_len + i
// and attends to cache positions 0 .. that position, or with a sliding window W > 0 to the last W of them
// (position - W + 1 .. position, as transformers and vLLM mask Mistral's and Qwen2's window layers). The cache already holds all context_lens[s] tokens
// (rope_write_kv ran first). block_tables is [num_seqs][max_blocks_per_seq]. max_query_len and
// max_context_len are host-side bounds over the batch that size the CUDA launches: they may be loose
// but must not be exceeded (the device cannot check; rows or keys past them would be left out).
struct PagedBatch {
  int num_seqs = 0;
  const std::int32_t* query_starts = nullptr;  // [num_seqs + 1]; decode ignores it (row s is sequence s)
  const std::int32_t* context_lens = nullptr;  // [num_seqs]
  const std::int32_t* block_tables = nullptr;  // [num_seqs * max_blocks_per_seq]
  int max_blocks_per_seq = 0;
  int max_query_len = 0;
  int max_context_len = 0;
  int window = 0;  // sliding window of this layer; 0: the whole causal context
  // Gemma 2's attn_logit_softcapping: each scaled score s becomes softcap * tanh(s / softcap) before the
  // mask and the softmax, as transformers does; 0: scores as they are.
  float softcap = 0.0f;
  // gpt-oss's attention sinks: one logit per query head ([num_q_heads], this rank's heads, in the units of
  // the scaled scores; bf16, as checkpoints store them) that joins each row's softmax denominator but brings no
  // value, as transformers appends it to the scores before the softmax and drops its column after; null: none.
  const bf16* sinks = nullptr;
};

// A scaled attention score after the soft cap (PagedBatch::softcap; 0 leaves it).
R1EVAL_HOST_DEVICE float soft_capped_score(float score, float softcap) {
  return softcap > 0.0f ? softcap * tanhf(score / softcap) : score;
}

// A row's softmax denominator with its head's sink (PagedBatch::sinks; null: none): `sum` holds exp(score -
// max) over the row's keys; a sink far above every score gives an infinite denominator and a zero row, its limit.
R1EVAL_HOST_DEVICE float softmax_total_with_sink(float sum, float max, const bf16* sinks, int head) {
  return sinks != nullptr ? sum + expf(to_float(sinks[head]) - max) : sum;
}

// Head dims the CUDA kernels are built for: 64 and 128 (every Qwen2 / Llama distill uses 128), 96 (Phi-3-mini)
// and 256 (Gemma). Prefill runs on tensor cores at all four; decode at 64 and 128 (96 and 256 on CUDA cores).
constexpr bool attention_head_dim_supported(int head_dim) {
  return head_dim == 64 || head_dim == 96 || head_dim == 128 || head_dim == 256;
}
constexpr bool attention_tensor_core_prefill_head_dim(int head_dim) { return attention_head_dim_supported(head_dim); }
constexpr bool attention_tensor_core_decode_head_dim(int head_dim) { return head_dim == 64 || head_dim == 128; }

// out[row][h][:] = softmax(scale * q[row][h] . K^T) V over the causal window, fp32 throughout, rounded to
// T once (the CUDA tensor-core kernels, which bf16 activations get by default, also round the softmax
// weights to bf16: see PrefillKernel and DecodeKernel). q rows are q_row_stride elements apart (so q may point into the fused qkv buffer); out is
// dense [rows][num_q_heads][head_dim]. Throws std::invalid_argument naming the argument for head counts
// that do not divide, an unsupported head_dim, a null table, or a negative or non-finite softcap. The CPU twin throws std::out_of_range
// naming the sequence when its context exceeds its block table or a block id is outside the pool.
namespace cpu {
template <typename T>
void paged_attention_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                             const PagedBatch& batch, float scale, Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void paged_attention_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                             const PagedBatch& batch, float scale, Stream stream = nullptr);
// The kernel paged_attention_prefill runs. tensor_cores: bf16 mma with fp32 accumulation, the softmax weights
// rounded to bf16 before they multiply V (as FlashAttention does); bf16 activations only, q rows 4-byte
// aligned, the pools 16-byte aligned, head_dim 64 or 128. cuda_cores: fp32 throughout, any T. automatic: tensor
// cores where they apply, unless R1EVAL_TENSOR_CORE_ATTENTION=0 in the environment.
enum class PrefillKernel { automatic, cuda_cores, tensor_cores };
// paged_attention_prefill with the kernel chosen by the caller (tests and benchmarks compare the two);
// throws std::invalid_argument when tensor_cores cannot run these arguments.
template <typename T>
void paged_attention_prefill_with(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                                  const PagedBatch& batch, float scale, PrefillKernel kernel,
                                  Stream stream = nullptr);
}  // namespace cuda

// Keys per split of the decode kernel: each split of a sequence is its own thread block, and a reduce pass
// merges their partial softmax states. 256 keys, or fewer (halving down to 32) while the batch has fewer
// than kDecodeTargetSplits sequence-splits: a small batch at a short context would otherwise run on a
// handful of blocks and wait on memory latency instead of bandwidth. Splits under 128 keys are scored with
// 8-key tiles per warp (four lanes per key), so that every warp of a block has keys.
inline constexpr int kDecodeSplitTokens = 256;
inline constexpr int kDecodeMinSplitTokens = 32;
inline constexpr int kDecodeTargetSplits = 64;
inline int decode_split_tokens(int num_seqs, int max_context_len) {
  int split = kDecodeSplitTokens;
  while (split > kDecodeMinSplitTokens &&
         static_cast<long long>(num_seqs) * ((max_context_len + split - 1) / split) < kDecodeTargetSplits)
    split /= 2;
  return split;
}

// Floats of scratch the decode pass needs for this batch shape (per split: max, sum, head_dim partials).
inline std::size_t decode_workspace_floats(int num_seqs, int num_q_heads, int head_dim, int max_context_len) {
  const int split = decode_split_tokens(num_seqs, max_context_len);
  const std::size_t splits = static_cast<std::size_t>((max_context_len + split - 1) / split);
  return static_cast<std::size_t>(num_seqs) * num_q_heads * (splits == 0 ? 1 : splits) * (head_dim + 2);
}

// One query row per sequence (row s belongs to sequence s, at position context_lens[s] - 1); same result
// as paged_attention_prefill with q_len = 1. workspace holds decode_workspace_floats(...) floats of
// device memory for the CUDA kernel, whose cache pools must be 16-byte aligned (it reads keys 16 bytes at a
// time; std::invalid_argument otherwise); the CPU twin needs none (it may be null). A sequence with
// context 0 gets zeros. The launch depends only on num_seqs, the head counts and max_context_len, so a
// CUDA graph captured with a fixed bound (say the model's maximum length) replays for any contexts
// under it; splits past a sequence's context exit at once.
namespace cpu {
template <typename T>
void paged_attention_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                            const PagedBatch& batch, float scale, float* workspace, Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void paged_attention_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                            const PagedBatch& batch, float scale, float* workspace, Stream stream = nullptr);
// The split pass paged_attention_decode runs. cuda_cores_32_key_tiles: a lane per key; cuda_cores_8_key_tiles:
// four lanes a key, so a short split still keeps every warp busy; both fp32, any T. tensor_cores: the kv
// head's query group (up to 16 heads) as the rows of bf16 mma products, the softmax weights rounded to bf16
// before they multiply V; bf16 activations only, q rows 4-byte aligned, the pools 16-byte aligned, head_dim
// 64 or 128. automatic: tensor cores where they apply and splits are 128 keys or more (large batches), else the
// CUDA-core tiles by split size (8-key tiles always at head_dim 96 and 256, which refuse 32-key tiles);
// R1EVAL_TENSOR_CORE_ATTENTION=0 in the environment keeps it off tensor cores.
enum class DecodeKernel { automatic, cuda_cores_32_key_tiles, cuda_cores_8_key_tiles, tensor_cores };
// paged_attention_decode with the split pass chosen by the caller (tests and benchmarks compare them);
// throws std::invalid_argument when tensor_cores cannot run these arguments.
template <typename T>
void paged_attention_decode_with(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                                 const PagedBatch& batch, float scale, float* workspace, DecodeKernel kernel,
                                 Stream stream = nullptr);
}  // namespace cuda

// Shared argument checks (CPU and CUDA); throw std::invalid_argument with one line naming the argument.
void validate_attention_shape(int num_q_heads, const KvCacheView& cache, const PagedBatch& batch, int q_row_stride);

}  // namespace r1eval::kernels
