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
                      const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                      const KvCacheView& cache) {
  validate_kv_cache(cache);
  const std::string name(what);
  if (num_tokens < 0) throw std::invalid_argument(name + ": num_tokens must be >= 0");
  if (num_q_heads <= 0) throw std::invalid_argument(name + ": num_q_heads must be > 0");
  if (cache.head_dim % 2 != 0) throw std::invalid_argument(name + ": head_dim must be even");
  if (norm != nullptr && (norm->q_weight == nullptr || norm->k_weight == nullptr))
    throw std::invalid_argument(name + ": the q and k norm weights must not be null");
  validate_rotary(what, rotary, cache.head_dim);
  const int d = cache.head_dim, half = d / 2, kv_heads = cache.num_kv_heads, pairs = rotary.pairs;
  const std::size_t row = static_cast<std::size_t>(num_q_heads + 2 * kv_heads) * d;
  const std::int64_t slots = static_cast<std::int64_t>(cache.num_blocks) * cache.block_size;
  std::vector<float> cos_table(static_cast<std::size_t>(pairs)), sin_table(static_cast<std::size_t>(pairs));
  for (int t = 0; t < num_tokens; ++t) {
    const float position = static_cast<float>(positions[t]);
    for (int i = 0; i < pairs; ++i) {
      const float angle = position * rotary.inv_freq[i];
      cos_table[static_cast<std::size_t>(i)] = std::cos(angle) * rotary.scale;
      sin_table[static_cast<std::size_t>(i)] = std::sin(angle) * rotary.scale;
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
      for (int p = 0; p < half; ++p) {
        int first = 0, second = 0;
        rotary_pair_dims(p, half, pairs, first, second);
        float x = load_as_float(head[first]), y = load_as_float(head[second]);
        if (weight != nullptr) {
          x *= scale * to_float(weight[first]);
          y *= scale * to_float(weight[second]);
        }
        if (p < pairs) {
          const float c = cos_table[static_cast<std::size_t>(p)], s = sin_table[static_cast<std::size_t>(p)];
          const float rx = x * c - y * s;
          y = y * c + x * s;
          x = rx;
        }
        head[first] = store_from_float<T>(x);
        head[second] = store_from_float<T>(y);
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
                   const std::int64_t* slot_mapping, const Rotary& rotary, const KvCacheView& cache, Stream) {
  rotate_and_store("rope_write_kv", qkv, num_tokens, num_q_heads, nullptr, positions, slot_mapping, rotary, cache);
}

template <typename T>
void qk_norm_rope_write_kv(T* qkv, int num_tokens, int num_q_heads, const HeadNorm& norm,
                           const std::int32_t* positions, const std::int64_t* slot_mapping, const Rotary& rotary,
                           const KvCacheView& cache, Stream) {
  rotate_and_store("qk_norm_rope_write_kv", qkv, num_tokens, num_q_heads, &norm, positions, slot_mapping, rotary,
                   cache);
}

template void rope_write_kv<float>(float*, int, int, const std::int32_t*, const std::int64_t*, const Rotary&,
                                   const KvCacheView&, Stream);
template void rope_write_kv<bf16>(bf16*, int, int, const std::int32_t*, const std::int64_t*, const Rotary&,
                                  const KvCacheView&, Stream);
template void qk_norm_rope_write_kv<float>(float*, int, int, const HeadNorm&, const std::int32_t*,
                                           const std::int64_t*, const Rotary&, const KvCacheView&, Stream);
template void qk_norm_rope_write_kv<bf16>(bf16*, int, int, const HeadNorm&, const std::int32_t*, const std::int64_t*,
                                          const Rotary&, const KvCacheView&, Stream);

}  // namespace r1eval::kernels::cpu
