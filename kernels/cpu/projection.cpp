#include "kernels/projection.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/activation.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/rope.h"

namespace r1eval::kernels::cpu {

template <typename T>
void matmul_rope_write_kv(const bf16* x, const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                          const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                          const KvCacheView& cache, Stream stream) {
  validate_kv_cache(cache);
  if (num_q_heads <= 0) throw std::invalid_argument("matmul_rope_write_kv: num_q_heads must be > 0");
  const int width = (num_q_heads + 2 * cache.num_kv_heads) * cache.head_dim;
  matmul<T>(x, weight, bias, qkv, m, width, k, stream);
  rope_write_kv<T>(qkv, m, num_q_heads, positions, slot_mapping, rotary, cache, stream);
}

template <typename T>
void matmul_silu_mul(const bf16* x, const bf16* weight, const bf16* bias, T* gate_up, T* out, int m, int inter, int k,
                     Stream stream) {
  if (inter <= 0) throw std::invalid_argument("matmul_silu_mul: inter must be > 0, got " + std::to_string(inter));
  matmul<T>(x, weight, bias, gate_up, m, 2 * inter, k, stream);
  silu_mul<T>(gate_up, out, m, inter, stream);
}

template <typename T>
void rmsnorm_matmul_rope_write_kv(const bf16* input, const bf16* norm_weight, float eps, bf16* normed,
                                  const bf16* weight, const bf16* bias, T* qkv, int m, int num_q_heads, int k,
                                  const std::int32_t* positions, const std::int64_t* slot_mapping,
                                  const Rotary& rotary, const KvCacheView& cache, Stream stream) {
  rmsnorm_residual<bf16>(input, nullptr, normed, norm_weight, m, k, eps, stream);
  matmul_rope_write_kv<T>(normed, weight, bias, qkv, m, num_q_heads, k, positions, slot_mapping, rotary, cache,
                          stream);
}

template <typename T>
void rmsnorm_matmul_silu_mul(const bf16* input, const bf16* norm_weight, float eps, bf16* normed, const bf16* weight,
                             const bf16* bias, T* gate_up, T* out, int m, int inter, int k, Stream stream) {
  rmsnorm_residual<bf16>(input, nullptr, normed, norm_weight, m, k, eps, stream);
  matmul_silu_mul<T>(normed, weight, bias, gate_up, out, m, inter, k, stream);
}

template <typename T>
void matmul_add_residual(const bf16* x, const bf16* weight, const bf16* bias, T* residual, int m, int n, int k,
                         Stream stream) {
  std::vector<float> product(static_cast<std::size_t>(m < 0 ? 0 : m) * static_cast<std::size_t>(n < 0 ? 0 : n));
  matmul<float>(x, weight, bias, product.data(), m, n, k, stream);
  for (std::size_t e = 0; e < product.size(); ++e)
    residual[e] = store_from_float<T>(product[e] + load_as_float(residual[e]));
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
template void matmul_add_residual<float>(const bf16*, const bf16*, const bf16*, float*, int, int, int, Stream);
template void matmul_add_residual<bf16>(const bf16*, const bf16*, const bf16*, bf16*, int, int, int, Stream);

}  // namespace r1eval::kernels::cpu
