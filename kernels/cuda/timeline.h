// Device time per kernel of eager steps, to see where a decode step's time goes (bench/engine_cuda_bench
// --timeline): while a timeline records, launch_kernel puts a CUDA event before and after every launch (on
// the launch's stream), and timeline_stop() waits for the device and sums the spans by kernel name. The events
// serialize the kernels (no programmatic overlap between them) and leave launch gaps out: the figures are
// each kernel's own time. Launches made while the stream is being captured into a graph are not recorded,
// nor are library kernels (cuBLASLt above 4 rows, NCCL), which do not go through launch_kernel.
#pragma once
#include <cuda_runtime.h>

#include <string>
#include <vector>

namespace r1eval::kernels::cuda {

struct KernelTime {
  std::string name;
  long long calls = 0;
  double total_us = 0.0;
};

// Starts recording launches on every device and stream (one timeline at a time; a second start throws
// std::logic_error).
void timeline_start();
// Waits for every device it saw, ends the recording and returns the kernels by total time (summed over
// devices and streams), largest first.
std::vector<KernelTime> timeline_stop();

}  // namespace r1eval::kernels::cuda

namespace r1eval::kernels::cuda_detail {

// Whether any timeline records (one relaxed load: launch_kernel asks on every launch).
bool timeline_recording();
// The event before (`before`) or after a launch of `name` on `stream`, when a timeline records.
void timeline_mark(const char* name, cudaStream_t stream, bool before);

}  // namespace r1eval::kernels::cuda_detail
