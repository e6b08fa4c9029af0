// Kernel launches of the CUDA launchers. On devices of compute capability 9.0 and later, running code built
// for 9.0 or later, a launch asks for programmatic dependent launch (the kernel bodies follow
// grid_dependency.cuh), also inside captured CUDA graphs. R1EVAL_DEPENDENT_LAUNCH=0 in the environment turns
// it off; a device or driver that refuses the attribute (an ordinary launch of the same kernel goes
// through) gets ordinary launches from then on.
#pragma once
#include <cuda_runtime.h>

#include "kernels/cuda/check.h"
#include "kernels/cuda/timeline.h"

namespace r1eval::kernels::cuda_detail {

// Whether environment variable `name` leaves a feature on: unset, or anything but "0". (Callers read it once.)
bool enabled_by_environment(const char* name);
// Whether launches on the current device ask for programmatic dependent launch.
bool dependent_launch_enabled();
// Called after a launch with the attribute was refused and the same launch without it was not: later
// launches on this device are ordinary ones.
void disable_dependent_launch();

// kernel<<<grid, block, 0, stream>>>(args...), with programmatic dependent launch where enabled; throws
// the one-line CUDA error naming `name` when the launch is refused or an error is pending right after it
// (with CUDA_LAUNCH_BLOCKING=1 every launch waits for its kernel, so a fault names the kernel that made it).
template <typename... Params, typename... Args>
void launch_kernel_untimed(const char* name, void (*kernel)(Params...), dim3 grid, dim3 block,
                           cudaStream_t stream, const Args&... args) {
  cudaLaunchAttribute dependent{};
  dependent.id = cudaLaunchAttributeProgrammaticStreamSerialization;
  dependent.val.programmaticStreamSerializationAllowed = 1;
  cudaLaunchConfig_t config{};
  config.gridDim = grid;
  config.blockDim = block;
  config.dynamicSmemBytes = 0;
  config.stream = stream;
  // The error checks after the launch read the thread's last error: clear one that an ignored call left
  // (a fault of an earlier kernel is sticky and still fails the launch itself).
  (void)cudaGetLastError();
  if (dependent_launch_enabled()) {
    config.attrs = &dependent;
    config.numAttrs = 1;
    if (cudaLaunchKernelEx(&config, kernel, args...) == cudaSuccess) {
      check(cudaGetLastError(), "kernel launch", name);
      return;
    }
    // Refused: retry as an ordinary launch. Only when that one goes through was the attribute the problem
    // (a bad configuration or an earlier kernel's fault fails both, and must not turn dependent launch off).
    (void)cudaGetLastError();
    config.attrs = nullptr;
    config.numAttrs = 0;
    check(cudaLaunchKernelEx(&config, kernel, args...), "kernel launch", name);
    check(cudaGetLastError(), "kernel launch", name);
    disable_dependent_launch();
    return;
  }
  check(cudaLaunchKernelEx(&config, kernel, args...), "kernel launch", name);
  check(cudaGetLastError(), "kernel launch", name);
}

// launch_kernel_untimed, between a recording kernel timeline's events (timeline.h) when one records.
template <typename... Params, typename... Args>
void launch_kernel(const char* name, void (*kernel)(Params...), dim3 grid, dim3 block, cudaStream_t stream,
                   const Args&... args) {
  const bool timed = timeline_recording();
  if (timed) timeline_mark(name, stream, true);
  launch_kernel_untimed(name, kernel, grid, block, stream, args...);
  if (timed) timeline_mark(name, stream, false);
}

}  // namespace r1eval::kernels::cuda_detail
