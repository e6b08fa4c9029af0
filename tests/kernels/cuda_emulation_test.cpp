// The CUDA kernel bodies, run on CPU threads by simt_emulator.h, against the CPU twins. This checks the
// kernels' indexing, barriers, shuffles and reductions in every build; kernels_cuda_tests repeats the
// comparison on a real GPU (where rounding of the device's math functions also comes in).
#include "simt_emulator.h"
// The emulator's macros must come first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <random>
#include <set>

#include "kernel_test_support.h"
#include "kernels/activation.h"
#include "kernels/cuda/attention_decode_mma_kernels.cuh"
#include "kernels/cuda/attention_kernels.cuh"
#include "kernels/cuda/attention_prefill_mma_kernels.cuh"
#include "kernels/cuda/gemv_kernels.cuh"
#include "kernels/cuda/moe_kernels.cuh"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/cuda/sampling_kernels.cuh"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/moe.h"
#include "kernels/projection.h"
#include "kernels/norm.h"
#include "kernels/rope.h"

namespace r1eval::kernels {
namespace {

using testing::convert;
using testing::expect_near;
using testing::make_paged_case;
using testing::PagedCase;
using testing::random_bf16;
using testing::random_floats;

// The sampling kernel works for any block of 32..1024 threads; emulating it with 128 OS threads instead
// of the 1024 it launches with on a GPU keeps this CPU test light (kernels_cuda_tests runs 1024).
constexpr unsigned kEmulatedSampleThreads = 128;

template <typename T, int kVec>
void emulate_rmsnorm(int rows, int dim, bool with_residual) {
  const std::vector<T> input = convert<T>(random_floats(static_cast<std::size_t>(rows) * dim, -3.0f, 3.0f, 301));
  const std::vector<T> residual0 = convert<T>(random_floats(input.size(), -3.0f, 3.0f, 302));
  const std::vector<bf16> weight = random_bf16(static_cast<std::size_t>(dim), 0.5f, 1.5f, 303);
  std::vector<T> cpu_residual = residual0, cpu_out(input.size()), residual = residual0, out(input.size());
  cpu::rmsnorm_residual<T>(input.data(), with_residual ? cpu_residual.data() : nullptr, cpu_out.data(), weight.data(),
                           rows, dim, 1e-6f);
  if (kVec == 8) {
    ASSERT_TRUE(cuda_detail::vector8_ok(dim, {input.data(), residual.data(), out.data(), weight.data()}));
  }
  simt::launch(dim3(static_cast<unsigned>(rows)), dim3(cuda_detail::kNormThreads), [&] {
    cuda_detail::rmsnorm_residual_kernel<T, kVec>(input.data(), with_residual ? residual.data() : nullptr, out.data(),
                                                  weight.data(), dim, 1e-6f);
  });
  expect_near(out, cpu_out, std::is_same_v<T, float> ? 1e-5 : 8e-3, 1e-6, "rmsnorm");
  expect_near(residual, cpu_residual, 0.0, 0.0, "residual");
}

TEST(CudaKernelEmulation, RmsNormResidual) {
  emulate_rmsnorm<float, 8>(3, 1536, true);
  emulate_rmsnorm<bf16, 8>(2, 2056, true);  // 2056 = 8 * 257: the last step covers a partial block of threads
  emulate_rmsnorm<bf16, 1>(2, 300, true);
  emulate_rmsnorm<float, 1>(2, 100, false);
  EXPECT_FALSE(cuda_detail::vector8_ok(300, {nullptr}));
}

template <typename T, int kVec>
void emulate_rmsnorm_add(int rows, int dim) {
  const std::vector<T> input = convert<T>(random_floats(static_cast<std::size_t>(rows) * dim, -3.0f, 3.0f, 304));
  const std::vector<T> residual0 = convert<T>(random_floats(input.size(), -3.0f, 3.0f, 305));
  const std::vector<bf16> weight = random_bf16(static_cast<std::size_t>(dim), 0.5f, 1.5f, 306);
  std::vector<T> cpu_residual = residual0, residual = residual0;
  cpu::rmsnorm_add<T>(input.data(), cpu_residual.data(), weight.data(), rows, dim, 1e-6f);
  if (kVec == 8) {
    ASSERT_TRUE(cuda_detail::vector8_ok(dim, {input.data(), residual.data(), weight.data()}));
  }
  simt::launch(dim3(static_cast<unsigned>(rows)), dim3(cuda_detail::kNormThreads), [&] {
    cuda_detail::rmsnorm_add_kernel<T, kVec>(input.data(), residual.data(), weight.data(), dim, 1e-6f);
  });
  // Two summation orders of the squares; a bf16 sum may then round to the neighbouring value.
  expect_near(residual, cpu_residual, std::is_same_v<T, float> ? 1e-5 : 8e-3, std::is_same_v<T, float> ? 1e-5 : 4e-2,
              "rmsnorm_add");
}

TEST(CudaKernelEmulation, RmsNormAdd) {
  emulate_rmsnorm_add<float, 8>(3, 1536);
  emulate_rmsnorm_add<bf16, 8>(2, 2056);
  emulate_rmsnorm_add<bf16, 1>(2, 300);
}

// The whole-projection q/k norm from the row's own squares and, as a tensor-parallel rank, from summed ones
// (qk_sum_squares_kernel's, doubled: the other ranks' part as large again); v must stay as it was.
template <typename T>
void emulate_qk_projection_norm(int rows, int q_width, int kv_width, bool given_sums) {
  const int stride = q_width + 2 * kv_width;
  const std::vector<T> qkv0 = convert<T>(random_floats(static_cast<std::size_t>(rows) * stride, -2.0f, 2.0f, 307));
  const std::vector<bf16> q_weight = random_bf16(static_cast<std::size_t>(q_width), 0.5f, 1.5f, 308);
  const std::vector<bf16> k_weight = random_bf16(static_cast<std::size_t>(kv_width), 0.5f, 1.5f, 309);
  std::vector<float> cpu_sums(static_cast<std::size_t>(rows) * 2), sums(cpu_sums.size());
  cpu::qk_sum_squares<T>(qkv0.data(), rows, q_width, kv_width, cpu_sums.data());
  simt::launch(dim3(static_cast<unsigned>(rows)), dim3(cuda_detail::kNormThreads), [&] {
    cuda_detail::qk_sum_squares_kernel<T>(qkv0.data(), q_width, kv_width, sums.data());
  });
  expect_near(sums, cpu_sums, 1e-5, 1e-5, "qk_sum_squares");
  ProjectionNorm norm{q_weight.data(), k_weight.data(), 1e-6f, nullptr, 0, 0};
  if (given_sums) {
    for (float& sum : cpu_sums) sum *= 2.0f;
    norm = ProjectionNorm{q_weight.data(), k_weight.data(), 1e-6f, cpu_sums.data(), 2 * q_width, 2 * kv_width};
  }
  std::vector<T> cpu_qkv = qkv0, qkv = qkv0;
  cpu::qk_projection_norm<T>(cpu_qkv.data(), rows, q_width, kv_width, norm);
  simt::launch(dim3(static_cast<unsigned>(rows)), dim3(cuda_detail::kNormThreads), [&] {
    cuda_detail::qk_projection_norm_kernel<T>(qkv.data(), q_width, kv_width, norm);
  });
  expect_near(qkv, cpu_qkv, std::is_same_v<T, float> ? 1e-5 : 8e-3, 1e-6, "qk_projection_norm");
}

TEST(CudaKernelEmulation, QkProjectionNorm) {
  emulate_qk_projection_norm<float>(3, 512, 128, false);
  emulate_qk_projection_norm<bf16>(2, 300, 100, false);  // widths no multiple of the block
  emulate_qk_projection_norm<bf16>(2, 256, 64, true);
}

// The mixture-of-experts steps as moe.cu launches them, each against the CPU twin on the same inputs: the
// routing chooses the same experts (weights to fp32 summation order), the grouping is identical, the expert
// products and the weighted sum agree to summation order.
template <typename T, int kVec>
void emulate_moe(int rows, int hidden, int inter, int experts, int k, bool renormalize,
                 const testing::OwnedExpertForm* gpt_oss = nullptr) {
  const ExpertForm form = gpt_oss != nullptr ? gpt_oss->form() : ExpertForm{};
  std::vector<float> logits = random_floats(static_cast<std::size_t>(rows) * experts, -3.0f, 3.0f, 321);
  logits[5] = logits[2] = 8.0f;  // a tie at the top of row 0
  const auto pairs = static_cast<std::size_t>(rows) * k;
  std::vector<std::int32_t> cpu_ids(pairs), ids(pairs, -1);
  std::vector<float> cpu_weights(pairs), weights(pairs);
  cpu::moe_route(logits.data(), rows, experts, k, renormalize, cpu_ids.data(), cpu_weights.data());
  const dim3 route_grid(static_cast<unsigned>((rows + cuda_detail::kMoeRouteWarps - 1) / cuda_detail::kMoeRouteWarps));
  simt::launch(route_grid, dim3(cuda_detail::kMoeRouteWarps * 32), [&] {
    cuda_detail::moe_route_kernel(logits.data(), rows, experts, k, renormalize, ids.data(), weights.data());
  });
  ASSERT_EQ(ids, cpu_ids);
  expect_near(weights, cpu_weights, 1e-5, 1e-7, "moe_route weights");

  std::vector<std::int32_t> cpu_offsets(static_cast<std::size_t>(experts) + 1), offsets(cpu_offsets.size(), -1);
  std::vector<std::int32_t> cpu_grouped(pairs), grouped(pairs, -1);
  std::vector<std::int32_t> cpu_active(static_cast<std::size_t>(experts)), active(cpu_active.size(), -7);
  const int n = static_cast<int>(pairs);
  cpu::moe_group(ids.data(), n, experts, cpu_offsets.data(), cpu_grouped.data(), cpu_active.data());
  simt::launch(dim3(1), dim3(static_cast<unsigned>((experts + 31) / 32 * 32)), [&] {
    cuda_detail::moe_group_kernel(ids.data(), n, experts, offsets.data(), grouped.data(), active.data());
  });
  ASSERT_EQ(offsets, cpu_offsets);
  ASSERT_EQ(grouped, cpu_grouped);
  ASSERT_EQ(active, cpu_active);
  // The expert products' grid: a block row per entry of `active` that can name an expert.
  const auto slots = static_cast<unsigned>(std::min(n, experts));

  const std::vector<T> x = convert<T>(random_floats(static_cast<std::size_t>(rows) * hidden, -1.0f, 1.0f, 322));
  const float in_scale = 2.0f / std::sqrt(static_cast<float>(hidden)), mid_scale = 2.0f / std::sqrt(static_cast<float>(inter));
  const std::vector<bf16> gate_up =
      random_bf16(static_cast<std::size_t>(experts) * 2 * inter * hidden, -in_scale, in_scale, 323);
  const std::vector<bf16> down = random_bf16(static_cast<std::size_t>(experts) * hidden * inter, -mid_scale, mid_scale, 324);
  if (kVec == 8) {
    ASSERT_TRUE(cuda_detail::vector8_ok(hidden, {x.data(), gate_up.data()}));
    ASSERT_TRUE(cuda_detail::vector8_ok(inter, {down.data()}));
  }
  std::vector<T> cpu_act(pairs * inter), act(cpu_act.size());
  cpu::moe_gate_up(x.data(), hidden, gate_up.data(), inter, experts, k, offsets.data(), grouped.data(), active.data(), n,
                   cpu_act.data(), form);
  const auto tiles = [](int features) { return static_cast<unsigned>((features + cuda_detail::kMoeWarps - 1) / cuda_detail::kMoeWarps); };
  simt::launch(dim3(slots, tiles(inter)), dim3(cuda_detail::kMoeWarps * 32), [&] {
    cuda_detail::moe_gate_up_kernel<T, kVec>(x.data(), hidden, gate_up.data(), inter, k, offsets.data(), grouped.data(),
                                             active.data(), act.data(), form);
  });
  const double rel = std::is_same_v<T, float> ? 1e-4 : 1.6e-2;
  expect_near(act, cpu_act, rel, 1e-4, "moe_gate_up");

  // The down and combine steps read the CPU twin's act, so each comparison sees one kernel's differences.
  std::vector<T> cpu_expert_out(pairs * hidden), expert_out(cpu_expert_out.size());
  cpu::moe_down(cpu_act.data(), inter, down.data(), hidden, experts, offsets.data(), grouped.data(), active.data(), n,
                cpu_expert_out.data(), form);
  simt::launch(dim3(slots, tiles(hidden)), dim3(cuda_detail::kMoeWarps * 32), [&] {
    cuda_detail::moe_down_kernel<T, kVec>(cpu_act.data(), inter, down.data(), hidden, offsets.data(), grouped.data(),
                                          active.data(), expert_out.data(), form);
  });
  expect_near(expert_out, cpu_expert_out, rel, 1e-4, "moe_down");

  std::vector<T> cpu_out(static_cast<std::size_t>(rows) * hidden), out(cpu_out.size());
  cpu::moe_combine(cpu_expert_out.data(), cpu_weights.data(), rows, k, hidden, cpu_out.data());
  simt::launch(cuda_detail::row_grid(rows, hidden, 128), dim3(128), [&] {
    cuda_detail::moe_combine_kernel<T>(cpu_expert_out.data(), cpu_weights.data(), rows, k, hidden, out.data());
  });
  expect_near(out, cpu_out, std::is_same_v<T, float> ? 1e-5 : 8e-3, 1e-6, "moe_combine");
}

TEST(CudaKernelEmulation, MixtureOfExpertsSteps) {
  emulate_moe<float, 8>(5, 32, 16, 40, 4, true);  // 40 experts: two per lane for some, a partial last warp
  emulate_moe<bf16, 8>(9, 64, 24, 8, 2, false);
  emulate_moe<bf16, 1>(3, 36, 20, 3, 3, true);  // every expert for every token; rows no multiple of 8
  emulate_moe<bf16, 8>(1, 32, 16, 40, 4, true);  // one token: 4 block rows for 40 experts
  // gpt-oss's experts: biases and the clamped SwiGLU (a limit inside the values' range, so the clamps bite).
  const testing::OwnedExpertForm gpt_oss = testing::gpt_oss_expert_form(40, 16, 32, 0.3f, 325);
  emulate_moe<float, 8>(5, 32, 16, 40, 4, true, &gpt_oss);
  emulate_moe<bf16, 1>(3, 32, 16, 40, 4, true, &gpt_oss);
  // And as released, in MXFP4 (whole 32-value groups; x loaded 16 bytes at a time and one by one).
  const testing::OwnedExpertForm mxfp4 = testing::gpt_oss_expert_form(4, 32, 64, 0.3f, 327, true);
  emulate_moe<bf16, 8>(3, 64, 32, 4, 2, true, &mxfp4);
  emulate_moe<float, 1>(2, 64, 32, 4, 2, true, &mxfp4);
}

// The tensor-core expert products (moe_expert_mma_kernel) on the grid moe.cu gives them, against the CPU
// twin: routing and grouping by the twin, gate/up from the same x, down from the twin's act.
void emulate_moe_mma(int rows, int hidden, int inter, int experts, int k,
                     const testing::OwnedExpertForm* gpt_oss = nullptr) {
  const ExpertForm form = gpt_oss != nullptr ? gpt_oss->form() : ExpertForm{};
  const auto pairs = static_cast<std::size_t>(rows) * k;
  const int n = static_cast<int>(pairs);
  const std::vector<float> logits = random_floats(static_cast<std::size_t>(rows) * experts, -3.0f, 3.0f, 331);
  std::vector<std::int32_t> ids(pairs), offsets(static_cast<std::size_t>(experts) + 1), grouped(pairs),
      active(static_cast<std::size_t>(experts));
  std::vector<float> weights(pairs);
  cpu::moe_route(logits.data(), rows, experts, k, true, ids.data(), weights.data());
  cpu::moe_group(ids.data(), n, experts, offsets.data(), grouped.data(), active.data());
  const std::vector<bf16> x = convert<bf16>(random_floats(static_cast<std::size_t>(rows) * hidden, -1.0f, 1.0f, 332));
  const float in_scale = 2.0f / std::sqrt(static_cast<float>(hidden)), mid_scale = 2.0f / std::sqrt(static_cast<float>(inter));
  const std::vector<bf16> gate_up =
      random_bf16(static_cast<std::size_t>(experts) * 2 * inter * hidden, -in_scale, in_scale, 333);
  const std::vector<bf16> down = random_bf16(static_cast<std::size_t>(experts) * hidden * inter, -mid_scale, mid_scale, 334);
  std::vector<bf16> cpu_act(pairs * inter), cpu_expert_out(pairs * hidden);
  cpu::moe_gate_up(x.data(), hidden, gate_up.data(), inter, experts, k, offsets.data(), grouped.data(), active.data(), n,
                   cpu_act.data(), form);
  cpu::moe_down(cpu_act.data(), inter, down.data(), hidden, experts, offsets.data(), grouped.data(), active.data(), n,
                cpu_expert_out.data(), form);

  const auto grid = [&](int features) {
    return dim3(static_cast<unsigned>(cuda_detail::moe_mma_chunk_slots(n, experts)),
                static_cast<unsigned>((features + cuda_detail::kMoeMmaFeatures - 1) / cuda_detail::kMoeMmaFeatures));
  };
  const dim3 block(cuda_detail::kMoeMmaWarps * 32);
  const bf16 unwritten = store_from_float<bf16>(-99.0f);  // far from any product: a row left out fails
  std::vector<bf16> act(cpu_act.size(), unwritten), expert_out(cpu_expert_out.size(), unwritten);
  simt::launch(grid(inter), block, [&] {
    cuda_detail::moe_expert_mma_kernel<true>(x.data(), k, hidden, gate_up.data(), inter, experts, offsets.data(),
                                             grouped.data(), active.data(), act.data(), form);
  });
  expect_near(act, cpu_act, 1.6e-2, 1e-4, "moe_gate_up on tensor cores");
  simt::launch(grid(hidden), block, [&] {
    cuda_detail::moe_expert_mma_kernel<false>(cpu_act.data(), 1, inter, down.data(), hidden, experts, offsets.data(),
                                              grouped.data(), active.data(), expert_out.data(), form);
  });
  expect_near(expert_out, cpu_expert_out, 1.6e-2, 1e-4, "moe_down on tensor cores");
}

TEST(CudaKernelEmulation, MixtureOfExpertsOnTensorCores) {
  emulate_moe_mma(75, 32, 48, 2, 2);   // 150 pairs over 2 experts: 64-pair chunks, a partial 64-feature tile
  emulate_moe_mma(40, 32, 16, 16, 4);  // 160 pairs over 16 experts, some without pairs; a 16-feature tile
  emulate_moe_mma(3, 96, 80, 8, 2);    // 6 pairs: a partial first m-tile; two feature tiles, the second partial
  const testing::OwnedExpertForm gpt_oss = testing::gpt_oss_expert_form(16, 48, 32, 0.3f, 335);  // gpt-oss's form
  emulate_moe_mma(40, 32, 48, 16, 4, &gpt_oss);
  // MXFP4 weights widened into the B fragments: two 32-value groups a row, a partial second feature tile.
  const testing::OwnedExpertForm mxfp4 = testing::gpt_oss_expert_form(8, 96, 64, 0.3f, 337, true);
  emulate_moe_mma(60, 64, 96, 8, 2, &mxfp4);
}

template <typename T, int kVec>
void emulate_silu(int rows, int cols, dim3 grid) {
  const std::vector<T> gate_up = convert<T>(random_floats(static_cast<std::size_t>(rows) * 2 * cols, -8.0f, 8.0f, 311));
  std::vector<T> cpu_out(static_cast<std::size_t>(rows) * cols), out(cpu_out.size());
  cpu::silu_mul<T>(gate_up.data(), cpu_out.data(), rows, cols);
  simt::launch(grid, dim3(128), [&] { cuda_detail::gated_activation_kernel<T, kVec>(gate_up.data(), out.data(), rows, cols); });
  expect_near(out, cpu_out, 1e-6, 1e-7, "silu_mul");
}

TEST(CudaKernelEmulation, SiluMulRowsAndStrides) {
  emulate_silu<float, 1>(3, 1000, cuda_detail::row_grid(3, 1000, 128));
  emulate_silu<bf16, 8>(3, 1000, cuda_detail::row_grid(3, 1000 / 8, 128));
  // A smaller grid than the data: the row and column strides cover the rest.
  emulate_silu<float, 8>(5, 4096, dim3(1, 2));
  emulate_silu<bf16, 1>(5, 999, dim3(2, 3));
}

// Gemma's GELU forms and the in-place scale and soft cap, against their twins.
template <typename T, int kVec, GateActivation kActivation>
void emulate_gelu(int rows, int cols, dim3 grid) {
  const std::vector<T> gate_up = convert<T>(random_floats(static_cast<std::size_t>(rows) * 2 * cols, -8.0f, 8.0f, 312));
  std::vector<T> cpu_out(static_cast<std::size_t>(rows) * cols), out(cpu_out.size());
  cpu::gated_activation_mul<T>(gate_up.data(), cpu_out.data(), rows, cols, kActivation);
  simt::launch(grid, dim3(128), [&] {
    cuda_detail::gated_activation_kernel<T, kVec, kActivation>(gate_up.data(), out.data(), rows, cols);
  });
  expect_near(out, cpu_out, 1e-6, 1e-7, "gated_activation_mul");
}

TEST(CudaKernelEmulation, GeluMulAndElementwise) {
  emulate_gelu<bf16, 8, GateActivation::gelu_tanh>(3, 1000, cuda_detail::row_grid(3, 1000 / 8, 128));
  emulate_gelu<float, 1, GateActivation::gelu>(5, 999, dim3(2, 3));
  for (const bool soft_cap : {false, true}) {
    const std::vector<float> x = random_floats(5000, -80.0f, 80.0f, 313);
    std::vector<float> cpu_out = x, out = x;
    std::vector<bf16> cpu_bf16 = convert<bf16>(x), out_bf16 = cpu_bf16;
    if (soft_cap) {
      cpu::soft_cap_values<float>(cpu_out.data(), x.size(), 30.0f);
      cpu::soft_cap_values<bf16>(cpu_bf16.data(), x.size(), 30.0f);
    } else {
      cpu::scale_values<float>(cpu_out.data(), x.size(), 48.0f);
      cpu::scale_values<bf16>(cpu_bf16.data(), x.size(), 48.0f);
    }
    simt::launch(dim3(3), dim3(256), [&] {  // fewer threads than values: the grid-stride loop covers the rest
      if (soft_cap) {
        cuda_detail::elementwise_kernel<float, true>(out.data(), x.size(), 30.0f);
        cuda_detail::elementwise_kernel<bf16, true>(out_bf16.data(), x.size(), 30.0f);
      } else {
        cuda_detail::elementwise_kernel<float, false>(out.data(), x.size(), 48.0f);
        cuda_detail::elementwise_kernel<bf16, false>(out_bf16.data(), x.size(), 48.0f);
      }
    });
    EXPECT_EQ(out, cpu_out);
    expect_near(out_bf16, cpu_bf16, 0.0, 0.0, soft_cap ? "soft_cap_values" : "scale_values");
  }
}

// The small-batch matrix product against the CPU twin; the output has a guard tail that must stay untouched
// (warps past the last feature write nothing).
template <typename T, int M>
void emulate_gemv(int n, int k, bool with_bias) {
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(M) * k, -1.0f, 1.0f, 331);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(n) * k, -1.0f, 1.0f, 332);
  const std::vector<bf16> bias = random_bf16(static_cast<std::size_t>(n), -1.0f, 1.0f, 333);
  std::vector<T> cpu_y(static_cast<std::size_t>(M) * n);
  cpu::matmul<T>(x.data(), w.data(), with_bias ? bias.data() : nullptr, cpu_y.data(), M, n, k);
  const T guard = store_from_float<T>(-1024.0f);  // exact in bf16 and fp32
  std::vector<T> y(cpu_y.size() + 8, guard);
  simt::launch(cuda_detail::gemv_grid(n), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_kernel<T, M>(x.data(), w.data(), with_bias ? bias.data() : nullptr, y.data(), n, k);
  });
  for (std::size_t i = cpu_y.size(); i < y.size(); ++i) ASSERT_EQ(load_as_float(y[i]), -1024.0f) << "guard " << i;
  y.resize(cpu_y.size());
  // Two fp32 summation orders of k products in [-1, 1]; bf16 outputs round once more.
  expect_near(y, cpu_y, std::is_same_v<T, float> ? 1e-5 : 8e-3, 2e-5 * std::sqrt(k), "gemv");
}

TEST(CudaKernelEmulation, GemvMatchesTheCpuTwin) {
  emulate_gemv<float, 1>(19, 2056, true);  // 257 chunks a row: one more than a lane's loads in flight cover
  emulate_gemv<bf16, 3>(8, 8, false);      // one chunk: lane 0 alone holds weights
  emulate_gemv<bf16, 4>(13, 520, true);    // the widest batch; the second block is partly past n
  emulate_gemv<float, 2>(9, 4104, false);  // 513 chunks: two refills, the last partial
}

TEST(CudaKernelEmulation, GemvAppliesToFewAlignedRows) {
  alignas(16) bf16 buffer[16] = {};
  EXPECT_TRUE(cuda::gemv_applies(buffer, buffer, 1, 8));
  EXPECT_TRUE(cuda::gemv_applies(buffer, buffer, cuda::kGemvMaxRows, 1536));
  EXPECT_FALSE(cuda::gemv_applies(buffer, buffer, cuda::kGemvMaxRows + 1, 1536));
  EXPECT_FALSE(cuda::gemv_applies(buffer, buffer, 0, 1536));
  EXPECT_FALSE(cuda::gemv_applies(buffer, buffer, 1, 12));
  EXPECT_FALSE(cuda::gemv_applies(buffer + 1, buffer, 1, 8));
  EXPECT_FALSE(cuda::gemv_applies(buffer, buffer + 1, 1, 8));
}

// The fused decode projections (gemv_pair_kernel) on the emulator: against the CPU twin (matmul then the
// pointwise kernel, within the rounding of two summation orders) and, bit for bit, against the emulated
// unfused sequence (gemv_kernel then the pointwise kernel), which is what the fusion must not change.
template <typename T, int M>
void emulate_silu_pairs(int inter, int k) {
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(M) * k, -1.0f, 1.0f, 341);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(2 * inter) * k, -0.2f, 0.2f, 342);
  const std::vector<bf16> bias = random_bf16(static_cast<std::size_t>(2 * inter), -1.0f, 1.0f, 343);
  std::vector<T> cpu_gate_up(static_cast<std::size_t>(M) * 2 * inter), cpu_out(static_cast<std::size_t>(M) * inter);
  cpu::matmul_silu_mul<T>(x.data(), w.data(), bias.data(), cpu_gate_up.data(), cpu_out.data(), M, inter, k);
  std::vector<T> out(cpu_out.size()), gate_up(cpu_gate_up.size()), unfused(cpu_out.size());
  simt::launch(cuda_detail::gemv_pair_grid(inter), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_pair_kernel<T, M>(x.data(), w.data(), bias.data(), k, cuda_detail::SiluMulPairs<T>{out.data(), inter});
  });
  simt::launch(cuda_detail::gemv_grid(2 * inter), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_kernel<T, M>(x.data(), w.data(), bias.data(), gate_up.data(), 2 * inter, k);
  });
  simt::launch(cuda_detail::row_grid(M, inter, 128), dim3(128), [&] {
    cuda_detail::gated_activation_kernel<T, 1>(gate_up.data(), unfused.data(), M, inter);
  });
  expect_near(out, unfused, 0.0, 0.0, "fused vs unfused silu");
  expect_near(out, cpu_out, std::is_same_v<T, float> ? 1e-4 : 2e-2, 1e-4 * std::sqrt(k), "fused silu vs cpu");
}

TEST(CudaKernelEmulation, GemvPairsSiluMulMatchesTheUnfusedKernels) {
  emulate_silu_pairs<bf16, 1>(40, 1552);  // 194 chunks: past one round of loads in flight (4 per row)
  emulate_silu_pairs<float, 4>(13, 264);
}

// pairs < d / 2: a partial rotary embedding; scale: the rotated elements' attention factor.
template <typename T, int M>
void emulate_rope_pairs(int k, int pairs = 32, float scale = 1.0f) {
  const int q_heads = 4, kv_heads = 2, d = 64, block_size = 8, blocks = 4;
  const int width = (q_heads + 2 * kv_heads) * d;
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(M) * k, -1.0f, 1.0f, 351);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(width) * k, -0.2f, 0.2f, 352);
  const std::vector<bf16> bias = random_bf16(static_cast<std::size_t>(width), -1.0f, 1.0f, 353);
  const std::vector<std::int32_t> positions = {7, 31000, 0, 100};
  const std::vector<std::int64_t> slots = {5, -1, 31, 8};  // -1: a padding row writes no cache
  const std::vector<float> inv_freq = rope_inverse_frequencies(RopeConfig{}, std::max(2 * pairs, 2));
  const Rotary rotary{pairs > 0 ? inv_freq.data() : nullptr, pairs, scale};
  const std::size_t pool = static_cast<std::size_t>(blocks) * kv_heads * block_size * d;
  std::vector<bf16> cpu_key(pool), cpu_value(pool), key(pool), value(pool), unfused_key(pool), unfused_value(pool);
  std::vector<T> cpu_qkv(static_cast<std::size_t>(M) * width), qkv(cpu_qkv.size()), unfused(cpu_qkv.size());
  cpu::matmul_rope_write_kv<T>(x.data(), w.data(), bias.data(), cpu_qkv.data(), M, q_heads, k, positions.data(),
                               slots.data(), rotary,
                               KvCacheView{cpu_key.data(), cpu_value.data(), blocks, block_size, kv_heads, d});
  const cuda_detail::RopeWritePairs<T> fused{qkv.data(), q_heads, positions.data(), slots.data(), rotary,
                                             KvCacheView{key.data(), value.data(), blocks, block_size, kv_heads, d}};
  simt::launch(cuda_detail::gemv_pair_grid(width / 2), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_pair_kernel<T, M>(x.data(), w.data(), bias.data(), k, fused);
  });
  simt::launch(cuda_detail::gemv_grid(width), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_kernel<T, M>(x.data(), w.data(), bias.data(), unfused.data(), width, k);
  });
  const KvCacheView unfused_cache{unfused_key.data(), unfused_value.data(), blocks, block_size, kv_heads, d};
  simt::launch(dim3(M), dim3(cuda_detail::kRopeThreads), [&] {
    cuda_detail::rope_write_kv_kernel<T>(unfused.data(), q_heads, positions.data(), slots.data(), rotary,
                                         unfused_cache, HeadNorm{});
  });
  expect_near(qkv, unfused, 0.0, 0.0, "fused vs unfused qkv");
  expect_near(key, unfused_key, 0.0, 0.0, "fused vs unfused key cache");
  expect_near(value, unfused_value, 0.0, 0.0, "fused vs unfused value cache");
  const double rel = std::is_same_v<T, float> ? 1e-4 : 2e-2;
  expect_near(qkv, cpu_qkv, rel, 1e-4 * std::sqrt(k), "fused qkv vs cpu");
  expect_near(key, cpu_key, 2e-2, 1e-4 * std::sqrt(k), "fused key cache vs cpu");
  expect_near(value, cpu_value, 2e-2, 1e-4 * std::sqrt(k), "fused value cache vs cpu");
}

TEST(CudaKernelEmulation, GemvPairsRopeWriteKvMatchesTheUnfusedKernels) {
  emulate_rope_pairs<bf16, 4>(1040);  // 130 chunks: the second round of loads is partial
  emulate_rope_pairs<float, 1>(96);
  emulate_rope_pairs<bf16, 2>(96, 24, 1.19f);  // Phi-4-mini's 0.75 of the head, LongRoPE's factor
  emulate_rope_pairs<float, 3>(64, 1, 0.9f);
  emulate_rope_pairs<bf16, 1>(64, 0, 1.0f);  // a NoPE layer (SmolLM3): nothing turns
}

// The residual stream's update in the projection's epilogue (gemv_kernel with kAccumulate): the sum, the
// bias and the old residual added in fp32 and rounded once, as the CPU twin does.
TEST(CudaKernelEmulation, GemvAddsIntoTheResidual) {
  constexpr int M = 3;
  const int n = 21, k = 1032;
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(M) * k, -1.0f, 1.0f, 361);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(n) * k, -0.1f, 0.1f, 362);
  const std::vector<bf16> bias = random_bf16(static_cast<std::size_t>(n), -1.0f, 1.0f, 363);
  const std::vector<bf16> residual0 = random_bf16(static_cast<std::size_t>(M) * n, -4.0f, 4.0f, 364);
  std::vector<bf16> cpu_residual = residual0, residual = residual0;
  cpu::matmul_add_residual<bf16>(x.data(), w.data(), bias.data(), cpu_residual.data(), M, n, k);
  simt::launch(cuda_detail::gemv_grid(n), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_kernel<bf16, M, true>(x.data(), w.data(), bias.data(), residual.data(), n, k);
  });
  expect_near(residual, cpu_residual, 8e-3, 1e-3, "residual += x W^T + bias");
}

// The layer norm inside the pair kernel (kNorm): bit for bit the rmsnorm kernel followed by the pair
// kernel, and within rounding the CPU twin (rmsnorm, matmul, silu_mul).
template <int M>
void emulate_normed_silu_pairs(int inter, int k) {
  const std::vector<bf16> input = random_bf16(static_cast<std::size_t>(M) * k, -3.0f, 3.0f, 371);
  const std::vector<bf16> norm_weight = random_bf16(static_cast<std::size_t>(k), 0.5f, 1.5f, 372);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(2 * inter) * k, -0.2f, 0.2f, 373);
  std::vector<bf16> cpu_normed(input.size()), cpu_gate_up(static_cast<std::size_t>(M) * 2 * inter),
      cpu_out(static_cast<std::size_t>(M) * inter);
  cpu::rmsnorm_matmul_silu_mul<bf16>(input.data(), norm_weight.data(), 1e-6f, cpu_normed.data(), w.data(), nullptr,
                                     cpu_gate_up.data(), cpu_out.data(), M, inter, k);
  std::vector<bf16> out(cpu_out.size()), normed(input.size()), unfused(cpu_out.size());
  simt::launch(cuda_detail::gemv_pair_grid(inter), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_pair_kernel<bf16, M, cuda_detail::SiluMulPairs<bf16>, true>(
        input.data(), w.data(), nullptr, k, cuda_detail::SiluMulPairs<bf16>{out.data(), inter}, norm_weight.data(),
        1e-6f);
  });
  simt::launch(dim3(M), dim3(cuda_detail::kNormThreads), [&] {
    cuda_detail::rmsnorm_residual_kernel<bf16, 8>(input.data(), nullptr, normed.data(), norm_weight.data(), k, 1e-6f);
  });
  simt::launch(cuda_detail::gemv_pair_grid(inter), dim3(cuda_detail::kGemvThreads), [&] {
    cuda_detail::gemv_pair_kernel<bf16, M>(normed.data(), w.data(), nullptr, k,
                                           cuda_detail::SiluMulPairs<bf16>{unfused.data(), inter});
  });
  expect_near(out, unfused, 0.0, 0.0, "norm in the pair kernel vs the rmsnorm kernel first");
  expect_near(out, cpu_out, 2e-2, 1e-4 * std::sqrt(k), "normed silu pairs vs cpu");
}

TEST(CudaKernelEmulation, GemvPairsWithTheNormMatchTheNormKernelFirst) {
  static_assert(cuda_detail::kGemvThreads == cuda_detail::kNormThreads, "the fused norm mirrors the norm kernel");
  emulate_normed_silu_pairs<1>(24, 2056);  // 257 chunks: every thread of the norm has a chunk, one has two
  emulate_normed_silu_pairs<4>(9, 1536);
}

TEST(CudaKernelEmulation, EmbeddingGatherZeroesBadIds) {
  const int vocab = 50, dim = 70;
  const std::vector<bf16> table = random_bf16(static_cast<std::size_t>(vocab) * dim, -1.0f, 1.0f, 321);
  const std::vector<std::int32_t> ids = {3, 49, -1, 50, 0};
  std::vector<bf16> out(ids.size() * dim);
  simt::launch(cuda_detail::row_grid(static_cast<int>(ids.size()), dim, 64), dim3(64), [&] {
    cuda_detail::embedding_gather_kernel<bf16>(ids.data(), static_cast<int>(ids.size()), table.data(), vocab, dim,
                                               out.data());
  });
  for (std::size_t i = 0; i < ids.size(); ++i)
    for (int d = 0; d < dim; ++d) {
      const bool valid = ids[i] >= 0 && ids[i] < vocab;
      const std::uint16_t expected = valid ? table[static_cast<std::size_t>(ids[i]) * dim + d].bits : 0;
      ASSERT_EQ(out[i * dim + d].bits, expected) << "row " << i << " dim " << d;
    }
}

// with_norm: Qwen3's per-head norm first (one warp per head sums its squares with shuffles); its sums run in
// another order than the twin's, so the norm case may differ by a rounding.
void emulate_rope_write_kv(bool with_norm, int pairs = 32, float scale = 1.0f) {
  const int tokens = 5, q_heads = 12, kv_heads = 2, d = 64, block_size = 8, blocks = 4;
  const int row = (q_heads + 2 * kv_heads) * d;
  const std::vector<bf16> qkv0 = convert<bf16>(random_floats(static_cast<std::size_t>(tokens) * row, -2.0f, 2.0f, 331));
  const std::vector<bf16> q_weight = random_bf16(static_cast<std::size_t>(d), 0.5f, 1.5f, 332);
  const std::vector<bf16> k_weight = random_bf16(static_cast<std::size_t>(d), 0.5f, 1.5f, 333);
  const HeadNorm norm = with_norm ? HeadNorm{q_weight.data(), k_weight.data(), 1e-6f} : HeadNorm{};
  const std::vector<std::int32_t> positions = {0, 9, 100, 31000, 7};
  const std::vector<std::int64_t> slots = {5, 31, -1, 8, 16};
  RopeConfig config;
  config.theta = 500000.0f;
  config.scaling = RopeConfig::Scaling::kLlama3;
  const std::vector<float> inv_freq = rope_inverse_frequencies(config, std::max(2 * pairs, 2));
  const Rotary rotary{pairs > 0 ? inv_freq.data() : nullptr, pairs, scale};
  const std::size_t pool = static_cast<std::size_t>(blocks) * kv_heads * block_size * d;
  std::vector<bf16> cpu_key(pool), cpu_value(pool), key(pool), value(pool);
  std::vector<bf16> cpu_qkv = qkv0, qkv = qkv0;
  const KvCacheView cpu_cache{cpu_key.data(), cpu_value.data(), blocks, block_size, kv_heads, d};
  if (with_norm) {
    cpu::qk_norm_rope_write_kv<bf16>(cpu_qkv.data(), tokens, q_heads, norm, positions.data(), slots.data(),
                                     rotary, cpu_cache);
  } else {
    cpu::rope_write_kv<bf16>(cpu_qkv.data(), tokens, q_heads, positions.data(), slots.data(), rotary, cpu_cache);
  }
  const KvCacheView cache{key.data(), value.data(), blocks, block_size, kv_heads, d};
  simt::launch(dim3(tokens), dim3(cuda_detail::kRopeThreads), [&] {
    cuda_detail::rope_write_kv_kernel<bf16>(qkv.data(), q_heads, positions.data(), slots.data(), rotary, cache, norm);
  });
  const double rel = with_norm ? 8e-3 : 0.0;
  expect_near(qkv, cpu_qkv, rel, 0.0, "rotated qkv");
  expect_near(key, cpu_key, rel, 0.0, "key cache");
  expect_near(value, cpu_value, 0.0, 0.0, "value cache");
}

TEST(CudaKernelEmulation, RopeWriteKv) { emulate_rope_write_kv(false); }
TEST(CudaKernelEmulation, QkNormRopeWriteKv) { emulate_rope_write_kv(true); }
TEST(CudaKernelEmulation, PartialRopeWriteKv) {
  emulate_rope_write_kv(false, 24, 1.19f);
  emulate_rope_write_kv(true, 5, 0.9f);
  emulate_rope_write_kv(false, 0, 1.0f);  // a NoPE layer (SmolLM3)
}

// 24 decode contexts (enough sequence-splits for whole 256-key splits) below, at and across split boundaries, and
// single keys.
std::vector<int> split_boundary_contexts() {
  std::vector<int> contexts;
  for (int s = 0; s < 24; ++s) contexts.push_back(std::vector<int>{255, 256, 257, 511, 700, 1}[s % 6] + s / 6);
  return contexts;
}

// The attention kernels against the fp32 twins, on CUDA cores or (bf16) tensor cores. The tensor-core kernels
// round the softmax weights to bf16 before they multiply V, so an output may miss by 2^-8 of the value range
// ([-1, 1] here) besides its own bf16 rounding; all outputs together are held to 5e-3 relative L2 error (an
// indexing slip gives errors of order one).
template <typename T, int D>
void emulate_attention(const PagedCase& c, float scale, bool decode, bool tensor_cores = false) {
  ASSERT_EQ(c.head_dim, D);
  ASSERT_TRUE((!tensor_cores || std::is_same_v<T, bf16>));
  const std::vector<T> q = convert<T>(c.q);
  std::vector<T> cpu_out(c.q.size()), out(c.q.size(), convert<T>(std::vector<float>{std::nanf("")})[0]);
  std::vector<bf16> key = c.key, value = c.value;
  const KvCacheView cache = c.cache_view(key.data(), value.data());
  const PagedBatch batch = c.batch(c.query_starts.data(), c.context_lens.data(), c.block_tables.data());
  const int stride = c.num_q_heads * D;
  if (!decode) {
    cpu::paged_attention_prefill<T>(q.data(), stride, cpu_out.data(), c.num_q_heads, cache, batch, scale);
    const int rows = cuda_detail::prefill_rows_per_block(tensor_cores, D);
    simt::launch(cuda_detail::prefill_grid(batch, c.num_q_heads, c.num_kv_heads, rows), dim3(cuda_detail::kThreads), [&] {
      if constexpr (std::is_same_v<T, bf16> && attention_tensor_core_prefill_head_dim(D)) {
        if (tensor_cores) {
          cuda_detail::prefill_mma_kernel<D>(q.data(), stride, out.data(), c.num_q_heads, cache, batch, scale);
          return;
        }
      }
      cuda_detail::prefill_kernel<T, D>(q.data(), stride, out.data(), c.num_q_heads, cache, batch, scale);
    });
  } else {
    cpu::paged_attention_decode<T>(q.data(), stride, cpu_out.data(), c.num_q_heads, cache, batch, scale, nullptr);
    std::vector<float> workspace(
        decode_workspace_floats(batch.num_seqs, c.num_q_heads, D, batch.max_context_len), std::nanf(""));
    const cuda_detail::DecodeWorkspace work = cuda_detail::decode_workspace(workspace.data(), batch, c.num_q_heads);
    const int heads = cuda_detail::decode_heads_per_block(tensor_cores);
    simt::launch(cuda_detail::decode_grid(work, batch, c.num_q_heads, c.num_kv_heads, heads), dim3(cuda_detail::kThreads), [&] {
      if constexpr (std::is_same_v<T, bf16> && attention_tensor_core_decode_head_dim(D)) {
        if (tensor_cores) {
          cuda_detail::decode_mma_split_kernel<D>(q.data(), stride, c.num_q_heads, cache, batch, scale, work);
          return;
        }
      }
      if constexpr (D == 64 || D == 128) {  // the 32-key-tile kernel's head dims
        if (cuda_detail::decode_lanes_per_key(work.split_tokens, D) == 1) {
          cuda_detail::decode_split_kernel<T, D, 1>(q.data(), stride, c.num_q_heads, cache, batch, scale, work);
          return;
        }
      }
      cuda_detail::decode_split_kernel<T, D, 4>(q.data(), stride, c.num_q_heads, cache, batch, scale, work);
    });
    simt::launch(cuda_detail::decode_reduce_grid(batch, c.num_q_heads), cuda_detail::decode_reduce_block(work, D), [&] {
      cuda_detail::decode_reduce_kernel<T, D>(out.data(), c.num_q_heads, batch.context_lens, work);
    });
  }
  const char* what = decode ? "decode" : "prefill";
  if (!tensor_cores) {
    expect_near(out, cpu_out, std::is_same_v<T, float> ? 2e-5 : 1e-2, 1e-6, what);
    return;
  }
  expect_near(out, cpu_out, 1e-2, 1.0 / 256, what);
  EXPECT_LT(testing::relative_l2_error(out, cpu_out), 5e-3) << what;
}

TEST(CudaKernelEmulation, PagedAttentionPrefill) {
  // Whole prompts, a chunk over a cached prefix, a single row, GQA group 3 (rows straddle tokens).
  emulate_attention<float, 64>(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 64, 8, 341), 0.3f, false);
  emulate_attention<bf16, 128>(make_paged_case({3, 33}, {70, 33}, 2, 1, 128, 16, 342), 0.1f, false);
  emulate_attention<float, 64>(make_paged_case({13, 2}, {30, 50}, 4, 2, 64, 12, 343), 0.3f, false);  // block size 12
}

TEST(CudaKernelEmulation, TensorCorePagedAttentionPrefill) {
  // Whole prompts, a chunk over a cached prefix, a single row; GQA group 3 (a warp's 16 rows straddle tokens).
  emulate_attention<bf16, 64>(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 64, 8, 361), 0.3f, false, true);
  // Contexts across 64-key tiles, more rows than a block's 64, and block size 12 (tiles cross cache blocks).
  emulate_attention<bf16, 128>(make_paged_case({3, 70}, {70, 70}, 2, 1, 128, 16, 362), 0.1f, false, true);
  emulate_attention<bf16, 64>(make_paged_case({13, 2}, {130, 50}, 4, 2, 64, 12, 363), 0.3f, false, true);
  // The 1.5B model's heads (12 q, 2 kv): 240 rows of a prompt over two key tiles.
  emulate_attention<bf16, 128>(make_paged_case({40}, {100}, 12, 2, 128, 16, 364), 0.088f, false, true);
  // The other distills' groups: 7 (Qwen 7B, 28 q / 4 kv) and 5 (Qwen 14B and 32B, 40 / 8), whose rows
  // straddle a warp's 16 unevenly; a chunk over a cached prefix.
  emulate_attention<bf16, 128>(make_paged_case({9, 3}, {9, 40}, 28, 4, 128, 16, 365), 0.088f, false, true);
  emulate_attention<bf16, 128>(make_paged_case({7}, {20}, 40, 8, 128, 16, 366), 0.088f, false, true);
}

TEST(CudaKernelEmulation, TensorCorePagedAttentionDecode) {
  // The 1.5B model's group of 6 over 24 sequences (256-key splits): contexts inside one 16-key tile, across
  // tiles, splits and the block's four warps, and an empty one.
  std::vector<int> contexts;
  for (int s = 0; s < 24; ++s) contexts.push_back(std::vector<int>{1, 15, 17, 70, 256, 700}[s % 6] + s / 6);
  contexts[23] = 0;
  ASSERT_EQ(decode_split_tokens(24, 703), kDecodeSplitTokens);
  emulate_attention<bf16, 128>(make_paged_case(std::vector<int>(24, 1), contexts, 12, 2, 128, 16, 371), 0.088f, true,
                               true);
  // A group of 16 (every row used) at head_dim 64 with block size 12; a group of 1; short splits at batch 1.
  emulate_attention<bf16, 64>(make_paged_case({1, 1}, {300, 33}, 32, 2, 64, 12, 372), 0.125f, true, true);
  emulate_attention<bf16, 64>(make_paged_case({1, 1}, {90, 200}, 2, 2, 64, 16, 373), 0.125f, true, true);
  emulate_attention<bf16, 128>(make_paged_case({1}, {500}, 8, 1, 128, 16, 374), 0.088f, true, true);
  // The other distills' groups, 7 (28 q / 4 kv) and 5 (40 / 8); Llama 8B's 4 (32 / 8) at block size 12.
  emulate_attention<bf16, 128>(make_paged_case({1, 1, 1}, {70, 1, 300}, 28, 4, 128, 16, 375), 0.088f, true, true);
  emulate_attention<bf16, 128>(make_paged_case({1, 1}, {33, 260}, 40, 8, 128, 16, 376), 0.088f, true, true);
  emulate_attention<bf16, 128>(make_paged_case({1}, {100}, 32, 8, 128, 12, 377), 0.088f, true, true);
}

TEST(CudaKernelEmulation, PagedAttentionDecodeSplits) {
  // Contexts below, at and across split boundaries (32 keys at this small batch), an empty one.
  emulate_attention<float, 64>(make_paged_case({1, 1, 1, 1, 1}, {1, 255, 256, 600, 0}, 6, 2, 64, 8, 351), 0.3f, true);
  // Enough sequences for whole 256-key splits: contexts at and across those boundaries.
  const std::vector<int> contexts = split_boundary_contexts();
  ASSERT_EQ(decode_split_tokens(24, 703), kDecodeSplitTokens);
  emulate_attention<bf16, 64>(make_paged_case(std::vector<int>(24, 1), contexts, 4, 2, 64, 16, 354), 0.3f, true);
  // Twenty query heads per kv head: three head chunks per kv head.
  emulate_attention<bf16, 128>(make_paged_case({1, 1}, {300, 40}, 20, 1, 128, 16, 352), 0.1f, true);
  emulate_attention<float, 64>(make_paged_case({1, 1}, {270, 13}, 4, 4, 64, 12, 353), 0.3f, true);  // block size 12
  // Groups of 7 and 5 (Qwen 7B; 14B and 32B) on the CUDA-core kernel.
  emulate_attention<bf16, 128>(make_paged_case({1, 1}, {90, 300}, 28, 4, 128, 16, 357), 0.088f, true);
  emulate_attention<bf16, 128>(make_paged_case({1}, {140}, 40, 8, 128, 16, 358), 0.088f, true);
  // The 1.5B model's heads at batch 1: 8-key tiles, 47 splits merged by four threads per dim; and 16
  // sequences of ~600 keys: 32-key tiles.
  ASSERT_GT(cuda_detail::decode_reduce_parts((1500 + decode_split_tokens(1, 1500) - 1) / decode_split_tokens(1, 1500)), 1);
  emulate_attention<bf16, 128>(make_paged_case({1}, {1500}, 12, 2, 128, 16, 355), 0.088f, true);
  std::vector<int> long_contexts;
  for (int s = 0; s < 16; ++s) long_contexts.push_back(560 + 13 * s);
  ASSERT_EQ(cuda_detail::decode_lanes_per_key(decode_split_tokens(16, 755), 128), 1);
  emulate_attention<bf16, 128>(make_paged_case(std::vector<int>(16, 1), long_contexts, 12, 2, 128, 16, 356), 0.088f, true);
}

// Sliding windows (Mistral, Qwen2's window layers) in every attention kernel: windows cutting contexts inside a
// key tile, across tiles and splits, of one key, and as long as the context.
TEST(CudaKernelEmulation, SlidingWindowAttention) {
  const auto with_window = [](PagedCase c, int window) {
    c.window = window;
    return c;
  };
  emulate_attention<float, 64>(with_window(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 64, 8, 391), 7), 0.3f, false);
  emulate_attention<bf16, 128>(with_window(make_paged_case({3, 70}, {70, 70}, 2, 1, 128, 16, 392), 33), 0.1f, false);
  emulate_attention<bf16, 64>(with_window(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 64, 8, 393), 7), 0.3f, false, true);
  emulate_attention<bf16, 128>(with_window(make_paged_case({3, 70}, {70, 150}, 2, 1, 128, 16, 394), 65), 0.1f, false,
                               true);
  emulate_attention<bf16, 128>(with_window(make_paged_case({40}, {100}, 12, 2, 128, 16, 395), 1), 0.088f, false, true);
  // Decode: 32-key splits at batch 1 (a window inside one split, across several, past the context), and
  // 256-key splits over 24 sequences.
  emulate_attention<float, 64>(with_window(make_paged_case({1, 1, 1, 1, 1}, {1, 255, 256, 600, 0}, 6, 2, 64, 8, 396), 40),
                               0.3f, true);
  emulate_attention<bf16, 128>(with_window(make_paged_case({1}, {1500}, 12, 2, 128, 16, 397), 300), 0.088f, true);
  const std::vector<int> contexts = split_boundary_contexts();
  emulate_attention<bf16, 64>(with_window(make_paged_case(std::vector<int>(24, 1), contexts, 4, 2, 64, 16, 398), 260),
                              0.3f, true);
  emulate_attention<bf16, 128>(with_window(make_paged_case(std::vector<int>(24, 1), contexts, 12, 2, 128, 16, 399), 100),
                               0.088f, true, true);
  emulate_attention<bf16, 128>(with_window(make_paged_case({1, 1}, {90, 200}, 8, 1, 128, 16, 400), 2000), 0.088f, true,
                               true);
}

// Head dims 96 and 256 on the CUDA-core kernels: Phi-3-mini's 96 (three value dims
// a lane, loaded one by one) and the Gemma family's 256 (8 prefill rows a block, 8-key decode tiles).
TEST(CudaKernelEmulation, PagedAttentionAtHeadDims96And256) {
  emulate_attention<float, 96>(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 96, 8, 421), 0.3f, false);
  emulate_attention<bf16, 96>(make_paged_case({3, 33}, {70, 33}, 4, 4, 96, 16, 422), 0.1f, false);
  emulate_attention<bf16, 256>(make_paged_case({13, 2}, {30, 50}, 8, 1, 256, 12, 423), 0.0625f, false);
  emulate_attention<float, 256>(make_paged_case({9, 3}, {9, 40}, 4, 2, 256, 16, 424), 0.0625f, false);
  emulate_attention<float, 96>(make_paged_case({1, 1, 1, 1, 1}, {1, 255, 256, 600, 0}, 6, 2, 96, 8, 425), 0.3f, true);
  emulate_attention<bf16, 256>(make_paged_case({1, 1}, {300, 40}, 20, 1, 256, 16, 426), 0.0625f, true);
  const std::vector<int> contexts = split_boundary_contexts();  // 256-key splits
  emulate_attention<bf16, 256>(make_paged_case(std::vector<int>(24, 1), contexts, 2, 1, 256, 16, 427), 0.0625f, true);
}

// The tensor-core prefill at 96 (twelve 8-dim n-tiles, six k-steps) and 256 (32-key tiles): whole prompts, a chunk
// over a cached prefix, a group whose rows straddle a warp's 16, contexts across several key tiles and cache
// blocks of 12, a sliding window, a soft cap and sinks.
TEST(CudaKernelEmulation, TensorCorePrefillAtHeadDims96And256) {
  emulate_attention<bf16, 96>(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 96, 8, 451), 0.3f, false, true);
  emulate_attention<bf16, 96>(make_paged_case({3, 70}, {70, 150}, 4, 4, 96, 12, 452), 0.1f, false, true);
  emulate_attention<bf16, 256>(make_paged_case({13, 2}, {30, 50}, 8, 1, 256, 12, 453), 0.0625f, false, true);
  emulate_attention<bf16, 256>(make_paged_case({3, 70}, {70, 140}, 2, 1, 256, 16, 454), 0.0625f, false, true);
  PagedCase gemma2 = make_paged_case({9, 40}, {9, 100}, 8, 4, 256, 16, 455);
  gemma2.window = 33;
  gemma2.softcap = 5.0f;
  emulate_attention<bf16, 256>(gemma2, 1.5f, false, true);
  PagedCase sunk = make_paged_case({7, 20}, {7, 60}, 6, 2, 96, 16, 456);
  sunk.sinks = testing::random_bf16(6, -2.0f, 2.0f, 457);
  sunk.sinks[0] = to_bf16(20.0f);
  emulate_attention<bf16, 96>(sunk, 0.1f, false, true);
}

// Gemma 2's soft cap of the scores in every attention kernel, with its sliding window on some. Scores here
// spread over several times the cap of 5, so a kernel that skipped the cap would miss by far.
TEST(CudaKernelEmulation, SoftCappedAttentionScores) {
  const auto capped = [](PagedCase c, float cap, int window) {
    c.softcap = cap;
    c.window = window;
    return c;
  };
  emulate_attention<float, 64>(capped(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 64, 8, 431), 5.0f, 0), 2.0f, false);
  emulate_attention<bf16, 128>(capped(make_paged_case({3, 70}, {70, 150}, 2, 1, 128, 16, 432), 5.0f, 65), 2.0f, false,
                               true);
  emulate_attention<bf16, 256>(capped(make_paged_case({13, 2}, {30, 50}, 8, 1, 256, 12, 433), 5.0f, 7), 1.5f, false);
  emulate_attention<float, 64>(capped(make_paged_case({1, 1, 1, 1, 1}, {1, 255, 256, 600, 0}, 6, 2, 64, 8, 434), 5.0f, 0),
                               2.0f, true);
  const std::vector<int> contexts = split_boundary_contexts();
  emulate_attention<bf16, 128>(capped(make_paged_case(std::vector<int>(24, 1), contexts, 6, 1, 128, 16, 435), 5.0f, 100),
                               2.0f, true, true);
  emulate_attention<bf16, 128>(capped(make_paged_case(std::vector<int>(16, 1), {contexts.begin(), contexts.begin() + 16}, 2, 1, 128, 16, 436), 5.0f, 0),
                               2.0f, true);
  emulate_attention<bf16, 256>(capped(make_paged_case({1, 1}, {300, 40}, 8, 2, 256, 16, 437), 5.0f, 0), 1.5f, true);
}

// gpt-oss's attention sinks in every attention kernel (the decode kernels leave them to the reduce pass): sinks
// around the scores, one far above them and one far below, with and without a sliding window.
TEST(CudaKernelEmulation, AttentionSinks) {
  const auto sunk = [](PagedCase c, std::uint32_t seed, int window) {
    c.sinks = testing::random_bf16(static_cast<std::size_t>(c.num_q_heads), -2.0f, 2.0f, seed);
    c.sinks[0] = to_bf16(20.0f);
    c.sinks[1] = to_bf16(-50.0f);
    c.window = window;
    return c;
  };
  emulate_attention<float, 64>(sunk(make_paged_case({5, 17, 1}, {5, 40, 9}, 6, 2, 64, 8, 441), 442, 0), 0.3f, false);
  emulate_attention<bf16, 64>(sunk(make_paged_case({5, 17, 1}, {5, 40, 9}, 8, 1, 64, 8, 443), 444, 7), 0.125f, false,
                              true);
  emulate_attention<bf16, 128>(sunk(make_paged_case({3, 70}, {70, 150}, 4, 2, 128, 16, 445), 446, 0), 0.088f, false,
                               true);
  emulate_attention<float, 64>(sunk(make_paged_case({1, 1, 1, 1, 1}, {1, 255, 256, 600, 0}, 6, 2, 64, 8, 447), 448, 0),
                               0.3f, true);
  const std::vector<int> contexts = split_boundary_contexts();
  emulate_attention<bf16, 64>(sunk(make_paged_case(std::vector<int>(24, 1), contexts, 8, 1, 64, 16, 449), 450, 128),
                              0.125f, true, true);
  emulate_attention<bf16, 64>(sunk(make_paged_case({1, 1}, {300, 40}, 8, 1, 64, 16, 451), 452, 0), 0.125f, true);
}

// Small batches split contexts finer (down to 32 keys, 8-key tiles per warp) so that they still fill the GPU; a batch
// with enough sequence-splits keeps 256-key splits. The workspace follows the split.
TEST(CudaKernelEmulation, DecodeSplitsShrinkForSmallBatches) {
  EXPECT_EQ(decode_split_tokens(1, 512), 32);       // 16 splits, as many as it can have
  EXPECT_EQ(decode_split_tokens(1, 4096), 64);      // 64 splits
  EXPECT_EQ(decode_split_tokens(1, 16384), 256);    // 64 splits already
  EXPECT_EQ(decode_split_tokens(1, 40960), 256);    // 160 splits
  EXPECT_EQ(decode_split_tokens(16, 1024), 256);    // 64 sequence-splits
  EXPECT_EQ(decode_split_tokens(8, 1024), 128);
  EXPECT_EQ(decode_split_tokens(64, 16384), 256);
  EXPECT_EQ(decode_split_tokens(3, 0), 32);         // no keys: the smallest split, no work
  EXPECT_EQ(decode_workspace_floats(1, 12, 128, 512), 12u * 16 * 130);
  // Splits under 128 keys are scored with 8-key tiles (every warp of a block has keys).
  EXPECT_EQ(cuda_detail::decode_lanes_per_key(32, 128), 4);
  EXPECT_EQ(cuda_detail::decode_lanes_per_key(64, 64), 4);
  EXPECT_EQ(cuda_detail::decode_lanes_per_key(128, 128), 1);
  EXPECT_EQ(cuda_detail::decode_lanes_per_key(256, 64), 1);
  // Head dims 96 and 256 always (a lane holds a quarter of a key row).
  EXPECT_EQ(cuda_detail::decode_lanes_per_key(256, 96), 4);
  EXPECT_EQ(cuda_detail::decode_lanes_per_key(256, 256), 4);
  EXPECT_EQ(decode_workspace_floats(64, 12, 128, 16384), 64u * 12 * 64 * 130);
}

// The one-block sampling kernel (no workspace), a block per draw (`rows`: each draw's logits row, or null
// for row d), as sampling.cu launches it without a workspace.
std::vector<std::int32_t> emulate_one_block_sampling(const std::vector<float>& logits, int vocab,
                                                     const std::int32_t* rows,
                                                     const std::vector<SamplingParams>& params,
                                                     const std::vector<SampleKey>& keys) {
  std::vector<std::int32_t> tokens(params.size(), -1);
  simt::launch(dim3(static_cast<unsigned>(params.size())), dim3(kEmulatedSampleThreads), [&] {
    cuda_detail::sample_kernel(logits.data(), vocab, params.data(), keys.data(), tokens.data(), rows,
                               cuda_detail::SampleScratch{});
  });
  return tokens;
}

// Rows of normal logits (sd 3, from generator seed `seed`; a tie at the top of row 0), row r drawn under
// settings[r % size] with key (seed, r, 1, vocab + r), and the tokens the CPU twin chooses.
struct SamplingCase {
  std::vector<float> logits;
  std::vector<SamplingParams> params;
  std::vector<SampleKey> keys;
  std::vector<std::int32_t> cpu_tokens;
};
template <std::size_t N>
SamplingCase normal_sampling_case(unsigned seed, int vocab, int rows, const SamplingParams (&settings)[N]) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  SamplingCase c;
  c.logits.resize(static_cast<std::size_t>(rows) * vocab);
  for (float& x : c.logits) x = dist(rng);
  c.logits[11] = c.logits[12] = 30.0f;
  for (int r = 0; r < rows; ++r) {
    c.params.push_back(settings[static_cast<std::size_t>(r) % N]);
    c.keys.push_back(SampleKey{seed, static_cast<std::uint64_t>(r), 1, static_cast<std::uint32_t>(vocab + r)});
  }
  c.cpu_tokens.resize(static_cast<std::size_t>(rows));
  cpu::sample_tokens(c.logits.data(), rows, vocab, c.params.data(), c.keys.data(), c.cpu_tokens.data(), nullptr);
  return c;
}

TEST(CudaKernelEmulation, SamplingChoosesTheCpuToken) {
  const SamplingParams settings[] = {{0.6f, 0.95f, 0, 0.0f}, {1.0f, 1.0f, 0, 0.0f},  {0.7f, 0.8f, 40, 0.0f},
                                     {1.2f, 1.0f, 5, 0.05f}, {0.0f, 1.0f, 0, 0.0f},  {0.8f, 0.3f, 1, 0.0f},
                                     {3.0f, 0.99f, 0, 0.01f}, {0.6f, 0.95f, 2999, 0.0f},
                                     {0.6f, 0.99f, 0, 0.5f}};  // min-p above the top-p threshold
  for (int vocab : {3000, 151936}) {
    const int rows = vocab > 10000 ? 2 : static_cast<int>(std::size(settings));
    const auto [logits, params, keys, cpu_tokens] =
        normal_sampling_case(361u + static_cast<unsigned>(vocab), vocab, rows, settings);
    EXPECT_EQ(emulate_one_block_sampling(logits, vocab, nullptr, params, keys), cpu_tokens) << "vocab " << vocab;
  }
}

// Draws that pick their rows (several samples of one prompt share a row, a row may go undrawn): the
// kernel with a row table chooses what the CPU twin chooses.
TEST(CudaKernelEmulation, SamplingFromChosenRowsChoosesTheCpuToken) {
  const int vocab = 2048, rows = 3;
  const std::vector<float> logits = random_floats(static_cast<std::size_t>(rows) * vocab, -4.0f, 4.0f, 17);
  const std::vector<std::int32_t> row_of_draw = {2, 0, 0, 0, 0, 2};
  const int draws = static_cast<int>(row_of_draw.size());
  std::vector<SamplingParams> params(row_of_draw.size(), SamplingParams{0.6f, 0.95f, 0, 0.0f});
  std::vector<SampleKey> keys(row_of_draw.size());
  for (int d = 0; d < draws; ++d) keys[static_cast<std::size_t>(d)] = SampleKey{3, 8, static_cast<std::uint32_t>(d), 40};
  std::vector<std::int32_t> cpu_tokens(row_of_draw.size());
  cpu::sample_token_rows(logits.data(), vocab, row_of_draw.data(), draws, params.data(), keys.data(), cpu_tokens.data(), nullptr);
  EXPECT_EQ(emulate_one_block_sampling(logits, vocab, row_of_draw.data(), params, keys), cpu_tokens);
}

// Nearly flat logits make the last token a threshold keeps as likely as any other, so a threshold off by
// one token changes the chosen token for some draws.
TEST(CudaKernelEmulation, SamplingThresholdsOnFlatLogits) {
  const int vocab = 1000, rows = 24;
  std::vector<float> logits(static_cast<std::size_t>(rows) * vocab);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < vocab; ++i) logits[static_cast<std::size_t>(r) * vocab + i] = -0.0001f * static_cast<float>((i * 7) % vocab);
  const SamplingParams settings[] = {{1.0f, 1.0f, 5, 0.0f}, {1.0f, 0.001f, 0, 0.0f}, {1.0f, 1.0f, 0, 0.9995f}};
  std::vector<SamplingParams> params(static_cast<std::size_t>(rows));
  std::vector<SampleKey> keys(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    params[static_cast<std::size_t>(r)] = settings[r % 3];
    keys[static_cast<std::size_t>(r)] = SampleKey{5, 6, static_cast<std::uint32_t>(r), 7};
  }
  std::vector<std::int32_t> cpu_tokens(static_cast<std::size_t>(rows));
  cpu::sample_tokens(logits.data(), rows, vocab, params.data(), keys.data(), cpu_tokens.data(), nullptr);
  EXPECT_EQ(emulate_one_block_sampling(logits, vocab, nullptr, params, keys), cpu_tokens);
}

// Logits placed so that weights fall on and beside the radix digits' edges (2^30 / 2^k and their
// neighbours, a few float steps apart), with -inf among them: the passes that skip the exp for
// tokens outside their range must still see every token inside it, so the CUDA kernel keeps choosing the
// CPU twin's token.
TEST(CudaKernelEmulation, SamplingOnDigitEdgesChoosesTheCpuToken) {
  const int vocab = 1536, rows = 16;
  std::mt19937 rng(373);
  const SamplingParams settings[] = {{0.6f, 0.95f, 0, 0.0f}, {1.0f, 0.5f, 0, 0.0f},   {0.7f, 0.9f, 300, 0.0f},
                                     {1.0f, 1.0f, 700, 0.0f}, {1.0f, 0.99f, 0, 0.001f}, {0.25f, 0.999f, 0, 0.0f},
                                     {2.0f, 0.97f, 64, 0.0f}, {0.6f, 1.0f, 0, 0.3f}};
  std::vector<float> logits(static_cast<std::size_t>(rows) * vocab);
  std::vector<SamplingParams> params(static_cast<std::size_t>(rows));
  std::vector<SampleKey> keys(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    const SamplingParams p = settings[r % 8];
    params[static_cast<std::size_t>(r)] = p;
    keys[static_cast<std::size_t>(r)] = SampleKey{41, static_cast<std::uint64_t>(r), 2, 9};
    const float top = 5.0f + static_cast<float>(r);
    float* row = logits.data() + static_cast<std::size_t>(r) * vocab;
    for (int i = 0; i < vocab; ++i) {
      // weight ~ 2^(30 - k) for k in 0..31, nudged by -2..2 float steps of the logit
      const int k = static_cast<int>(rng() % 32);
      float logit = top - static_cast<float>(k) * 0.693147181f * p.temperature;
      for (int step = static_cast<int>(rng() % 5) - 2; step != 0; step += step > 0 ? -1 : 1)
        logit = std::nextafter(logit, step > 0 ? INFINITY : -INFINITY);
      row[i] = logit;
    }
    row[0] = top;
    row[1 + r] = -INFINITY;
  }
  std::vector<std::int32_t> cpu_tokens(static_cast<std::size_t>(rows));
  cpu::sample_tokens(logits.data(), rows, vocab, params.data(), keys.data(), cpu_tokens.data(), nullptr);
  EXPECT_EQ(emulate_one_block_sampling(logits, vocab, nullptr, params, keys), cpu_tokens);
}

// Split sampling as sampling.cu launches it with a workspace: the two slice kernels over (draw, slice)
// blocks, then one block per draw finishing from their scratch. The workspace starts as garbage.
std::vector<std::int32_t> emulate_split_sampling(const std::vector<float>& logits, int vocab, const std::int32_t* rows,
                                                 const std::vector<SamplingParams>& params,
                                                 const std::vector<SampleKey>& keys, std::vector<std::byte>& workspace) {
  const int draws = static_cast<int>(params.size());
  workspace.assign(sampling_workspace_bytes(draws, vocab), std::byte{0xcd});
  const cuda_detail::SampleScratch scratch = cuda_detail::sample_scratch(workspace.data(), draws, vocab);
  const dim3 slices(static_cast<unsigned>(draws), static_cast<unsigned>(scratch.num_slices));
  simt::launch(slices, dim3(cuda_detail::kSliceThreads),
               [&] { cuda_detail::sample_slice_greedy_kernel(logits.data(), vocab, rows, scratch); });
  simt::launch(slices, dim3(cuda_detail::kSliceThreads),
               [&] { cuda_detail::sample_slice_weights_kernel(logits.data(), vocab, params.data(), rows, scratch); });
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(draws), -1);
  simt::launch(dim3(static_cast<unsigned>(draws)), dim3(kEmulatedSampleThreads), [&] {
    cuda_detail::sample_kernel(logits.data(), vocab, params.data(), keys.data(), tokens.data(), rows, scratch);
  });
  return tokens;
}

// Whether the candidates decided each top-p draw (sample_from_candidates returned true) on the scratch an
// emulate_split_sampling call left in `workspace`.
std::vector<int> candidates_decided(int vocab, const std::vector<SamplingParams>& params,
                                    const std::vector<SampleKey>& keys, std::vector<std::byte>& workspace) {
  const int draws = static_cast<int>(params.size());
  const cuda_detail::SampleScratch scratch = cuda_detail::sample_scratch(workspace.data(), draws, vocab);
  std::vector<int> decided(static_cast<std::size_t>(draws), -1);
  std::vector<std::int32_t> tokens(static_cast<std::size_t>(draws));
  simt::launch(dim3(static_cast<unsigned>(draws)), dim3(kEmulatedSampleThreads), [&] {
    static cuda_detail::SharedState shared;  // what __shared__ gives a kernel in the emulator
    static cuda_detail::CandidateState candidates;
    const int r = static_cast<int>(blockIdx.x);
    float best_logit;
    int best_id;
    cuda_detail::merge_slice_greedy(scratch, r, best_logit, best_id);
    const bool yes = cuda_detail::sample_from_candidates(r, params[static_cast<std::size_t>(r)], keys[static_cast<std::size_t>(r)],
                                                         best_id < 0 ? 0 : best_id, scratch, tokens.data(), shared,
                                                         candidates);
    if (threadIdx.x == 0) decided[static_cast<std::size_t>(r)] = yes ? 1 : 0;
  });
  return decided;
}

// With a workspace (the split path), every setting chooses the CPU twin's token: top-p draws finished from
// the candidates, and top-k, plain temperature, min-p alone and greedy through the whole-row passes; a
// vocabulary of 152k (19 slices), one that ends inside a slice and inside a thread's ids, a small one (a
// single short slice) and one of 34 slices.
TEST(CudaKernelEmulation, SplitSamplingChoosesTheCpuToken) {
  const SamplingParams settings[] = {{0.6f, 0.95f, 0, 0.0f}, {1.0f, 0.9f, 0, 0.0f},   {0.7f, 0.8f, 40, 0.0f},
                                     {1.2f, 1.0f, 0, 0.05f}, {0.0f, 1.0f, 0, 0.0f},   {1.0f, 1.0f, 0, 0.0f},
                                     {0.6f, 0.99f, 0, 0.5f}, {0.6f, 0.95f, 0, 0.0f}};
  for (int vocab : {151936, 20011, 300, 33 * kSamplingSliceTokens + 5}) {  // the last: more slices than a warp has lanes
    const int rows = vocab > 100000 ? 1 : 8;  // the emulator runs 256 threads per slice: the large ones briefly
    const auto [logits, params, keys, cpu_tokens] =
        normal_sampling_case(381u + static_cast<unsigned>(vocab), vocab, rows, settings);
    std::vector<std::byte> workspace;
    EXPECT_EQ(emulate_split_sampling(logits, vocab, nullptr, params, keys, workspace), cpu_tokens) << "vocab " << vocab;
    if (rows == 1) {
      EXPECT_EQ(candidates_decided(vocab, params, keys, workspace), std::vector<int>{1}) << "vocab " << vocab;
    }
  }
}

// Which draws the candidates decide, and that every draw still chooses the CPU twin's token through a row
// table (several draws per row, different keys):
//   row 0: one token far above the rest: top-p keeps it alone;
//   row 1: the top token and 200 tokens at ~1/100 of its weight across 5 slices: the threshold's first
//          digit is 0 (under 2^-6 of the top), its second is not and comes from the candidates;
//   row 2: flat: every slice has 8192 candidates, more than it stores: whole-row passes;
//   row 3: the top token and 20000 tokens at 1e-5 of it, under the candidates' weight: the threshold's
//          second digit is 0 too: whole-row passes;
//   row 4: all -inf: nothing has weight, greedy (token 0) from the candidates' summary.
TEST(CudaKernelEmulation, SplitSamplingDecidesTopPFromCandidatesWhenTheyHoldTheThreshold) {
  const int vocab = 5 * kSamplingSliceTokens + 77, rows = 5;  // 6 slices, the last one short
  const float t = 0.6f;
  std::vector<float> logits(static_cast<std::size_t>(rows) * vocab, -80.0f);
  const auto row = [&](int r) { return logits.data() + static_cast<std::size_t>(r) * vocab; };
  std::mt19937 rng(383);
  std::uniform_real_distribution<float> low(-60.0f, -20.0f);
  for (int r = 0; r < rows; ++r)
    for (int i = 0; i < vocab; ++i) row(r)[i] = low(rng);
  row(0)[37777] = 10.0f;
  row(1)[41000] = 0.0f;
  for (int i = 0; i < 200; ++i) row(1)[i * 200 + 3] = t * std::log(0.01f * (1.0f + 0.001f * static_cast<float>(i)));
  for (int i = 0; i < vocab; ++i) row(2)[i] = 1.0f;
  row(3)[5] = 0.0f;
  for (int i = 0; i < 20000; ++i) row(3)[i * 2 + 9] = t * std::log(1e-5f);
  for (int i = 0; i < vocab; ++i) row(4)[i] = -INFINITY;

  const std::vector<std::int32_t> row_of_draw = {0, 1, 1, 1, 2, 3, 4};
  const int draws = static_cast<int>(row_of_draw.size());
  std::vector<SamplingParams> params(row_of_draw.size(), SamplingParams{t, 0.95f, 0, 0.0f});
  std::vector<SampleKey> keys(row_of_draw.size());
  for (int d = 0; d < draws; ++d) keys[static_cast<std::size_t>(d)] = SampleKey{12, 3, static_cast<std::uint32_t>(d), 700};
  std::vector<std::int32_t> cpu_tokens(row_of_draw.size());
  cpu::sample_token_rows(logits.data(), vocab, row_of_draw.data(), draws, params.data(), keys.data(), cpu_tokens.data(),
                         nullptr);
  std::vector<std::byte> workspace;
  EXPECT_EQ(emulate_split_sampling(logits, vocab, row_of_draw.data(), params, keys, workspace), cpu_tokens);
  EXPECT_EQ(candidates_decided(vocab, params, keys, workspace), (std::vector<int>{1, 1, 1, 1, 0, 0, 1}));
  // Row 1's draws keep many tokens: its three keys do not all choose the same one.
  EXPECT_GT(std::set<std::int32_t>(cpu_tokens.begin() + 1, cpu_tokens.begin() + 4).size(), 1u);
}

// A row holding a NaN gives the mark of its first NaN (sampling_nan_token) on both launch paths, as the CPU
// twin does, under every setting; the NaN may sit in any slice, and rows without one are drawn as usual.
TEST(CudaKernelEmulation, SamplingMarksRowsHoldingNanAsTheCpuTwinDoes) {
  const SamplingParams settings[] = {{0.0f, 1.0f, 0, 0.0f}, {0.6f, 0.95f, 0, 0.0f}, {0.7f, 0.8f, 40, 0.0f},
                                     {1.2f, 1.0f, 0, 0.05f}, {1.0f, 1.0f, 0, 0.0f}};
  const int vocab = 3 * kSamplingSliceTokens + 100, rows = 10;
  SamplingCase c = normal_sampling_case(397u, vocab, rows, settings);
  const auto at = [&](int r, int i) -> float& { return c.logits[static_cast<std::size_t>(r) * vocab + i]; };
  for (int r = 5; r < rows; ++r) {  // rows 5..9: NaNs past the first slice, the first of them at 2 * 8192 + r
    at(r, 3 * kSamplingSliceTokens + 50) = std::nanf("");
    at(r, 2 * kSamplingSliceTokens + r) = std::nanf("");
  }
  at(9, 11) = std::nanf("");  // in the first slice as well: the lowest id wins
  cpu::sample_tokens(c.logits.data(), rows, vocab, c.params.data(), c.keys.data(), c.cpu_tokens.data(), nullptr);
  for (int r = 0; r < rows; ++r) {
    const std::int32_t token = c.cpu_tokens[static_cast<std::size_t>(r)];
    if (r < 5) EXPECT_GE(token, 0) << "row " << r;
    else EXPECT_EQ(token, sampling_nan_token(r == 9 ? 11 : 2 * kSamplingSliceTokens + r)) << "row " << r;
  }
  EXPECT_EQ(emulate_one_block_sampling(c.logits, vocab, nullptr, c.params, c.keys), c.cpu_tokens);
  std::vector<std::byte> workspace;
  EXPECT_EQ(emulate_split_sampling(c.logits, vocab, nullptr, c.params, c.keys, workspace), c.cpu_tokens);
}

// The workspace's size and layout: slices of 8192 ids, none past 64 slices.
TEST(CudaKernelEmulation, SamplingWorkspaceCoversEveryDrawSlice) {
  EXPECT_EQ(sampling_slices(151936), 19);
  EXPECT_EQ(sampling_slices(8192), 1);
  EXPECT_EQ(sampling_slices(8193), 2);
  EXPECT_EQ(sampling_workspace_bytes(3, 151936), 3u * 19 * (kSamplingSliceSummaryBytes + 256 * 8));
  EXPECT_EQ(sampling_workspace_bytes(0, 151936), 0u);
  EXPECT_EQ(sampling_workspace_bytes(1, 64 * 8192 + 1), 0u);  // one block per draw then
  std::vector<std::byte> workspace(sampling_workspace_bytes(3, 151936));
  const cuda_detail::SampleScratch s = cuda_detail::sample_scratch(workspace.data(), 3, 151936);
  EXPECT_EQ(reinterpret_cast<std::byte*>(s.candidate_weights + 3 * 19 * kSamplingSliceCandidates),
            workspace.data() + workspace.size());
}

}  // namespace
}  // namespace r1eval::kernels
