#include "engine/backend/cpu/cpu_moe.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <vector>

#include "engine/backend/cpu/cpu_ops.h"
#include "kernels/moe.h"

namespace r1eval::engine::cpu {

void moe_forward(const float* x, std::int64_t tokens, const LayerWeights& layer, const MoeConfig& moe, float* out) {
  const std::int64_t hidden = layer.router.in, experts = moe.num_experts, k = moe.experts_per_token;
  const auto n = [](std::int64_t count) { return static_cast<std::size_t>(count); };
  std::vector<float> logits(n(tokens * experts));
  linear_forward(x, tokens, layer.router, logits.data());

  // Each expert's tokens and their weights.
  std::vector<std::vector<std::int64_t>> routed(n(experts));
  std::vector<std::vector<float>> weights(n(experts));
  std::vector<double> probs(n(experts));
  std::vector<std::int64_t> order(n(experts));
  for (std::int64_t t = 0; t < tokens; ++t) {
    const float* row = logits.data() + t * experts;
    const float top = *std::max_element(row, row + experts);
    double sum = 0;
    for (std::int64_t e = 0; e < experts; ++e) sum += probs[n(e)] = std::exp(static_cast<double>(row[e]) - top);
    for (double& p : probs) p /= sum;
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](std::int64_t a, std::int64_t b) {
      return probs[n(a)] != probs[n(b)] ? probs[n(a)] > probs[n(b)] : a < b;
    });
    double chosen = 0;
    for (std::int64_t i = 0; i < k; ++i) chosen += probs[n(order[n(i)])];
    for (std::int64_t i = 0; i < k; ++i) {
      const std::int64_t e = order[n(i)];
      routed[n(e)].push_back(t);
      weights[n(e)].push_back(static_cast<float>(moe.norm_topk_prob ? probs[n(e)] / chosen : probs[n(e)]));
    }
  }

  std::memset(out, 0, n(tokens * hidden) * sizeof(float));
  std::vector<float> in, gate, up, down;
  for (std::int64_t e = 0; e < experts; ++e) {
    const auto& rows = routed[n(e)];
    if (rows.empty()) continue;
    const ExpertWeights& expert = layer.experts[n(e)];
    const auto count = static_cast<std::int64_t>(rows.size());
    const std::int64_t inter = expert.gate.out;
    in.resize(n(count * hidden));
    for (std::int64_t r = 0; r < count; ++r) std::memcpy(in.data() + r * hidden, x + rows[n(r)] * hidden, n(hidden) * sizeof(float));
    gate.resize(n(count * inter));
    up.resize(gate.size());
    down.resize(in.size());
    linear_forward(in.data(), count, expert.gate, gate.data());
    linear_forward(in.data(), count, expert.up, up.data());
    if (moe.swiglu_limit > 0) {  // gpt-oss's clamped SwiGLU (the biases came with the linears)
      kernels::ExpertForm form;
      form.swiglu_limit = static_cast<float>(moe.swiglu_limit);
      form.swiglu_alpha = static_cast<float>(moe.swiglu_alpha);
      for (std::size_t i = 0; i < gate.size(); ++i) gate[i] = kernels::expert_activation(gate[i], up[i], form);
    } else {
      silu_mul(gate.data(), up.data(), count * inter);
    }
    linear_forward(gate.data(), count, expert.down, down.data());
    for (std::int64_t r = 0; r < count; ++r) {
      const float w = weights[n(e)][n(r)];
      float* target = out + rows[n(r)] * hidden;
      const float* y = down.data() + r * hidden;
      for (std::int64_t i = 0; i < hidden; ++i) target[i] += w * y[i];
    }
  }
}

}  // namespace r1eval::engine::cpu
