// Launchers of the fused decode projections (projection.h): the gemv_pair_kernel of gemv_kernels.cuh
// where gemv applies, else matmul followed by the pointwise kernel.
#include <stdexcept>
#include <string>

#include "kernels/activation.h"
#include "kernels/cuda/gemv_kernels.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/matmul.h"
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

template <typename T, typename Epilogue>
void launch_pairs(const char* name, const bf16* x, const bf16* weight, const bf16* bias, int m, int k, int pairs,
                  const Epilogue& epilogue, cudaStream_t stream) {
  static_assert(kGemvMaxRows == 4, "one gemv_pair_kernel instance per row count");
  const dim3 grid = gemv_pair_grid(pairs), block(kGemvThreads);
  switch (m) {
    case 1: return launch_kernel(name, gemv_pair_kernel<T, 1, Epilogue>, grid, block, stream, x, weight, bias, k,
                                 epilogue);
    case 2: return launch_kernel(name, gemv_pair_kernel<T, 2, Epilogue>, grid, block, stream, x, weight, bias, k,
                                 epilogue);
    case 3: return launch_kernel(name, gemv_pair_kernel<T, 3, Epilogue>, grid, block, stream, x, weight, bias, k,
                                 epilogue);
    default: return launch_kernel(name, gemv_pair_kernel<T, 4, Epilogue>, grid, block, stream, x, weight, bias, k,
                                  epilogue);
  }
}

}  // namespace

template <typename T>
void matmul_rope_write_kv(const bf16* x, const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                          const std::int32_t* positions, const std::int64_t* slot_mapping, const float* inv_freq,
                          const KvCacheView& cache, Stream stream) {
  validate_kv_cache(cache);
  if (num_q_heads <= 0) throw std::invalid_argument("matmul_rope_write_kv: num_q_heads must be > 0");
  if (cache.head_dim % 2 != 0 || cache.head_dim > 2 * cuda_detail::kRopeMaxHalf)
    throw std::invalid_argument("matmul_rope_write_kv: head_dim must be even and at most " +
                                std::to_string(2 * cuda_detail::kRopeMaxHalf) + ", got " + std::to_string(cache.head_dim));
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
  launch_pairs<T>("matmul_rope_write_kv gemv_pair_kernel", x, weight, bias, m, k, width / 2, epilogue, to_cuda(stream));
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
  launch_pairs<T>("matmul_silu_mul gemv_pair_kernel", x, weight, bias, m, k, inter, SiluMulPairs<T>{out, inter},
                  to_cuda(stream));
}

template void matmul_rope_write_kv<float>(const bf16*, const bf16*, const bf16*, float*, int, int, int,
                                          const std::int32_t*, const std::int64_t*, const float*, const KvCacheView&,
                                          Stream);
template void matmul_rope_write_kv<bf16>(const bf16*, const bf16*, const bf16*, bf16*, int, int, int,
                                         const std::int32_t*, const std::int64_t*, const float*, const KvCacheView&,
                                         Stream);
template void matmul_silu_mul<float>(const bf16*, const bf16*, const bf16*, float*, float*, int, int, int, Stream);
template void matmul_silu_mul<bf16>(const bf16*, const bf16*, const bf16*, bf16*, bf16*, int, int, int, Stream);

}  // namespace r1eval::kernels::cuda
