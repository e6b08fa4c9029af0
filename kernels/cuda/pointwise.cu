// Memory-bound per-token kernels: RMSNorm + residual, a post-norm added to the stream, the norms of whole q and k
// projections, SiLU / GELU * up, scaling and soft caps in place, embedding gather, RoPE (after Qwen3's per-head
// norm or not) + KV-cache write.
#include <cstddef>
#include <stdexcept>
#include <string>

#include "kernels/activation.h"
#include "kernels/cuda/check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/elementwise.h"
#include "kernels/embedding.h"
#include "kernels/norm.h"
#include "kernels/rope.h"

namespace r1eval::kernels::cuda {

using cuda_detail::launch_kernel;
using cuda_detail::embedding_gather_kernel;
using cuda_detail::kNormThreads;
using cuda_detail::qk_projection_norm_kernel;
using cuda_detail::qk_sum_squares_kernel;
using cuda_detail::rmsnorm_add_kernel;
using cuda_detail::rmsnorm_residual_kernel;
using cuda_detail::rope_write_kv_kernel;
using cuda_detail::row_grid;
using cuda_detail::gated_activation_kernel;
using cuda_detail::elementwise_kernel;
using cuda_detail::to_cuda;
using cuda_detail::vector8_ok;

template <typename T>
void rmsnorm_residual(const T* input, T* residual, T* output, const bf16* weight, int rows, int dim, float eps,
                      Stream stream) {
  if (rows < 0) throw std::invalid_argument("rmsnorm_residual: rows must be >= 0, got " + std::to_string(rows));
  if (dim <= 0) throw std::invalid_argument("rmsnorm_residual: dim must be > 0, got " + std::to_string(dim));
  if (rows == 0) return;
  const auto kernel = vector8_ok(dim, {input, residual, output, weight}) ? rmsnorm_residual_kernel<T, 8>
                                                                         : rmsnorm_residual_kernel<T, 1>;
  launch_kernel("rmsnorm_residual_kernel", kernel, dim3(static_cast<unsigned>(rows)), dim3(kNormThreads),
                to_cuda(stream), input, residual, output, weight, dim, eps);
}

template <typename T>
void rmsnorm_add(const T* input, T* residual, const bf16* weight, int rows, int dim, float eps, Stream stream) {
  if (rows < 0) throw std::invalid_argument("rmsnorm_add: rows must be >= 0, got " + std::to_string(rows));
  if (dim <= 0) throw std::invalid_argument("rmsnorm_add: dim must be > 0, got " + std::to_string(dim));
  if (rows == 0) return;
  const auto kernel = vector8_ok(dim, {input, residual, weight}) ? rmsnorm_add_kernel<T, 8> : rmsnorm_add_kernel<T, 1>;
  launch_kernel("rmsnorm_add_kernel", kernel, dim3(static_cast<unsigned>(rows)), dim3(kNormThreads), to_cuda(stream),
                input, residual, weight, dim, eps);
}

template <typename T>
void qk_sum_squares(const T* qkv, int rows, int q_width, int kv_width, float* sums, Stream stream) {
  validate_projection_norm("qk_sum_squares", rows, q_width, kv_width, nullptr);
  if (rows == 0) return;
  launch_kernel("qk_sum_squares_kernel", qk_sum_squares_kernel<T>, dim3(static_cast<unsigned>(rows)),
                dim3(kNormThreads), to_cuda(stream), qkv, q_width, kv_width, sums);
}

template <typename T>
void qk_projection_norm(T* qkv, int rows, int q_width, int kv_width, const ProjectionNorm& norm, Stream stream) {
  validate_projection_norm("qk_projection_norm", rows, q_width, kv_width, &norm);
  if (rows == 0) return;
  launch_kernel("qk_projection_norm_kernel", qk_projection_norm_kernel<T>, dim3(static_cast<unsigned>(rows)),
                dim3(kNormThreads), to_cuda(stream), qkv, q_width, kv_width, norm);
}

namespace {

template <typename T, GateActivation kActivation>
void launch_gated_activation(const char* name, const T* gate_up, T* output, int rows, int cols, cudaStream_t stream) {
  if (vector8_ok(cols, {gate_up, output}))
    launch_kernel(name, gated_activation_kernel<T, 8, kActivation>, row_grid(rows, cols / 8, 256), dim3(256), stream,
                  gate_up, output, rows, cols);
  else
    launch_kernel(name, gated_activation_kernel<T, 1, kActivation>, row_grid(rows, cols, 256), dim3(256), stream,
                  gate_up, output, rows, cols);
}

template <typename T, bool kSoftCap>
void launch_elementwise(const char* name, T* x, std::size_t count, float factor, cudaStream_t stream) {
  if (count == 0) return;
  const std::size_t blocks = (count + 255) / 256;
  launch_kernel(name, elementwise_kernel<T, kSoftCap>, dim3(static_cast<unsigned>(blocks < 65535 ? blocks : 65535)),
                dim3(256), stream, x, count, factor);
}

}  // namespace

template <typename T>
void gated_activation_mul(const T* gate_up, T* output, int rows, int cols, GateActivation activation, Stream stream) {
  if (rows < 0) throw std::invalid_argument("gated_activation_mul: rows must be >= 0, got " + std::to_string(rows));
  if (cols <= 0) throw std::invalid_argument("gated_activation_mul: cols must be > 0, got " + std::to_string(cols));
  if (rows == 0) return;
  switch (activation) {
    case GateActivation::silu:
      return launch_gated_activation<T, GateActivation::silu>("silu_mul_kernel", gate_up, output, rows, cols,
                                                              to_cuda(stream));
    case GateActivation::gelu_tanh:
      return launch_gated_activation<T, GateActivation::gelu_tanh>("gelu_tanh_mul_kernel", gate_up, output, rows, cols,
                                                                   to_cuda(stream));
    case GateActivation::gelu:
      return launch_gated_activation<T, GateActivation::gelu>("gelu_mul_kernel", gate_up, output, rows, cols,
                                                              to_cuda(stream));
  }
}

template <typename T>
void silu_mul(const T* gate_up, T* output, int rows, int cols, Stream stream) {
  gated_activation_mul(gate_up, output, rows, cols, GateActivation::silu, stream);
}

template <typename T>
void scale_values(T* x, std::size_t count, float factor, Stream stream) {
  validate_elementwise("scale_values", x, count, factor, false);
  launch_elementwise<T, false>("scale_values_kernel", x, count, factor, to_cuda(stream));
}

template <typename T>
void soft_cap_values(T* x, std::size_t count, float cap, Stream stream) {
  validate_elementwise("soft_cap_values", x, count, cap, true);
  launch_elementwise<T, true>("soft_cap_values_kernel", x, count, cap, to_cuda(stream));
}

template <typename T>
void embedding_gather(const std::int32_t* token_ids, int count, const bf16* table, int vocab, int dim, T* output,
                      Stream stream) {
  if (count < 0) throw std::invalid_argument("embedding_gather: count must be >= 0, got " + std::to_string(count));
  if (vocab <= 0 || dim <= 0)
    throw std::invalid_argument("embedding_gather: vocab and dim must be > 0, got " + std::to_string(vocab) + " x " +
                                std::to_string(dim));
  if (count == 0) return;
  launch_kernel("embedding_gather_kernel", embedding_gather_kernel<T>, row_grid(count, dim, 256), dim3(256),
                to_cuda(stream), token_ids, count, table, vocab, dim, output);
}

namespace {

// Both entry points: `norm.q_weight` null is plain RoPE.
template <typename T>
void launch_rope(const char* what, T* qkv, int num_tokens, int num_q_heads, const HeadNorm& norm,
                 const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                 const KvCacheView& cache, Stream stream) {
  validate_kv_cache(cache);
  const std::string name(what);
  if (num_tokens < 0) throw std::invalid_argument(name + ": num_tokens must be >= 0");
  if (num_q_heads <= 0) throw std::invalid_argument(name + ": num_q_heads must be > 0");
  if (cache.head_dim % 2 != 0 || cache.head_dim > 2 * cuda_detail::kRopeMaxHalf)
    throw std::invalid_argument(name + ": head_dim must be even and at most " +
                                std::to_string(2 * cuda_detail::kRopeMaxHalf) + ", got " + std::to_string(cache.head_dim));
  validate_rotary(what, rotary, cache.head_dim);
  if (norm.q_weight != nullptr && num_q_heads + cache.num_kv_heads > kMaxNormedHeads)
    throw std::invalid_argument(name + ": at most " + std::to_string(kMaxNormedHeads) + " q and k heads, got " +
                                std::to_string(num_q_heads + cache.num_kv_heads));
  if (num_tokens == 0) return;
  launch_kernel("rope_write_kv_kernel", rope_write_kv_kernel<T>, dim3(static_cast<unsigned>(num_tokens)),
                dim3(cuda_detail::kRopeThreads), to_cuda(stream), qkv, num_q_heads, positions, slot_mapping, rotary,
                cache, norm);
}

}  // namespace

template <typename T>
void rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const std::int32_t* positions,
                   const std::int64_t* slot_mapping, const Rotary& rotary, const KvCacheView& cache,
                   Stream stream) {
  launch_rope("rope_write_kv", qkv, num_tokens, num_q_heads, HeadNorm{}, positions, slot_mapping, rotary, cache,
              stream);
}

template <typename T>
void qk_norm_rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const HeadNorm& norm,
                           const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                           const KvCacheView& cache, Stream stream) {
  if (norm.q_weight == nullptr || norm.k_weight == nullptr)
    throw std::invalid_argument("qk_norm_rope_write_kv: the q and k norm weights must not be null");
  launch_rope("qk_norm_rope_write_kv", qkv, num_tokens, num_q_heads, norm, positions, slot_mapping, rotary, cache,
              stream);
}

template void rmsnorm_residual<float>(const float*, float*, float*, const bf16*, int, int, float, Stream);
template void rmsnorm_residual<bf16>(const bf16*, bf16*, bf16*, const bf16*, int, int, float, Stream);
template void rmsnorm_add<float>(const float*, float*, const bf16*, int, int, float, Stream);
template void rmsnorm_add<bf16>(const bf16*, bf16*, const bf16*, int, int, float, Stream);
template void qk_sum_squares<float>(const float*, int, int, int, float*, Stream);
template void qk_sum_squares<bf16>(const bf16*, int, int, int, float*, Stream);
template void qk_projection_norm<float>(float*, int, int, int, const ProjectionNorm&, Stream);
template void qk_projection_norm<bf16>(bf16*, int, int, int, const ProjectionNorm&, Stream);
template void silu_mul<float>(const float*, float*, int, int, Stream);
template void silu_mul<bf16>(const bf16*, bf16*, int, int, Stream);
template void gated_activation_mul<float>(const float*, float*, int, int, GateActivation, Stream);
template void gated_activation_mul<bf16>(const bf16*, bf16*, int, int, GateActivation, Stream);
template void scale_values<float>(float*, std::size_t, float, Stream);
template void scale_values<bf16>(bf16*, std::size_t, float, Stream);
template void soft_cap_values<float>(float*, std::size_t, float, Stream);
template void soft_cap_values<bf16>(bf16*, std::size_t, float, Stream);
template void embedding_gather<float>(const std::int32_t*, int, const bf16*, int, int, float*, Stream);
template void embedding_gather<bf16>(const std::int32_t*, int, const bf16*, int, int, bf16*, Stream);
template void rope_write_kv<float>(float*, int, int, const std::int32_t*, const std::int64_t*, const Rotary&,
                                   const KvCacheView&, Stream);
template void rope_write_kv<bf16>(bf16*, int, int, const std::int32_t*, const std::int64_t*, const Rotary&,
                                  const KvCacheView&, Stream);
template void qk_norm_rope_write_kv<float>(float*, int, int, const HeadNorm&, const std::int32_t*,
                                           const std::int64_t*, const Rotary&, const KvCacheView&, Stream);
template void qk_norm_rope_write_kv<bf16>(bf16*, int, int, const HeadNorm&, const std::int32_t*, const std::int64_t*,
                                          const Rotary&, const KvCacheView&, Stream);

}  // namespace r1eval::kernels::cuda
