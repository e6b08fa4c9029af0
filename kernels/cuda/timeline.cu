// Per-kernel device times of eager steps (contract in timeline.h).
#include "kernels/cuda/timeline.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/cuda/check.h"

namespace r1eval::kernels::cuda_detail {

namespace {

// Names are copied: a launcher may pass a name that lives only for its launch.
struct Span {
  std::string name;
  cudaStream_t stream;
  int device;
  cudaEvent_t begin, end;
};

struct Timeline {
  std::mutex mutex;
  std::atomic<bool> recording{false};
  // Events belong to a device: one pool per device, created once and reused by later recordings.
  std::map<int, std::vector<cudaEvent_t>> pools;
  std::map<int, std::size_t> used;
  std::vector<Span> spans;

  cudaEvent_t next_event(int device) {  // on the current device, which is `device`
    std::vector<cudaEvent_t>& pool = pools[device];
    std::size_t& taken = used[device];
    if (taken == pool.size()) {
      cudaEvent_t event = nullptr;
      check(cudaEventCreate(&event), "cudaEventCreate", "kernel timeline");
      pool.push_back(event);
    }
    return pool[taken++];
  }
};

Timeline& timeline() {
  static Timeline instance;
  return instance;
}

}  // namespace

bool timeline_recording() { return timeline().recording.load(std::memory_order_relaxed); }

void timeline_mark(const char* name, cudaStream_t stream, bool before) {
  Timeline& t = timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (!t.recording.load(std::memory_order_relaxed)) return;
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(stream, &capture) != cudaSuccess || capture != cudaStreamCaptureStatusNone) return;
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice", "kernel timeline");
  if (before) {
    t.spans.push_back({name, stream, device, t.next_event(device), nullptr});
    check(cudaEventRecord(t.spans.back().begin, stream), "cudaEventRecord", name);
    return;
  }
  // The open span of this launch: the latest on this stream (ranks on other threads interleave theirs).
  for (auto span = t.spans.rbegin(); span != t.spans.rend(); ++span) {
    if (span->stream != stream || span->device != device) continue;
    if (span->end == nullptr && span->name == name) {
      span->end = t.next_event(device);
      check(cudaEventRecord(span->end, stream), "cudaEventRecord", name);
    }
    return;
  }
}

}  // namespace r1eval::kernels::cuda_detail

namespace r1eval::kernels::cuda {

using cuda_detail::check;

void timeline_start() {
  cuda_detail::Timeline& t = cuda_detail::timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (t.recording.load(std::memory_order_relaxed)) throw std::logic_error("timeline_start: a timeline is recording");
  t.used.clear();
  t.spans.clear();
  t.recording.store(true, std::memory_order_relaxed);
}

std::vector<KernelTime> timeline_stop() {
  cuda_detail::Timeline& t = cuda_detail::timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (!t.recording.load(std::memory_order_relaxed)) throw std::logic_error("timeline_stop: no timeline is recording");
  t.recording.store(false, std::memory_order_relaxed);
  int current = 0;
  check(cudaGetDevice(&current), "cudaGetDevice", "kernel timeline");
  for (const auto& [device, pool] : t.pools) {
    check(cudaSetDevice(device), "cudaSetDevice", "kernel timeline");
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize", "kernel timeline");
  }
  check(cudaSetDevice(current), "cudaSetDevice", "kernel timeline");
  std::map<std::string, KernelTime> by_name;
  for (const cuda_detail::Span& span : t.spans) {
    if (span.end == nullptr) continue;
    float ms = 0.0f;
    check(cudaEventElapsedTime(&ms, span.begin, span.end), "cudaEventElapsedTime", span.name.c_str());
    KernelTime& k = by_name[span.name];
    k.name = span.name;
    ++k.calls;
    k.total_us += 1000.0 * ms;
  }
  t.spans.clear();
  std::vector<KernelTime> times;
  for (auto& [name, k] : by_name) times.push_back(k);
  std::sort(times.begin(), times.end(), [](const KernelTime& a, const KernelTime& b) { return a.total_us > b.total_us; });
  return times;
}

}  // namespace r1eval::kernels::cuda
