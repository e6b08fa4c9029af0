#include "engine/backend/cuda/device_buffer.h"

#include <cuda_runtime.h>

#include <cstdio>
#include <stdexcept>
#include <utility>

#include "engine/backend/backend.h"

namespace r1eval::engine::cuda {

void check_cuda(int status, const char* call, const std::string& what) {
  if (status != cudaSuccess) {
    throw std::runtime_error(std::string("CUDA error in ") + call + " (" + what +
                             "): " + cudaGetErrorString(static_cast<cudaError_t>(status)));
  }
}

int visible_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    (void)cudaGetLastError();  // clear the sticky "no device" status for later calls
    return 0;
  }
  return count;
}

std::string no_visible_device_reason() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  (void)cudaGetLastError();
  if (status == cudaSuccess && count > 0) return "";
  int driver = 0, runtime = 0;
  (void)cudaDriverGetVersion(&driver);
  (void)cudaRuntimeGetVersion(&runtime);
  const auto version = [](int v) { return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10); };
  return std::string(status == cudaSuccess ? "no device" : cudaGetErrorString(status)) + " (driver supports CUDA " +
         (driver > 0 ? version(driver) : std::string("none: no driver")) + ", this build's runtime is CUDA " +
         version(runtime) + ")";
}

std::vector<std::string> visible_device_names() {
  std::vector<std::string> names;
  for (int d = 0; d < visible_device_count(); ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) {
      (void)cudaGetLastError();
      names.push_back("device " + std::to_string(d) + " (properties unreadable)");
      continue;
    }
    names.push_back(std::string(prop.name) + ", " + std::to_string((prop.totalGlobalMem + (1ull << 29)) >> 30) +
                    " GiB, sm_" + std::to_string(prop.major) + std::to_string(prop.minor));
  }
  return names;
}

DeviceMemory device_memory() {
  DeviceMemory memory;
  check_cuda(cudaMemGetInfo(&memory.free, &memory.total), "cudaMemGetInfo", "device memory");
  return memory;
}

std::string format_bytes(std::size_t bytes) {
  char text[64];
  std::snprintf(text, sizeof text, "%.2f GiB (%zu bytes)", static_cast<double>(bytes) / (1ull << 30), bytes);
  return text;
}

DeviceBuffer::DeviceBuffer(std::size_t bytes, const std::string& what) : bytes_(bytes) {
  if (bytes == 0) return;
  void* pointer = nullptr;
  const cudaError_t status = cudaMalloc(&pointer, bytes);
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    std::size_t free = 0, total = 0;
    (void)cudaMemGetInfo(&free, &total);
    throw DeviceOutOfMemory("CUDA out of memory: " + what + " asked for " + format_bytes(bytes) + ", " +
                             format_bytes(free) + " free of " + format_bytes(total));
  }
  check_cuda(status, "cudaMalloc", what);
  data_ = static_cast<std::byte*>(pointer);
}

DeviceBuffer::~DeviceBuffer() {
  if (data_ != nullptr) (void)cudaFree(data_);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) (void)cudaFree(data_);
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void GrowingBuffer::reserve(std::size_t bytes, CUstream_st* stream) {
  if (bytes <= buffer_.size()) return;
  check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", what_);
  buffer_ = DeviceBuffer();  // free first, so the old and new allocations need not fit together
  buffer_ = DeviceBuffer(bytes, what_);
}

PinnedHostBuffer::~PinnedHostBuffer() {
  if (data_ != nullptr) (void)cudaFreeHost(data_);
}

void PinnedHostBuffer::reserve(std::size_t bytes) {
  if (bytes <= bytes_) return;
  if (data_ != nullptr) (void)cudaFreeHost(data_);
  data_ = nullptr;
  bytes_ = 0;
  void* pointer = nullptr;
  const cudaError_t status = cudaMallocHost(&pointer, bytes);
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    throw DeviceOutOfMemory("out of page-locked host memory: " + what_ + " asked for " + format_bytes(bytes));
  }
  check_cuda(status, "cudaMallocHost", what_);
  data_ = static_cast<std::byte*>(pointer);
  bytes_ = bytes;
}

}  // namespace r1eval::engine::cuda
