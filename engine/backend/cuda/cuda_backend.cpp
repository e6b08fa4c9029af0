#include "engine/backend/cuda/cuda_backend.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/backend/cuda/device_buffer.h"
#include "engine/backend/bf16_forward.h"
#include "engine/backend/bf16_model.h"
#include "engine/backend/packed_batch.h"
#include "engine/backend/rope.h"
#include "engine/model/checkpoint.h"
#include "kernels/activation.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/rope.h"
#include "kernels/sampling.h"

namespace r1eval::engine {

using cuda::check_cuda;
using cuda::DeviceBuffer;
using cuda::GrowingBuffer;
using kernels::bf16;

namespace {

int checked_device(int device) {
  const int count = cuda::visible_device_count();
  if (count == 0) throw std::runtime_error("CUDA backend: no CUDA device visible (driver missing or no GPU)");
  if (device < 0 || device >= count) {
    throw std::runtime_error("CUDA backend: device " + std::to_string(device) + " requested, " +
                             std::to_string(count) + " visible");
  }
  check_cuda(cudaSetDevice(device), "cudaSetDevice", "CUDA backend");
  return device;
}

ModelConfig checked_config(const std::string& model_dir) {
  ModelConfig config = load_model_config(model_dir);
  if (!kernels::attention_head_dim_supported(static_cast<int>(config.head_dim))) {
    throw std::invalid_argument("CUDA backend: head_dim " + std::to_string(config.head_dim) + " of " + model_dir +
                                " is not supported (the attention kernels are built for 64 and 128)");
  }
  return config;
}

// The backend's stream; destroyed after its pending work, also when the constructor throws half-way.
struct OwnedStream {
  cudaStream_t stream = nullptr;
  OwnedStream() = default;
  OwnedStream(const OwnedStream&) = delete;
  OwnedStream& operator=(const OwnedStream&) = delete;
  ~OwnedStream() {
    if (stream != nullptr) {
      (void)cudaStreamSynchronize(stream);
      (void)cudaStreamDestroy(stream);
    }
  }
};

R1EVAL_BF16_KERNEL_FAMILY(CudaKernels, ::r1eval::kernels::cuda);

}  // namespace

struct CudaBackend::Impl {
  ModelConfig config;
  int device;
  std::int32_t block_size;
  OwnedStream owned_stream;  // declared before the buffers: they are freed first, then the stream
  cudaStream_t stream = nullptr;
  DeviceBuffer weight_arena;
  Bf16Model model;
  DeviceBuffer inv_freq;
  DeviceBuffer kv_buffer;
  Bf16KvPools kv;
  GrowingBuffer batch_buffer{"packed batch"};
  GrowingBuffer activations{"activation workspace"};
  GrowingBuffer decode_workspace{"decode attention workspace"};
  GrowingBuffer draw_tokens{"sampled tokens"};
  std::int64_t token_capacity = 0;
  std::int64_t row_capacity = 0;
  Bf16Workspace workspace;

  Impl(const std::string& model_dir, const CudaBackendOptions& options)
      : config(checked_config(model_dir)), device(checked_device(options.device)), block_size(options.kv_block_size) {
    if (block_size <= 0) throw std::invalid_argument("kv_block_size must be at least 1");
    if (options.max_batch_tokens <= 0) throw std::invalid_argument("max_batch_tokens must be at least 1");
    check_cuda(cudaStreamCreateWithFlags(&owned_stream.stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags",
               "CUDA backend");
    stream = owned_stream.stream;
    {
      const Checkpoint checkpoint(model_dir);
      TransformerWeights host = load_transformer_weights(checkpoint, config, ShardSpec{0, 1});
      weight_arena = DeviceBuffer(bf16_arena_bytes(host), "model weights (bf16)");
      model = fill_bf16_arena(host, weight_arena.data(), [](std::byte* destination, const bf16* data, std::size_t count) {
        check_cuda(cudaMemcpy(destination, data, count * sizeof(bf16), cudaMemcpyHostToDevice), "cudaMemcpy",
                   "weight upload");
      });
    }
    const std::vector<float> frequencies = rope_inverse_frequencies(config);
    inv_freq = DeviceBuffer(frequencies.size() * sizeof(float), "rope frequencies");
    check_cuda(cudaMemcpy(inv_freq.data(), frequencies.data(), frequencies.size() * sizeof(float),
                          cudaMemcpyHostToDevice),
               "cudaMemcpy", "rope frequencies");
    reserve_workspace(options.max_batch_tokens, std::min(options.max_batch_tokens, options.max_logit_rows));
    allocate_kv_cache(options);
  }

  void reserve_workspace(std::int64_t tokens, std::int64_t rows) {
    if (tokens <= token_capacity && rows <= row_capacity) return;
    token_capacity = std::max(tokens, token_capacity);
    row_capacity = std::max(rows, row_capacity);
    activations.reserve(bf16_workspace_bytes(model, token_capacity, row_capacity), stream);
    workspace = carve_bf16_workspace(model, activations.data(), token_capacity, row_capacity);
  }

  void allocate_kv_cache(const CudaBackendOptions& options) {
    const std::size_t block_bytes =
        bf16_kv_block_bytes(config.num_hidden_layers, model.kv_heads, model.head_dim, block_size);
    std::uint64_t budget = options.kv_cache_bytes;
    if (budget == 0) {
      if (!(options.kv_cache_memory_fraction > 0.0 && options.kv_cache_memory_fraction <= 1.0))
        throw std::invalid_argument("kv_cache_memory_fraction must be in (0, 1]");
      budget = static_cast<std::uint64_t>(static_cast<double>(cuda::device_memory().free) *
                                          options.kv_cache_memory_fraction);
    }
    const auto blocks = static_cast<std::int64_t>(budget / block_bytes);
    if (blocks == 0) {
      throw std::invalid_argument("KV cache of " + std::to_string(budget) + " bytes holds no block of " +
                                  std::to_string(block_bytes) + " bytes");
    }
    kv_buffer = DeviceBuffer(static_cast<std::size_t>(blocks) * block_bytes, "KV cache");
    kv.base = kv_buffer.as<bf16>();
    kv.num_blocks = blocks;
    kv.block_size = block_size;
    kv.kv_heads = model.kv_heads;
    kv.head_dim = model.head_dim;
  }

  void check_step(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) const {
    std::string problem = validate_forward_batch(batch, config.vocab_size, kv.num_blocks, block_size);
    if (!problem.empty()) throw std::invalid_argument("forward batch: " + problem);
    problem = validate_token_draws(draws, batch.logit_rows.size());
    if (!problem.empty()) throw std::invalid_argument("token draws: " + problem);
  }

  // Packs the batch and its draws, uploads both with one copy and enqueues the layers. Returns the packed
  // batch (the upload has staged its bytes, so it may go out of scope) and where the draws sit in it.
  PackedBatch enqueue_forward(const ForwardBatch& batch, const std::vector<TokenDraw>& draws, PackedDraws& packed_draws) {
    check_cuda(cudaSetDevice(device), "cudaSetDevice", "forward");
    PackedBatch packed = pack_forward_batch(batch);
    packed_draws = append_token_draws(packed, draws);
    reserve_workspace(packed.num_tokens, packed.num_logit_rows);
    batch_buffer.reserve(packed.bytes.size(), stream);
    decode_workspace.reserve(std::max<std::size_t>(1, bf16_decode_workspace_floats(model, packed)) * sizeof(float),
                             stream);
    // Pageable source: the call returns once the bytes are staged.
    check_cuda(cudaMemcpyAsync(batch_buffer.data(), packed.bytes.data(), packed.bytes.size(), cudaMemcpyHostToDevice,
                               stream),
               "cudaMemcpyAsync", "packed batch upload");
    bf16_forward<CudaKernels>(model, packed, batch_buffer.data(), workspace, kv, inv_freq.as<float>(),
                              decode_workspace.as<float>(), stream);
    return packed;
  }

  std::vector<float> forward(const ForwardBatch& batch) {
    check_step(batch, {});
    PackedDraws no_draws;
    const PackedBatch packed = enqueue_forward(batch, {}, no_draws);
    std::vector<float> logits(static_cast<std::size_t>(packed.num_logit_rows) * static_cast<std::size_t>(model.vocab));
    if (!logits.empty()) {
      check_cuda(cudaMemcpyAsync(logits.data(), workspace.rows_logits, logits.size() * sizeof(float),
                                 cudaMemcpyDeviceToHost, stream),
                 "cudaMemcpyAsync", "logits download");
    }
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", "forward");
    return logits;
  }

  // The logits never leave the device: the sampling kernel reads them where the head wrote them and only
  // the chosen token ids come back (4 bytes a draw instead of 4 x vocab).
  std::vector<std::int32_t> forward_and_sample(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) {
    check_step(batch, draws);
    PackedDraws packed_draws;
    enqueue_forward(batch, draws, packed_draws);
    std::vector<std::int32_t> tokens(draws.size());
    if (!tokens.empty()) {
      draw_tokens.reserve(tokens.size() * sizeof(std::int32_t), stream);
      bf16_sample<CudaKernels>(model, packed_draws, batch_buffer.data(), workspace, draw_tokens.as<std::int32_t>(),
                               stream);
      check_cuda(cudaMemcpyAsync(tokens.data(), draw_tokens.data(), tokens.size() * sizeof(std::int32_t),
                                 cudaMemcpyDeviceToHost, stream),
                 "cudaMemcpyAsync", "sampled tokens download");
    }
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", "forward_and_sample");
    return tokens;
  }

  void copy_kv_blocks(const std::vector<BlockCopy>& copies) {
    for (const BlockCopy& copy : copies) {
      if (copy.src < 0 || copy.src >= kv.num_blocks || copy.dst < 0 || copy.dst >= kv.num_blocks) {
        throw std::invalid_argument("copy_kv_blocks: block " + std::to_string(copy.src) + " -> " +
                                    std::to_string(copy.dst) + " outside the KV cache of " +
                                    std::to_string(kv.num_blocks));
      }
    }
    if (copies.empty()) return;
    check_cuda(cudaSetDevice(device), "cudaSetDevice", "copy_kv_blocks");
    // One block of one layer's keys (or values) is contiguous: kv_heads x block_size x head_dim.
    const std::size_t block_elements = kv.block_elements();
    const std::size_t pools = static_cast<std::size_t>(config.num_hidden_layers) * 2;
    for (const BlockCopy& copy : copies) {
      for (std::size_t pool = 0; pool < pools; ++pool) {
        bf16* base = kv.base + pool * kv.pool_elements();
        check_cuda(cudaMemcpyAsync(base + static_cast<std::size_t>(copy.dst) * block_elements,
                                   base + static_cast<std::size_t>(copy.src) * block_elements,
                                   block_elements * sizeof(bf16), cudaMemcpyDeviceToDevice, stream),
                   "cudaMemcpyAsync", "copy_kv_blocks");
      }
    }
  }
};

CudaBackend::CudaBackend(const std::string& model_dir, const CudaBackendOptions& options)
    : impl_(std::make_unique<Impl>(model_dir, options)) {}

CudaBackend::~CudaBackend() = default;

const ModelConfig& CudaBackend::config() const { return impl_->config; }
std::int32_t CudaBackend::kv_block_size() const { return impl_->block_size; }
std::int64_t CudaBackend::num_kv_blocks() const { return impl_->kv.num_blocks; }
std::vector<float> CudaBackend::forward(const ForwardBatch& batch) { return impl_->forward(batch); }
std::vector<std::int32_t> CudaBackend::forward_and_sample(const ForwardBatch& batch,
                                                          const std::vector<TokenDraw>& draws) {
  return impl_->forward_and_sample(batch, draws);
}
void CudaBackend::copy_kv_blocks(const std::vector<BlockCopy>& copies) { impl_->copy_kv_blocks(copies); }
std::uint64_t CudaBackend::weight_bytes_per_step() const { return impl_->model.bytes_per_step; }
std::uint64_t CudaBackend::kv_cache_bytes() const { return impl_->kv_buffer.size(); }

}  // namespace r1eval::engine
