// The model's weights on the device in bf16, in the layout the CUDA forward pass wants: q/k/v merged
// into one [q | k | v] projection and gate/up into one [gate | up] projection, so each is one matmul.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/backend/cuda/device_buffer.h"
#include "engine/model/transformer_weights.h"
#include "kernels/bf16.h"

namespace r1eval::engine::cuda {

using kernels::bf16;

// Device pointers into DeviceWeights' arena; a null bias means the layer has none.
struct DeviceLayer {
  const bf16* input_norm = nullptr;
  const bf16* qkv = nullptr;  // [q_width + 2 * kv_width][hidden]
  const bf16* qkv_bias = nullptr;
  const bf16* o = nullptr;  // [hidden][q_width]
  const bf16* o_bias = nullptr;
  const bf16* post_attention_norm = nullptr;
  const bf16* gate_up = nullptr;  // [2 * intermediate][hidden]
  const bf16* gate_up_bias = nullptr;
  const bf16* down = nullptr;  // [hidden][intermediate]
  const bf16* down_bias = nullptr;
};

class DeviceWeights {
 public:
  // Converts `host` (one unsharded rank, fp32 as the loader widened it from bf16/fp16/fp32) to bf16 and
  // copies it into one device allocation, tensor by tensor, releasing each host tensor once copied so
  // the host never holds two copies of the model. Throws std::runtime_error when the device cannot hold it.
  explicit DeviceWeights(TransformerWeights& host);

  const std::vector<DeviceLayer>& layers() const { return layers_; }
  const bf16* embed() const { return embed_; }  // [vocab][hidden]
  const bf16* head() const { return head_; }    // [vocab][hidden]; the embedding when tied
  const bf16* final_norm() const { return final_norm_; }
  // Bytes of bf16 weights one forward step reads (every matrix once; the embedding only when tied,
  // as the head).
  std::uint64_t bytes_per_step() const { return bytes_per_step_; }
  std::uint64_t bytes() const { return arena_.size(); }

 private:
  DeviceBuffer arena_;
  std::vector<DeviceLayer> layers_;
  const bf16* embed_ = nullptr;
  const bf16* head_ = nullptr;
  const bf16* final_norm_ = nullptr;
  std::uint64_t bytes_per_step_ = 0;
};

// Rounds the concatenation of `parts` (fp32) to bf16: the host half of every weight upload.
std::vector<bf16> concat_to_bf16(const std::vector<const std::vector<float>*>& parts);

}  // namespace r1eval::engine::cuda
