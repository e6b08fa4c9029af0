// Launcher of the sampling kernel (body and design in sampling_kernels.cuh).
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
using cuda_detail::to_cuda;

namespace {

void check_shape(const char* what, int draws, int vocab) {
  if (draws < 0) throw std::invalid_argument(std::string(what) + ": draws must be >= 0, got " + std::to_string(draws));
  if (vocab <= 0) throw std::invalid_argument(std::string(what) + ": vocab must be > 0, got " + std::to_string(vocab));
}

}  // namespace

void sample_tokens(const float* logits, int num_rows, int vocab, const SamplingParams* params, const SampleKey* keys,
                   std::int32_t* tokens, Stream stream) {
  check_shape("sample_tokens", num_rows, vocab);
  if (num_rows == 0) return;
  launch_kernel("sample_kernel", sample_kernel, dim3(static_cast<unsigned>(num_rows)), dim3(kSampleThreads),
                to_cuda(stream), logits, vocab, params, keys, tokens, static_cast<const std::int32_t*>(nullptr));
}

void sample_token_rows(const float* logits, int vocab, const std::int32_t* rows, int num_draws,
                       const SamplingParams* params, const SampleKey* keys, std::int32_t* tokens, Stream stream) {
  check_shape("sample_token_rows", num_draws, vocab);
  if (num_draws == 0) return;
  launch_kernel("sample_kernel", sample_kernel, dim3(static_cast<unsigned>(num_draws)), dim3(kSampleThreads),
                to_cuda(stream), logits, vocab, params, keys, tokens, rows);
}

}  // namespace r1eval::kernels::cuda
