// Launchers of the sampling kernels (bodies and design in sampling_kernels.cuh and sampling_slices_kernels.cuh).
#include <cstddef>
#include <stdexcept>
#include <string>

#include "kernels/cuda/check.h"
#include "kernels/cuda/launch.h"
#include "kernels/cuda/sampling_kernels.cuh"
#include "kernels/sampling.h"

namespace r1eval::kernels::cuda {

using cuda_detail::launch_kernel;
using cuda_detail::kSampleThreads;
using cuda_detail::sample_kernel;
using cuda_detail::sample_scratch;
using cuda_detail::sample_slice_greedy_kernel;
using cuda_detail::sample_slice_weights_kernel;
using cuda_detail::SampleScratch;
using cuda_detail::kSliceThreads;
using cuda_detail::to_cuda;

namespace {

void check_shape(const char* what, int draws, int vocab) {
  if (draws < 0) throw std::invalid_argument(std::string(what) + ": draws must be >= 0, got " + std::to_string(draws));
  if (vocab <= 0) throw std::invalid_argument(std::string(what) + ": vocab must be > 0, got " + std::to_string(vocab));
}

// One block per draw, after the two slice kernels when there is a workspace for them (and
// R1EVAL_SPLIT_SAMPLING=0 does not say otherwise).
void launch_sampling(const float* logits, int vocab, const std::int32_t* rows, int draws, const SamplingParams* params,
                     const SampleKey* keys, std::int32_t* tokens, std::byte* workspace, cudaStream_t stream) {
  static const bool split = cuda_detail::enabled_by_environment("R1EVAL_SPLIT_SAMPLING");
  SampleScratch scratch;
  if (split && workspace != nullptr && sampling_workspace_bytes(draws, vocab) > 0) {
    scratch = sample_scratch(workspace, draws, vocab);
    const dim3 slices(static_cast<unsigned>(draws), static_cast<unsigned>(scratch.num_slices));
    launch_kernel("sample_slice_greedy_kernel", sample_slice_greedy_kernel, slices, dim3(kSliceThreads), stream,
                  logits, vocab, rows, scratch);
    launch_kernel("sample_slice_weights_kernel", sample_slice_weights_kernel, slices, dim3(kSliceThreads), stream,
                  logits, vocab, params, rows, scratch);
  }
  launch_kernel("sample_kernel", sample_kernel, dim3(static_cast<unsigned>(draws)), dim3(kSampleThreads), stream,
                logits, vocab, params, keys, tokens, rows, scratch);
}

}  // namespace

void sample_tokens(const float* logits, int num_rows, int vocab, const SamplingParams* params, const SampleKey* keys,
                   std::int32_t* tokens, std::byte* workspace, Stream stream) {
  check_shape("sample_tokens", num_rows, vocab);
  if (num_rows == 0) return;
  launch_sampling(logits, vocab, nullptr, num_rows, params, keys, tokens, workspace, to_cuda(stream));
}

void sample_token_rows(const float* logits, int vocab, const std::int32_t* rows, int num_draws,
                       const SamplingParams* params, const SampleKey* keys, std::int32_t* tokens, std::byte* workspace,
                       Stream stream) {
  check_shape("sample_token_rows", num_draws, vocab);
  if (num_draws == 0) return;
  launch_sampling(logits, vocab, rows, num_draws, params, keys, tokens, workspace, to_cuda(stream));
}

}  // namespace r1eval::kernels::cuda
