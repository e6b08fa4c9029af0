#include "harness/backend_flags.h"

#include <cmath>

#include "harness/option_checks.h"

namespace r1eval::harness {

void BackendFlags::add_to(CLI::App& command) {
  command.add_option("--backend", backend, "cpu, cuda, or auto (cuda when built with CUDA and the GPUs are visible)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  command.add_option("--tp", tp, "Tensor-parallel ranks: threads on the CPU, GPUs (over NCCL) with cuda")
      ->check(number_between(1, 1024));
  command.add_option("--kv-cache-gb", kv_cache_gb,
                     "KV cache size in GiB, never exceeded; does not change the samples (default: 1 on the CPU, "
                     "--gpu-memory-fraction of free GPU memory with cuda)")
      ->check(number_between(1e-6, 1e6));
  command.add_option("--gpu-memory-fraction", gpu_memory_fraction,
                     "With cuda and no --kv-cache-gb: the share of the GPU memory left free by the weights (less "
                     "1 GiB kept for the steps' own buffers) that the KV cache takes")
      ->check(number_between(0.01, 1.0));
  command.add_option("--cuda-device", cuda_device, "First GPU of the CUDA backend (rank r uses cuda-device + r)")
      ->check(non_negative_number());
  command.add_flag("--no-cuda-graphs", no_cuda_graphs,
                   "With cuda: run every decode step eagerly instead of replaying captured CUDA graphs");
}

engine::BackendOptions BackendFlags::options() const {
  engine::BackendOptions o;
  o.kind = engine::parse_backend_kind(backend);
  o.tensor_parallel = tp;
  o.kv_cache_bytes = kv_cache_gb > 0 ? static_cast<std::uint64_t>(std::llround(kv_cache_gb * (1ull << 30))) : 0;
  o.gpu_memory_fraction = gpu_memory_fraction;
  o.cuda_device = cuda_device;
  o.cuda_graphs = !no_cuda_graphs;
  return o;
}

}  // namespace r1eval::harness
