// Device memory owned by RAII handles, and the CUDA error checks of the CUDA backend. Errors are one
// line: the call that failed and what it was doing; running out of memory says how much was asked for
// and how much the device had free.
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

struct CUstream_st;

namespace r1eval::engine::cuda {

// Throws std::runtime_error("CUDA error in <call> (<what>): <reason>") unless `status` (a cudaError_t) is 0.
void check_cuda(int status, const char* call, const std::string& what);

// Number of CUDA devices the process can see; 0 when there is no driver or no device.
int visible_device_count();
// Why none is visible, in one phrase with the driver's and the runtime's CUDA versions (a driver too old for
// this build's runtime looks like no device to visible_device_count); empty when one is.
std::string no_visible_device_reason();

// "NVIDIA H200, 141 GB, sm_90" for each visible device, in device order (empty without a device).
std::vector<std::string> visible_device_names();

// Bytes free and total on the current device.
struct DeviceMemory {
  std::size_t free = 0;
  std::size_t total = 0;
};
DeviceMemory device_memory();

// cudaMalloc'd bytes, freed on destruction. Running out of memory throws DeviceOutOfMemory (engine/backend/
// backend.h) naming `what`, the bytes asked for and the bytes the device had free; other failures
// std::runtime_error.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(std::size_t bytes, const std::string& what);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  std::size_t size() const { return bytes_; }
  std::byte* data() const { return data_; }
  template <typename T>
  T* as(std::size_t byte_offset = 0) const {
    return reinterpret_cast<T*>(data_ + byte_offset);
  }

 private:
  std::byte* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// A buffer that keeps at least the largest size asked of it so far: reserve() reallocates (after the
// stream has finished with the old memory) only when asked for more than it holds. A reserve that throws
// leaves it empty: the old memory is freed before the new is asked for.
class GrowingBuffer {
 public:
  explicit GrowingBuffer(std::string what) : what_(std::move(what)) {}
  // Ensures `bytes` bytes; synchronizes `stream` before freeing a smaller allocation.
  void reserve(std::size_t bytes, CUstream_st* stream);
  std::byte* data() const { return buffer_.data(); }
  template <typename T>
  T* as(std::size_t byte_offset = 0) const {
    return buffer_.as<T>(byte_offset);
  }

 private:
  std::string what_;
  DeviceBuffer buffer_;
};

// Page-locked host memory (cudaMallocHost) that keeps the largest size asked of it: a device-to-host
// cudaMemcpyAsync into it returns at once, where into pageable memory it returns only when the copy (and
// so the whole step before it) is done. Running out throws DeviceOutOfMemory naming `what`.
class PinnedHostBuffer {
 public:
  explicit PinnedHostBuffer(std::string what) : what_(std::move(what)) {}
  ~PinnedHostBuffer();
  PinnedHostBuffer(const PinnedHostBuffer&) = delete;
  PinnedHostBuffer& operator=(const PinnedHostBuffer&) = delete;
  // Ensures `bytes` bytes; only while no copy into it is pending.
  void reserve(std::size_t bytes);
  template <typename T>
  T* as() const {
    return reinterpret_cast<T*>(data_);
  }

 private:
  std::string what_;
  std::byte* data_ = nullptr;
  std::size_t bytes_ = 0;
};

std::string format_bytes(std::size_t bytes);

}  // namespace r1eval::engine::cuda
