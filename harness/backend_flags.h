// The engine backend options shared by the commands that run the built-in engine (generate, run, serve):
// --backend, --tp, --kv-cache-gb, --gpu-memory-fraction, --cuda-device, --no-cuda-graphs.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "engine/backend/factory/backend_factory.h"

namespace r1eval::harness {

struct BackendFlags {
  std::string backend = "auto";
  int tp = 1;
  double kv_cache_gb = 0.0;  // 0: the backend's default (CPU 1 GiB; CUDA --gpu-memory-fraction of free memory)
  double gpu_memory_fraction = 0.9;
  int cuda_device = 0;
  bool no_cuda_graphs = false;

  void add_to(CLI::App& command);
  // The engine's options; throws std::invalid_argument (one line) for a bad --backend.
  engine::BackendOptions options() const;
};

}  // namespace r1eval::harness
