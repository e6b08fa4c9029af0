#include "kernels/attention.h"
#include "kernels/cpu/vector_math.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace r1eval::kernels::cpu {

namespace {

struct QueryRow {
  int seq;
  int row;       // index into q / out
  int position;  // attends to cache positions first .. position
  int first;     // 0, or position - window + 1 under a sliding window
};

QueryRow query_row(const PagedBatch& batch, int seq, int row, int position) {
  return {seq, row, position, batch.window > 0 ? std::max(0, position - batch.window + 1) : 0};
}

void check_sequence_blocks(const KvCacheView& cache, const PagedBatch& batch, int seq, int context) {
  const std::string name = "attention: sequence " + std::to_string(seq);
  if (context < 0) throw std::out_of_range(name + " has negative context length " + std::to_string(context));
  const int blocks = (context + cache.block_size - 1) / cache.block_size;
  if (blocks > batch.max_blocks_per_seq)
    throw std::out_of_range(name + " needs " + std::to_string(blocks) + " blocks for " + std::to_string(context) +
                            " tokens but its block table has " + std::to_string(batch.max_blocks_per_seq));
  const std::int32_t* table = batch.block_tables + static_cast<std::size_t>(seq) * batch.max_blocks_per_seq;
  for (int b = 0; b < blocks; ++b)
    if (table[b] < 0 || table[b] >= cache.num_blocks)
      throw std::out_of_range(name + " block_tables[" + std::to_string(b) + "] = " + std::to_string(table[b]) +
                              " is outside the pool of " + std::to_string(cache.num_blocks) + " blocks");
}

// Softmax attention of one query row for the query heads of one kv head, in fp32. Those heads share the
// kv head, so each key and value row is widened once and used by every head of the group.
template <typename T>
void attend_row(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                const PagedBatch& batch, float scale, const QueryRow& r, int kv_head) {
  const int d = cache.head_dim, group = num_q_heads / cache.num_kv_heads;
  const std::int32_t* table = batch.block_tables + static_cast<std::size_t>(r.seq) * batch.max_blocks_per_seq;
  const int keys = r.position + 1 - r.first;
  const std::size_t dims = static_cast<std::size_t>(d);
  std::vector<float> queries(group * dims), scores(static_cast<std::size_t>(group) * keys), acc(group * dims),
      row(dims), max_score(static_cast<std::size_t>(group));
  for (int g = 0; g < group; ++g) {
    const T* qh = q + static_cast<std::size_t>(r.row) * q_row_stride + static_cast<std::size_t>(kv_head * group + g) * d;
    for (int i = 0; i < d; ++i) queries[g * dims + i] = load_as_float(qh[i]) * scale;
  }
  std::fill(max_score.begin(), max_score.end(), -std::numeric_limits<float>::infinity());
  for (int j = 0; j < keys; ++j) {
    const int key = r.first + j;
    cpu_detail::widen(cache.key + kv_cache_index(cache, table[key / cache.block_size], kv_head, key % cache.block_size, 0),
                      row.data(), d);
    for (int g = 0; g < group; ++g) {
      const float s = soft_capped_score(cpu_detail::dot(queries.data() + g * dims, row.data(), d), batch.softcap);
      scores[static_cast<std::size_t>(g) * keys + j] = s;
      max_score[static_cast<std::size_t>(g)] = std::max(max_score[static_cast<std::size_t>(g)], s);
    }
  }
  std::vector<float> totals(static_cast<std::size_t>(group), 0.0f);
  for (int g = 0; g < group; ++g)
    for (int j = 0; j < keys; ++j) {
      float& s = scores[static_cast<std::size_t>(g) * keys + j];
      s = std::exp(s - max_score[static_cast<std::size_t>(g)]);
      totals[static_cast<std::size_t>(g)] += s;
    }
  std::fill(acc.begin(), acc.end(), 0.0f);
  for (int j = 0; j < keys; ++j) {
    const int key = r.first + j;
    cpu_detail::widen(
        cache.value + kv_cache_index(cache, table[key / cache.block_size], kv_head, key % cache.block_size, 0),
        row.data(), d);
    for (int g = 0; g < group; ++g)
      cpu_detail::axpy(scores[static_cast<std::size_t>(g) * keys + j], row.data(), acc.data() + g * dims, d);
  }
  for (int g = 0; g < group; ++g) {
    T* oh = out + (static_cast<std::size_t>(r.row) * num_q_heads + kv_head * group + g) * d;
    const float total = softmax_total_with_sink(totals[static_cast<std::size_t>(g)], max_score[static_cast<std::size_t>(g)],
                                                batch.sinks, kv_head * group + g);
    const float inverse_total = keys > 0 ? 1.0f / total : 0.0f;
    for (int i = 0; i < d; ++i) oh[i] = store_from_float<T>(acc[g * dims + i] * inverse_total);
  }
}

template <typename T>
void attend_rows(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                 const PagedBatch& batch, float scale, const std::vector<QueryRow>& rows) {
  const std::size_t kv_heads = static_cast<std::size_t>(cache.num_kv_heads);
  tbb::parallel_for(std::size_t{0}, rows.size() * kv_heads, [&](std::size_t i) {
    attend_row(q, q_row_stride, out, num_q_heads, cache, batch, scale, rows[i / kv_heads], static_cast<int>(i % kv_heads));
  });
}

}  // namespace

template <typename T>
void paged_attention_prefill(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                             const PagedBatch& batch, float scale, Stream) {
  validate_attention_shape(num_q_heads, cache, batch, q_row_stride);
  if (batch.num_seqs > 0 && batch.query_starts == nullptr)
    throw std::invalid_argument("paged_attention_prefill: PagedBatch.query_starts must not be null");
  std::vector<QueryRow> rows;
  for (int s = 0; s < batch.num_seqs; ++s) {
    const int begin = batch.query_starts[s], q_len = batch.query_starts[s + 1] - begin;
    const int context = batch.context_lens[s];
    check_sequence_blocks(cache, batch, s, context);
    if (q_len < 0 || q_len > context)
      throw std::out_of_range("paged_attention_prefill: sequence " + std::to_string(s) + " has " +
                              std::to_string(q_len) + " query rows but context " + std::to_string(context));
    for (int i = 0; i < q_len; ++i) rows.push_back(query_row(batch, s, begin + i, context - q_len + i));
  }
  attend_rows(q, q_row_stride, out, num_q_heads, cache, batch, scale, rows);
}

template <typename T>
void paged_attention_decode(const T* q, int q_row_stride, T* out, int num_q_heads, const KvCacheView& cache,
                            const PagedBatch& batch, float scale, float*, Stream) {
  validate_attention_shape(num_q_heads, cache, batch, q_row_stride);
  std::vector<QueryRow> rows;
  for (int s = 0; s < batch.num_seqs; ++s) {
    const int context = batch.context_lens[s];
    check_sequence_blocks(cache, batch, s, context);
    if (context == 0) {
      std::fill(out + static_cast<std::size_t>(s) * num_q_heads * cache.head_dim,
                out + static_cast<std::size_t>(s + 1) * num_q_heads * cache.head_dim, store_from_float<T>(0.0f));
      continue;
    }
    rows.push_back(query_row(batch, s, s, context - 1));
  }
  attend_rows(q, q_row_stride, out, num_q_heads, cache, batch, scale, rows);
}

template void paged_attention_prefill<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                             float, Stream);
template void paged_attention_prefill<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                            float, Stream);
template void paged_attention_decode<float>(const float*, int, float*, int, const KvCacheView&, const PagedBatch&,
                                            float, float*, Stream);
template void paged_attention_decode<bf16>(const bf16*, int, bf16*, int, const KvCacheView&, const PagedBatch&,
                                           float, float*, Stream);

}  // namespace r1eval::kernels::cpu
