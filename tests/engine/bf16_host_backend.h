// The CUDA backend's forward pass (engine/backend/bf16_forward.h) run by the kernels' CPU twins on host
// memory: same bf16 weights layout, same packed batch, same bf16 KV pools, same sequence of kernels. It
// checks, without a GPU, everything of the CUDA backend but the device kernels themselves (which
// tests/kernels compares with these twins) and the CUDA calls around them.
#pragma once
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/backend/backend.h"
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

namespace r1eval::engine::testing {

R1EVAL_BF16_KERNEL_FAMILY(CpuTwinKernels, ::r1eval::kernels::cpu);

class Bf16HostBackend final : public Backend {
 public:
  Bf16HostBackend(const std::string& model_dir, std::int32_t block_size, std::int64_t num_blocks)
      : config_(load_model_config(model_dir)), inv_freq_(rope_inverse_frequencies(config_)) {
    const Checkpoint checkpoint(model_dir);
    TransformerWeights host = load_transformer_weights(checkpoint, config_, ShardSpec{0, 1});
    arena_.resize(bf16_arena_bytes(host));
    model_ = fill_bf16_arena(host, arena_.data(), [](std::byte* destination, const bf16* data, std::size_t count) {
      std::memcpy(destination, data, count * sizeof(bf16));
    });
    kv_.num_blocks = num_blocks;
    kv_.block_size = block_size;
    kv_.kv_heads = model_.kv_heads;
    kv_.head_dim = model_.head_dim;
    kv_storage_.assign(bf16_kv_block_bytes(config_.num_hidden_layers, kv_.kv_heads, kv_.head_dim, block_size) *
                           static_cast<std::size_t>(num_blocks) / sizeof(bf16),
                       kernels::to_bf16(0.0f));
    kv_.base = kv_storage_.data();
  }

  const ModelConfig& config() const override { return config_; }
  std::int32_t kv_block_size() const override { return kv_.block_size; }
  std::int64_t num_kv_blocks() const override { return kv_.num_blocks; }

  std::vector<float> forward(const ForwardBatch& batch) override {
    const std::string problem = validate_forward_batch(batch, config_.vocab_size, kv_.num_blocks, kv_.block_size);
    if (!problem.empty()) throw std::invalid_argument("forward batch: " + problem);
    const PackedBatch packed = pack_forward_batch(batch);
    std::vector<std::byte> workspace(bf16_workspace_bytes(model_, packed.num_tokens, packed.num_logit_rows));
    const Bf16Workspace w = carve_bf16_workspace(model_, workspace.data(), packed.num_tokens, packed.num_logit_rows);
    std::vector<float> decode_workspace(bf16_decode_workspace_floats(model_, packed));
    bf16_forward<CpuTwinKernels>(model_, packed, packed.bytes.data(), w, kv_, inv_freq_.data(),
                                 decode_workspace.data(), nullptr);
    return {w.rows_logits, w.rows_logits + static_cast<std::size_t>(packed.num_logit_rows) * model_.vocab};
  }

  void copy_kv_blocks(const std::vector<BlockCopy>& copies) override {
    const std::size_t pools = static_cast<std::size_t>(config_.num_hidden_layers) * 2;
    for (const BlockCopy& copy : copies) {
      if (copy.src < 0 || copy.src >= kv_.num_blocks || copy.dst < 0 || copy.dst >= kv_.num_blocks)
        throw std::invalid_argument("copy_kv_blocks: block outside the cache");
      for (std::size_t pool = 0; pool < pools; ++pool) {
        bf16* base = kv_.base + pool * kv_.pool_elements();
        std::memcpy(base + static_cast<std::size_t>(copy.dst) * kv_.block_elements(),
                    base + static_cast<std::size_t>(copy.src) * kv_.block_elements(),
                    kv_.block_elements() * sizeof(bf16));
      }
    }
  }

  const Bf16Model& model() const { return model_; }

 private:
  ModelConfig config_;
  std::vector<float> inv_freq_;
  std::vector<std::byte> arena_;
  Bf16Model model_;
  std::vector<bf16> kv_storage_;
  Bf16KvPools kv_;
};

}  // namespace r1eval::engine::testing
