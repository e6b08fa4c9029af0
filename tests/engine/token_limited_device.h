// A backend whose device holds the activations of at most `max_tokens` tokens a step: a larger step is
// refused the way a device backend refuses it (DeviceOutOfMemory, before anything ran) and the others run
// on the wrapped backend. For the tests of what the engine and the server do when memory runs out, which
// a CPU-only machine cannot provoke on a real device.
#pragma once
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/backend/backend.h"

namespace r1eval::engine::testing {

class TokenLimitedDevice : public Backend {
 public:
  TokenLimitedDevice(std::unique_ptr<Backend> inner, std::int64_t max_tokens)
      : inner_(std::move(inner)), max_tokens_(max_tokens) {}
  const ModelConfig& config() const override { return inner_->config(); }
  std::int32_t kv_block_size() const override { return inner_->kv_block_size(); }
  std::int64_t num_kv_blocks() const override { return inner_->num_kv_blocks(); }
  std::vector<float> forward(const ForwardBatch& batch) override {
    const auto tokens = static_cast<std::int64_t>(batch.token_ids.size());
    if (tokens > max_tokens_) {
      ++refused;
      throw DeviceOutOfMemory("activation workspace for " + std::to_string(tokens) + " tokens does not fit");
    }
    largest_step_run = std::max(largest_step_run, tokens);
    return inner_->forward(batch);
  }
  void copy_kv_blocks(const std::vector<BlockCopy>& copies) override { inner_->copy_kv_blocks(copies); }

  std::int64_t refused = 0, largest_step_run = 0;

 private:
  std::unique_ptr<Backend> inner_;
  std::int64_t max_tokens_;
};

}  // namespace r1eval::engine::testing
