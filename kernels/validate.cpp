// Argument checks shared by the CPU twins and the CUDA launchers.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "kernels/attention.h"
#include "kernels/elementwise.h"
#include "kernels/kv_cache.h"
#include "kernels/moe.h"
#include "kernels/norm.h"
#include "kernels/sampling.h"

namespace r1eval::kernels {

namespace {
void require_positive(int value, const char* field) {
  if (value <= 0) throw std::invalid_argument(std::string("KvCacheView.") + field + " must be > 0, got " + std::to_string(value));
}
}  // namespace

void validate_kv_cache(const KvCacheView& cache) {
  require_positive(cache.num_blocks, "num_blocks");
  require_positive(cache.block_size, "block_size");
  require_positive(cache.num_kv_heads, "num_kv_heads");
  require_positive(cache.head_dim, "head_dim");
  if (cache.key == nullptr || cache.value == nullptr)
    throw std::invalid_argument("KvCacheView: key and value pools must not be null");
}

void validate_attention_shape(int num_q_heads, const KvCacheView& cache, const PagedBatch& batch, int q_row_stride) {
  validate_kv_cache(cache);
  if (num_q_heads <= 0 || num_q_heads % cache.num_kv_heads != 0)
    throw std::invalid_argument("attention: num_q_heads (" + std::to_string(num_q_heads) +
                                ") must be a positive multiple of num_kv_heads (" +
                                std::to_string(cache.num_kv_heads) + ")");
  if (q_row_stride < num_q_heads * cache.head_dim)
    throw std::invalid_argument("attention: q_row_stride (" + std::to_string(q_row_stride) +
                                ") is smaller than num_q_heads * head_dim (" +
                                std::to_string(num_q_heads * cache.head_dim) + ")");
  if (batch.num_seqs < 0) throw std::invalid_argument("PagedBatch.num_seqs must be >= 0");
  if (batch.num_seqs > 0 && (batch.context_lens == nullptr || batch.block_tables == nullptr))
    throw std::invalid_argument("PagedBatch: context_lens and block_tables must not be null");
  if (batch.max_blocks_per_seq <= 0)
    throw std::invalid_argument("PagedBatch.max_blocks_per_seq must be > 0, got " +
                                std::to_string(batch.max_blocks_per_seq));
  if (batch.window < 0) throw std::invalid_argument("PagedBatch.window must be >= 0, got " + std::to_string(batch.window));
  if (!(batch.softcap >= 0.0f) || !std::isfinite(batch.softcap))
    throw std::invalid_argument("PagedBatch.softcap must be finite and >= 0, got " + std::to_string(batch.softcap));
}

void validate_sampling_params(const SamplingParams& params) {
  if (!std::isfinite(params.temperature))
    throw std::invalid_argument("SamplingParams.temperature must be finite, got " + std::to_string(params.temperature));
  if (!(params.top_p > 0.0f && params.top_p <= 1.0f))
    throw std::invalid_argument("SamplingParams.top_p must be in (0, 1], got " + std::to_string(params.top_p));
  if (params.top_k < 0)
    throw std::invalid_argument("SamplingParams.top_k must be >= 0, got " + std::to_string(params.top_k));
  if (!(params.min_p >= 0.0f && params.min_p <= 1.0f))
    throw std::invalid_argument("SamplingParams.min_p must be in [0, 1], got " + std::to_string(params.min_p));
}

void validate_projection_norm(const char* what, int rows, int q_width, int kv_width, const ProjectionNorm* norm) {
  const std::string name(what);
  if (rows < 0) throw std::invalid_argument(name + ": rows must be >= 0, got " + std::to_string(rows));
  if (q_width <= 0 || kv_width <= 0)
    throw std::invalid_argument(name + ": q_width and kv_width must be > 0, got " + std::to_string(q_width) + " and " +
                                std::to_string(kv_width));
  if (norm == nullptr) return;
  if (norm->q_weight == nullptr || norm->k_weight == nullptr)
    throw std::invalid_argument(name + ": the q and k norm weights must not be null");
  if ((norm->q_total != 0 && norm->q_total < q_width) || (norm->kv_total != 0 && norm->kv_total < kv_width))
    throw std::invalid_argument(name + ": q_total and kv_total must be 0 or at least q_width and kv_width, got " +
                                std::to_string(norm->q_total) + " and " + std::to_string(norm->kv_total));
}

void validate_moe_routing(const char* what, int rows, int experts, int top_k) {
  const std::string name(what);
  if (rows < 0) throw std::invalid_argument(name + ": rows must be >= 0, got " + std::to_string(rows));
  if (experts <= 0 || experts > kMoeMaxExperts)
    throw std::invalid_argument(name + ": experts must be in 1.." + std::to_string(kMoeMaxExperts) + ", got " +
                                std::to_string(experts));
  if (top_k <= 0 || top_k > experts || top_k > kMoeMaxTopK)
    throw std::invalid_argument(name + ": top_k must be in 1.." + std::to_string(std::min(experts, kMoeMaxTopK)) +
                                ", got " + std::to_string(top_k));
}

void validate_moe_experts(const char* what, int hidden, int inter, int experts, int top_k) {
  validate_moe_routing(what, 0, experts, top_k);
  if (hidden <= 0 || inter <= 0)
    throw std::invalid_argument(std::string(what) + ": hidden and inter must be > 0, got " + std::to_string(hidden) +
                                " and " + std::to_string(inter));
}

void validate_moe_mxfp4(const char* what, const Mxfp4Weights& weights, int k_dim) {
  if (weights.blocks == nullptr) return;
  if (weights.scales == nullptr) throw std::invalid_argument(std::string(what) + ": MXFP4 blocks given without their scales");
  if (k_dim % 32 != 0)
    throw std::invalid_argument(std::string(what) + ": MXFP4 weights need a reduced width that is a multiple of 32, got " +
                                std::to_string(k_dim));
}

void validate_moe_combine(int rows, int top_k, int hidden) {
  if (rows < 0) throw std::invalid_argument("moe_combine: rows must be >= 0, got " + std::to_string(rows));
  if (top_k <= 0 || top_k > kMoeMaxTopK)
    throw std::invalid_argument("moe_combine: top_k must be in 1.." + std::to_string(kMoeMaxTopK) + ", got " +
                                std::to_string(top_k));
  if (hidden <= 0) throw std::invalid_argument("moe_combine: hidden must be > 0, got " + std::to_string(hidden));
}

void validate_elementwise(const char* kernel, const void* x, std::size_t count, float factor, bool positive) {
  if (count > 0 && x == nullptr) throw std::invalid_argument(std::string(kernel) + ": x must not be null");
  if (!std::isfinite(factor) || (positive && !(factor > 0.0f)))
    throw std::invalid_argument(std::string(kernel) + ": the " + (positive ? "cap must be finite and > 0" : "factor must be finite") +
                                ", got " + std::to_string(factor));
}

}  // namespace r1eval::kernels
