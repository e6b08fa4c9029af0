// Random inputs and comparisons shared by the kernel tests (CPU twin vs naive reference, CUDA vs CPU twin).
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "kernels/attention.h"
#include "kernels/bf16.h"
#include "kernels/kv_cache.h"
#include "kernels/moe.h"

namespace r1eval::kernels::testing {

inline std::vector<float> random_floats(std::size_t n, float low, float high, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline std::vector<bf16> random_bf16(std::size_t n, float low, float high, std::uint32_t seed) {
  std::vector<bf16> v(n);
  const std::vector<float> f = random_floats(n, low, high, seed);
  for (std::size_t i = 0; i < n; ++i) v[i] = to_bf16(f[i]);
  return v;
}

template <typename T>
std::vector<T> convert(const std::vector<float>& v) {
  std::vector<T> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = store_from_float<T>(v[i]);
  return out;
}

template <typename T>
std::vector<float> widen(const std::vector<T>& v) {
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = load_as_float(v[i]);
  return out;
}

// A paged batch on the host: sequences of (query rows, context) with blocks drawn from a shuffled pool,
// cache filled with random bf16, unused table entries -1 (a kernel reading them would fault or throw).
struct PagedCase {
  int num_q_heads = 0;
  int num_kv_heads = 0;
  int head_dim = 0;
  int block_size = 0;
  int num_blocks = 0;
  int max_blocks_per_seq = 0;
  std::vector<int> query_lens, contexts;
  std::vector<std::int32_t> query_starts, context_lens, block_tables;
  std::vector<bf16> key, value;
  std::vector<float> q;  // [rows][num_q_heads * head_dim]
  int window = 0;        // sliding window (PagedBatch::window)
  float softcap = 0.0f;  // soft cap of the scores (PagedBatch::softcap)
  std::vector<bf16> sinks;  // per query head (PagedBatch::sinks); empty: none

  int rows() const { return query_starts.back(); }
  int max_query_len() const { return query_lens.empty() ? 0 : *std::max_element(query_lens.begin(), query_lens.end()); }
  int max_context() const { return contexts.empty() ? 0 : *std::max_element(contexts.begin(), contexts.end()); }
  KvCacheView cache_view(bf16* key_pool, bf16* value_pool) const {
    return KvCacheView{key_pool, value_pool, num_blocks, block_size, num_kv_heads, head_dim};
  }
  PagedBatch batch(const std::int32_t* starts, const std::int32_t* lens, const std::int32_t* tables) const {
    PagedBatch b;
    b.num_seqs = static_cast<int>(contexts.size());
    b.query_starts = starts;
    b.context_lens = lens;
    b.block_tables = tables;
    b.max_blocks_per_seq = max_blocks_per_seq;
    b.max_query_len = max_query_len();
    b.max_context_len = max_context();
    b.window = window;
    b.softcap = softcap;
    b.sinks = sinks.empty() ? nullptr : sinks.data();
    return b;
  }
};

inline PagedCase make_paged_case(const std::vector<int>& query_lens, const std::vector<int>& contexts,
                                 int num_q_heads, int num_kv_heads, int head_dim, int block_size, std::uint32_t seed) {
  PagedCase c;
  c.num_q_heads = num_q_heads;
  c.num_kv_heads = num_kv_heads;
  c.head_dim = head_dim;
  c.block_size = block_size;
  c.query_lens = query_lens;
  c.contexts = contexts;
  int total_blocks = 0;
  for (int ctx : contexts) {
    const int blocks = (ctx + block_size - 1) / block_size;
    total_blocks += blocks;
    c.max_blocks_per_seq = std::max(c.max_blocks_per_seq, blocks);
  }
  c.max_blocks_per_seq = std::max(c.max_blocks_per_seq, 1) + 1;  // a spare column that stays unused
  c.num_blocks = total_blocks + 3;                               // and a few blocks nobody owns
  std::vector<std::int32_t> pool(static_cast<std::size_t>(c.num_blocks));
  std::iota(pool.begin(), pool.end(), 0);
  std::mt19937 rng(seed);
  std::shuffle(pool.begin(), pool.end(), rng);
  c.block_tables.assign(contexts.size() * static_cast<std::size_t>(c.max_blocks_per_seq), -1);
  std::size_t next = 0;
  c.query_starts.push_back(0);
  for (std::size_t s = 0; s < contexts.size(); ++s) {
    const int blocks = (contexts[s] + block_size - 1) / block_size;
    for (int b = 0; b < blocks; ++b) c.block_tables[s * c.max_blocks_per_seq + b] = pool[next++];
    c.context_lens.push_back(contexts[s]);
    c.query_starts.push_back(c.query_starts.back() + query_lens[s]);
  }
  const std::size_t pool_elems = static_cast<std::size_t>(c.num_blocks) * num_kv_heads * block_size * head_dim;
  c.key = random_bf16(pool_elems, -1.0f, 1.0f, seed + 1);
  c.value = random_bf16(pool_elems, -1.0f, 1.0f, seed + 2);
  c.q = random_floats(static_cast<std::size_t>(c.rows()) * num_q_heads * head_dim, -1.0f, 1.0f, seed + 3);
  return c;
}

// Every element within abs + rel * |want| (the first miss ends the comparison, naming the element).
template <typename T>
void expect_near(const std::vector<T>& got, const std::vector<T>& want, double rel, double abs, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = load_as_float(got[i]), w = load_as_float(want[i]);
    ASSERT_NEAR(g, w, abs + rel * std::abs(w)) << what << " element " << i;
  }
}

// ||got - want|| / ||want|| over all elements.
template <typename T>
double relative_l2_error(const std::vector<T>& got, const std::vector<T>& want) {
  double error = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
    const double g = load_as_float(got[i]), w = load_as_float(want[i]);
    error += (g - w) * (g - w);
    norm += w * w;
  }
  return std::sqrt(error / norm);
}

// gpt-oss's expert form (ExpertForm) with random biases owned here and alpha 1.702; the limit is the caller's, so a
// test can set it inside its values' range and make the clamps bite.
// MXFP4 weights of `rows` rows of k values (k % 32 == 0), owned: random codes, and group scales 2^-6 .. 2^-3 (values
// up to 0.75), with the bf16 matrix they equal exactly.
struct OwnedMxfp4 {
  std::vector<std::uint8_t> blocks, scales;
  std::vector<bf16> dequantized;
  Mxfp4Weights weights() const { return Mxfp4Weights{blocks.data(), scales.data()}; }
};
inline OwnedMxfp4 random_mxfp4(std::size_t rows, int k, std::uint32_t seed) {
  OwnedMxfp4 m;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255), exponent(127 - 6, 127 - 3);
  m.blocks.resize(rows * static_cast<std::size_t>(k / 2));
  m.scales.resize(rows * static_cast<std::size_t>(k / 32));
  for (std::uint8_t& b : m.blocks) b = static_cast<std::uint8_t>(byte(rng));
  for (std::uint8_t& s : m.scales) s = static_cast<std::uint8_t>(exponent(rng));
  m.dequantized.resize(rows * static_cast<std::size_t>(k));
  for (std::size_t r = 0; r < rows; ++r)
    for (int i = 0; i < k; ++i) m.dequantized[r * static_cast<std::size_t>(k) + i] = to_bf16(mxfp4_value(m.weights(), r, i, k));
  return m;
}

struct OwnedExpertForm {
  std::vector<bf16> gate_up_bias, down_bias;
  float limit = 7.0f;
  OwnedMxfp4 gate_up_mxfp4, down_mxfp4;  // empty: the bf16 weights
  ExpertForm form() const {
    ExpertForm f;
    f.gate_up_bias = gate_up_bias.data();
    f.down_bias = down_bias.data();
    f.swiglu_limit = limit;
    f.swiglu_alpha = 1.702f;
    if (!gate_up_mxfp4.blocks.empty()) f.gate_up_mxfp4 = gate_up_mxfp4.weights();
    if (!down_mxfp4.blocks.empty()) f.down_mxfp4 = down_mxfp4.weights();
    return f;
  }
};
inline OwnedExpertForm gpt_oss_expert_form(int experts, int inter, int hidden, float limit, std::uint32_t seed,
                                           bool mxfp4 = false) {
  OwnedExpertForm owned;
  if (mxfp4) {  // gpt-oss as released: the expert matrices in MXFP4
    owned.gate_up_mxfp4 = random_mxfp4(static_cast<std::size_t>(experts) * 2 * inter, hidden, seed + 2);
    owned.down_mxfp4 = random_mxfp4(static_cast<std::size_t>(experts) * hidden, inter, seed + 3);
  }
  owned.gate_up_bias = random_bf16(static_cast<std::size_t>(experts) * 2 * inter, -0.5f, 0.5f, seed);
  owned.down_bias = random_bf16(static_cast<std::size_t>(experts) * hidden, -0.5f, 0.5f, seed + 1);
  owned.limit = limit;
  return owned;
}

}  // namespace r1eval::kernels::testing
