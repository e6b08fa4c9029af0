// Marks functions that must compile, with identical results, for the host and for CUDA devices.
#pragma once

#if defined(__CUDACC__)
#define R1EVAL_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define R1EVAL_HOST_DEVICE inline
#endif

// Launches take an optional CUDA stream; the CPU twins accept and ignore it so both share one signature.
// cudaStream_t is a pointer to this opaque struct, so no CUDA header is needed here.
struct CUstream_st;
namespace r1eval::kernels {
using Stream = CUstream_st*;

// Whether p is a multiple of `bytes` (a power of two): what the launchers check before wide loads.
inline bool aligned_to(const void* p, unsigned long bytes) {
  return reinterpret_cast<unsigned long>(p) % bytes == 0;
}
}  // namespace r1eval::kernels
