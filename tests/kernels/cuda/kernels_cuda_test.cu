// CUDA kernels against their CPU twins on the same random inputs. Every test skips when no CUDA device
// is present, so the default (GPU-less) run passes; bench/device_check.sh runs them on a GPU.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/elementwise.h"
#include "kernels/cuda/check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/mma.cuh"
#include "kernels/cuda/timeline.h"
#include "kernels/embedding.h"
#include "../kernel_test_support.h"
#include "kernels/matmul.h"
#include "kernels/moe.h"
#include "kernels/norm.h"
#include "kernels/projection.h"
#include "kernels/rope.h"
#include "kernels/sampling.h"

namespace r1eval::kernels {
namespace {

using testing::convert;
using testing::expect_near;
using testing::make_paged_case;
using testing::PagedCase;
using testing::random_bf16;
using testing::random_floats;
using testing::widen;

void cuda_ok(cudaError_t status, const char* what) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(status));
}

// A device copy of a host vector; download() synchronizes.
template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(const std::vector<T>& host) : size_(host.size()) {
    cuda_ok(cudaMalloc(&data_, std::max<std::size_t>(1, size_) * sizeof(T)), "cudaMalloc");
    if (size_) cuda_ok(cudaMemcpy(data_, host.data(), size_ * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy H2D");
  }
  explicit DeviceBuffer(std::size_t size) : DeviceBuffer(std::vector<T>(size)) {}
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { cudaFree(data_); }
  T* get() const { return data_; }
  std::vector<T> download() const {
    cuda_ok(cudaDeviceSynchronize(), "kernel execution");
    std::vector<T> host(size_);
    if (size_) cuda_ok(cudaMemcpy(host.data(), data_, size_ * sizeof(T), cudaMemcpyDeviceToHost), "cudaMemcpy D2H");
    return host;
  }

 private:
  T* data_ = nullptr;
  std::size_t size_;
};

class CudaKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    int devices = 0;
    const cudaError_t status = cudaGetDeviceCount(&devices);
    (void)cudaGetLastError();
    if (status != cudaSuccess || devices == 0)
      GTEST_SKIP() << "no CUDA device (" << (status == cudaSuccess ? "none found" : cudaGetErrorString(status)) << ")";
  }
};

// Runs without a device: the launchers' error line names the call, the kernel and the reason.
TEST(CudaErrors, OneLineNamingCallAndKernel) {
  try {
    cuda_detail::check(cudaErrorInvalidValue, "cudaMemcpyAsync", "sample_kernel");
    FAIL() << "expected runtime_error";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos);
    EXPECT_EQ(message.rfind("CUDA error in cudaMemcpyAsync (sample_kernel): ", 0), 0u) << message;
    EXPECT_GT(message.size(), std::string("CUDA error in cudaMemcpyAsync (sample_kernel): ").size());
  }
  EXPECT_NO_THROW(cuda_detail::check(cudaSuccess, "cudaMemcpyAsync", "sample_kernel"));
}

// Argument errors are reported before any launch, with or without a device.
TEST(CudaErrors, BadShapesThrowBeforeLaunching) {
  EXPECT_THROW(cuda::MatmulStreamState::open(nullptr), std::invalid_argument);  // the legacy stream is shared
  EXPECT_THROW(cuda::rmsnorm_residual<float>(nullptr, nullptr, nullptr, nullptr, 1, 0, 1e-6f), std::invalid_argument);
  EXPECT_THROW(cuda::matmul<float>(nullptr, nullptr, nullptr, nullptr, -1, 1, 1), std::invalid_argument);
  EXPECT_THROW(cuda::matmul_gemv<float>(nullptr, nullptr, nullptr, nullptr, cuda::kGemvMaxRows + 1, 8, 8),
               std::invalid_argument);
  EXPECT_THROW(cuda::matmul_silu_mul<bf16>(nullptr, nullptr, nullptr, nullptr, nullptr, 1, 0, 8), std::invalid_argument);
  EXPECT_THROW(cuda::rmsnorm_matmul_silu_mul<bf16>(nullptr, nullptr, 1e-6f, nullptr, nullptr, nullptr, nullptr, nullptr,
                                                   1, 8, 8),
               std::invalid_argument);
  alignas(16) bf16 pool[9]{};
  const KvCacheView cache{pool, pool, 1, 16, 2, 80};  // Phi-2's head_dim: not built
  const std::int32_t zero = 0;
  PagedBatch batch;
  batch.num_seqs = 1;
  batch.query_starts = batch.context_lens = batch.block_tables = &zero;
  batch.max_blocks_per_seq = 1;
  float scratch = 0;
  try {
    cuda::paged_attention_decode<float>(&scratch, 4 * 80, &scratch, 4, cache, batch, 1.0f, &scratch);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("head_dim 80"), std::string::npos) << e.what();
  }
  // Gemma's head_dim 256 decodes on CUDA cores only: asked for by name, the tensor-core decode kernel refuses it.
  alignas(16) bf16 rows[4 * 256]{};
  const KvCacheView gemma_heads{pool, pool, 1, 16, 2, 256};
  try {
    cuda::paged_attention_decode_with<bf16>(rows, 4 * 256, rows, 4, gemma_heads, batch, 1.0f, &scratch,
                                            cuda::DecodeKernel::tensor_cores);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("built for head_dim 64 and 128 only"), std::string::npos) << e.what();
  }
  try {
    const KvCacheView heads_128{pool, pool, 1, 16, 2, 128};
    cuda::paged_attention_decode_with<float>(&scratch, 4 * 128, &scratch, 4, heads_128, batch, 1.0f, &scratch,
                                             cuda::DecodeKernel::tensor_cores);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("tensor-core kernel needs bf16 activations"), std::string::npos) << e.what();
  }
  try {
    const KvCacheView shifted{pool + 1, pool + 1, 1, 16, 2, 128};
    cuda::paged_attention_decode<float>(&scratch, 4 * 128, &scratch, 4, shifted, batch, 1.0f, &scratch);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cache pools must be 16-byte aligned"), std::string::npos) << e.what();
  }
  const KvCacheView odd_heads{pool, pool, 1, 16, 2, 63};
  try {
    bf16 x{};
    cuda::matmul_rope_write_kv<bf16>(&x, &x, nullptr, &x, 1, 4, 8, &zero, nullptr, Rotary{}, odd_heads);
    FAIL() << "expected invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).rfind("matmul_rope_write_kv: head_dim must be even", 0), 0u) << e.what();
  }
  // The tensor-core expert products, asked for by name, refuse fp32 activations, a reduced width that is no
  // multiple of 16 and rows that are not 4-byte aligned (the pointers are never read: nothing launches).
  const auto expert_refusal = [](auto&& call) {
    try {
      call();
      return std::string("no exception");
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
  };
  const std::int32_t* none = nullptr;
  alignas(16) bf16 expert_rows[32]{};
  EXPECT_EQ(expert_refusal([&] {
              cuda::moe_gate_up_with<float>(&scratch, 32, expert_rows, 16, 4, 2, none, none, none, 8, &scratch,
                                            cuda::ExpertKernel::tensor_cores);
            }),
            "moe_gate_up: the tensor-core kernel needs bf16 activations");
  EXPECT_EQ(expert_refusal([&] {
              cuda::moe_down_with<bf16>(expert_rows, 24, expert_rows, 32, 4, none, none, none, 8, expert_rows,
                                        cuda::ExpertKernel::tensor_cores);
            }),
            "moe_down: the tensor-core kernel needs the reduced width to be a multiple of 16");
  EXPECT_EQ(expert_refusal([&] {
              cuda::moe_gate_up_with<bf16>(expert_rows + 1, 32, expert_rows, 16, 4, 2, none, none, none, 8,
                                           expert_rows, cuda::ExpertKernel::tensor_cores);
            }),
            "moe_gate_up: the tensor-core kernel needs 4-byte aligned rows");
}

template <typename T>
void compare_rmsnorm(int rows, int dim, bool with_residual) {
  const std::vector<T> input = convert<T>(random_floats(static_cast<std::size_t>(rows) * dim, -3.0f, 3.0f, 201));
  const std::vector<T> residual = convert<T>(random_floats(input.size(), -3.0f, 3.0f, 202));
  const std::vector<bf16> weight = random_bf16(static_cast<std::size_t>(dim), 0.5f, 1.5f, 203);
  std::vector<T> cpu_residual = residual, cpu_out(input.size());
  cpu::rmsnorm_residual<T>(input.data(), with_residual ? cpu_residual.data() : nullptr, cpu_out.data(), weight.data(),
                           rows, dim, 1e-6f);
  DeviceBuffer<T> d_input(input), d_residual(residual), d_out(input.size());
  DeviceBuffer<bf16> d_weight(weight);
  cuda::rmsnorm_residual<T>(d_input.get(), with_residual ? d_residual.get() : nullptr, d_out.get(), d_weight.get(), rows,
                            dim, 1e-6f);
  const double rel = std::is_same_v<T, float> ? 1e-5 : 8e-3;
  expect_near(d_out.download(), cpu_out, rel, 1e-6, "rmsnorm output");
  if (with_residual) expect_near(d_residual.download(), cpu_residual, 0.0, 0.0, "rmsnorm residual");
}

TEST_F(CudaKernels, RmsNormResidualMatchesCpu) {
  compare_rmsnorm<float>(33, 1536, true);
  compare_rmsnorm<bf16>(33, 1536, true);
  compare_rmsnorm<bf16>(5, 8192, false);
  compare_rmsnorm<bf16>(3, 300, true);  // not a multiple of 8: the scalar path
}

template <typename T>
void compare_rmsnorm_add(int rows, int dim) {
  const std::vector<T> input = convert<T>(random_floats(static_cast<std::size_t>(rows) * dim, -3.0f, 3.0f, 204));
  const std::vector<T> residual = convert<T>(random_floats(input.size(), -3.0f, 3.0f, 205));
  const std::vector<bf16> weight = random_bf16(static_cast<std::size_t>(dim), 0.5f, 1.5f, 206);
  std::vector<T> cpu_residual = residual;
  cpu::rmsnorm_add<T>(input.data(), cpu_residual.data(), weight.data(), rows, dim, 1e-6f);
  DeviceBuffer<T> d_input(input), d_residual(residual);
  DeviceBuffer<bf16> d_weight(weight);
  cuda::rmsnorm_add<T>(d_input.get(), d_residual.get(), d_weight.get(), rows, dim, 1e-6f);
  // Two summation orders of the squares: a bf16 norm output may round to its neighbour before the add.
  expect_near(d_residual.download(), cpu_residual, std::is_same_v<T, float> ? 1e-5 : 8e-3,
              std::is_same_v<T, float> ? 1e-5 : 4e-2, "rmsnorm_add");
}

TEST_F(CudaKernels, RmsNormAddMatchesCpu) {
  compare_rmsnorm_add<float>(33, 1536);
  compare_rmsnorm_add<bf16>(33, 5120);
  compare_rmsnorm_add<bf16>(3, 300);  // not a multiple of 8: the scalar path
}

// OLMo's norms of whole q and k projections: from each row's own squares, and from sums over ranks.
template <typename T>
void compare_qk_projection_norm(int rows, int q_width, int kv_width) {
  const int stride = q_width + 2 * kv_width;
  const std::vector<T> qkv = convert<T>(random_floats(static_cast<std::size_t>(rows) * stride, -2.0f, 2.0f, 207));
  const std::vector<bf16> q_weight = random_bf16(static_cast<std::size_t>(q_width), 0.5f, 1.5f, 208);
  const std::vector<bf16> k_weight = random_bf16(static_cast<std::size_t>(kv_width), 0.5f, 1.5f, 209);
  DeviceBuffer<T> d_qkv(qkv);
  DeviceBuffer<bf16> d_q_weight(q_weight), d_k_weight(k_weight);
  std::vector<float> cpu_sums(static_cast<std::size_t>(rows) * 2);
  cpu::qk_sum_squares<T>(qkv.data(), rows, q_width, kv_width, cpu_sums.data());
  DeviceBuffer<float> d_sums(cpu_sums.size());
  cuda::qk_sum_squares<T>(d_qkv.get(), rows, q_width, kv_width, d_sums.get());
  expect_near(d_sums.download(), cpu_sums, 1e-5, 1e-5, "qk_sum_squares");
  for (const bool given_sums : {false, true}) {
    std::vector<float> sums = cpu_sums;
    for (float& sum : sums) sum *= 2.0f;  // the other ranks' part as large again
    DeviceBuffer<float> d_given(sums);
    ProjectionNorm cpu_norm{q_weight.data(), k_weight.data(), 1e-6f, nullptr, 0, 0};
    ProjectionNorm gpu_norm{d_q_weight.get(), d_k_weight.get(), 1e-6f, nullptr, 0, 0};
    if (given_sums) {
      cpu_norm = ProjectionNorm{q_weight.data(), k_weight.data(), 1e-6f, sums.data(), 2 * q_width, 2 * kv_width};
      gpu_norm = ProjectionNorm{d_q_weight.get(), d_k_weight.get(), 1e-6f, d_given.get(), 2 * q_width, 2 * kv_width};
    }
    std::vector<T> cpu_qkv = qkv;
    cpu::qk_projection_norm<T>(cpu_qkv.data(), rows, q_width, kv_width, cpu_norm);
    DeviceBuffer<T> d_out(qkv);
    cuda::qk_projection_norm<T>(d_out.get(), rows, q_width, kv_width, gpu_norm);
    expect_near(d_out.download(), cpu_qkv, std::is_same_v<T, float> ? 1e-5 : 8e-3, 1e-6, "qk_projection_norm");
  }
}

TEST_F(CudaKernels, QkProjectionNormMatchesCpu) {
  compare_qk_projection_norm<float>(17, 512, 128);
  compare_qk_projection_norm<bf16>(33, 5120, 1024);  // OLMo 3 32B's widths
  compare_qk_projection_norm<bf16>(2, 300, 100);
}

template <typename T>
void compare_silu(int rows, int cols) {
  const std::vector<T> gate_up = convert<T>(random_floats(static_cast<std::size_t>(rows) * 2 * cols, -8.0f, 8.0f, 211));
  std::vector<T> cpu_out(static_cast<std::size_t>(rows) * cols);
  cpu::silu_mul<T>(gate_up.data(), cpu_out.data(), rows, cols);
  DeviceBuffer<T> d_in(gate_up), d_out(cpu_out.size());
  cuda::silu_mul<T>(d_in.get(), d_out.get(), rows, cols);
  expect_near(d_out.download(), cpu_out, std::is_same_v<T, float> ? 1e-5 : 8e-3, 1e-6, "silu_mul");
}

TEST_F(CudaKernels, SiluMulMatchesCpu) {
  compare_silu<float>(17, 8960);
  compare_silu<bf16>(17, 8960);
  compare_silu<float>(3, 1001);  // not a multiple of 8: the scalar path
}

TEST_F(CudaKernels, GeluMulScaleAndSoftCapMatchCpu) {
  for (const GateActivation activation : {GateActivation::gelu_tanh, GateActivation::gelu}) {
    const int rows = 9, cols = 2304;  // Gemma 2 2B's intermediate is 9216; any width takes the same path
    const std::vector<bf16> gate_up = convert<bf16>(random_floats(static_cast<std::size_t>(rows) * 2 * cols, -8.0f, 8.0f, 212));
    std::vector<bf16> cpu_out(static_cast<std::size_t>(rows) * cols);
    cpu::gated_activation_mul<bf16>(gate_up.data(), cpu_out.data(), rows, cols, activation);
    DeviceBuffer<bf16> d_in(gate_up), d_out(cpu_out.size());
    cuda::gated_activation_mul<bf16>(d_in.get(), d_out.get(), rows, cols, activation);
    expect_near(d_out.download(), cpu_out, 8e-3, 1e-6, "gated_activation_mul");
  }
  const std::vector<float> logits = random_floats(3 * 256000 + 5, -80.0f, 80.0f, 213);
  std::vector<float> capped = logits;
  cpu::soft_cap_values<float>(capped.data(), capped.size(), 30.0f);
  DeviceBuffer<float> d_logits(logits);
  cuda::soft_cap_values<float>(d_logits.get(), logits.size(), 30.0f);
  expect_near(d_logits.download(), capped, 1e-5, 1e-6, "soft_cap_values");
  std::vector<bf16> embedded = convert<bf16>(random_floats(4096, -0.1f, 0.1f, 214));
  DeviceBuffer<bf16> d_embedded(embedded);
  cpu::scale_values<bf16>(embedded.data(), embedded.size(), 48.0f);
  cuda::scale_values<bf16>(d_embedded.get(), embedded.size(), 48.0f);
  expect_near(d_embedded.download(), embedded, 0.0, 0.0, "scale_values");
}

TEST_F(CudaKernels, EmbeddingGatherMatchesCpuAndZeroesBadIds) {
  const int vocab = 5000, dim = 1536;
  const std::vector<bf16> table = random_bf16(static_cast<std::size_t>(vocab) * dim, -1.0f, 1.0f, 221);
  const std::vector<std::int32_t> ids = {0, 4999, 17, 17, 2500};
  std::vector<float> cpu_out(ids.size() * dim);
  cpu::embedding_gather<float>(ids.data(), static_cast<int>(ids.size()), table.data(), vocab, dim, cpu_out.data());
  DeviceBuffer<bf16> d_table(table);
  DeviceBuffer<std::int32_t> d_ids(ids);
  DeviceBuffer<float> d_out(cpu_out.size());
  cuda::embedding_gather<float>(d_ids.get(), static_cast<int>(ids.size()), d_table.get(), vocab, dim, d_out.get());
  EXPECT_EQ(d_out.download(), cpu_out);
  DeviceBuffer<std::int32_t> d_bad(std::vector<std::int32_t>{-1, vocab});
  DeviceBuffer<bf16> d_bf(2 * static_cast<std::size_t>(dim));
  cuda::embedding_gather<bf16>(d_bad.get(), 2, d_table.get(), vocab, dim, d_bf.get());
  for (bf16 v : d_bf.download()) ASSERT_EQ(v.bits, 0);
}

// qk_norm: Qwen3's per-head norm of q and k before the rotation (qk_norm_rope_write_kv); pairs < head_dim / 2
// a partial rotary embedding, scale the rotated elements' attention factor.
template <typename T>
void compare_rope(int num_q_heads, int num_kv_heads, int head_dim, int block_size, bool llama3, bool qk_norm = false,
                  int pairs = 0, float scale = 1.0f) {
  const int tokens = 40, num_blocks = 16;
  const int row = (num_q_heads + 2 * num_kv_heads) * head_dim;
  const std::vector<T> qkv = convert<T>(random_floats(static_cast<std::size_t>(tokens) * row, -2.0f, 2.0f, 231));
  std::vector<std::int32_t> positions(tokens);
  std::vector<std::int64_t> slots(tokens);
  std::mt19937 rng(232);
  for (int t = 0; t < tokens; ++t) {
    positions[static_cast<std::size_t>(t)] = static_cast<std::int32_t>(rng() % 40000);
    slots[static_cast<std::size_t>(t)] = t % 7 == 3 ? -1 : static_cast<std::int64_t>((t * 37) % (num_blocks * block_size));
  }
  RopeConfig config;
  config.theta = 500000.0f;
  config.scaling = llama3 ? RopeConfig::Scaling::kLlama3 : RopeConfig::Scaling::kNone;
  if (pairs == 0) pairs = head_dim / 2;
  const std::vector<float> inv_freq = rope_inverse_frequencies(config, 2 * pairs);
  const Rotary cpu_rotary{inv_freq.data(), pairs, scale};
  const std::size_t pool = static_cast<std::size_t>(num_blocks) * num_kv_heads * block_size * head_dim;
  std::vector<bf16> key(pool, to_bf16(3.0f)), value(pool, to_bf16(3.0f));
  const std::vector<bf16> q_weight = random_bf16(static_cast<std::size_t>(head_dim), 0.5f, 1.5f, 233);
  const std::vector<bf16> k_weight = random_bf16(static_cast<std::size_t>(head_dim), 0.5f, 1.5f, 234);
  std::vector<T> cpu_qkv = qkv;
  const KvCacheView cpu_cache{key.data(), value.data(), num_blocks, block_size, num_kv_heads, head_dim};
  if (qk_norm) {
    cpu::qk_norm_rope_write_kv<T>(cpu_qkv.data(), tokens, num_q_heads, HeadNorm{q_weight.data(), k_weight.data(), 1e-6f},
                                  positions.data(), slots.data(), cpu_rotary, cpu_cache);
  } else {
    cpu::rope_write_kv<T>(cpu_qkv.data(), tokens, num_q_heads, positions.data(), slots.data(), cpu_rotary, cpu_cache);
  }
  DeviceBuffer<T> d_qkv(qkv);
  DeviceBuffer<std::int32_t> d_positions(positions);
  DeviceBuffer<std::int64_t> d_slots(slots);
  DeviceBuffer<float> d_freq(inv_freq);
  const Rotary rotary{d_freq.get(), pairs, scale};
  DeviceBuffer<bf16> d_q_weight(q_weight), d_k_weight(k_weight);
  DeviceBuffer<bf16> d_key(std::vector<bf16>(pool, to_bf16(3.0f))), d_value(std::vector<bf16>(pool, to_bf16(3.0f)));
  const KvCacheView cache{d_key.get(), d_value.get(), num_blocks, block_size, num_kv_heads, head_dim};
  if (qk_norm) {
    cuda::qk_norm_rope_write_kv<T>(d_qkv.get(), tokens, num_q_heads, HeadNorm{d_q_weight.get(), d_k_weight.get(), 1e-6f},
                                   d_positions.get(), d_slots.get(), rotary, cache);
  } else {
    cuda::rope_write_kv<T>(d_qkv.get(), tokens, num_q_heads, d_positions.get(), d_slots.get(), rotary, cache);
  }
  // sincosf / fused multiply-adds on the device differ from the host in the last float bits.
  expect_near(d_qkv.download(), cpu_qkv, std::is_same_v<T, float> ? 1e-4 : 8e-3, 1e-4, "rotated qkv");
  expect_near(d_key.download(), key, 8e-3, 1e-3, "key cache");
  expect_near(d_value.download(), value, 0.0, 0.0, "value cache");
}

TEST_F(CudaKernels, RopeWriteKvMatchesCpu) {
  compare_rope<float>(12, 2, 128, 16, false);
  compare_rope<bf16>(32, 8, 128, 32, true);
  compare_rope<bf16>(8, 2, 64, 16, false);
}

TEST_F(CudaKernels, QkNormRopeWriteKvMatchesCpu) {
  compare_rope<float>(16, 8, 128, 16, false, true);  // Qwen3-8B's heads
  compare_rope<bf16>(64, 8, 128, 16, false, true);   // Qwen3-32B's
  compare_rope<bf16>(8, 2, 64, 16, true, true);
  compare_rope<bf16>(24, 8, 128, 16, false, false, 48, 1.19f);  // Phi-4-mini: 0.75 of each head, LongRoPE
  compare_rope<float>(8, 2, 64, 16, false, true, 5, 0.9f);
}

// Runs prefill (or decode) on both sides for one case, with the kernel `prefill` (or `decode`) names. The
// tensor-core kernels round their softmax weights to bf16, so an element is allowed 2^-8 of the value range
// more, and all of them together 5e-3 relative L2 error (as on the emulator).
struct AttentionKernels {
  cuda::PrefillKernel prefill = cuda::PrefillKernel::automatic;
  cuda::DecodeKernel decode = cuda::DecodeKernel::automatic;
};
template <typename T>
void compare_attention(const PagedCase& c, float scale, bool decode, AttentionKernels kernels = {}) {
  const std::vector<T> q = convert<T>(c.q);
  std::vector<T> cpu_out(c.q.size());
  std::vector<bf16> key = c.key, value = c.value;
  const int stride = c.num_q_heads * c.head_dim;
  const PagedBatch host_batch = c.batch(c.query_starts.data(), c.context_lens.data(), c.block_tables.data());
  if (decode)
    cpu::paged_attention_decode<T>(q.data(), stride, cpu_out.data(), c.num_q_heads, c.cache_view(key.data(), value.data()),
                                   host_batch, scale, nullptr);
  else
    cpu::paged_attention_prefill<T>(q.data(), stride, cpu_out.data(), c.num_q_heads,
                                    c.cache_view(key.data(), value.data()), host_batch, scale);

  DeviceBuffer<T> d_q(q), d_out(cpu_out.size());
  DeviceBuffer<bf16> d_key(c.key), d_value(c.value);
  DeviceBuffer<std::int32_t> d_starts(c.query_starts), d_lens(c.context_lens), d_tables(c.block_tables);
  PagedBatch device_batch = c.batch(d_starts.get(), d_lens.get(), d_tables.get());
  DeviceBuffer<bf16> d_sinks(c.sinks.empty() ? std::vector<bf16>(1) : c.sinks);
  if (!c.sinks.empty()) device_batch.sinks = d_sinks.get();
  const KvCacheView device_cache = c.cache_view(d_key.get(), d_value.get());
  if (decode) {
    DeviceBuffer<float> workspace(
        decode_workspace_floats(device_batch.num_seqs, c.num_q_heads, c.head_dim, device_batch.max_context_len));
    cuda::paged_attention_decode_with<T>(d_q.get(), stride, d_out.get(), c.num_q_heads, device_cache, device_batch,
                                         scale, workspace.get(), kernels.decode);
    // automatic may pick tensor cores for bf16 too.
    const bool tensor_cores = std::is_same_v<T, bf16> && (kernels.decode == cuda::DecodeKernel::tensor_cores ||
                                                          kernels.decode == cuda::DecodeKernel::automatic);
    const std::vector<T> out = d_out.download();
    expect_near(out, cpu_out, std::is_same_v<T, float> ? 1e-4 : 1e-2, tensor_cores ? 1.0 / 256 : 2e-5, "decode");
    if (tensor_cores) EXPECT_LT(testing::relative_l2_error(out, cpu_out), 5e-3) << "decode";
  } else {
    cuda::paged_attention_prefill_with<T>(d_q.get(), stride, d_out.get(), c.num_q_heads, device_cache, device_batch,
                                          scale, kernels.prefill);
    const bool tensor_cores = std::is_same_v<T, bf16> && kernels.prefill != cuda::PrefillKernel::cuda_cores;
    const std::vector<T> out = d_out.download();
    expect_near(out, cpu_out, std::is_same_v<T, float> ? 1e-4 : 1e-2, tensor_cores ? 1.0 / 256 : 2e-5, "prefill");
    if (tensor_cores) EXPECT_LT(testing::relative_l2_error(out, cpu_out), 5e-3) << "prefill";
  }
}

// One tensor-core product with every element distinct, placed by the lane layout mma.cuh states: a wrong
// layout (in the header, or in the emulator that copies it) shows here before it shows in attention.
__global__ void mma_layout_kernel(const std::uint32_t* a, const std::uint32_t* b, float* d) {
  const int lane = threadIdx.x;
  const std::uint32_t a_frag[4] = {a[lane * 4], a[lane * 4 + 1], a[lane * 4 + 2], a[lane * 4 + 3]};
  const std::uint32_t b_frag[2] = {b[lane * 2], b[lane * 2 + 1]};
  float d_frag[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  mma_bf16_16x8x16(d_frag, a_frag, b_frag);
  for (int i = 0; i < 4; ++i) d[lane * 4 + i] = d_frag[i];
}

TEST_F(CudaKernels, TensorCoreProductFollowsTheStatedLaneLayout) {
  std::mt19937 rng(271);
  std::uniform_int_distribution<int> small(-8, 8);
  float a[16][16], b[16][8];
  for (auto& row : a)
    for (float& x : row) x = static_cast<float>(small(rng)) / 4.0f;  // exact in bf16, products exact in fp32
  for (auto& row : b)
    for (float& x : row) x = static_cast<float>(small(rng)) / 2.0f;
  const auto pair = pack_bf16_pair;
  std::vector<std::uint32_t> a_frags(32 * 4), b_frags(32 * 2);
  std::vector<float> want(32 * 4);
  for (int lane = 0; lane < 32; ++lane) {
    const int g = lane / 4, t = lane % 4;
    a_frags[lane * 4 + 0] = pair(a[g][2 * t], a[g][2 * t + 1]);
    a_frags[lane * 4 + 1] = pair(a[g + 8][2 * t], a[g + 8][2 * t + 1]);
    a_frags[lane * 4 + 2] = pair(a[g][2 * t + 8], a[g][2 * t + 9]);
    a_frags[lane * 4 + 3] = pair(a[g + 8][2 * t + 8], a[g + 8][2 * t + 9]);
    b_frags[lane * 2 + 0] = pair(b[2 * t][g], b[2 * t + 1][g]);
    b_frags[lane * 2 + 1] = pair(b[2 * t + 8][g], b[2 * t + 9][g]);
    for (int i = 0; i < 4; ++i) {
      const int row = g + (i >= 2 ? 8 : 0), col = 2 * t + (i & 1);
      float sum = static_cast<float>(i + 1);
      for (int k = 0; k < 16; ++k) sum += a[row][k] * b[k][col];
      want[lane * 4 + i] = sum;
    }
  }
  DeviceBuffer<std::uint32_t> d_a(a_frags), d_b(b_frags);
  DeviceBuffer<float> d_d(want.size());
  mma_layout_kernel<<<1, 32>>>(d_a.get(), d_b.get(), d_d.get());
  cuda_ok(cudaGetLastError(), "mma_layout_kernel launch");
  expect_near(d_d.download(), want, 0.0, 0.0, "mma result by lane");
}

TEST_F(CudaKernels, PagedAttentionPrefillMatchesCpu) {
  // R1-Distill-Qwen-1.5B heads (12 q, 2 kv, 128), a chunk over a long cached prefix, Llama-8B heads.
  compare_attention<float>(make_paged_case({100, 1, 33, 64}, {100, 1, 33, 2000}, 12, 2, 128, 16, 241), 0.3f, false);
  compare_attention<bf16>(make_paged_case({300, 17}, {300, 4100}, 12, 2, 128, 16, 242), 0.09f, false);
  compare_attention<bf16>(make_paged_case({40, 7}, {40, 7}, 32, 8, 128, 32, 243), 0.09f, false);
  compare_attention<float>(make_paged_case({50, 9}, {50, 300}, 14, 2, 64, 16, 244), 0.125f, false);
}

// Each prefill kernel on bf16 activations: the 1.5B model's heads over a prompt and a chunk after a long
// cached prefix (tiles across cache blocks), Llama-8B's heads, head_dim 64 with odd row counts.
TEST_F(CudaKernels, PrefillKernelsOnTensorAndCudaCoresMatchCpu) {
  for (const cuda::PrefillKernel kernel : {cuda::PrefillKernel::tensor_cores, cuda::PrefillKernel::cuda_cores}) {
    SCOPED_TRACE(kernel == cuda::PrefillKernel::tensor_cores ? "tensor cores" : "cuda cores");
    compare_attention<bf16>(make_paged_case({300, 17, 1}, {300, 4100, 65}, 12, 2, 128, 16, 245), 0.09f, false,
                            {kernel, {}});
    compare_attention<bf16>(make_paged_case({77, 5}, {77, 130}, 32, 8, 128, 32, 246), 0.09f, false, {kernel, {}});
    compare_attention<bf16>(make_paged_case({63, 129}, {63, 200}, 14, 2, 64, 16, 247), 0.125f, false, {kernel, {}});
  }
  // The tensor-core kernel takes bf16 only.
  const PagedCase c = make_paged_case({4}, {4}, 2, 1, 64, 16, 248);
  DeviceBuffer<float> q(c.q), out(c.q.size());
  DeviceBuffer<bf16> key(c.key), value(c.value);
  DeviceBuffer<std::int32_t> starts(c.query_starts), lens(c.context_lens), tables(c.block_tables);
  EXPECT_THROW(cuda::paged_attention_prefill_with<float>(q.get(), 2 * 64, out.get(), 2, c.cache_view(key.get(), value.get()),
                                                         c.batch(starts.get(), lens.get(), tables.get()), 0.125f,
                                                         cuda::PrefillKernel::tensor_cores),
               std::invalid_argument);
}

// Every split pass on shapes where automatic would pick each: batch 1 (8-key tiles by default) and 16
// sequences (tensor cores by default), the 1.5B model's heads; and tensor cores with Llama-70B's group of 8
// at 64 x 2000 keys, Qwen-7B's 7 at head_dim 64, and a group of 16 (all rows used).
TEST_F(CudaKernels, DecodeSplitPassesMatchCpu) {
  for (const cuda::DecodeKernel kernel : {cuda::DecodeKernel::cuda_cores_32_key_tiles,
                                          cuda::DecodeKernel::cuda_cores_8_key_tiles, cuda::DecodeKernel::tensor_cores}) {
    SCOPED_TRACE("decode kernel " + std::to_string(static_cast<int>(kernel)));
    compare_attention<bf16>(make_paged_case({1}, {1500}, 12, 2, 128, 16, 254), 0.09f, true, {{}, kernel});
    compare_attention<bf16>(make_paged_case(std::vector<int>(16, 1), std::vector<int>(16, 700), 12, 2, 128, 16, 255),
                            0.09f, true, {{}, kernel});
  }
  std::vector<int> contexts;
  for (int s = 0; s < 64; ++s) contexts.push_back(1990 + s % 17);
  compare_attention<bf16>(make_paged_case(std::vector<int>(64, 1), contexts, 64, 8, 128, 16, 256), 0.09f, true,
                          {{}, cuda::DecodeKernel::tensor_cores});
  compare_attention<bf16>(make_paged_case({1, 1, 1}, {300, 1, 129}, 28, 4, 64, 32, 257), 0.125f, true,
                          {{}, cuda::DecodeKernel::tensor_cores});
  compare_attention<bf16>(make_paged_case({1, 1}, {513, 260}, 32, 2, 128, 16, 258), 0.09f, true,
                          {{}, cuda::DecodeKernel::tensor_cores});
}

// Sliding windows (Mistral 7B v0.1's 4096, Phi-3-mini's 2047, Qwen2's window layers) in every prefill kernel and
// split pass: windows cutting long cached prefixes, across splits and tiles, of one key, longer than the context.
TEST_F(CudaKernels, SlidingWindowAttentionMatchesCpu) {
  const auto with_window = [](PagedCase c, int window) {
    c.window = window;
    return c;
  };
  for (const cuda::PrefillKernel kernel : {cuda::PrefillKernel::tensor_cores, cuda::PrefillKernel::cuda_cores}) {
    SCOPED_TRACE(kernel == cuda::PrefillKernel::tensor_cores ? "tensor cores" : "cuda cores");
    compare_attention<bf16>(with_window(make_paged_case({300, 17, 1}, {300, 4100, 65}, 12, 2, 128, 16, 261), 2047),
                            0.09f, false, {kernel, {}});
    compare_attention<bf16>(with_window(make_paged_case({77, 5}, {77, 130}, 32, 8, 128, 32, 262), 40), 0.09f, false,
                            {kernel, {}});
    compare_attention<bf16>(with_window(make_paged_case({63, 129}, {63, 200}, 14, 2, 64, 16, 263), 1), 0.125f, false,
                            {kernel, {}});
  }
  for (const cuda::DecodeKernel kernel : {cuda::DecodeKernel::cuda_cores_32_key_tiles,
                                          cuda::DecodeKernel::cuda_cores_8_key_tiles, cuda::DecodeKernel::tensor_cores}) {
    SCOPED_TRACE("decode kernel " + std::to_string(static_cast<int>(kernel)));
    compare_attention<bf16>(with_window(make_paged_case({1}, {5000}, 12, 2, 128, 16, 264), 4096), 0.09f, true,
                            {{}, kernel});
    compare_attention<bf16>(with_window(make_paged_case(std::vector<int>(16, 1), std::vector<int>(16, 700), 12, 2, 128,
                                                        16, 265),
                                        300),
                            0.09f, true, {{}, kernel});
    compare_attention<bf16>(with_window(make_paged_case({1, 1}, {90, 200}, 8, 1, 128, 16, 266), 9000), 0.09f, true,
                            {{}, kernel});
  }
}

// Phi-3-mini's head_dim 96 and Gemma's 256 (prefill on both kernels, decode on CUDA cores), and Gemma 2's soft cap
// (50, its models' value) with its 4096-key window on every kernel that takes it.
TEST_F(CudaKernels, HeadDims96And256AndSoftCapMatchCpu) {
  const auto gemma2 = [](PagedCase c, int window) {
    c.softcap = 50.0f;
    c.window = window;
    return c;
  };
  for (const cuda::PrefillKernel kernel : {cuda::PrefillKernel::tensor_cores, cuda::PrefillKernel::cuda_cores}) {
    SCOPED_TRACE(kernel == cuda::PrefillKernel::tensor_cores ? "tensor cores" : "cuda cores");
    compare_attention<bf16>(make_paged_case({300, 17, 1}, {300, 4100, 65}, 32, 32, 96, 16, 281), 0.1f, false,
                            {kernel, {}});
    compare_attention<bf16>(gemma2(make_paged_case({300, 17, 1}, {300, 5000, 65}, 16, 8, 256, 16, 283), 4096), 0.0625f,
                            false, {kernel, {}});
  }
  compare_attention<float>(make_paged_case({77, 5}, {77, 130}, 8, 1, 256, 16, 282), 0.0625f, false);
  compare_attention<bf16>(make_paged_case({1, 1, 1}, {1, 3000, 700}, 32, 32, 96, 16, 284), 0.1f, true);
  compare_attention<bf16>(gemma2(make_paged_case(std::vector<int>(16, 1), std::vector<int>(16, 5000), 8, 4, 256, 16, 285),
                                 4096),
                          0.0625f, true);
  for (const cuda::PrefillKernel kernel : {cuda::PrefillKernel::tensor_cores, cuda::PrefillKernel::cuda_cores})
    compare_attention<bf16>(gemma2(make_paged_case({300, 17, 1}, {300, 4100, 65}, 12, 2, 128, 16, 286), 2047), 0.5f,
                            false, {kernel, {}});
  for (const cuda::DecodeKernel kernel : {cuda::DecodeKernel::cuda_cores_32_key_tiles,
                                          cuda::DecodeKernel::cuda_cores_8_key_tiles, cuda::DecodeKernel::tensor_cores})
    compare_attention<bf16>(gemma2(make_paged_case(std::vector<int>(16, 1), std::vector<int>(16, 700), 16, 8, 128, 16, 287),
                                   300),
                            0.5f, true, {{}, kernel});
  // The tensor-core decode kernel and 32-key decode tiles are built for 64 and 128 only: asked for at 256, they refuse.
  const PagedCase c = make_paged_case({1}, {40}, 2, 1, 256, 16, 288);
  DeviceBuffer<bf16> d_q(convert<bf16>(c.q)), d_out(c.q.size()), d_key(c.key), d_value(c.value);
  DeviceBuffer<std::int32_t> d_starts(c.query_starts), d_lens(c.context_lens), d_tables(c.block_tables);
  DeviceBuffer<float> workspace(decode_workspace_floats(1, 2, 256, 40));
  const PagedBatch batch = c.batch(d_starts.get(), d_lens.get(), d_tables.get());
  EXPECT_THROW(cuda::paged_attention_decode_with<bf16>(d_q.get(), 512, d_out.get(), 2, c.cache_view(d_key.get(), d_value.get()),
                                                       batch, 0.0625f, workspace.get(), cuda::DecodeKernel::tensor_cores),
               std::invalid_argument);
  EXPECT_THROW(cuda::paged_attention_decode_with<bf16>(d_q.get(), 512, d_out.get(), 2, c.cache_view(d_key.get(), d_value.get()),
                                                       batch, 0.0625f, workspace.get(), cuda::DecodeKernel::cuda_cores_32_key_tiles),
               std::invalid_argument);
}

// gpt-oss's attention sinks (64 q / 8 kv heads of head_dim 64, 128-key windows on alternate layers) on every
// prefill kernel and split pass; one sink far above the scores, one far below.
TEST_F(CudaKernels, AttentionSinksMatchCpu) {
  const auto gpt_oss = [](PagedCase c, int window, std::uint32_t seed) {
    c.sinks = testing::random_bf16(static_cast<std::size_t>(c.num_q_heads), -2.0f, 2.0f, seed);
    c.sinks[0] = to_bf16(20.0f);
    c.sinks[1] = to_bf16(-50.0f);
    c.window = window;
    return c;
  };
  for (const int window : {0, 128}) {
    for (const cuda::PrefillKernel kernel : {cuda::PrefillKernel::tensor_cores, cuda::PrefillKernel::cuda_cores})
      compare_attention<bf16>(gpt_oss(make_paged_case({300, 17, 1}, {300, 1100, 65}, 64, 8, 64, 16, 291), window, 292),
                              0.125f, false, {kernel, {}});
    for (const cuda::DecodeKernel kernel : {cuda::DecodeKernel::cuda_cores_32_key_tiles,
                                            cuda::DecodeKernel::cuda_cores_8_key_tiles, cuda::DecodeKernel::tensor_cores})
      compare_attention<bf16>(gpt_oss(make_paged_case(std::vector<int>(16, 1), std::vector<int>(16, 700), 64, 8, 64, 16,
                                                      293),
                                      window, 294),
                              0.125f, true, {{}, kernel});
  }
}

TEST_F(CudaKernels, PagedAttentionDecodeMatchesCpuUpToLongContexts) {
  compare_attention<float>(make_paged_case({1, 1, 1, 1, 1}, {1, 255, 256, 257, 5000}, 12, 2, 128, 16, 251), 0.3f, true);
  // The longest supported trace: 32768 generated after a 512-token prompt, 40 q heads over 8 kv heads.
  compare_attention<bf16>(make_paged_case({1, 1}, {32768 + 512, 77}, 40, 8, 128, 16, 252), 0.09f, true);
  // More than 8 query heads per kv head (the group is split across blocks) and head_dim 64.
  compare_attention<float>(make_paged_case({1, 1, 1}, {700, 3, 1500}, 20, 1, 64, 32, 253), 0.125f, true);
}

// The mixture-of-experts steps at Qwen3-30B-A3B's routing (128 experts, 8 per token) over decode- and
// prefill-sized batches: the same experts and grouping as the CPU twin, the products to summation order, on
// the expert-product kernel asked for.
template <typename T>
void compare_moe(int rows, int hidden, int inter, int experts, int k, cuda::ExpertKernel kernel,
                 const testing::OwnedExpertForm* gpt_oss = nullptr) {
  const ExpertForm form = gpt_oss != nullptr ? gpt_oss->form() : ExpertForm{};
  const std::vector<float> logits = random_floats(static_cast<std::size_t>(rows) * experts, -3.0f, 3.0f, 231);
  const auto pairs = static_cast<std::size_t>(rows) * k;
  std::vector<std::int32_t> ids(pairs), offsets(static_cast<std::size_t>(experts) + 1), grouped(pairs),
      active(static_cast<std::size_t>(experts));
  const int n = static_cast<int>(pairs);
  std::vector<float> weights(pairs);
  cpu::moe_route(logits.data(), rows, experts, k, true, ids.data(), weights.data());
  cpu::moe_group(ids.data(), n, experts, offsets.data(), grouped.data(), active.data());
  const std::vector<T> x = convert<T>(random_floats(static_cast<std::size_t>(rows) * hidden, -1.0f, 1.0f, 232));
  const float in_scale = 2.0f / std::sqrt(static_cast<float>(hidden)), mid_scale = 2.0f / std::sqrt(static_cast<float>(inter));
  const std::vector<bf16> gate_up = random_bf16(static_cast<std::size_t>(experts) * 2 * inter * hidden, -in_scale, in_scale, 233);
  const std::vector<bf16> down = random_bf16(static_cast<std::size_t>(experts) * hidden * inter, -mid_scale, mid_scale, 234);
  std::vector<T> act(pairs * inter), expert_out(pairs * hidden), out(static_cast<std::size_t>(rows) * hidden);
  cpu::moe_gate_up(x.data(), hidden, gate_up.data(), inter, experts, k, offsets.data(), grouped.data(), active.data(), n,
                   act.data(), form);
  cpu::moe_down(act.data(), inter, down.data(), hidden, experts, offsets.data(), grouped.data(), active.data(), n,
                expert_out.data(), form);
  cpu::moe_combine(expert_out.data(), weights.data(), rows, k, hidden, out.data());

  DeviceBuffer<float> d_logits(logits), d_weights(pairs);
  DeviceBuffer<std::int32_t> d_ids(pairs), d_offsets(offsets.size()), d_grouped(pairs), d_active(active.size());
  cuda::moe_route(d_logits.get(), rows, experts, k, true, d_ids.get(), d_weights.get());
  cuda::moe_group(d_ids.get(), n, experts, d_offsets.get(), d_grouped.get(), d_active.get());
  EXPECT_EQ(d_ids.download(), ids);
  expect_near(d_weights.download(), weights, 1e-5, 1e-7, "moe_route weights");
  EXPECT_EQ(d_offsets.download(), offsets);
  EXPECT_EQ(d_grouped.download(), grouped);
  EXPECT_EQ(d_active.download(), active);
  DeviceBuffer<T> d_x(x), d_act(act.size()), d_expert_out(expert_out.size()), d_out(out.size());
  DeviceBuffer<bf16> d_gate_up(gate_up), d_down(down);
  DeviceBuffer<bf16> d_gate_up_bias(gpt_oss != nullptr ? gpt_oss->gate_up_bias : std::vector<bf16>(1)),
      d_down_bias(gpt_oss != nullptr ? gpt_oss->down_bias : std::vector<bf16>(1));
  ExpertForm device_form = form;
  if (gpt_oss != nullptr) {
    device_form.gate_up_bias = d_gate_up_bias.get();
    device_form.down_bias = d_down_bias.get();
  }
  const bool mxfp4 = gpt_oss != nullptr && !gpt_oss->gate_up_mxfp4.blocks.empty();
  const std::vector<std::uint8_t> none(4);
  DeviceBuffer<std::uint8_t> d_gu_blocks(mxfp4 ? gpt_oss->gate_up_mxfp4.blocks : none),
      d_gu_scales(mxfp4 ? gpt_oss->gate_up_mxfp4.scales : none), d_down_blocks(mxfp4 ? gpt_oss->down_mxfp4.blocks : none),
      d_down_scales(mxfp4 ? gpt_oss->down_mxfp4.scales : none);
  if (mxfp4) {
    device_form.gate_up_mxfp4 = Mxfp4Weights{d_gu_blocks.get(), d_gu_scales.get()};
    device_form.down_mxfp4 = Mxfp4Weights{d_down_blocks.get(), d_down_scales.get()};
  }
  cuda::moe_gate_up_with<T>(d_x.get(), hidden, d_gate_up.get(), inter, experts, k, d_offsets.get(), d_grouped.get(),
                            d_active.get(), n, d_act.get(), kernel, device_form);
  cuda::moe_down_with<T>(d_act.get(), inter, d_down.get(), hidden, experts, d_offsets.get(), d_grouped.get(),
                         d_active.get(), n, d_expert_out.get(), kernel, device_form);
  cuda::moe_combine<T>(d_expert_out.get(), d_weights.get(), rows, k, hidden, d_out.get());
  const double rel = std::is_same_v<T, float> ? 1e-4 : 1.6e-2;
  expect_near(d_act.download(), act, rel, 1e-4, "moe_gate_up");
  expect_near(d_out.download(), out, std::is_same_v<T, float> ? 1e-3 : 3e-2, 1e-3, "moe output");
}

TEST_F(CudaKernels, MixtureOfExpertsMatchesCpu) {
  using cuda::ExpertKernel;
  compare_moe<bf16>(1, 2048, 768, 128, 8, ExpertKernel::automatic);  // CUDA cores: 8 pairs over 128 experts
  compare_moe<bf16>(300, 512, 128, 128, 8, ExpertKernel::automatic);  // tensor cores: 2400 pairs
  compare_moe<bf16>(300, 512, 128, 128, 8, ExpertKernel::cuda_cores);
  compare_moe<bf16>(1, 2048, 768, 128, 8, ExpertKernel::tensor_cores);
  compare_moe<bf16>(2000, 256, 96, 8, 2, ExpertKernel::tensor_cores);  // ~500 pairs an expert: many chunks each
  compare_moe<float>(17, 256, 64, 40, 4, ExpertKernel::automatic);
  EXPECT_THROW(compare_moe<float>(17, 256, 64, 40, 4, ExpertKernel::tensor_cores), std::invalid_argument);
  // gpt-oss-20b's routing (32 experts, 4 per token) with its biases and clamped SwiGLU (limit 1 here, inside the
  // values' range) on both kernels.
  const testing::OwnedExpertForm gpt_oss = testing::gpt_oss_expert_form(32, 128, 512, 1.0f, 235);
  for (const ExpertKernel kernel : {ExpertKernel::cuda_cores, ExpertKernel::tensor_cores}) {
    compare_moe<bf16>(1, 512, 128, 32, 4, kernel, &gpt_oss);
    compare_moe<bf16>(300, 512, 128, 32, 4, kernel, &gpt_oss);
  }
  // The same experts in MXFP4, as gpt-oss is released.
  const testing::OwnedExpertForm mxfp4 = testing::gpt_oss_expert_form(32, 128, 512, 1.0f, 237, true);
  for (const ExpertKernel kernel : {ExpertKernel::cuda_cores, ExpertKernel::tensor_cores}) {
    compare_moe<bf16>(1, 512, 128, 32, 4, kernel, &mxfp4);
    compare_moe<bf16>(300, 512, 128, 32, 4, kernel, &mxfp4);
  }
}

TEST_F(CudaKernels, SamplingChoosesTheSameTokensAsCpu) {
  const int vocab = 151936, rows = 48;
  std::mt19937 rng(261);
  std::normal_distribution<float> dist(0.0f, 3.0f);
  std::vector<float> logits(static_cast<std::size_t>(rows) * vocab);
  for (float& x : logits) x = dist(rng);
  for (int r = 0; r < rows; r += 5) logits[static_cast<std::size_t>(r) * vocab + 11] = logits[static_cast<std::size_t>(r) * vocab + 12] = 25.0f;
  // Rows 40..47 are nearly flat: a threshold off by one token would change some of their draws.
  for (int r = 40; r < rows; ++r)
    for (int i = 0; i < vocab; ++i) logits[static_cast<std::size_t>(r) * vocab + i] = -1e-5f * static_cast<float>((i * 7) % vocab);
  // Rows 33..36 hold NaNs (the first in a later slice): every setting gives the mark of the first one.
  for (int r = 33; r <= 36; ++r) {
    logits[static_cast<std::size_t>(r) * vocab + 140000] = std::nanf("");
    logits[static_cast<std::size_t>(r) * vocab + 9000 + r] = std::nanf("");
  }
  const SamplingParams settings[] = {{0.6f, 0.95f, 0, 0.0f}, {1.0f, 1.0f, 0, 0.0f}, {0.7f, 0.8f, 40, 0.0f},
                                     {1.2f, 1.0f, 5, 0.05f}, {0.0f, 1.0f, 0, 0.0f}, {0.8f, 0.3f, 1, 0.0f},
                                     {3.0f, 0.99f, 0, 0.01f}, {0.6f, 0.95f, 100000, 0.0f}};
  std::vector<SamplingParams> params(rows);
  std::vector<SampleKey> keys(rows);
  for (int r = 0; r < rows; ++r) {
    params[static_cast<std::size_t>(r)] = settings[r % 8];
    keys[static_cast<std::size_t>(r)] = SampleKey{777, static_cast<std::uint64_t>(r / 4), static_cast<std::uint32_t>(r % 4),
                                                  static_cast<std::uint32_t>(1000 + r)};
  }
  std::vector<std::int32_t> cpu_tokens(rows);
  cpu::sample_tokens(logits.data(), rows, vocab, params.data(), keys.data(), cpu_tokens.data(), nullptr);
  for (int r = 33; r <= 36; ++r) EXPECT_EQ(cpu_tokens[static_cast<std::size_t>(r)], sampling_nan_token(9000 + r));
  DeviceBuffer<float> d_logits(logits);
  DeviceBuffer<SamplingParams> d_params(params);
  DeviceBuffer<SampleKey> d_keys(keys);
  DeviceBuffer<std::int32_t> d_tokens(static_cast<std::size_t>(rows));
  // The same draws through a row table, read backwards and one row drawn twice more.
  std::vector<std::int32_t> row_of_draw(rows);
  for (int d = 0; d < rows; ++d) row_of_draw[static_cast<std::size_t>(d)] = d < 2 ? 0 : rows - 1 - d;
  std::vector<std::int32_t> cpu_row_tokens(rows);
  cpu::sample_token_rows(logits.data(), vocab, row_of_draw.data(), rows, params.data(), keys.data(),
                         cpu_row_tokens.data(), nullptr);
  DeviceBuffer<std::int32_t> d_rows(row_of_draw);
  // One block per draw, and split over slices with a workspace (filled with garbage first).
  DeviceBuffer<std::byte> workspace(sampling_workspace_bytes(rows, vocab));
  ASSERT_EQ(cudaMemset(workspace.get(), 0xcd, sampling_workspace_bytes(rows, vocab)), cudaSuccess);
  for (std::byte* scratch : {static_cast<std::byte*>(nullptr), workspace.get()}) {
    SCOPED_TRACE(scratch == nullptr ? "one block per draw" : "split over slices");
    cuda::sample_tokens(d_logits.get(), rows, vocab, d_params.get(), d_keys.get(), d_tokens.get(), scratch);
    EXPECT_EQ(d_tokens.download(), cpu_tokens);
    cuda::sample_token_rows(d_logits.get(), vocab, d_rows.get(), rows, d_params.get(), d_keys.get(), d_tokens.get(),
                            scratch);
    EXPECT_EQ(d_tokens.download(), cpu_row_tokens);
  }
}

// The kernel timeline times each launch through launch_kernel by name while it records, and nothing after.
TEST_F(CudaKernels, TimelineTimesEachKernelByName) {
  const int rows = 64, cols = 8960;
  DeviceBuffer<bf16> gate_up(random_bf16(static_cast<std::size_t>(rows) * 2 * cols, -2.0f, 2.0f, 291));
  DeviceBuffer<bf16> out(static_cast<std::size_t>(rows) * cols);
  cuda::timeline_start();
  EXPECT_THROW(cuda::timeline_start(), std::logic_error);
  for (int i = 0; i < 3; ++i) cuda::silu_mul<bf16>(gate_up.get(), out.get(), rows, cols);
  const std::vector<cuda::KernelTime> times = cuda::timeline_stop();
  ASSERT_EQ(times.size(), 1u);
  EXPECT_EQ(times[0].name, "silu_mul_kernel");
  EXPECT_EQ(times[0].calls, 3);
  EXPECT_GT(times[0].total_us, 0.0);
  cuda::silu_mul<bf16>(gate_up.get(), out.get(), rows, cols);  // not recording: nothing kept
  cuda::timeline_start();
  EXPECT_TRUE(cuda::timeline_stop().empty());
  EXPECT_THROW(cuda::timeline_stop(), std::logic_error);
}

enum class MatmulRoute { automatic, gemv, cublaslt };

template <typename T>
void run_matmul(MatmulRoute route, const bf16* x, const bf16* w, const bf16* bias, T* y, int m, int n, int k,
                cudaStream_t stream = nullptr) {
  switch (route) {
    case MatmulRoute::automatic: return cuda::matmul<T>(x, w, bias, y, m, n, k, stream);
    case MatmulRoute::gemv: return cuda::matmul_gemv<T>(x, w, bias, y, m, n, k, stream);
    case MatmulRoute::cublaslt: return cuda::matmul_cublaslt<T>(x, w, bias, y, m, n, k, stream);
  }
}

// x_offset > 0 starts x that many elements into its buffer (a misaligned x for the 16-byte gemv loads).
template <typename T>
void compare_matmul(int m, int n, int k, bool with_bias, MatmulRoute route = MatmulRoute::automatic,
                    int x_offset = 0) {
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(m) * k + x_offset, -1.0f, 1.0f, 271);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(n) * k, -1.0f, 1.0f, 272);
  const std::vector<bf16> bias = random_bf16(static_cast<std::size_t>(n), -1.0f, 1.0f, 273);
  std::vector<T> cpu_y(static_cast<std::size_t>(m) * n);
  cpu::matmul<T>(x.data() + x_offset, w.data(), with_bias ? bias.data() : nullptr, cpu_y.data(), m, n, k);
  DeviceBuffer<bf16> d_x(x), d_w(w), d_bias(bias);
  DeviceBuffer<T> d_y(cpu_y.size());
  run_matmul<T>(route, d_x.get() + x_offset, d_w.get(), with_bias ? d_bias.get() : nullptr, d_y.get(), m, n, k);
  const std::string what = "matmul m=" + std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                           " route " + std::to_string(static_cast<int>(route));
  expect_near(d_y.download(), cpu_y, std::is_same_v<T, float> ? 1e-4 : 1e-2, 1e-3 * std::sqrt(k) * 0.1,
              what.c_str());
}

TEST_F(CudaKernels, MatmulMatchesCpu) {
  compare_matmul<float>(1, 1536, 1536, false);
  compare_matmul<bf16>(7, 2048, 1536, true);
  compare_matmul<float>(128, 8960 * 2 / 8, 1536, true);
  compare_matmul<bf16>(33, 100, 8960, false);
  compare_matmul<bf16>(3, 300, 1536, true, MatmulRoute::automatic, 1);  // misaligned x: cuBLASLt takes it
  compare_matmul<float>(2, 40, 1540, true);                             // k not a multiple of 8: cuBLASLt
}

// Products on a stream with a cuBLASLt state of its own (as a rank's) match the CPU, aligned or not; the
// stream takes no second state, and once its state is gone its products use the thread's own again.
TEST_F(CudaKernels, MatmulOnAStreamWithItsOwnState) {
  const int m = 33, n = 256, k = 1536;
  const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(m) * k + 1, -1.0f, 1.0f, 281);
  const std::vector<bf16> w = random_bf16(static_cast<std::size_t>(n) * k, -1.0f, 1.0f, 282);
  DeviceBuffer<bf16> d_x(x), d_w(w);
  DeviceBuffer<bf16> d_y(static_cast<std::size_t>(m) * n);
  cudaStream_t stream = nullptr;
  cuda_ok(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  const auto expect_product = [&](int x_offset, const char* what) {
    std::vector<bf16> cpu_y(static_cast<std::size_t>(m) * n);
    cpu::matmul<bf16>(x.data() + x_offset, w.data(), nullptr, cpu_y.data(), m, n, k);
    cuda::matmul_cublaslt<bf16>(d_x.get() + x_offset, d_w.get(), nullptr, d_y.get(), m, n, k, stream);
    cuda_ok(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    expect_near(d_y.download(), cpu_y, 1e-2, 1e-3 * std::sqrt(k) * 0.1, what);
  };
  {
    const auto state = cuda::MatmulStreamState::open(stream);
    ASSERT_NE(state, nullptr);
    EXPECT_THROW(cuda::MatmulStreamState::open(stream), std::invalid_argument);
    expect_product(0, "bound stream, aligned x");
    expect_product(1, "bound stream, x 2-byte aligned");
  }
  expect_product(0, "stream after its state is gone");
  cuda_ok(cudaStreamDestroy(stream), "cudaStreamDestroy");
}

// Every decode batch size through both implementations, at the shapes of the 1.5B model's projections
// (k 1536 and 8960) and an odd feature count.
TEST_F(CudaKernels, MatmulRoutesMatchCpuForDecodeBatches) {
  for (int m = 1; m <= cuda::kGemvMaxRows; ++m) {
    for (const MatmulRoute route : {MatmulRoute::gemv, MatmulRoute::cublaslt}) {
      compare_matmul<bf16>(m, 2048, 1536, true, route);
      compare_matmul<float>(m, 4099, 1544, false, route);
    }
    compare_matmul<bf16>(m, 1536, 8960, false, MatmulRoute::gemv);
  }
}

// The fused decode projections on the device against the CPU twin (matmul, then the pointwise kernel) at
// the 1.5B model's shapes, for every row count the fusion takes and one past it (the unfused path).
TEST_F(CudaKernels, FusedProjectionsMatchCpu) {
  const int hidden = 1536, inter = 8960, q_heads = 12, kv_heads = 2, d = 128, block_size = 16, blocks = 8;
  const int width = (q_heads + 2 * kv_heads) * d;
  const std::vector<bf16> w_qkv = random_bf16(static_cast<std::size_t>(width) * hidden, -0.05f, 0.05f, 291);
  const std::vector<bf16> b_qkv = random_bf16(static_cast<std::size_t>(width), -1.0f, 1.0f, 292);
  const std::vector<bf16> w_gate_up = random_bf16(static_cast<std::size_t>(2 * inter) * hidden, -0.05f, 0.05f, 293);
  const std::vector<float> inv_freq = rope_inverse_frequencies(RopeConfig{1000000.0f}, d * 3 / 4);
  DeviceBuffer<bf16> d_w_qkv(w_qkv), d_b_qkv(b_qkv), d_w_gate_up(w_gate_up);
  DeviceBuffer<float> d_inv_freq(inv_freq);
  // A partial rotary embedding with an attention factor (Phi-4-mini's), so every pair kind is exercised.
  const Rotary cpu_rotary{inv_freq.data(), d * 3 / 8, 1.19f}, rotary{d_inv_freq.get(), d * 3 / 8, 1.19f};
  for (int m = 1; m <= cuda::kGemvMaxRows + 1; ++m) {
    const std::vector<bf16> x = random_bf16(static_cast<std::size_t>(m) * hidden, -1.0f, 1.0f, 294 + m);
    std::vector<std::int32_t> positions(static_cast<std::size_t>(m));
    std::vector<std::int64_t> slots(static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) {
      positions[static_cast<std::size_t>(i)] = 37 * i + 5;
      slots[static_cast<std::size_t>(i)] = i == 1 ? -1 : 3 * i + 2;  // row 1: padding, writes no cache
    }
    const std::size_t pool = static_cast<std::size_t>(blocks) * kv_heads * block_size * d;
    std::vector<bf16> cpu_key(pool), cpu_value(pool), cpu_qkv(static_cast<std::size_t>(m) * width);
    cpu::matmul_rope_write_kv<bf16>(x.data(), w_qkv.data(), b_qkv.data(), cpu_qkv.data(), m, q_heads, hidden,
                                    positions.data(), slots.data(), cpu_rotary,
                                    KvCacheView{cpu_key.data(), cpu_value.data(), blocks, block_size, kv_heads, d});
    DeviceBuffer<bf16> d_x(x), d_qkv(cpu_qkv.size()), d_key(pool), d_value(pool);
    DeviceBuffer<std::int32_t> d_positions(positions);
    DeviceBuffer<std::int64_t> d_slots(slots);
    cuda::matmul_rope_write_kv<bf16>(d_x.get(), d_w_qkv.get(), d_b_qkv.get(), d_qkv.get(), m, q_heads, hidden,
                                     d_positions.get(), d_slots.get(), rotary,
                                     KvCacheView{d_key.get(), d_value.get(), blocks, block_size, kv_heads, d});
    const std::string rows = " m=" + std::to_string(m);
    expect_near(d_qkv.download(), cpu_qkv, 2e-2, 2e-3, ("rotated qkv" + rows).c_str());
    expect_near(d_key.download(), cpu_key, 2e-2, 2e-3, ("key cache" + rows).c_str());
    expect_near(d_value.download(), cpu_value, 2e-2, 2e-3, ("value cache" + rows).c_str());

    std::vector<float> cpu_gate_up(static_cast<std::size_t>(m) * 2 * inter), cpu_act(static_cast<std::size_t>(m) * inter);
    cpu::matmul_silu_mul<float>(x.data(), w_gate_up.data(), nullptr, cpu_gate_up.data(), cpu_act.data(), m, inter,
                                hidden);
    DeviceBuffer<float> d_gate_up(cpu_gate_up.size()), d_act(cpu_act.size());
    cuda::matmul_silu_mul<float>(d_x.get(), d_w_gate_up.get(), nullptr, d_gate_up.get(), d_act.get(), m, inter, hidden);
    expect_near(d_act.download(), cpu_act, 1e-4, 1e-4, ("silu(gate) * up" + rows).c_str());
  }
}

// The layer norm fused into the projections after it and the residual update fused into the ones before
// it, against the CPU twins at the 1.5B shapes, for 1 to 5 rows (5: the separate kernels).
TEST_F(CudaKernels, NormAndResidualFusionsMatchCpu) {
  const int hidden = 1536, inter = 8960, q_heads = 12, kv_heads = 2, d = 128, block_size = 16, blocks = 8;
  const int width = (q_heads + 2 * kv_heads) * d;
  const std::vector<bf16> norm_weight = random_bf16(static_cast<std::size_t>(hidden), 0.5f, 1.5f, 301);
  const std::vector<bf16> w_qkv = random_bf16(static_cast<std::size_t>(width) * hidden, -0.05f, 0.05f, 302);
  const std::vector<bf16> w_gate_up = random_bf16(static_cast<std::size_t>(2 * inter) * hidden, -0.05f, 0.05f, 303);
  const std::vector<bf16> w_down = random_bf16(static_cast<std::size_t>(hidden) * inter, -0.02f, 0.02f, 304);
  const std::vector<bf16> b_down = random_bf16(static_cast<std::size_t>(hidden), -1.0f, 1.0f, 305);
  const std::vector<float> inv_freq = rope_inverse_frequencies(RopeConfig{}, d);
  DeviceBuffer<bf16> d_norm(norm_weight), d_w_qkv(w_qkv), d_w_gate_up(w_gate_up), d_w_down(w_down), d_b_down(b_down);
  DeviceBuffer<float> d_inv_freq(inv_freq);
  const Rotary cpu_rotary{inv_freq.data(), d / 2}, rotary{d_inv_freq.get(), d / 2};
  for (int m = 1; m <= cuda::kGemvMaxRows + 1; ++m) {
    const std::string rows = " m=" + std::to_string(m);
    const std::vector<bf16> residual = random_bf16(static_cast<std::size_t>(m) * hidden, -4.0f, 4.0f, 306 + m);
    std::vector<std::int32_t> positions(static_cast<std::size_t>(m));
    std::vector<std::int64_t> slots(static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) {
      positions[static_cast<std::size_t>(i)] = 11 * i + 1;
      slots[static_cast<std::size_t>(i)] = 5 * i;
    }
    const std::size_t pool = static_cast<std::size_t>(blocks) * kv_heads * block_size * d;
    std::vector<bf16> cpu_normed(residual.size()), cpu_qkv(static_cast<std::size_t>(m) * width), cpu_key(pool),
        cpu_value(pool);
    cpu::rmsnorm_matmul_rope_write_kv<bf16>(residual.data(), norm_weight.data(), 1e-6f, cpu_normed.data(),
                                            w_qkv.data(), nullptr, cpu_qkv.data(), m, q_heads, hidden,
                                            positions.data(), slots.data(), cpu_rotary,
                                            KvCacheView{cpu_key.data(), cpu_value.data(), blocks, block_size, kv_heads, d});
    DeviceBuffer<bf16> d_residual(residual), d_normed(residual.size()), d_qkv(cpu_qkv.size()), d_key(pool),
        d_value(pool);
    DeviceBuffer<std::int32_t> d_positions(positions);
    DeviceBuffer<std::int64_t> d_slots(slots);
    cuda::rmsnorm_matmul_rope_write_kv<bf16>(d_residual.get(), d_norm.get(), 1e-6f, d_normed.get(), d_w_qkv.get(),
                                             nullptr, d_qkv.get(), m, q_heads, hidden, d_positions.get(),
                                             d_slots.get(), rotary,
                                             KvCacheView{d_key.get(), d_value.get(), blocks, block_size, kv_heads, d});
    expect_near(d_qkv.download(), cpu_qkv, 2e-2, 2e-3, ("normed qkv" + rows).c_str());
    expect_near(d_key.download(), cpu_key, 2e-2, 2e-3, ("normed key cache" + rows).c_str());

    std::vector<bf16> cpu_gate_up(static_cast<std::size_t>(m) * 2 * inter), cpu_act(static_cast<std::size_t>(m) * inter);
    cpu::rmsnorm_matmul_silu_mul<bf16>(residual.data(), norm_weight.data(), 1e-6f, cpu_normed.data(),
                                       w_gate_up.data(), nullptr, cpu_gate_up.data(), cpu_act.data(), m, inter, hidden);
    DeviceBuffer<bf16> d_gate_up(cpu_gate_up.size()), d_act(cpu_act.size());
    cuda::rmsnorm_matmul_silu_mul<bf16>(d_residual.get(), d_norm.get(), 1e-6f, d_normed.get(), d_w_gate_up.get(),
                                        nullptr, d_gate_up.get(), d_act.get(), m, inter, hidden);
    const std::vector<bf16> act = d_act.download();
    expect_near(act, cpu_act, 2e-2, 2e-3, ("normed silu(gate) * up" + rows).c_str());

    std::vector<bf16> cpu_residual = residual;
    cpu::matmul_add_residual<bf16>(cpu_act.data(), w_down.data(), b_down.data(), cpu_residual.data(), m, hidden, inter);
    DeviceBuffer<bf16> d_cpu_act(cpu_act);
    cuda::matmul_add_residual<bf16>(d_cpu_act.get(), d_w_down.get(), d_b_down.get(), d_residual.get(), m, hidden, inter);
    expect_near(d_residual.download(), cpu_residual, 1e-2, 2e-3, ("residual += down" + rows).c_str());
  }
}

// 64 dependent products launched back to back without a synchronization, alternating the gemv kernel
// (programmatic dependent launch on Hopper) and cuBLASLt (ordinary launches): each reads the previous
// one's output. The weights are permutations and the biases small integers, so every value is an exact
// integer on both sides and a kernel that ran ahead of its input shows as a mismatch. They run on a
// non-blocking stream of their own, as the engine's do (on the legacy stream the dependent-launch attribute
// may be refused, and launches fall back to ordinary ones); on sm_90 and later the test records whether
// dependent launch stayed on (the property dependent_launch), without requiring it.
TEST_F(CudaKernels, DependentLaunchChainMatchesCpuExactly) {
  constexpr int k = 1536, steps = 64;
  std::mt19937 rng(281);
  std::vector<std::vector<bf16>> weights, biases;
  for (int s = 0; s < steps; ++s) {
    std::vector<int> order(k);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bf16> w(static_cast<std::size_t>(k) * k, to_bf16(0.0f));
    for (int j = 0; j < k; ++j) w[static_cast<std::size_t>(j) * k + order[static_cast<std::size_t>(j)]] = to_bf16(1.0f);
    weights.push_back(std::move(w));
    std::vector<bf16> b(k);
    for (bf16& v : b) v = to_bf16(static_cast<float>(static_cast<int>(rng() % 3) - 1));
    biases.push_back(std::move(b));
  }
  // Per device and process: an earlier test's refused launch may have turned it off already.
  const bool dependent_before = cuda_detail::dependent_launch_enabled();
  cudaStream_t stream = nullptr;
  cuda_ok(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
  // Destroyed however the test ends (after its state: the stream's work is done by then).
  const std::unique_ptr<CUstream_st, void (*)(cudaStream_t)> stream_owner(stream, [](cudaStream_t s) {
    (void)cudaStreamSynchronize(s);
    (void)cudaStreamDestroy(s);
  });
  {
    const auto state = cuda::MatmulStreamState::open(stream);  // the stream's own cuBLASLt state, as a rank's
    ASSERT_NE(state, nullptr);
    for (const int m : {1, cuda::kGemvMaxRows}) {
      std::vector<bf16> x(static_cast<std::size_t>(m) * k);
      for (bf16& v : x) v = to_bf16(static_cast<float>(static_cast<int>(rng() % 9) - 4));
      std::vector<bf16> cpu_a = x, cpu_b(x.size());
      DeviceBuffer<bf16> d_a(x), d_b(x.size());
      std::vector<std::unique_ptr<DeviceBuffer<bf16>>> d_weights, d_biases;
      for (int s = 0; s < steps; ++s) {
        d_weights.push_back(std::make_unique<DeviceBuffer<bf16>>(weights[static_cast<std::size_t>(s)]));
        d_biases.push_back(std::make_unique<DeviceBuffer<bf16>>(biases[static_cast<std::size_t>(s)]));
      }
      // The uploads (legacy stream) are done before the chain starts on the non-blocking stream.
      ASSERT_EQ(cudaDeviceSynchronize(), cudaSuccess);
      for (int s = 0; s < steps; ++s) {
        const bool forward = s % 2 == 0;
        cpu::matmul<bf16>(forward ? cpu_a.data() : cpu_b.data(), weights[static_cast<std::size_t>(s)].data(),
                          biases[static_cast<std::size_t>(s)].data(), forward ? cpu_b.data() : cpu_a.data(), m, k, k);
        run_matmul<bf16>(s % 4 < 2 ? MatmulRoute::gemv : MatmulRoute::cublaslt, forward ? d_a.get() : d_b.get(),
                         d_weights[static_cast<std::size_t>(s)]->get(), d_biases[static_cast<std::size_t>(s)]->get(),
                         forward ? d_b.get() : d_a.get(), m, k, k, stream);
      }
      cuda_ok(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
      const std::vector<bf16> got = d_a.download();  // steps is even: the last product wrote a
      for (std::size_t i = 0; i < got.size(); ++i)
        ASSERT_EQ(got[i].bits, cpu_a[i].bits) << "m=" << m << " element " << i;
    }
  }
  int device = 0, major = 0, minor = 0;
  cuda_ok(cudaGetDevice(&device), "cudaGetDevice");
  cuda_ok(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute");
  cuda_ok(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device), "cudaDeviceGetAttribute");
  if (major >= 9) {
    // Read after the chain: a launch whose attribute was refused turned dependent launch off for the device.
    const bool enabled = cuda_detail::dependent_launch_enabled();
    const char* verdict = "on";
    if (!enabled && !cuda_detail::enabled_by_environment("R1EVAL_DEPENDENT_LAUNCH"))
      verdict = "off (R1EVAL_DEPENDENT_LAUNCH=0)";
    else if (!enabled && !dependent_before)
      verdict = "off before the chain (no sm_90 code, or refused in an earlier test of this process)";
    else if (!enabled)
      verdict = "off: the attribute was refused on this test's own stream";
    RecordProperty("dependent_launch", enabled ? "on" : "off");
    std::printf("[ INFO     ] dependent launch on sm_%d%d: %s\n", major, minor, verdict);
  }
}

}  // namespace
}  // namespace r1eval::kernels
