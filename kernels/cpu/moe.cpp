#include "kernels/moe.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace r1eval::kernels::cpu {

namespace {

// x . w over n values, in fp32 in index order.
template <typename T, typename W>
float dot(const T* x, const W* w, int n) {
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) sum += load_as_float(x[i]) * load_as_float(w[i]);
  return sum;
}

// Row `row` ([k_dim] values) of an expert matrix array, widened to fp32 into `out`: from MXFP4 when given, else bf16.
const float* weight_row(const bf16* weights, const Mxfp4Weights& mxfp4, std::size_t row, int k_dim, std::vector<float>& out) {
  out.resize(static_cast<std::size_t>(k_dim));
  for (int k = 0; k < k_dim; ++k)
    out[static_cast<std::size_t>(k)] = mxfp4.blocks != nullptr ? mxfp4_value(mxfp4, row, k, k_dim)
                                                               : to_float(weights[row * static_cast<std::size_t>(k_dim) + k]);
  return out.data();
}

}  // namespace

void moe_route(const float* logits, int rows, int experts, int top_k, bool renormalize, std::int32_t* expert_ids,
               float* weights, Stream) {
  validate_moe_routing("moe_route", rows, experts, top_k);
  std::vector<bool> taken(static_cast<std::size_t>(experts));
  std::vector<float> chosen(static_cast<std::size_t>(top_k));
  for (int r = 0; r < rows; ++r) {
    const float* row = logits + static_cast<std::size_t>(r) * experts;
    std::fill(taken.begin(), taken.end(), false);
    std::int32_t* ids = expert_ids + static_cast<std::size_t>(r) * top_k;
    for (int j = 0; j < top_k; ++j) {
      int best = -1;
      for (int e = 0; e < experts; ++e)
        if (!taken[static_cast<std::size_t>(e)] && (best < 0 || moe_route_before(row[e], e, row[best], best))) best = e;
      taken[static_cast<std::size_t>(best)] = true;
      ids[j] = best;
    }
    const float top = row[ids[0]];
    float all = 0.0f;
    for (int e = 0; e < experts; ++e) all += std::exp(row[e] - top);
    float kept = 0.0f;
    for (int j = 0; j < top_k; ++j) {
      chosen[static_cast<std::size_t>(j)] = std::exp(row[ids[j]] - top) / all;
      kept += chosen[static_cast<std::size_t>(j)];
    }
    for (int j = 0; j < top_k; ++j)
      weights[static_cast<std::size_t>(r) * top_k + j] = renormalize ? chosen[static_cast<std::size_t>(j)] / kept
                                                                     : chosen[static_cast<std::size_t>(j)];
  }
}

void moe_group(const std::int32_t* expert_ids, int pairs, int experts, std::int32_t* offsets, std::int32_t* grouped,
               std::int32_t* active, Stream) {
  validate_moe_routing("moe_group", pairs, experts, 1);
  std::vector<std::int32_t> next(static_cast<std::size_t>(experts) + 1, 0);
  for (int p = 0; p < pairs; ++p) {
    const std::int32_t e = expert_ids[p];
    if (e < 0 || e >= experts)
      throw std::out_of_range("moe_group: pair " + std::to_string(p) + " names expert " + std::to_string(e) + " of " +
                              std::to_string(experts));
    ++next[static_cast<std::size_t>(e) + 1];
  }
  for (int e = 0; e < experts; ++e) next[static_cast<std::size_t>(e) + 1] += next[static_cast<std::size_t>(e)];
  for (int e = 0; e <= experts; ++e) offsets[e] = next[static_cast<std::size_t>(e)];
  int listed = 0;
  for (int e = 0; e < experts; ++e)
    if (offsets[e + 1] > offsets[e]) active[listed++] = e;
  for (int i = listed; i < experts; ++i) active[i] = -1;
  for (int p = 0; p < pairs; ++p) grouped[next[static_cast<std::size_t>(expert_ids[p])]++] = p;
}

template <typename T>
void moe_gate_up(const T* x, int hidden, const bf16* gate_up, int inter, int experts, int top_k,
                 const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active, int pairs, T* act,
                 const ExpertForm& form, Stream) {
  validate_moe_experts("moe_gate_up", hidden, inter, experts, top_k);
  validate_moe_mxfp4("moe_gate_up", form.gate_up_mxfp4, hidden);
  std::vector<float> gate_row, up_row;
  for (int slot = 0; slot < std::min(pairs, experts) && active[slot] >= 0; ++slot) {
    const int e = active[slot];
    for (int f = 0; f < inter; ++f) {
      const std::size_t row = static_cast<std::size_t>(e) * 2 * inter + f;  // gate's; up's is inter rows on
      const float* gate = weight_row(gate_up, form.gate_up_mxfp4, row, hidden, gate_row);
      const float* up = weight_row(gate_up, form.gate_up_mxfp4, row + static_cast<std::size_t>(inter), hidden, up_row);
      for (std::int32_t i = offsets[e]; i < offsets[e + 1]; ++i) {
        const std::int32_t pair = grouped[i];
        const T* in = x + static_cast<std::size_t>(pair / top_k) * hidden;
        const float g = dot(in, gate, hidden) + expert_bias(form.gate_up_bias, row);
        const float u = dot(in, up, hidden) + expert_bias(form.gate_up_bias, row + static_cast<std::size_t>(inter));
        act[static_cast<std::size_t>(pair) * inter + f] = store_from_float<T>(expert_activation(g, u, form));
      }
    }
  }
}

template <typename T>
void moe_down(const T* act, int inter, const bf16* down, int hidden, int experts, const std::int32_t* offsets,
              const std::int32_t* grouped, const std::int32_t* active, int pairs, T* expert_out, const ExpertForm& form,
              Stream) {
  validate_moe_experts("moe_down", hidden, inter, experts, 1);
  validate_moe_mxfp4("moe_down", form.down_mxfp4, inter);
  std::vector<float> weight_values;
  for (int slot = 0; slot < std::min(pairs, experts) && active[slot] >= 0; ++slot) {
    const int e = active[slot];
    for (int h = 0; h < hidden; ++h) {
      const std::size_t row = static_cast<std::size_t>(e) * hidden + h;
      const float* weight = weight_row(down, form.down_mxfp4, row, inter, weight_values);
      for (std::int32_t i = offsets[e]; i < offsets[e + 1]; ++i) {
        const std::int32_t pair = grouped[i];
        expert_out[static_cast<std::size_t>(pair) * hidden + h] =
            store_from_float<T>(dot(act + static_cast<std::size_t>(pair) * inter, weight, inter) + expert_bias(form.down_bias, row));
      }
    }
  }
}

template <typename T>
void moe_combine(const T* expert_out, const float* weights, int rows, int top_k, int hidden, T* out, Stream) {
  validate_moe_combine(rows, top_k, hidden);
  for (int t = 0; t < rows; ++t)
    for (int h = 0; h < hidden; ++h) {
      float sum = 0.0f;
      for (int j = 0; j < top_k; ++j)
        sum += weights[static_cast<std::size_t>(t) * top_k + j] *
               load_as_float(expert_out[(static_cast<std::size_t>(t) * top_k + j) * hidden + h]);
      out[static_cast<std::size_t>(t) * hidden + h] = store_from_float<T>(sum);
    }
}

template void moe_gate_up<float>(const float*, int, const bf16*, int, int, int, const std::int32_t*,
                                 const std::int32_t*, const std::int32_t*, int, float*, const ExpertForm&, Stream);
template void moe_gate_up<bf16>(const bf16*, int, const bf16*, int, int, int, const std::int32_t*, const std::int32_t*,
                                const std::int32_t*, int, bf16*, const ExpertForm&, Stream);
template void moe_down<float>(const float*, int, const bf16*, int, int, const std::int32_t*, const std::int32_t*,
                              const std::int32_t*, int, float*, const ExpertForm&, Stream);
template void moe_down<bf16>(const bf16*, int, const bf16*, int, int, const std::int32_t*, const std::int32_t*,
                             const std::int32_t*, int, bf16*, const ExpertForm&, Stream);
template void moe_combine<float>(const float*, const float*, int, int, int, float*, Stream);
template void moe_combine<bf16>(const bf16*, const float*, int, int, int, bf16*, Stream);

}  // namespace r1eval::kernels::cpu
