// Whether launches use programmatic dependent launch: per device, decided on the first launch there.
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>

#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/launch.h"

namespace r1eval::kernels::cuda_detail {

namespace {

constexpr int kMaxDevices = 64;
enum : int { kUnknown = 0, kOn = 1, kOff = 2 };
std::array<std::atomic<int>, kMaxDevices> dependent_launch_state{};

bool allowed_by_environment() {
  static const bool allowed = enabled_by_environment("R1EVAL_DEPENDENT_LAUNCH");
  return allowed;
}

// Compiled for the same architectures as every kernel of the library: on a device of compute capability
// 9.0 or later that runs code JIT-compiled from older PTX (a build without sm_90), the kernels have no
// griddepcontrol.wait, so dependent launch would let them read what the kernel before has not yet written.
// (Never launched; its body keeps the grid-dependency rule every kernel source is checked against.)
__global__ void dependent_launch_probe_kernel() {
  wait_for_prior_kernels();
  release_dependents();
}

bool kernels_wait_for_prior_kernels() {
  cudaFuncAttributes attributes{};
  if (cudaFuncGetAttributes(&attributes, dependent_launch_probe_kernel) != cudaSuccess) {
    (void)cudaGetLastError();  // no image for this device: its launches fail on their own
    return false;
  }
  return attributes.ptxVersion >= 90;
}

int current_device() {
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice", "kernel launch");
  return device;
}

}  // namespace

bool enabled_by_environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr || std::strcmp(value, "0") != 0;
}

bool dependent_launch_enabled() {
  if (!allowed_by_environment()) return false;
  const int device = current_device();
  if (device < 0 || device >= kMaxDevices) return false;
  std::atomic<int>& state = dependent_launch_state[static_cast<std::size_t>(device)];
  int known = state.load(std::memory_order_relaxed);
  if (known == kUnknown) {
    int major = 0;
    check(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device), "cudaDeviceGetAttribute",
          "kernel launch");
    known = major >= 9 && kernels_wait_for_prior_kernels() ? kOn : kOff;
    int expected = kUnknown;
    state.compare_exchange_strong(expected, known, std::memory_order_relaxed);
    known = state.load(std::memory_order_relaxed);
  }
  return known == kOn;
}

void disable_dependent_launch() {
  const int device = current_device();
  if (device >= 0 && device < kMaxDevices)
    dependent_launch_state[static_cast<std::size_t>(device)].store(kOff, std::memory_order_relaxed);
}

}  // namespace r1eval::kernels::cuda_detail
