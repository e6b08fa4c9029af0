// CUDA error reporting for the kernel launchers: one line naming the failed call and the kernel.
#pragma once
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace r1eval::kernels::cuda_detail {

// Throws std::runtime_error("CUDA error in <call> (<kernel>): <reason>") unless status is cudaSuccess.
inline void check(cudaError_t status, const char* call, const char* kernel) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error in ") + call + " (" + kernel + "): " + cudaGetErrorString(status));
}

inline cudaStream_t to_cuda(CUstream_st* stream) { return stream; }

inline unsigned blocks_for(long long items, int threads, long long cap = 65535LL * 16) {
  long long blocks = (items + threads - 1) / threads;
  if (blocks < 1) blocks = 1;
  return static_cast<unsigned>(blocks < cap ? blocks : cap);
}

}  // namespace r1eval::kernels::cuda_detail
