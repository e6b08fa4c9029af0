#include "engine/backend/cuda/device_weights.h"

#include <cuda_runtime.h>

#include <string>

namespace r1eval::engine::cuda {

std::vector<bf16> concat_to_bf16(const std::vector<const std::vector<float>*>& parts) {
  std::size_t total = 0;
  for (const auto* part : parts) total += part->size();
  std::vector<bf16> out;
  out.reserve(total);
  for (const auto* part : parts)
    for (const float value : *part) out.push_back(kernels::to_bf16(value));
  return out;
}

namespace {

// Hands out aligned pieces of the arena in the order the tensors are planned, then uploaded.
class ArenaPlan {
 public:
  std::size_t take(std::size_t elements) {
    const std::size_t offset = (bytes_ + 255) & ~std::size_t{255};
    bytes_ = offset + elements * sizeof(bf16);
    return offset;
  }
  std::size_t bytes() const { return bytes_; }

 private:
  std::size_t bytes_ = 0;
};

// The tensors of one layer as lists of host parts (merged tensors have several), in arena order.
struct Upload {
  std::vector<std::vector<float>*> parts;
  const bf16** target;
  std::size_t offset = 0;
};

void add(std::vector<Upload>& uploads, std::vector<std::vector<float>*> parts, const bf16** target) {
  bool empty = true;
  for (const auto* part : parts) empty = empty && part->empty();
  if (empty) return;  // an absent bias stays null
  uploads.push_back(Upload{std::move(parts), target});
}

}  // namespace

DeviceWeights::DeviceWeights(TransformerWeights& host) {
  layers_.resize(host.layers.size());
  std::vector<Upload> uploads;
  add(uploads, {&host.embed}, &embed_);
  add(uploads, {&host.final_norm}, &final_norm_);
  add(uploads, {&host.lm_head}, &head_);
  for (std::size_t l = 0; l < host.layers.size(); ++l) {
    LayerWeights& w = host.layers[l];
    DeviceLayer& d = layers_[l];
    add(uploads, {&w.input_norm}, &d.input_norm);
    add(uploads, {&w.q.weight, &w.k.weight, &w.v.weight}, &d.qkv);
    add(uploads, {&w.q.bias, &w.k.bias, &w.v.bias}, &d.qkv_bias);
    add(uploads, {&w.o.weight}, &d.o);
    add(uploads, {&w.o.bias}, &d.o_bias);
    add(uploads, {&w.post_attention_norm}, &d.post_attention_norm);
    add(uploads, {&w.gate.weight, &w.up.weight}, &d.gate_up);
    add(uploads, {&w.gate.bias, &w.up.bias}, &d.gate_up_bias);
    add(uploads, {&w.down.weight}, &d.down);
    add(uploads, {&w.down.bias}, &d.down_bias);
  }
  ArenaPlan plan;
  for (Upload& upload : uploads) {
    std::size_t elements = 0;
    for (const auto* part : upload.parts) elements += part->size();
    upload.offset = plan.take(elements);
  }
  arena_ = DeviceBuffer(plan.bytes(), "model weights (bf16)");
  for (Upload& upload : uploads) {
    const std::vector<bf16> rounded = concat_to_bf16({upload.parts.begin(), upload.parts.end()});
    check_cuda(cudaMemcpy(arena_.data() + upload.offset, rounded.data(), rounded.size() * sizeof(bf16),
                          cudaMemcpyHostToDevice),
               "cudaMemcpy", "weight upload");
    *upload.target = arena_.as<bf16>(upload.offset);
    for (auto* part : upload.parts) std::vector<float>().swap(*part);
  }
  if (head_ == nullptr) head_ = embed_;  // tied embeddings

  const std::uint64_t hidden = static_cast<std::uint64_t>(host.config.hidden_size);
  const std::uint64_t vocab = static_cast<std::uint64_t>(host.vocab.size());
  std::uint64_t per_step = vocab * hidden + hidden;  // head and final norm
  for (const LayerWeights& w : host.layers) {
    for (const Linear* linear : {&w.q, &w.k, &w.v, &w.o, &w.gate, &w.up, &w.down}) {
      per_step += static_cast<std::uint64_t>(linear->out) * static_cast<std::uint64_t>(linear->in);
      if (linear->out > 0 && (linear == &w.q || linear == &w.k || linear == &w.v) && host.config.qkv_bias)
        per_step += static_cast<std::uint64_t>(linear->out);
    }
    per_step += 2 * hidden;
  }
  bytes_per_step_ = per_step * sizeof(bf16);
}

}  // namespace r1eval::engine::cuda
