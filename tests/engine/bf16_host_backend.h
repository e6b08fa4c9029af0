// The CUDA backend's forward pass (engine/backend/bf16_forward.h) run by the kernels' CPU twins on host
// memory: same bf16 weights layout, same packed batch, same bf16 KV pools, same sequence of kernels, the
// same tensor-parallel split (ranks as threads, the all-reduce done in fp32 and rounded to bf16 as NCCL's
// bf16 sum of two ranks does). It checks, without a GPU, everything of the CUDA backend but the device
// kernels themselves (which tests/kernels compares with these twins) and the CUDA and NCCL calls around them.
#pragma once
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "engine/backend/backend.h"
#include "engine/backend/bf16_forward.h"
#include "engine/backend/bf16_model.h"
#include "engine/backend/decode_graph_plan.h"
#include "engine/backend/packed_batch.h"
#include "engine/model/checkpoint.h"
#include "engine/parallel/thread_communicator.h"
#include "kernels/activation.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/projection.h"
#include "kernels/rope.h"
#include "kernels/sampling.h"

namespace r1eval::engine::testing {

R1EVAL_BF16_KERNEL_FAMILY(CpuTwinKernels, ::r1eval::kernels::cpu);

// The all-reduce of the bf16 forward over in-process rank threads: widened to fp32, summed in rank order
// (ThreadGroup), rounded back to bf16.
class HostBf16Collectives final : public Bf16Collectives {
 public:
  explicit HostBf16Collectives(Communicator& comm) : comm_(comm) {}
  void all_reduce_sum(bf16* data, std::size_t count, kernels::Stream) override {
    wide_.resize(count);
    for (std::size_t i = 0; i < count; ++i) wide_[i] = kernels::to_float(data[i]);
    comm_.all_reduce_sum(wide_);
    for (std::size_t i = 0; i < count; ++i) data[i] = kernels::to_bf16(wide_[i]);
  }
  void all_reduce_sum(float* data, std::size_t count, kernels::Stream) override {
    comm_.all_reduce_sum(std::span<float>(data, count));
  }

 private:
  Communicator& comm_;
  std::vector<float> wide_;
};

class Bf16HostBackend final : public Backend {
 public:
  Bf16HostBackend(const std::string& model_dir, std::int32_t block_size, std::int64_t num_blocks,
                  int tensor_parallel = 1)
      : config_(load_model_config(model_dir)), rope_tables_(bf16_rope_tables(config_)),
        block_size_(block_size), num_blocks_(num_blocks) {
    const Checkpoint checkpoint(model_dir);
    for (int r = 0; r < tensor_parallel; ++r) {
      auto rank = std::make_unique<Rank>();
      const TransformerShardReader reader(checkpoint, config_, ShardSpec{r, tensor_parallel, false});
      rank->arena.resize(bf16_arena_bytes(reader));
      rank->model = fill_bf16_arena(reader, rank->arena.data(), [](std::byte* destination, const void* data, std::size_t bytes) {
        std::memcpy(destination, data, bytes);
      });
      std::vector<const float*> table_at;
      for (const std::vector<float>& frequencies : rope_tables_.inv_freq) table_at.push_back(frequencies.data());
      set_layer_rotaries(rank->model, rope_tables_, table_at);
      Bf16KvPools& kv = rank->kv;
      kv.num_blocks = num_blocks;
      kv.block_size = block_size;
      kv.kv_heads = rank->model.kv_heads;
      kv.head_dim = rank->model.head_dim;
      rank->kv_storage.assign(bf16_kv_block_bytes(config_.num_hidden_layers, kv.kv_heads, kv.head_dim, block_size) *
                                  static_cast<std::size_t>(num_blocks) / sizeof(bf16),
                              kernels::to_bf16(0.0f));
      kv.base = rank->kv_storage.data();
      ranks_.push_back(std::move(rank));
    }
    if (tensor_parallel > 1) group_ = std::make_unique<ThreadGroup>(tensor_parallel);
  }

  const ModelConfig& config() const override { return config_; }
  std::int32_t kv_block_size() const override { return block_size_; }
  std::int64_t num_kv_blocks() const override { return num_blocks_; }

  std::vector<float> forward(const ForwardBatch& batch) override { return step(batch, {}).logits; }

  // As the CUDA backend: the draws packed after the batch, sampled by the twin of the device kernel from
  // the logits the head left in the workspace.
  std::vector<std::int32_t> forward_and_sample(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) override {
    std::vector<std::int32_t> tokens = step(batch, draws).tokens;
    throw_if_not_a_number(tokens);  // as CudaBackend does
    return tokens;
  }

  void copy_kv_blocks(const std::vector<BlockCopy>& copies) override {
    const std::size_t pools = static_cast<std::size_t>(config_.num_hidden_layers) * 2;
    for (const BlockCopy& copy : copies) {
      if (copy.src < 0 || copy.src >= num_blocks_ || copy.dst < 0 || copy.dst >= num_blocks_)
        throw std::invalid_argument("copy_kv_blocks: block outside the cache");
      for (const auto& rank : ranks_) {
        const Bf16KvPools& kv = rank->kv;
        for (std::size_t pool = 0; pool < pools; ++pool) {
          bf16* base = kv.base + pool * kv.pool_elements();
          std::memcpy(base + static_cast<std::size_t>(copy.dst) * kv.block_elements(),
                      base + static_cast<std::size_t>(copy.src) * kv.block_elements(), kv.block_elements() * sizeof(bf16));
        }
      }
    }
  }

  const Bf16Model& model(std::size_t rank = 0) const { return ranks_.at(rank)->model; }
  const std::vector<bf16>& kv_storage(std::size_t rank = 0) const { return ranks_[rank]->kv_storage; }

  // A decode step packed at a graph's fixed shape (pack_decode_graph_batch), run as the CUDA backend
  // replays it; returns the logits of the batch's own rows.
  std::vector<float> forward_as_decode_graph(const ForwardBatch& batch, const DecodeGraphShape& shape) {
    check_forward_step(batch, {}, config_.vocab_size, num_blocks_, block_size_);
    PackedBatch packed = pack_decode_graph_batch(batch, shape, block_size_);
    const PackedDraws no_draws = append_token_draws(packed, {});
    std::vector<float> logits = run_packed(packed, no_draws).logits;
    logits.resize(batch.logit_rows.size() * static_cast<std::size_t>(config_.vocab_size));
    return logits;
  }

 private:
  struct Rank {
    std::vector<std::byte> arena;
    Bf16Model model;
    std::vector<bf16> kv_storage;
    Bf16KvPools kv;
  };
  struct StepOutput {
    std::vector<float> logits;
    std::vector<std::int32_t> tokens;
  };

  StepOutput step(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) {
    check_forward_step(batch, draws, config_.vocab_size, num_blocks_, block_size_);
    PackedBatch packed = pack_forward_batch(batch);
    const PackedDraws packed_draws = append_token_draws(packed, draws);
    return run_packed(packed, packed_draws);
  }

  StepOutput run_packed(const PackedBatch& packed, const PackedDraws& packed_draws) {
    std::vector<StepOutput> outputs(ranks_.size());
    const auto run_rank = [&](std::size_t r) {
      const Rank& rank = *ranks_[r];
      std::vector<std::byte> workspace(bf16_workspace_bytes(rank.model, packed.num_tokens, packed.num_logit_rows));
      const Bf16Workspace w = carve_bf16_workspace(rank.model, workspace.data(), packed.num_tokens, packed.num_logit_rows);
      std::vector<float> decode_workspace(bf16_decode_workspace_floats(rank.model, packed));
      std::unique_ptr<HostBf16Collectives> collectives;
      if (group_) collectives = std::make_unique<HostBf16Collectives>(group_->communicator(static_cast<int>(r)));
      bf16_forward<CpuTwinKernels>(rank.model, packed, packed.bytes.data(), w, rank.kv, decode_workspace.data(),
                                   nullptr, collectives.get());
      StepOutput& out = outputs[r];
      out.tokens.resize(static_cast<std::size_t>(packed_draws.num_draws));
      bf16_sample<CpuTwinKernels>(rank.model, packed_draws, packed.bytes.data(), w, out.tokens.data(), nullptr,
                                  nullptr);
      out.logits.assign(w.rows_logits,
                        w.rows_logits + static_cast<std::size_t>(packed.num_logit_rows) * rank.model.vocab);
    };
    {
      std::vector<std::jthread> others;
      for (std::size_t r = 1; r < ranks_.size(); ++r) others.emplace_back(run_rank, r);
      run_rank(0);
    }
    for (std::size_t r = 1; r < outputs.size(); ++r) {
      if (outputs[r].logits != outputs[0].logits || outputs[r].tokens != outputs[0].tokens)
        throw std::logic_error("tensor-parallel ranks disagree on the logits of one step");
    }
    return std::move(outputs[0]);
  }

  ModelConfig config_;
  Bf16RopeTables rope_tables_;  // on the host: the twins read the frequencies where they are
  std::int32_t block_size_;
  std::int64_t num_blocks_;
  std::vector<std::unique_ptr<Rank>> ranks_;
  std::unique_ptr<ThreadGroup> group_;
};

}  // namespace r1eval::engine::testing
