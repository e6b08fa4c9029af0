// Launchers of the fused decode projections (projection.h): the gemv_pair_kernel of gemv_kernels.cuh
// where gemv applies (and, with the norm in front, where the rows fit its shared tile), else the separate
// kernels. matmul_add_residual is in matmul.cu, beside cuBLASLt.
#include <stdexcept>
#include <string>

#include "kernels/activation.h"
#include "kernels/cuda/gemv_kernels.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/projection.h"
#include "kernels/rope.h"

namespace r1eval::kernels::cuda {

using cuda_detail::gemv_pair_grid;
using cuda_detail::gemv_pair_kernel;
using cuda_detail::kGemvThreads;
using cuda_detail::launch_kernel;
using cuda_detail::RopeWritePairs;
using cuda_detail::SiluMulPairs;
using cuda_detail::to_cuda;

namespace {

// gemv_pair_kernel<T, m, Epilogue, kNorm> for the m at hand (1 <= m <= kGemvMaxRows).
template <typename T, bool kNorm, typename Epilogue>
void launch_pairs(const char* name, const bf16* x, const bf16* weight, const bf16* bias, int m, int k, int pairs,
                  const Epilogue& epilogue, const bf16* norm_weight, float eps, cudaStream_t stream) {
  static_assert(kGemvMaxRows == 4, "one gemv_pair_kernel instance per row count");
  const dim3 grid = gemv_pair_grid(pairs), block(kGemvThreads);
  switch (m) {
    case 1: return launch_kernel(name, gemv_pair_kernel<T, 1, Epilogue, kNorm>, grid, block, stream, x, weight, bias,
                                 k, epilogue, norm_weight, eps);
    case 2: return launch_kernel(name, gemv_pair_kernel<T, 2, Epilogue, kNorm>, grid, block, stream, x, weight, bias,
                                 k, epilogue, norm_weight, eps);
    case 3: return launch_kernel(name, gemv_pair_kernel<T, 3, Epilogue, kNorm>, grid, block, stream, x, weight, bias,
                                 k, epilogue, norm_weight, eps);
    default: return launch_kernel(name, gemv_pair_kernel<T, 4, Epilogue, kNorm>, grid, block, stream, x, weight,
                                  bias, k, epilogue, norm_weight, eps);
  }
}

void check_rows(const char* what, int m, int k) {
  if (m < 0 || k < 0)
    throw std::invalid_argument(std::string(what) + ": m and k must be >= 0, got m=" + std::to_string(m) +
                                " k=" + std::to_string(k));
}

// The shapes the fused RoPE epilogue (and rope_write_kv) takes: one line naming `what` otherwise.
void check_rope_shape(const char* what, int num_q_heads, const KvCacheView& cache) {
  validate_kv_cache(cache);
  if (num_q_heads <= 0) throw std::invalid_argument(std::string(what) + ": num_q_heads must be > 0");
  if (cache.head_dim % 2 != 0 || cache.head_dim > 2 * cuda_detail::kRopeMaxHalf)
    throw std::invalid_argument(std::string(what) + ": head_dim must be even and at most " +
                                std::to_string(2 * cuda_detail::kRopeMaxHalf) + ", got " + std::to_string(cache.head_dim));
}

// The x a projection reads, and the norm its pair kernel still has to apply (null: none). Without a norm
// (norm_weight null) the input itself. With one: the input and the norm where the pair kernel can
// normalize the rows itself (gemv applies, the rows fit its shared tile, rmsnorm's 8-wide loads apply),
// else the rmsnorm kernel's output in `normed`.
struct ProjectionInput {
  const bf16* x;
  const bf16* norm_weight;
};

ProjectionInput projection_input(const char* what, const bf16* input, const bf16* norm_weight, float eps,
                                 bf16* normed, const bf16* weight, int m, int k, Stream stream) {
  if (norm_weight == nullptr) return {input, nullptr};
  if (k <= 0) throw std::invalid_argument(std::string(what) + ": k must be > 0, got " + std::to_string(k));
  if (gemv_applies(input, weight, m, k) && static_cast<long long>(m) * k <= cuda_detail::kGemvNormTileElements &&
      cuda_detail::vector8_ok(k, {input, norm_weight}))
    return {input, norm_weight};
  rmsnorm_residual<bf16>(input, nullptr, normed, norm_weight, m, k, eps, stream);
  return {normed, nullptr};
}

// A public entry point: its name (bad arguments) and its pair-kernel launches' name (a launch error and the
// kernel timeline name call and kernel), both literals so that a decode step builds no strings.
struct Entry {
  const char* what;
  const char* kernel;
};
constexpr Entry kMatmulRopeWriteKv{"matmul_rope_write_kv", "matmul_rope_write_kv gemv_pair_kernel"};
constexpr Entry kMatmulSiluMul{"matmul_silu_mul", "matmul_silu_mul gemv_pair_kernel"};
constexpr Entry kRmsnormMatmulRopeWriteKv{"rmsnorm_matmul_rope_write_kv",
                                          "rmsnorm_matmul_rope_write_kv gemv_pair_kernel"};
constexpr Entry kRmsnormMatmulSiluMul{"rmsnorm_matmul_silu_mul", "rmsnorm_matmul_silu_mul gemv_pair_kernel"};

// The gemv_pair_kernel of `epilogue` over `pairs` pairs, normalizing x first when in.norm_weight is set.
template <typename T, typename Epilogue>
void launch_projection(const char* kernel, const ProjectionInput& in, const bf16* weight, const bf16* bias, int m,
                       int k, int pairs, const Epilogue& epilogue, float eps, Stream stream) {
  if (in.norm_weight != nullptr)
    launch_pairs<T, true>(kernel, in.x, weight, bias, m, k, pairs, epilogue, in.norm_weight, eps, to_cuda(stream));
  else
    launch_pairs<T, false>(kernel, in.x, weight, bias, m, k, pairs, epilogue, nullptr, 0.0f, to_cuda(stream));
}

// q/k/v projection + RoPE + KV write, with the norm in front when norm_weight is set.
template <typename T>
void rope_projection(const Entry& entry, const bf16* input, const bf16* norm_weight, float eps, bf16* normed,
                     const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                     const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                     const KvCacheView& cache, Stream stream) {
  check_rope_shape(entry.what, num_q_heads, cache);
  validate_rotary(entry.what, rotary, cache.head_dim);
  check_rows(entry.what, m, k);
  const ProjectionInput in = projection_input(entry.what, input, norm_weight, eps, normed, weight, m, k, stream);
  const int width = (num_q_heads + 2 * cache.num_kv_heads) * cache.head_dim;
  if (!gemv_applies(in.x, weight, m, k)) {
    matmul<T>(in.x, weight, bias, qkv, m, width, k, stream);
    rope_write_kv<T>(qkv, m, num_q_heads, positions, slot_mapping, rotary, cache, stream);
    return;
  }
  launch_projection<T>(entry.kernel, in, weight, bias, m, k, width / 2,
                       RopeWritePairs<T>{qkv, num_q_heads, positions, slot_mapping, rotary, cache}, eps, stream);
}

// gate/up projection + SiLU * up, with the norm in front when norm_weight is set.
template <typename T>
void silu_projection(const Entry& entry, const bf16* input, const bf16* norm_weight, float eps, bf16* normed,
                     const bf16* weight, const bf16* bias, T* gate_up, T* out, int m, int inter, int k, Stream stream) {
  if (inter <= 0)
    throw std::invalid_argument(std::string(entry.what) + ": inter must be > 0, got " + std::to_string(inter));
  check_rows(entry.what, m, k);
  const ProjectionInput in = projection_input(entry.what, input, norm_weight, eps, normed, weight, m, k, stream);
  if (!gemv_applies(in.x, weight, m, k)) {
    matmul<T>(in.x, weight, bias, gate_up, m, 2 * inter, k, stream);
    silu_mul<T>(gate_up, out, m, inter, stream);
    return;
  }
  launch_projection<T>(entry.kernel, in, weight, bias, m, k, inter, SiluMulPairs<T>{out, inter}, eps, stream);
}

void check_norm_weight(const char* what, const bf16* norm_weight) {
  if (norm_weight == nullptr) throw std::invalid_argument(std::string(what) + ": norm_weight must not be null");
}

}  // namespace

template <typename T>
void matmul_rope_write_kv(const bf16* x, const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                          const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                          const KvCacheView& cache, Stream stream) {
  rope_projection<T>(kMatmulRopeWriteKv, x, nullptr, 0.0f, nullptr, weight, bias, qkv, m, num_q_heads, k,
                     positions, slot_mapping, rotary, cache, stream);
}

template <typename T>
void matmul_silu_mul(const bf16* x, const bf16* weight, const bf16* bias, T* gate_up, T* out, int m, int inter, int k,
                     Stream stream) {
  silu_projection<T>(kMatmulSiluMul, x, nullptr, 0.0f, nullptr, weight, bias, gate_up, out, m, inter, k, stream);
}

template <typename T>
void rmsnorm_matmul_rope_write_kv(const bf16* input, const bf16* norm_weight, float eps, bf16* normed,
                                  const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                                  const std::int32_t* positions, const std::int64_t* slot_mapping,
                                  const Rotary& rotary, const KvCacheView& cache, Stream stream) {
  check_norm_weight(kRmsnormMatmulRopeWriteKv.what, norm_weight);
  rope_projection<T>(kRmsnormMatmulRopeWriteKv, input, norm_weight, eps, normed, weight, bias, qkv, m,
                     num_q_heads, k, positions, slot_mapping, rotary, cache, stream);
}

template <typename T>
void rmsnorm_matmul_silu_mul(const bf16* input, const bf16* norm_weight, float eps, bf16* normed, const bf16* weight,
                             const bf16* bias, T* gate_up, T* out, int m, int inter, int k, Stream stream) {
  check_norm_weight(kRmsnormMatmulSiluMul.what, norm_weight);
  silu_projection<T>(kRmsnormMatmulSiluMul, input, norm_weight, eps, normed, weight, bias, gate_up, out, m, inter,
                     k, stream);
}

template void matmul_rope_write_kv<float>(const bf16*, const bf16*, const bf16*, float*, int, int, int,
                                          const std::int32_t*, const std::int64_t*, const Rotary&, const KvCacheView&,
                                          Stream);
template void matmul_rope_write_kv<bf16>(const bf16*, const bf16*, const bf16*, bf16*, int, int, int,
                                         const std::int32_t*, const std::int64_t*, const Rotary&, const KvCacheView&,
                                         Stream);
template void matmul_silu_mul<float>(const bf16*, const bf16*, const bf16*, float*, float*, int, int, int, Stream);
template void matmul_silu_mul<bf16>(const bf16*, const bf16*, const bf16*, bf16*, bf16*, int, int, int, Stream);
template void rmsnorm_matmul_rope_write_kv<bf16>(const bf16*, const bf16*, float, bf16*, const bf16*, const bf16*,
                                                 bf16*, int, int, int, const std::int32_t*, const std::int64_t*,
                                                 const Rotary&, const KvCacheView&, Stream);
template void rmsnorm_matmul_silu_mul<bf16>(const bf16*, const bf16*, float, bf16*, const bf16*, const bf16*, bf16*,
                                            bf16*, int, int, int, Stream);

}  // namespace r1eval::kernels::cuda
