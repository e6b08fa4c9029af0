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

// Whether the norm can run inside the pair kernel: gemv applies and the rows fit its shared tile (and
// rmsnorm's 8-wide loads apply to them).
bool norm_fuses(const bf16* input, const bf16* norm_weight, const bf16* weight, int m, int k) {
  return gemv_applies(input, weight, m, k) && static_cast<long long>(m) * k <= cuda_detail::kGemvNormTileElements &&
         cuda_detail::vector8_ok(k, {input, norm_weight});
}

// The shapes the fused RoPE epilogue (and rope_write_kv) takes: one line naming `what` otherwise.
void check_rope_shape(const char* what, int num_q_heads, const KvCacheView& cache) {
  validate_kv_cache(cache);
  if (num_q_heads <= 0) throw std::invalid_argument(std::string(what) + ": num_q_heads must be > 0");
  if (cache.head_dim % 2 != 0 || cache.head_dim > 2 * cuda_detail::kRopeMaxHalf)
    throw std::invalid_argument(std::string(what) + ": head_dim must be even and at most " +
                                std::to_string(2 * cuda_detail::kRopeMaxHalf) + ", got " + std::to_string(cache.head_dim));
}

void check_norm(const char* what, const bf16* norm_weight, int k) {
  if (norm_weight == nullptr) throw std::invalid_argument(std::string(what) + ": norm_weight must not be null");
  if (k <= 0) throw std::invalid_argument(std::string(what) + ": k must be > 0, got " + std::to_string(k));
}

}  // namespace

template <typename T>
void matmul_rope_write_kv(const bf16* x, const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                          const std::int32_t* positions, const std::int64_t* slot_mapping, const float* inv_freq,
                          const KvCacheView& cache, Stream stream) {
  check_rope_shape("matmul_rope_write_kv", num_q_heads, cache);
  if (m < 0 || k < 0)
    throw std::invalid_argument("matmul_rope_write_kv: m and k must be >= 0, got m=" + std::to_string(m) +
                                " k=" + std::to_string(k));
  const int width = (num_q_heads + 2 * cache.num_kv_heads) * cache.head_dim;
  if (!gemv_applies(x, weight, m, k)) {
    matmul<T>(x, weight, bias, qkv, m, width, k, stream);
    rope_write_kv<T>(qkv, m, num_q_heads, positions, slot_mapping, inv_freq, cache, stream);
    return;
  }
  const RopeWritePairs<T> epilogue{qkv, num_q_heads, positions, slot_mapping, inv_freq, cache};
  launch_pairs<T, false>("matmul_rope_write_kv gemv_pair_kernel", x, weight, bias, m, k, width / 2, epilogue, nullptr,
                         0.0f, to_cuda(stream));
}

template <typename T>
void matmul_silu_mul(const bf16* x, const bf16* weight, const bf16* bias, T* gate_up, T* out, int m, int inter, int k,
                     Stream stream) {
  if (inter <= 0) throw std::invalid_argument("matmul_silu_mul: inter must be > 0, got " + std::to_string(inter));
  if (m < 0 || k < 0)
    throw std::invalid_argument("matmul_silu_mul: m and k must be >= 0, got m=" + std::to_string(m) +
                                " k=" + std::to_string(k));
  if (!gemv_applies(x, weight, m, k)) {
    matmul<T>(x, weight, bias, gate_up, m, 2 * inter, k, stream);
    silu_mul<T>(gate_up, out, m, inter, stream);
    return;
  }
  launch_pairs<T, false>("matmul_silu_mul gemv_pair_kernel", x, weight, bias, m, k, inter,
                         SiluMulPairs<T>{out, inter}, nullptr, 0.0f, to_cuda(stream));
}

template <typename T>
void rmsnorm_matmul_rope_write_kv(const bf16* input, const bf16* norm_weight, float eps, bf16* normed,
                                  const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                                  const std::int32_t* positions, const std::int64_t* slot_mapping,
                                  const float* inv_freq, const KvCacheView& cache, Stream stream) {
  check_norm("rmsnorm_matmul_rope_write_kv", norm_weight, k);
  if (!norm_fuses(input, norm_weight, weight, m, k)) {
    rmsnorm_residual<bf16>(input, nullptr, normed, norm_weight, m, k, eps, stream);
    matmul_rope_write_kv<T>(normed, weight, bias, qkv, m, num_q_heads, k, positions, slot_mapping, inv_freq, cache,
                            stream);
    return;
  }
  check_rope_shape("rmsnorm_matmul_rope_write_kv", num_q_heads, cache);
  const int width = (num_q_heads + 2 * cache.num_kv_heads) * cache.head_dim;
  const RopeWritePairs<T> epilogue{qkv, num_q_heads, positions, slot_mapping, inv_freq, cache};
  launch_pairs<T, true>("rmsnorm_matmul_rope_write_kv gemv_pair_kernel", input, weight, bias, m, k, width / 2,
                        epilogue, norm_weight, eps, to_cuda(stream));
}

template <typename T>
void rmsnorm_matmul_silu_mul(const bf16* input, const bf16* norm_weight, float eps, bf16* normed, const bf16* weight,
                             const bf16* bias, T* gate_up, T* out, int m, int inter, int k, Stream stream) {
  check_norm("rmsnorm_matmul_silu_mul", norm_weight, k);
  if (!norm_fuses(input, norm_weight, weight, m, k)) {
    rmsnorm_residual<bf16>(input, nullptr, normed, norm_weight, m, k, eps, stream);
    matmul_silu_mul<T>(normed, weight, bias, gate_up, out, m, inter, k, stream);
    return;
  }
  if (inter <= 0) throw std::invalid_argument("rmsnorm_matmul_silu_mul: inter must be > 0, got " + std::to_string(inter));
  launch_pairs<T, true>("rmsnorm_matmul_silu_mul gemv_pair_kernel", input, weight, bias, m, k, inter,
                        SiluMulPairs<T>{out, inter}, norm_weight, eps, to_cuda(stream));
}

template void matmul_rope_write_kv<float>(const bf16*, const bf16*, const bf16*, float*, int, int, int,
                                          const std::int32_t*, const std::int64_t*, const float*, const KvCacheView&,
                                          Stream);
template void matmul_rope_write_kv<bf16>(const bf16*, const bf16*, const bf16*, bf16*, int, int, int,
                                         const std::int32_t*, const std::int64_t*, const float*, const KvCacheView&,
                                         Stream);
template void matmul_silu_mul<float>(const bf16*, const bf16*, const bf16*, float*, float*, int, int, int, Stream);
template void matmul_silu_mul<bf16>(const bf16*, const bf16*, const bf16*, bf16*, bf16*, int, int, int, Stream);
template void rmsnorm_matmul_rope_write_kv<bf16>(const bf16*, const bf16*, float, bf16*, const bf16*, const bf16*,
                                                 bf16*, int, int, int, const std::int32_t*, const std::int64_t*,
                                                 const float*, const KvCacheView&, Stream);
template void rmsnorm_matmul_silu_mul<bf16>(const bf16*, const bf16*, float, bf16*, const bf16*, const bf16*, bf16*,
                                            bf16*, int, int, int, Stream);

}  // namespace r1eval::kernels::cuda
