#include "engine/backend/cuda/cuda_backend.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/backend/cuda/device_buffer.h"
#include "engine/backend/cuda/device_weights.h"
#include "engine/backend/packed_batch.h"
#include "engine/backend/rope.h"
#include "engine/model/checkpoint.h"
#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/rope.h"

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

std::size_t round_up(std::size_t bytes) { return (bytes + 255) & ~std::size_t{255}; }

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

}  // namespace

struct CudaBackend::Impl {
  ModelConfig config;
  int device;
  std::int32_t block_size;
  std::int64_t num_blocks = 0;
  int q_heads, kv_heads, head_dim;
  std::int64_t hidden, intermediate, vocab, q_width, kv_width, qkv_width;
  OwnedStream owned_stream;  // declared before the buffers: they are freed first, then the stream
  cudaStream_t stream = nullptr;
  std::unique_ptr<cuda::DeviceWeights> weights;
  DeviceBuffer inv_freq;
  DeviceBuffer kv_pool;  // [layer][key | value][block][kv_head][offset][dim] bf16
  std::size_t pool_elements = 0;  // one layer's keys (or values)
  GrowingBuffer batch_buffer{"packed batch"};
  GrowingBuffer activations{"activation workspace"};
  GrowingBuffer logit_buffer{"logits workspace"};
  GrowingBuffer decode_workspace{"decode attention workspace"};
  std::int64_t token_capacity = 0;
  std::int64_t row_capacity = 0;

  Impl(const std::string& model_dir, const CudaBackendOptions& options)
      : config(checked_config(model_dir)), device(checked_device(options.device)), block_size(options.kv_block_size) {
    if (block_size <= 0) throw std::invalid_argument("kv_block_size must be at least 1");
    if (options.max_batch_tokens <= 0) throw std::invalid_argument("max_batch_tokens must be at least 1");
    q_heads = static_cast<int>(config.num_attention_heads);
    kv_heads = static_cast<int>(config.num_key_value_heads);
    head_dim = static_cast<int>(config.head_dim);
    hidden = config.hidden_size;
    intermediate = config.intermediate_size;
    vocab = config.vocab_size;
    q_width = static_cast<std::int64_t>(q_heads) * head_dim;
    kv_width = static_cast<std::int64_t>(kv_heads) * head_dim;
    qkv_width = q_width + 2 * kv_width;
    check_cuda(cudaStreamCreateWithFlags(&owned_stream.stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags",
               "CUDA backend");
    stream = owned_stream.stream;

    {
      const Checkpoint checkpoint(model_dir);
      TransformerWeights host = load_transformer_weights(checkpoint, config, ShardSpec{0, 1});
      weights = std::make_unique<cuda::DeviceWeights>(host);
    }
    const std::vector<float> frequencies = rope_inverse_frequencies(config);
    inv_freq = DeviceBuffer(frequencies.size() * sizeof(float), "rope frequencies");
    check_cuda(cudaMemcpy(inv_freq.data(), frequencies.data(), frequencies.size() * sizeof(float),
                          cudaMemcpyHostToDevice),
               "cudaMemcpy", "rope frequencies");

    reserve_workspace(options.max_batch_tokens, std::min(options.max_batch_tokens, options.max_logit_rows));
    allocate_kv_cache(options);
  }

  std::size_t activation_bytes(std::int64_t tokens) const {
    const auto t = static_cast<std::size_t>(tokens);
    // residual, normed, projection output: hidden each; qkv; attention output; [gate | up]; activation.
    return round_up(t * hidden * sizeof(bf16)) * 3 + round_up(t * qkv_width * sizeof(bf16)) +
           round_up(t * q_width * sizeof(bf16)) + round_up(t * 2 * intermediate * sizeof(bf16)) +
           round_up(t * intermediate * sizeof(bf16));
  }
  std::size_t logit_bytes(std::int64_t rows) const {
    const auto r = static_cast<std::size_t>(rows);
    return round_up(r * hidden * sizeof(bf16)) * 3 + round_up(r * vocab * sizeof(float));
  }

  void reserve_workspace(std::int64_t tokens, std::int64_t rows) {
    if (tokens > token_capacity) {
      activations.reserve(activation_bytes(tokens), stream);
      token_capacity = tokens;
    }
    if (rows > row_capacity) {
      logit_buffer.reserve(logit_bytes(rows), stream);
      row_capacity = rows;
    }
  }

  void allocate_kv_cache(const CudaBackendOptions& options) {
    const std::size_t block_bytes = static_cast<std::size_t>(config.num_hidden_layers) * 2 * kv_width *
                                    static_cast<std::size_t>(block_size) * sizeof(bf16);
    std::uint64_t budget = options.kv_cache_bytes;
    if (budget == 0) {
      if (!(options.kv_cache_memory_fraction > 0.0 && options.kv_cache_memory_fraction <= 1.0))
        throw std::invalid_argument("kv_cache_memory_fraction must be in (0, 1]");
      budget = static_cast<std::uint64_t>(static_cast<double>(cuda::device_memory().free) *
                                          options.kv_cache_memory_fraction);
    }
    num_blocks = static_cast<std::int64_t>(budget / block_bytes);
    if (num_blocks == 0) {
      throw std::invalid_argument("KV cache of " + std::to_string(budget) + " bytes holds no block of " +
                                  std::to_string(block_bytes) + " bytes");
    }
    pool_elements = static_cast<std::size_t>(num_blocks) * kv_width * static_cast<std::size_t>(block_size);
    kv_pool = DeviceBuffer(static_cast<std::size_t>(num_blocks) * block_bytes, "KV cache");
  }

  kernels::KvCacheView cache_view(std::int64_t layer) const {
    kernels::KvCacheView view;
    bf16* base = kv_pool.as<bf16>() + static_cast<std::size_t>(layer) * 2 * pool_elements;
    view.key = base;
    view.value = base + pool_elements;
    view.num_blocks = static_cast<int>(num_blocks);
    view.block_size = block_size;
    view.num_kv_heads = kv_heads;
    view.head_dim = head_dim;
    return view;
  }

  std::vector<float> forward(const ForwardBatch& batch) {
    const std::string problem = validate_forward_batch(batch, vocab, num_blocks, block_size);
    if (!problem.empty()) throw std::invalid_argument("forward batch: " + problem);
    check_cuda(cudaSetDevice(device), "cudaSetDevice", "forward");
    const PackedBatch packed = pack_forward_batch(batch);
    const int n = packed.num_tokens;
    const int rows = packed.num_logit_rows;
    reserve_workspace(n, rows);
    batch_buffer.reserve(packed.bytes.size(), stream);
    // Pageable source: the call returns once the bytes are staged, so `packed` may go out of scope.
    check_cuda(cudaMemcpyAsync(batch_buffer.data(), packed.bytes.data(), packed.bytes.size(), cudaMemcpyHostToDevice,
                               stream),
               "cudaMemcpyAsync", "packed batch upload");
    const PackedOffsets& o = packed.offsets;
    const auto* token_ids = batch_buffer.as<std::int32_t>(o.token_ids);
    const auto* positions = batch_buffer.as<std::int32_t>(o.positions);
    const auto* slots = batch_buffer.as<std::int64_t>(o.slot_mapping);
    const auto* logit_rows = batch_buffer.as<std::int32_t>(o.logit_rows);

    kernels::PagedBatch decode;
    decode.num_seqs = packed.num_decode;
    decode.context_lens = batch_buffer.as<std::int32_t>(o.decode_context_lens);
    decode.block_tables = batch_buffer.as<std::int32_t>(o.decode_block_tables);
    decode.query_starts = decode.context_lens;  // unused by decode, but must not be null
    decode.max_blocks_per_seq = packed.max_blocks_per_seq;
    decode.max_query_len = 1;
    decode.max_context_len = packed.max_decode_context_len;
    kernels::PagedBatch prefill;
    prefill.num_seqs = packed.num_prefill_seqs;
    prefill.query_starts = batch_buffer.as<std::int32_t>(o.prefill_query_starts);
    prefill.context_lens = batch_buffer.as<std::int32_t>(o.prefill_context_lens);
    prefill.block_tables = batch_buffer.as<std::int32_t>(o.prefill_block_tables);
    prefill.max_blocks_per_seq = packed.max_blocks_per_seq;
    prefill.max_query_len = packed.max_prefill_query_len;
    prefill.max_context_len = packed.max_prefill_context_len;
    float* decode_ws = nullptr;
    if (packed.num_decode > 0) {
      decode_workspace.reserve(
          kernels::decode_workspace_floats(packed.num_decode, q_heads, head_dim, packed.max_decode_context_len) *
              sizeof(float),
          stream);
      decode_ws = decode_workspace.as<float>();
    }

    // Activation buffers carved from the workspace.
    const auto t = static_cast<std::size_t>(token_capacity);
    std::size_t offset = 0;
    const auto carve = [&](std::size_t elements) {
      bf16* p = activations.as<bf16>(offset);
      offset += round_up(elements * sizeof(bf16));
      return p;
    };
    bf16* residual = carve(t * hidden);
    bf16* normed = carve(t * hidden);
    bf16* proj = carve(t * hidden);
    bf16* qkv = carve(t * qkv_width);
    bf16* attn = carve(t * q_width);
    bf16* gate_up = carve(t * 2 * intermediate);
    bf16* act = carve(t * intermediate);

    const int h = static_cast<int>(hidden), inter = static_cast<int>(intermediate);
    const auto eps = static_cast<float>(config.rms_norm_eps);
    const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
    kernels::Stream s = stream;
    kernels::cuda::embedding_gather<bf16>(token_ids, n, weights->embed(), static_cast<int>(vocab), h, residual, s);
    bool proj_pending = false;  // proj holds a block output not yet added to the residual stream
    for (std::size_t l = 0; l < weights->layers().size(); ++l) {
      const cuda::DeviceLayer& w = weights->layers()[l];
      const kernels::KvCacheView cache = cache_view(static_cast<std::int64_t>(l));
      kernels::cuda::rmsnorm_residual<bf16>(proj_pending ? proj : residual, proj_pending ? residual : nullptr, normed,
                                            w.input_norm, n, h, eps, s);
      kernels::cuda::matmul<bf16>(normed, w.qkv, w.qkv_bias, qkv, n, static_cast<int>(qkv_width), h, s);
      kernels::cuda::rope_write_kv<bf16>(qkv, n, q_heads, positions, slots, inv_freq.as<float>(), cache, s);
      if (packed.num_decode > 0) {
        kernels::cuda::paged_attention_decode<bf16>(qkv, static_cast<int>(qkv_width), attn, q_heads, cache, decode,
                                                    scale, decode_ws, s);
      }
      if (packed.num_prefill_seqs > 0) {
        const auto first = static_cast<std::size_t>(packed.num_decode);
        kernels::cuda::paged_attention_prefill<bf16>(qkv + first * qkv_width, static_cast<int>(qkv_width),
                                                     attn + first * q_width, q_heads, cache, prefill, scale, s);
      }
      kernels::cuda::matmul<bf16>(attn, w.o, w.o_bias, proj, n, h, static_cast<int>(q_width), s);
      kernels::cuda::rmsnorm_residual<bf16>(proj, residual, normed, w.post_attention_norm, n, h, eps, s);
      kernels::cuda::matmul<bf16>(normed, w.gate_up, w.gate_up_bias, gate_up, n, 2 * inter, h, s);
      kernels::cuda::silu_mul<bf16>(gate_up, act, n, inter, s);
      kernels::cuda::matmul<bf16>(act, w.down, w.down_bias, proj, n, h, inter, s);
      proj_pending = true;
    }

    std::vector<float> logits(static_cast<std::size_t>(rows) * static_cast<std::size_t>(vocab));
    if (rows > 0) {
      // Only the logit rows go through the last residual add, the final norm and the head: gather them
      // (the embedding gather over the activations as a table of n rows).
      const auto r = static_cast<std::size_t>(row_capacity);
      bf16* rows_proj = logit_buffer.as<bf16>(0);
      bf16* rows_residual = logit_buffer.as<bf16>(round_up(r * hidden * sizeof(bf16)));
      bf16* rows_normed = logit_buffer.as<bf16>(2 * round_up(r * hidden * sizeof(bf16)));
      float* rows_logits = logit_buffer.as<float>(3 * round_up(r * hidden * sizeof(bf16)));
      kernels::cuda::embedding_gather<bf16>(logit_rows, rows, residual, n, h, rows_residual, s);
      if (proj_pending) kernels::cuda::embedding_gather<bf16>(logit_rows, rows, proj, n, h, rows_proj, s);
      kernels::cuda::rmsnorm_residual<bf16>(proj_pending ? rows_proj : rows_residual,
                                            proj_pending ? rows_residual : nullptr, rows_normed,
                                            weights->final_norm(), rows, h, eps, s);
      kernels::cuda::matmul<float>(rows_normed, weights->head(), nullptr, rows_logits, rows, static_cast<int>(vocab),
                                   h, s);
      check_cuda(cudaMemcpyAsync(logits.data(), rows_logits, logits.size() * sizeof(float), cudaMemcpyDeviceToHost,
                                 stream),
                 "cudaMemcpyAsync", "logits download");
    }
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", "forward");
    return logits;
  }

  void copy_kv_blocks(const std::vector<BlockCopy>& copies) {
    for (const BlockCopy& copy : copies) {
      if (copy.src < 0 || copy.src >= num_blocks || copy.dst < 0 || copy.dst >= num_blocks) {
        throw std::invalid_argument("copy_kv_blocks: block " + std::to_string(copy.src) + " -> " +
                                    std::to_string(copy.dst) + " outside the KV cache of " +
                                    std::to_string(num_blocks));
      }
    }
    if (copies.empty()) return;
    check_cuda(cudaSetDevice(device), "cudaSetDevice", "copy_kv_blocks");
    // One block of one layer's keys (or values) is contiguous: kv_heads x block_size x head_dim.
    const std::size_t block_elements = static_cast<std::size_t>(kv_width) * static_cast<std::size_t>(block_size);
    const std::size_t pools = static_cast<std::size_t>(config.num_hidden_layers) * 2;
    for (const BlockCopy& copy : copies) {
      for (std::size_t pool = 0; pool < pools; ++pool) {
        bf16* base = kv_pool.as<bf16>() + pool * pool_elements;
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
std::int64_t CudaBackend::num_kv_blocks() const { return impl_->num_blocks; }
std::vector<float> CudaBackend::forward(const ForwardBatch& batch) { return impl_->forward(batch); }
void CudaBackend::copy_kv_blocks(const std::vector<BlockCopy>& copies) { impl_->copy_kv_blocks(copies); }
std::uint64_t CudaBackend::weight_bytes_per_step() const { return impl_->weights->bytes_per_step(); }
std::uint64_t CudaBackend::kv_cache_bytes() const { return impl_->kv_pool.size(); }

}  // namespace r1eval::engine
