// Launchers of the mixture-of-experts steps (kernels/moe.h).
#include <stdexcept>
#include <string>
#include <type_traits>

#include "kernels/cuda/check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/moe_kernels.cuh"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/host_device.h"
#include "kernels/moe.h"

namespace r1eval::kernels::cuda {

using cuda_detail::kMoeRouteWarps;
using cuda_detail::kMoeWarps;
using cuda_detail::launch_kernel;
using cuda_detail::to_cuda;

namespace {

// A block row per entry of `active` that can name an expert: min(pairs, experts) of them.
dim3 expert_grid(int experts, int pairs, int features) {
  const int slots = pairs < experts ? pairs : experts;
  return dim3(static_cast<unsigned>(slots > 0 ? slots : 1), static_cast<unsigned>((features + kMoeWarps - 1) / kMoeWarps));
}

bool tensor_core_moe_allowed_by_environment() {
  static const bool allowed = cuda_detail::enabled_by_environment("R1EVAL_TENSOR_CORE_MOE");
  return allowed;
}

// Why the tensor-core expert products cannot run a product reducing rows of k_dim values, or null.
template <typename T>
const char* tensor_core_refusal(const T* in, int k_dim, const bf16* weights) {
  if (!std::is_same_v<T, bf16>) return "needs bf16 activations";
  if (k_dim % 16 != 0) return "needs the reduced width to be a multiple of 16";
  if (!aligned_to(in, 4) || !aligned_to(weights, 4)) return "needs 4-byte aligned rows";
  return nullptr;
}

// Whether to run on tensor cores; throws when they were asked for and cannot run.
template <typename T>
bool use_tensor_cores(const char* what, const T* in, int k_dim, const bf16* weights, int experts, int pairs,
                      ExpertKernel kernel) {
  const char* refusal = tensor_core_refusal(in, k_dim, weights);
  if (kernel == ExpertKernel::tensor_cores && refusal != nullptr)
    throw std::invalid_argument(std::string(what) + ": the tensor-core kernel " + refusal);
  if (kernel != ExpertKernel::automatic) return kernel == ExpertKernel::tensor_cores;
  return refusal == nullptr && static_cast<long long>(pairs) >= static_cast<long long>(kMoeTensorCorePairsPerExpert) * experts &&
         tensor_core_moe_allowed_by_environment();
}

// MXFP4 weights: whole 32-value groups, and code rows the CUDA-core kernel reads 4 bytes at a time.
void check_mxfp4(const char* what, const Mxfp4Weights& weights, int k_dim) {
  validate_moe_mxfp4(what, weights, k_dim);
  if (weights.blocks != nullptr && !aligned_to(weights.blocks, 4))
    throw std::invalid_argument(std::string(what) + ": MXFP4 blocks must be 4-byte aligned");
}

dim3 expert_mma_grid(int experts, int pairs, int features) {
  return dim3(static_cast<unsigned>(cuda_detail::moe_mma_chunk_slots(pairs, experts)),
              static_cast<unsigned>((features + cuda_detail::kMoeMmaFeatures - 1) / cuda_detail::kMoeMmaFeatures));
}

// The tensor-core launch (use_tensor_cores lets only T = bf16 reach it).
template <bool kGated, typename T>
void launch_expert_mma(const char* name, const T* in, int row_divisor, int k_dim, const bf16* weights, int features,
                       int experts, const std::int32_t* offsets, const std::int32_t* grouped,
                       const std::int32_t* active, int pairs, T* out, const ExpertForm& form, Stream stream) {
  if constexpr (std::is_same_v<T, bf16>) {
    launch_kernel(name, cuda_detail::moe_expert_mma_kernel<kGated>, expert_mma_grid(experts, pairs, features),
                  dim3(cuda_detail::kMoeMmaWarps * 32), to_cuda(stream), in, row_divisor, k_dim, weights, features,
                  experts, offsets, grouped, active, out, form);
  } else {
    throw std::logic_error(std::string(name) + ": the tensor-core kernel takes bf16 activations only");
  }
}

}  // namespace

void moe_route(const float* logits, int rows, int experts, int top_k, bool renormalize, std::int32_t* expert_ids,
               float* weights, Stream stream) {
  validate_moe_routing("moe_route", rows, experts, top_k);
  if (rows == 0) return;
  launch_kernel("moe_route_kernel", cuda_detail::moe_route_kernel,
                dim3(static_cast<unsigned>((rows + kMoeRouteWarps - 1) / kMoeRouteWarps)), dim3(kMoeRouteWarps * 32),
                to_cuda(stream), logits, rows, experts, top_k, renormalize, expert_ids, weights);
}

void moe_group(const std::int32_t* expert_ids, int pairs, int experts, std::int32_t* offsets, std::int32_t* grouped,
               std::int32_t* active, Stream stream) {
  validate_moe_routing("moe_group", pairs, experts, 1);
  // Every expert its thread, in whole warps; offsets are written even for no pairs.
  const int threads = (experts + 31) / 32 * 32;
  launch_kernel("moe_group_kernel", cuda_detail::moe_group_kernel, dim3(1), dim3(static_cast<unsigned>(threads)),
                to_cuda(stream), expert_ids, pairs, experts, offsets, grouped, active);
}

template <typename T>
void moe_gate_up_with(const T* x, int hidden, const bf16* gate_up, int inter, int experts, int top_k,
                      const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active, int pairs,
                      T* act, ExpertKernel kernel, const ExpertForm& form, Stream stream) {
  validate_moe_experts("moe_gate_up", hidden, inter, experts, top_k);
  check_mxfp4("moe_gate_up", form.gate_up_mxfp4, hidden);
  const bool tensor_cores = use_tensor_cores("moe_gate_up", x, hidden, gate_up, experts, pairs, kernel);
  if (pairs <= 0) return;
  if (tensor_cores)
    return launch_expert_mma<true>("moe_expert_mma_kernel gate_up", x, top_k, hidden, gate_up, inter, experts, offsets,
                                   grouped, active, pairs, act, form, stream);
  const auto cuda_core_kernel = cuda_detail::vector8_ok(hidden, {x, gate_up}) ? cuda_detail::moe_gate_up_kernel<T, 8>
                                                                               : cuda_detail::moe_gate_up_kernel<T, 1>;
  launch_kernel("moe_gate_up_kernel", cuda_core_kernel, expert_grid(experts, pairs, inter), dim3(kMoeWarps * 32),
                to_cuda(stream), x, hidden, gate_up, inter, top_k, offsets, grouped, active, act, form);
}

template <typename T>
void moe_down_with(const T* act, int inter, const bf16* down, int hidden, int experts, const std::int32_t* offsets,
                   const std::int32_t* grouped, const std::int32_t* active, int pairs, T* expert_out,
                   ExpertKernel kernel, const ExpertForm& form, Stream stream) {
  validate_moe_experts("moe_down", hidden, inter, experts, 1);
  check_mxfp4("moe_down", form.down_mxfp4, inter);
  const bool tensor_cores = use_tensor_cores("moe_down", act, inter, down, experts, pairs, kernel);
  if (pairs <= 0) return;
  if (tensor_cores)
    return launch_expert_mma<false>("moe_expert_mma_kernel down", act, 1, inter, down, hidden, experts, offsets,
                                    grouped, active, pairs, expert_out, form, stream);
  const auto cuda_core_kernel = cuda_detail::vector8_ok(inter, {act, down}) ? cuda_detail::moe_down_kernel<T, 8>
                                                                            : cuda_detail::moe_down_kernel<T, 1>;
  launch_kernel("moe_down_kernel", cuda_core_kernel, expert_grid(experts, pairs, hidden), dim3(kMoeWarps * 32),
                to_cuda(stream), act, inter, down, hidden, offsets, grouped, active, expert_out, form);
}

template <typename T>
void moe_gate_up(const T* x, int hidden, const bf16* gate_up, int inter, int experts, int top_k,
                 const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active, int pairs, T* act,
                 const ExpertForm& form, Stream stream) {
  moe_gate_up_with(x, hidden, gate_up, inter, experts, top_k, offsets, grouped, active, pairs, act,
                   ExpertKernel::automatic, form, stream);
}

template <typename T>
void moe_down(const T* act, int inter, const bf16* down, int hidden, int experts, const std::int32_t* offsets,
              const std::int32_t* grouped, const std::int32_t* active, int pairs, T* expert_out,
              const ExpertForm& form, Stream stream) {
  moe_down_with(act, inter, down, hidden, experts, offsets, grouped, active, pairs, expert_out, ExpertKernel::automatic,
                form, stream);
}

template <typename T>
void moe_combine(const T* expert_out, const float* weights, int rows, int top_k, int hidden, T* out, Stream stream) {
  validate_moe_combine(rows, top_k, hidden);
  if (rows == 0) return;
  launch_kernel("moe_combine_kernel", cuda_detail::moe_combine_kernel<T>, cuda_detail::row_grid(rows, hidden, 256),
                dim3(256), to_cuda(stream), expert_out, weights, rows, top_k, hidden, out);
}

template void moe_gate_up<float>(const float*, int, const bf16*, int, int, int, const std::int32_t*,
                                 const std::int32_t*, const std::int32_t*, int, float*, const ExpertForm&, Stream);
template void moe_gate_up<bf16>(const bf16*, int, const bf16*, int, int, int, const std::int32_t*, const std::int32_t*,
                                const std::int32_t*, int, bf16*, const ExpertForm&, Stream);
template void moe_down<float>(const float*, int, const bf16*, int, int, const std::int32_t*, const std::int32_t*,
                              const std::int32_t*, int, float*, const ExpertForm&, Stream);
template void moe_down<bf16>(const bf16*, int, const bf16*, int, int, const std::int32_t*, const std::int32_t*,
                             const std::int32_t*, int, bf16*, const ExpertForm&, Stream);
template void moe_gate_up_with<float>(const float*, int, const bf16*, int, int, int, const std::int32_t*,
                                      const std::int32_t*, const std::int32_t*, int, float*, ExpertKernel, const ExpertForm&, Stream);
template void moe_gate_up_with<bf16>(const bf16*, int, const bf16*, int, int, int, const std::int32_t*,
                                     const std::int32_t*, const std::int32_t*, int, bf16*, ExpertKernel, const ExpertForm&, Stream);
template void moe_down_with<float>(const float*, int, const bf16*, int, int, const std::int32_t*, const std::int32_t*,
                                   const std::int32_t*, int, float*, ExpertKernel, const ExpertForm&, Stream);
template void moe_down_with<bf16>(const bf16*, int, const bf16*, int, int, const std::int32_t*, const std::int32_t*,
                                  const std::int32_t*, int, bf16*, ExpertKernel, const ExpertForm&, Stream);
template void moe_combine<float>(const float*, const float*, int, int, int, float*, Stream);
template void moe_combine<bf16>(const bf16*, const float*, int, int, int, bf16*, Stream);

}  // namespace r1eval::kernels::cuda
