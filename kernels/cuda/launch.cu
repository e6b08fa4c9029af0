// Whether launches use programmatic dependent launch: per device, decided on the first launch there.
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>

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
    known = major >= 9 ? kOn : kOff;
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
