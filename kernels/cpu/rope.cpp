#include "kernels/rope.h"

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace r1eval::kernels::cpu {

namespace {

// Both entry points: `norm` null is plain RoPE.
template <typename T>
void rotate_and_store(const char* what, T* qkv, int num_tokens, int num_q_heads, const HeadNorm* norm,
                      const std::int32_t* positions, const std::int64_t* slot_mapping, const float* inv_freq,
                      const KvCacheView& cache) {
  validate_kv_cache(cache);
  const std::string name(what);
  if (num_tokens < 0) throw std::invalid_argument(name + ": num_tokens must be >= 0");
  if (num_q_heads <= 0) throw std::invalid_argument(name + ": num_q_heads must be > 0");
  if (cache.head_dim % 2 != 0) throw std::invalid_argument(name + ": head_dim must be even");
  if (norm != nullptr && (norm->q_weight == nullptr || norm->k_weight == nullptr))
    throw std::invalid_argument(name + ": the q and k norm weights must not be null");
  const int d = cache.head_dim, half = d / 2, kv_heads = cache.num_kv_heads;
  const std::size_t row = static_cast<std::size_t>(num_q_heads + 2 * kv_heads) * d;
  const std::int64_t slots = static_cast<std::int64_t>(cache.num_blocks) * cache.block_size;
  std::vector<float> cos_table(static_cast<std::size_t>(half)), sin_table(static_cast<std::size_t>(half));
  for (int t = 0; t < num_tokens; ++t) {
    const float position = static_cast<float>(positions[t]);
    for (int i = 0; i < half; ++i) {
      const float angle = position * inv_freq[i];
      cos_table[static_cast<std::size_t>(i)] = std::cos(angle);
      sin_table[static_cast<std::size_t>(i)] = std::sin(angle);
    }
    T* token = qkv + static_cast<std::size_t>(t) * row;
    for (int h = 0; h < num_q_heads + kv_heads; ++h) {  // q heads, then k heads
      T* head = token + static_cast<std::size_t>(h) * d;
      float scale = 1.0f;
      const bf16* weight = nullptr;
      if (norm != nullptr) {
        float squares = 0.0f;
        for (int i = 0; i < d; ++i) squares += load_as_float(head[i]) * load_as_float(head[i]);
        scale = 1.0f / std::sqrt(squares / static_cast<float>(d) + norm->eps);
        weight = h < num_q_heads ? norm->q_weight : norm->k_weight;
      }
      for (int i = 0; i < half; ++i) {
        float x = load_as_float(head[i]), y = load_as_float(head[i + half]);
        if (weight != nullptr) {
          x *= scale * to_float(weight[i]);
          y *= scale * to_float(weight[i + half]);
        }
        const float c = cos_table[static_cast<std::size_t>(i)], s = sin_table[static_cast<std::size_t>(i)];
        head[i] = store_from_float<T>(x * c - y * s);
        head[i + half] = store_from_float<T>(y * c + x * s);
      }
    }
    const std::int64_t slot = slot_mapping[t];
    if (slot < 0) continue;
    if (slot >= slots)
      throw std::out_of_range(name + ": slot_mapping[" + std::to_string(t) + "] = " + std::to_string(slot) +
                              " is past the cache's " + std::to_string(slots) + " slots");
    const std::int64_t block = slot / cache.block_size;
    const int offset = static_cast<int>(slot % cache.block_size);
    const T* keys = token + static_cast<std::size_t>(num_q_heads) * d;
    const T* values = keys + static_cast<std::size_t>(kv_heads) * d;
    for (int h = 0; h < kv_heads; ++h)
      for (int i = 0; i < d; ++i) {
        const std::size_t at = kv_cache_index(cache, block, h, offset, i);
        cache.key[at] = to_bf16(load_as_float(keys[static_cast<std::size_t>(h) * d + i]));
        cache.value[at] = to_bf16(load_as_float(values[static_cast<std::size_t>(h) * d + i]));
      }
  }
}

}  // namespace

template <typename T>
void rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const std::int32_t* positions,
                   const std::int64_t* slot_mapping, const float* inv_freq, const KvCacheView& cache, Stream) {
  rotate_and_store("rope_write_kv", qkv, num_tokens, num_q_heads, nullptr, positions, slot_mapping, inv_freq, cache);
}

template <typename T>
void qk_norm_rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const HeadNorm& norm,
                           const std::int32_t* positions, const std::int64_t* slot_mapping, const float* inv_freq,
                           const KvCacheView& cache, Stream) {
  rotate_and_store("qk_norm_rope_write_kv", qkv, num_tokens, num_q_heads, &norm, positions, slot_mapping, inv_freq,
                   cache);
}

template void rope_write_kv<float>(float*, int, int, const std::int32_t*, const std::int64_t*, const float*,
                                   const KvCacheView&, Stream);
template void rope_write_kv<bf16>(bf16*, int, int, const std::int32_t*, const std::int64_t*, const float*,
                                  const KvCacheView&, Stream);
template void qk_norm_rope_write_kv<float>(float*, int, int, const HeadNorm&, const std::int32_t*,
                                           const std::int64_t*, const float*, const KvCacheView&, Stream);
template void qk_norm_rope_write_kv<bf16>(bf16*, int, int, const HeadNorm&, const std::int32_t*, const std::int64_t*,
                                          const float*, const KvCacheView&, Stream);

}  // namespace r1eval::kernels::cpu
