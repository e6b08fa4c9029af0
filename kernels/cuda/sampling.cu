// Launcher of the sampling kernel (body and design in sampling_kernels.cuh).
#include <cstddef>
#include <stdexcept>
#include <string>

#include "kernels/cuda/check.h"
#include "kernels/cuda/sampling_kernels.cuh"
#include "kernels/sampling.h"

namespace r1eval::kernels::cuda {

using cuda_detail::check_launch;
using cuda_detail::kSampleThreads;
using cuda_detail::sample_kernel;
using cuda_detail::to_cuda;

void sample_tokens(const float* logits, int num_rows, int vocab, const SamplingParams* params, const SampleKey* keys,
                   std::int32_t* tokens, Stream stream) {
  if (num_rows < 0) throw std::invalid_argument("sample_tokens: num_rows must be >= 0, got " + std::to_string(num_rows));
  if (vocab <= 0) throw std::invalid_argument("sample_tokens: vocab must be > 0, got " + std::to_string(vocab));
  if (num_rows == 0) return;
  sample_kernel<<<num_rows, kSampleThreads, 0, to_cuda(stream)>>>(logits, vocab, params, keys, tokens);
  check_launch("sample_kernel");
}

}  // namespace r1eval::kernels::cuda
