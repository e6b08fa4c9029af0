// Choosing and building a backend: `--backend cpu|cuda|auto`. auto is the CUDA backend when this build
// has it, enough CUDA devices are visible for the ranks (NCCL built for more than one) and the CUDA
// kernels support the model's head dimension; else the CPU backend.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/runtime/scheduler.h"

namespace r1eval::engine {

enum class BackendKind { kAuto, kCpu, kCuda };

// "cpu", "cuda" or "auto"; throws std::invalid_argument("--backend: expected cpu, cuda or auto, got '<text>'").
BackendKind parse_backend_kind(const std::string& text);
const char* backend_kind_name(BackendKind kind);

// Whether this build compiled the CUDA backend, and whether it also sees a CUDA device now.
bool cuda_backend_built();
bool cuda_backend_usable();
// The visible CUDA devices, one line each ("NVIDIA H200, 141 GiB, sm_90"); empty without CUDA or a device.
std::vector<std::string> cuda_device_names();

struct BackendOptions {
  BackendKind kind = BackendKind::kAuto;
  int tensor_parallel = 1;  // CPU: rank threads; CUDA: GPUs cuda_device, cuda_device + 1, ... over NCCL
  std::int32_t kv_block_size = 16;
  // Never exceeded. 0: the backend's default, 1 GiB on the CPU, gpu_memory_fraction of free memory (less
  // 1 GiB for the steps' own buffers) on GPUs.
  std::uint64_t kv_cache_bytes = 0;
  int cuda_device = 0;                        // the CUDA backend's first GPU
  double gpu_memory_fraction = 0.9;           // the CUDA backend's share of free memory when kv_cache_bytes is 0
  bool cuda_graphs = true;                    // replay decode steps from CUDA graphs
  std::int64_t max_context_len = 0;           // longest context a decode graph covers (0: the model's maximum)
};

// The kind make_backend(model_dir, options) builds: kAuto resolved (to kCuda only when cuda_backend_usable(),
// tensor_parallel GPUs are visible (and NCCL built, above 1) and the head_dim of model_dir's config.json is one the CUDA kernels are built
// for), the others as asked. Throws std::runtime_error for an unreadable config.json only when it must
// read it (kAuto on a usable CUDA build).
BackendKind resolve_backend_kind(const std::string& model_dir, const BackendOptions& options);

// How a backend of `resolved` kind runs under `options`, for summaries and run.json: "cpu backend",
// "cpu backend, tp 2", "cuda backend on GPU 0", "cuda backend, tp 2 on GPUs 2-3, no CUDA graphs".
std::string backend_description(BackendKind resolved, const BackendOptions& options);

// Builds the backend for `model_dir`. Throws std::invalid_argument with one line when the choice cannot
// be honoured (cuda asked of a build without CUDA, or --tp above 1 without NCCL), and whatever the chosen
// backend's constructor throws (std::runtime_error for a bad model folder or no visible device).
std::unique_ptr<Backend> make_backend(const std::string& model_dir, const BackendOptions& options);

// Scheduler bounds that suit `backend`: the runtime's defaults on the CPU; on a GPU up to `max_seqs` sequences
// a step (at most 256, the largest decode graph) and 8192 new tokens (the workspace the CUDA backend
// reserves up front), so that a decode step batches every running sample. Samples do not depend on them.
SchedulerOptions scheduler_options_for(const Backend& backend, std::size_t max_seqs);

}  // namespace r1eval::engine
