// Programmatic dependent launch (compute capability 9.0+): the launchers (launch.h) let a kernel's blocks
// start while the kernel before it in the stream is still finishing, so a step's ~300 small decode kernels
// do not each pay a launch gap and a cold start. The rule every kernel body follows, in every thread:
//   * call wait_for_prior_kernels() before the first access to memory that an earlier kernel of the stream
//     writes or reads (activations, caches, outputs); only data no kernel writes (weights) may be read
//     before it. Every block must reach it, also blocks with nothing to do: a kernel that finished without
//     waiting would let the kernel after it run ahead of the one before it;
//   * call release_dependents() after the wait: from then on the next kernel may be scheduled.
// A kernel that reads weights before its wait says so with the comment "grid_dependency: only weights
// before the wait" beside that code; the CTest kernels.grid_dependency_rule checks every kernel source.
// On older devices, and in the CPU emulator that runs these bodies, both are no-ops.
#pragma once

namespace r1eval::kernels::cuda_detail {

__device__ __forceinline__ void wait_for_prior_kernels() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.wait;" ::: "memory");
#endif
}

__device__ __forceinline__ void release_dependents() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
  asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
#endif
}

}  // namespace r1eval::kernels::cuda_detail
