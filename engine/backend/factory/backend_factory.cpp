#include "engine/backend/factory/backend_factory.h"

#include <algorithm>
#include <stdexcept>

#include "engine/backend/bf16_model.h"
#include "engine/backend/cpu/cpu_backend.h"
#include "engine/model/model_config.h"
#include "kernels/attention.h"
#if R1EVAL_HAVE_CUDA_BACKEND
#include "engine/backend/cuda/cuda_backend.h"
#include "engine/backend/cuda/device_buffer.h"
#endif

namespace r1eval::engine {

namespace {
constexpr std::uint64_t kDefaultCpuKvCacheBytes = 1ull << 30;
}  // namespace

BackendKind parse_backend_kind(const std::string& text) {
  if (text == "auto") return BackendKind::kAuto;
  if (text == "cpu") return BackendKind::kCpu;
  if (text == "cuda") return BackendKind::kCuda;
  throw std::invalid_argument("--backend: expected cpu, cuda or auto, got '" + text + "'");
}

const char* backend_kind_name(BackendKind kind) {
  switch (kind) {
    case BackendKind::kAuto: return "auto";
    case BackendKind::kCpu: return "cpu";
    case BackendKind::kCuda: return "cuda";
  }
  return "auto";
}

bool cuda_backend_built() { return R1EVAL_HAVE_CUDA_BACKEND != 0; }

bool cuda_backend_usable() {
#if R1EVAL_HAVE_CUDA_BACKEND
  return cuda::visible_device_count() > 0;
#else
  return false;
#endif
}

std::vector<std::string> cuda_device_names() {
#if R1EVAL_HAVE_CUDA_BACKEND
  return cuda::visible_device_names();
#else
  return {};
#endif
}

BackendKind resolve_backend_kind(const std::string& model_dir, const BackendOptions& options) {
  if (options.kind != BackendKind::kAuto) return options.kind;
  if (!cuda_backend_usable()) return BackendKind::kCpu;
#if R1EVAL_HAVE_CUDA_BACKEND
  if (options.cuda_device + options.tensor_parallel > cuda::visible_device_count()) return BackendKind::kCpu;
  if (options.tensor_parallel > 1 && !cuda_backend_has_nccl()) return BackendKind::kCpu;
#endif
  const ModelConfig config = load_model_config(model_dir);
  return kernels::attention_head_dim_supported(static_cast<int>(config.head_dim)) && !bf16_unsupported(config)
             ? BackendKind::kCuda
             : BackendKind::kCpu;
}

std::string backend_description(BackendKind resolved, const BackendOptions& options) {
  std::string text = std::string(backend_kind_name(resolved)) + " backend";
  if (options.tensor_parallel > 1) text += ", tp " + std::to_string(options.tensor_parallel);
  if (resolved == BackendKind::kCuda) {
    const int first = options.cuda_device, last = options.cuda_device + options.tensor_parallel - 1;
    text += first == last ? " on GPU " + std::to_string(first)
                          : " on GPUs " + std::to_string(first) + "-" + std::to_string(last);
    if (!options.cuda_graphs) text += ", no CUDA graphs";
  }
  return text;
}

std::unique_ptr<Backend> make_backend(const std::string& model_dir, const BackendOptions& options) {
  if (resolve_backend_kind(model_dir, options) == BackendKind::kCpu) {
    CpuBackendOptions cpu;
    cpu.tensor_parallel = options.tensor_parallel;
    cpu.kv_block_size = options.kv_block_size;
    cpu.kv_cache_bytes = options.kv_cache_bytes > 0 ? options.kv_cache_bytes : kDefaultCpuKvCacheBytes;
    return std::make_unique<CpuBackend>(model_dir, cpu);
  }
  if (!cuda_backend_built()) {
    throw std::invalid_argument("--backend cuda: this r1eval was built without CUDA (configure with -DR1EVAL_CUDA=ON)");
  }
#if R1EVAL_HAVE_CUDA_BACKEND
  CudaBackendOptions gpu;
  gpu.device = options.cuda_device;
  gpu.tensor_parallel = options.tensor_parallel;
  gpu.kv_block_size = options.kv_block_size;
  gpu.kv_cache_bytes = options.kv_cache_bytes;
  gpu.kv_cache_memory_fraction = options.gpu_memory_fraction;
  gpu.cuda_graphs = options.cuda_graphs;
  gpu.max_context_len = options.max_context_len;
  return std::make_unique<CudaBackend>(model_dir, gpu);
#else
  return nullptr;  // unreachable: cuda_backend_built() is false
#endif
}

SchedulerOptions scheduler_options_for(const Backend& backend, std::size_t max_seqs) {
  SchedulerOptions options;
#if R1EVAL_HAVE_CUDA_BACKEND
  if (dynamic_cast<const CudaBackend*>(&backend) != nullptr) {
    const CudaBackendOptions defaults;
    options.max_seqs = static_cast<std::int64_t>(std::min<std::size_t>(std::max<std::size_t>(max_seqs, 1),
                                                                       static_cast<std::size_t>(defaults.max_graph_seqs)));
    options.max_batched_tokens = defaults.max_batch_tokens;
  }
#else
  (void)backend;
  (void)max_seqs;
#endif
  return options;
}

}  // namespace r1eval::engine
