// Per-kernel device times of eager steps (contract in timeline.h).
#include "kernels/cuda/timeline.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>

#include "kernels/cuda/check.h"

namespace r1eval::kernels::cuda_detail {

namespace {

struct Span {
  const char* name;
  cudaEvent_t begin, end;
};

struct Timeline {
  std::mutex mutex;
  std::atomic<bool> recording{false};
  std::vector<cudaEvent_t> pool;  // created once, reused by later recordings
  std::size_t used = 0;
  std::vector<Span> spans;

  cudaEvent_t next_event() {
    if (used == pool.size()) {
      cudaEvent_t event = nullptr;
      check(cudaEventCreate(&event), "cudaEventCreate", "kernel timeline");
      pool.push_back(event);
    }
    return pool[used++];
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
  if (before) {
    t.spans.push_back({name, t.next_event(), nullptr});
    check(cudaEventRecord(t.spans.back().begin, stream), "cudaEventRecord", name);
  } else if (!t.spans.empty() && t.spans.back().end == nullptr && t.spans.back().name == name) {
    t.spans.back().end = t.next_event();
    check(cudaEventRecord(t.spans.back().end, stream), "cudaEventRecord", name);
  }
}

}  // namespace r1eval::kernels::cuda_detail

namespace r1eval::kernels::cuda {

using cuda_detail::check;

void timeline_start() {
  cuda_detail::Timeline& t = cuda_detail::timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (t.recording.load(std::memory_order_relaxed)) throw std::logic_error("timeline_start: a timeline is recording");
  t.used = 0;
  t.spans.clear();
  t.recording.store(true, std::memory_order_relaxed);
}

std::vector<KernelTime> timeline_stop() {
  cuda_detail::Timeline& t = cuda_detail::timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  if (!t.recording.load(std::memory_order_relaxed)) throw std::logic_error("timeline_stop: no timeline is recording");
  t.recording.store(false, std::memory_order_relaxed);
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize", "kernel timeline");
  std::map<std::string, KernelTime> by_name;
  for (const cuda_detail::Span& span : t.spans) {
    if (span.end == nullptr) continue;
    float ms = 0.0f;
    check(cudaEventElapsedTime(&ms, span.begin, span.end), "cudaEventElapsedTime", span.name);
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
