// Paged attention: the CPU twin against a naive reference that gathers each sequence's keys and values
// into contiguous arrays and applies the textbook softmax in double precision.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "kernel_test_support.h"
#include "kernels/attention.h"

namespace r1eval::kernels {
namespace {

using testing::make_paged_case;
using testing::PagedCase;

std::vector<double> naive_attention(const PagedCase& c, float scale) {
  const int d = c.head_dim, group = c.num_q_heads / c.num_kv_heads;
  std::vector<double> out(static_cast<std::size_t>(c.rows()) * c.num_q_heads * d, 0.0);
  const KvCacheView cache = c.cache_view(const_cast<bf16*>(c.key.data()), const_cast<bf16*>(c.value.data()));
  for (std::size_t s = 0; s < c.contexts.size(); ++s) {
    const int ctx = c.contexts[s], q_len = c.query_lens[s];
    for (int kv = 0; kv < c.num_kv_heads; ++kv) {
      std::vector<double> keys(static_cast<std::size_t>(ctx) * d), values(keys.size());
      for (int j = 0; j < ctx; ++j) {
        const int block = c.block_tables[s * c.max_blocks_per_seq + j / c.block_size];
        for (int i = 0; i < d; ++i) {
          const std::size_t at = kv_cache_index(cache, block, kv, j % c.block_size, i);
          keys[static_cast<std::size_t>(j) * d + i] = to_float(c.key[at]);
          values[static_cast<std::size_t>(j) * d + i] = to_float(c.value[at]);
        }
      }
      for (int t = 0; t < q_len; ++t) {
        // Keys first .. position: all of them, or the last `window` under a sliding window.
        const int row = c.query_starts[s] + t, position = ctx - q_len + t;
        const int first = c.window > 0 ? std::max(0, position - c.window + 1) : 0, visible = position + 1 - first;
        for (int g = 0; g < group; ++g) {
          const int h = kv * group + g;
          const float* q = c.q.data() + (static_cast<std::size_t>(row) * c.num_q_heads + h) * d;
          std::vector<double> scores(static_cast<std::size_t>(visible));
          double max_score = -INFINITY;
          for (int j = 0; j < visible; ++j) {
            double dot = 0;
            for (int i = 0; i < d; ++i) dot += static_cast<double>(q[i]) * keys[static_cast<std::size_t>(first + j) * d + i];
            const double scaled = dot * scale;
            scores[static_cast<std::size_t>(j)] = c.softcap > 0 ? c.softcap * std::tanh(scaled / c.softcap) : scaled;
            max_score = std::max(max_score, scores[static_cast<std::size_t>(j)]);
          }
          // A sink joins the softmax as one more logit without a value, as transformers' gpt-oss appends it.
          const bool sink = !c.sinks.empty();
          const double sink_logit = sink ? to_float(c.sinks[static_cast<std::size_t>(h)]) : 0.0;
          if (sink) max_score = std::max(max_score, sink_logit);
          double total = sink ? std::exp(sink_logit - max_score) : 0.0;
          for (double& sc : scores) total += (sc = std::exp(sc - max_score));
          double* o = out.data() + (static_cast<std::size_t>(row) * c.num_q_heads + h) * d;
          for (int j = 0; j < visible; ++j)
            for (int i = 0; i < d; ++i)
              o[i] += scores[static_cast<std::size_t>(j)] / total * values[static_cast<std::size_t>(first + j) * d + i];
        }
      }
    }
  }
  return out;
}

template <typename T>
void expect_close(const std::vector<T>& got, const std::vector<double>& expected, double tol, const char* what) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(load_as_float(got[i]), expected[i], tol) << what << " element " << i;
}

template <typename T>
void check_prefill(const PagedCase& c, float scale) {
  const std::vector<T> q = testing::convert<T>(c.q);
  PagedCase rounded = c;  // the reference sees the same (possibly bf16-rounded) queries
  rounded.q = testing::widen(q);
  std::vector<T> out(c.q.size());
  std::vector<bf16> key = c.key, value = c.value;
  cpu::paged_attention_prefill<T>(q.data(), c.num_q_heads * c.head_dim, out.data(), c.num_q_heads,
                                  c.cache_view(key.data(), value.data()),
                                  c.batch(c.query_starts.data(), c.context_lens.data(), c.block_tables.data()), scale);
  expect_close(out, naive_attention(rounded, scale), std::is_same_v<T, float> ? 2e-5 : 1e-2, "prefill");
}

TEST(PagedAttentionPrefill, CausalGqaChunkedMatchesNaive) {
  // Whole prompts, a chunk continuing a cached prefix, a one-token row, a block-boundary length.
  check_prefill<float>(make_paged_case({5, 17, 1, 32}, {5, 40, 9, 32}, 12, 2, 128, 16, 61), 0.3f);
  check_prefill<float>(make_paged_case({3, 8}, {70, 8}, 8, 8, 64, 32, 62), 0.5f);
  check_prefill<bf16>(make_paged_case({6, 2}, {6, 100}, 6, 1, 64, 8, 63), 0.4f);
  check_prefill<float>(make_paged_case({13, 1}, {30, 25}, 4, 2, 64, 12, 64), 0.4f);  // block size not a power of 2
}

template <typename T>
void check_decode(const PagedCase& c, float scale) {
  const std::vector<T> q = testing::convert<T>(c.q);
  PagedCase rounded = c;
  rounded.q = testing::widen(q);
  std::vector<T> out(c.q.size());
  std::vector<bf16> key = c.key, value = c.value;
  cpu::paged_attention_decode<T>(q.data(), c.num_q_heads * c.head_dim, out.data(), c.num_q_heads,
                                 c.cache_view(key.data(), value.data()),
                                 c.batch(nullptr, c.context_lens.data(), c.block_tables.data()), scale, nullptr);
  expect_close(out, naive_attention(rounded, scale), std::is_same_v<T, float> ? 2e-5 : 1e-2, "decode");
}

TEST(PagedAttentionDecode, LongAndShortContextsMatchNaive) {
  check_decode<float>(make_paged_case({1, 1, 1, 1}, {1, 255, 257, 3000}, 12, 2, 128, 16, 71), 0.25f);
  check_decode<bf16>(make_paged_case({1, 1}, {513, 64}, 28, 4, 128, 32, 72), 0.2f);
}

// The fp32 decode output of the twin for case c (2 query heads of 64 over its one kv head).
std::vector<float> twin_decode(const PagedCase& c, float scale) {
  std::vector<float> out(c.q.size());
  std::vector<bf16> key = c.key, value = c.value;
  cpu::paged_attention_decode<float>(c.q.data(), 2 * 64, out.data(), 2, c.cache_view(key.data(), value.data()),
                                     c.batch(nullptr, c.context_lens.data(), c.block_tables.data()), scale, nullptr);
  return out;
}

// Mistral's and Qwen2's window layers: a query sees its last `window` positions only, itself included.
PagedCase windowed(PagedCase c, int window) {
  c.window = window;
  return c;
}

TEST(PagedAttention, SlidingWindowSeesTheLastPositionsOnly) {
  // Windows shorter than the context, across blocks; of one key; as long as the context (no effect).
  check_prefill<float>(windowed(make_paged_case({5, 17, 1, 32}, {5, 40, 9, 32}, 12, 2, 128, 16, 81), 7), 0.3f);
  check_prefill<bf16>(windowed(make_paged_case({6, 2}, {6, 100}, 6, 1, 64, 8, 82), 1), 0.4f);
  check_prefill<float>(windowed(make_paged_case({13, 1}, {30, 25}, 4, 2, 64, 12, 83), 30), 0.4f);
  check_decode<float>(windowed(make_paged_case({1, 1, 1, 1}, {1, 255, 257, 3000}, 12, 2, 128, 16, 84), 100), 0.25f);
  check_decode<bf16>(windowed(make_paged_case({1, 1}, {513, 64}, 28, 4, 128, 32, 85), 64), 0.2f);
  // The window changes the result where it cuts the context.
  PagedCase c = make_paged_case({1}, {50}, 2, 1, 64, 8, 86);
  const std::vector<float> full = twin_decode(c, 1.0f);
  c.window = 10;
  EXPECT_NE(full, twin_decode(c, 1.0f));
}

// Gemma 2: scores soft-capped before the mask and softmax, with and without its sliding window; and the
// head dims of Phi-3-mini (96) and Gemma (256).
TEST(PagedAttention, SoftCapAndHeadDims96And256MatchNaive) {
  const auto capped = [](PagedCase c, float cap, int window) {
    c.softcap = cap;
    c.window = window;
    return c;
  };
  check_prefill<float>(capped(make_paged_case({5, 17, 1, 32}, {5, 40, 9, 32}, 12, 2, 128, 16, 91), 5.0f, 0), 2.0f);
  check_prefill<bf16>(capped(make_paged_case({6, 2}, {6, 100}, 8, 2, 256, 8, 92), 5.0f, 9), 0.5f);
  check_decode<float>(capped(make_paged_case({1, 1, 1}, {1, 257, 700}, 8, 4, 256, 16, 93), 5.0f, 0), 1.5f);
  check_decode<float>(capped(make_paged_case({1, 1}, {513, 64}, 32, 32, 96, 16, 94), 5.0f, 100), 2.0f);
  check_prefill<float>(make_paged_case({13, 1}, {30, 25}, 4, 2, 96, 12, 95), 0.3f);
  // The cap changes the result where scores pass it.
  PagedCase c = make_paged_case({1}, {50}, 2, 1, 64, 8, 96);
  const std::vector<float> plain = twin_decode(c, 2.0f);
  c.softcap = 2.0f;
  EXPECT_NE(plain, twin_decode(c, 2.0f));
  c.softcap = -1.0f;
  EXPECT_THROW(twin_decode(c, 2.0f), std::invalid_argument);
}

// gpt-oss's attention sinks: a per-head logit in the softmax denominator. Sinks near the scores, one far above
// them (its head's output near zero) and one far below (no effect), with a sliding window as gpt-oss's
// alternate layers have.
PagedCase with_sinks(PagedCase c, std::uint32_t seed, int window = 0) {
  c.sinks = testing::random_bf16(static_cast<std::size_t>(c.num_q_heads), -3.0f, 3.0f, seed);
  c.sinks[0] = to_bf16(20.0f);
  if (c.num_q_heads > 1) c.sinks[1] = to_bf16(-50.0f);
  c.window = window;
  return c;
}

TEST(PagedAttention, SinksJoinTheSoftmaxDenominator) {
  check_prefill<float>(with_sinks(make_paged_case({5, 17, 1, 32}, {5, 40, 9, 32}, 12, 2, 128, 16, 101), 102), 0.3f);
  check_prefill<bf16>(with_sinks(make_paged_case({6, 2}, {6, 100}, 8, 2, 64, 8, 103), 104, 9), 0.5f);
  check_decode<float>(with_sinks(make_paged_case({1, 1, 1}, {1, 257, 700}, 8, 4, 64, 16, 105), 106), 0.3f);
  check_decode<bf16>(with_sinks(make_paged_case({1, 1}, {513, 64}, 16, 2, 64, 32, 107), 108, 128), 0.2f);
  // The sink changes the result; a sink far above the scores leaves its head about zero.
  PagedCase c = make_paged_case({1}, {50}, 2, 1, 64, 8, 109);
  const std::vector<float> plain = twin_decode(c, 0.3f);
  c.sinks = {to_bf16(0.5f), to_bf16(40.0f)};
  const std::vector<float> sunk = twin_decode(c, 0.3f);
  EXPECT_NE(plain, sunk);
  for (int i = 64; i < 128; ++i) EXPECT_LT(std::fabs(sunk[static_cast<std::size_t>(i)]), 1e-12f);
}

TEST(PagedAttentionDecode, EmptyContextGivesZeros) {
  PagedCase c = make_paged_case({1, 1}, {0, 4}, 2, 1, 64, 4, 73);
  std::vector<float> out(c.q.size(), 5.0f);
  cpu::paged_attention_decode<float>(c.q.data(), 2 * 64, out.data(), 2, c.cache_view(c.key.data(), c.value.data()),
                                     c.batch(nullptr, c.context_lens.data(), c.block_tables.data()), 1.0f, nullptr);
  for (int i = 0; i < 2 * 64; ++i) EXPECT_EQ(out[static_cast<std::size_t>(i)], 0.0f);
}

TEST(PagedAttention, QueryStrideReadsIntoFusedQkv) {
  // q rows are 3 heads wide inside a row of [q | k | v]; the result must equal the dense-q result.
  PagedCase c = make_paged_case({4}, {4}, 2, 1, 64, 4, 74);
  const int stride = (2 + 2) * 64;
  std::vector<float> fused(static_cast<std::size_t>(4) * stride, 99.0f);
  for (int r = 0; r < 4; ++r)
    for (int e = 0; e < 2 * 64; ++e) fused[static_cast<std::size_t>(r) * stride + e] = c.q[static_cast<std::size_t>(r) * 128 + e];
  std::vector<float> dense(c.q.size()), strided(c.q.size());
  const KvCacheView cache = c.cache_view(c.key.data(), c.value.data());
  const PagedBatch batch = c.batch(c.query_starts.data(), c.context_lens.data(), c.block_tables.data());
  cpu::paged_attention_prefill<float>(c.q.data(), 128, dense.data(), 2, cache, batch, 0.5f);
  cpu::paged_attention_prefill<float>(fused.data(), stride, strided.data(), 2, cache, batch, 0.5f);
  EXPECT_EQ(dense, strided);
}

TEST(PagedAttention, RejectsBadTablesAndShapes) {
  PagedCase c = make_paged_case({2}, {20}, 4, 2, 64, 8, 75);
  const KvCacheView cache = c.cache_view(c.key.data(), c.value.data());
  std::vector<float> out(c.q.size());
  PagedBatch batch = c.batch(c.query_starts.data(), c.context_lens.data(), c.block_tables.data());
  EXPECT_THROW(cpu::paged_attention_prefill<float>(c.q.data(), 256, out.data(), 3, cache, batch, 1.0f),
               std::invalid_argument);
  std::vector<std::int32_t> bad_table = c.block_tables;
  bad_table[1] = c.num_blocks;  // outside the pool
  batch.block_tables = bad_table.data();
  try {
    cpu::paged_attention_prefill<float>(c.q.data(), 256, out.data(), 4, cache, batch, 1.0f);
    FAIL() << "expected out_of_range";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find("sequence 0 block_tables[1]"), std::string::npos) << e.what();
  }
  std::vector<std::int32_t> long_context = {1000};
  batch = c.batch(c.query_starts.data(), long_context.data(), c.block_tables.data());
  EXPECT_THROW(cpu::paged_attention_decode<float>(c.q.data(), 256, out.data(), 4, cache, batch, 1.0f, nullptr),
               std::out_of_range);
}

}  // namespace
}  // namespace r1eval::kernels
