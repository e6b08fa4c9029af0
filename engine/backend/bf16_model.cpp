#include "engine/backend/bf16_model.h"

#include <stdexcept>
#include <string>

namespace r1eval::engine {

namespace {

std::size_t aligned(std::size_t bytes) { return (bytes + 255) & ~std::size_t{255}; }

// One arena tensor: the host parts concatenated into it, and the pointer it sets.
struct Piece {
  std::vector<std::vector<float>*> parts;
  const bf16** target;
};

std::vector<Piece> pieces_of(TransformerWeights& host, Bf16Model& model) {
  std::vector<Piece> pieces;
  const auto add = [&](std::vector<std::vector<float>*> parts, const bf16** target) {
    bool empty = true;
    for (const auto* part : parts) empty = empty && part->empty();
    if (!empty) pieces.push_back(Piece{std::move(parts), target});  // an absent bias stays null
  };
  model.layers.resize(host.layers.size());
  add({&host.embed}, &model.embed);
  add({&host.final_norm}, &model.final_norm);
  add({&host.lm_head}, &model.head);
  for (std::size_t l = 0; l < host.layers.size(); ++l) {
    LayerWeights& w = host.layers[l];
    Bf16Layer& d = model.layers[l];
    add({&w.input_norm}, &d.input_norm);
    add({&w.q.weight, &w.k.weight, &w.v.weight}, &d.qkv);
    add({&w.q.bias, &w.k.bias, &w.v.bias}, &d.qkv_bias);
    add({&w.o.weight}, &d.o);
    add({&w.o.bias}, &d.o_bias);
    add({&w.post_attention_norm}, &d.post_attention_norm);
    add({&w.gate.weight, &w.up.weight}, &d.gate_up);
    add({&w.gate.bias, &w.up.bias}, &d.gate_up_bias);
    add({&w.down.weight}, &d.down);
    add({&w.down.bias}, &d.down_bias);
  }
  return pieces;
}

std::size_t elements(const Piece& piece) {
  std::size_t count = 0;
  for (const auto* part : piece.parts) count += part->size();
  return count;
}

}  // namespace

std::size_t bf16_arena_bytes(const TransformerWeights& host) {
  // pieces_of only takes addresses; the weights are not modified.
  auto& mutable_host = const_cast<TransformerWeights&>(host);
  Bf16Model scratch;
  std::size_t bytes = 0;
  for (const Piece& piece : pieces_of(mutable_host, scratch)) bytes += aligned(elements(piece) * sizeof(bf16));
  return bytes;
}

Bf16Model fill_bf16_arena(TransformerWeights& host, std::byte* arena,
                          const std::function<void(std::byte*, const bf16*, std::size_t)>& copy) {
  Bf16Model model;
  const ModelConfig& cfg = host.config;
  if (host.vocab.size() != cfg.vocab_size) {
    throw std::invalid_argument("bf16 weights: rank " + std::to_string(host.shard.rank) + " holds " +
                                std::to_string(host.vocab.size()) + " of " + std::to_string(cfg.vocab_size) +
                                " vocabulary rows; the bf16 forward needs them all (ShardSpec::shard_vocab false)");
  }
  model.hidden = static_cast<int>(cfg.hidden_size);
  model.intermediate = host.layers.empty() ? 0 : static_cast<int>(host.layers.front().gate.out);
  model.vocab = static_cast<int>(cfg.vocab_size);
  model.q_heads = static_cast<int>(host.local_q_heads);
  model.kv_heads = static_cast<int>(host.local_kv_heads);
  model.head_dim = static_cast<int>(cfg.head_dim);
  model.rms_norm_eps = static_cast<float>(cfg.rms_norm_eps);

  // Bytes read per step: every matrix and vector once; the embedding only through the tied head.
  std::uint64_t per_step = 0;
  std::size_t offset = 0;
  std::vector<bf16> rounded;
  for (Piece& piece : pieces_of(host, model)) {
    rounded.clear();
    rounded.reserve(elements(piece));
    for (const auto* part : piece.parts)
      for (const float value : *part) rounded.push_back(kernels::to_bf16(value));
    copy(arena + offset, rounded.data(), rounded.size());
    *piece.target = reinterpret_cast<const bf16*>(arena + offset);
    if (piece.target != &model.embed || host.lm_head.empty()) per_step += rounded.size() * sizeof(bf16);
    offset += aligned(rounded.size() * sizeof(bf16));
    for (auto* part : piece.parts) std::vector<float>().swap(*part);
  }
  if (model.head == nullptr) model.head = model.embed;  // tied embeddings
  model.bytes_per_step = per_step;
  return model;
}

kernels::KvCacheView Bf16KvPools::layer(std::int64_t layer_index) const {
  kernels::KvCacheView view;
  bf16* keys = base + static_cast<std::size_t>(layer_index) * 2 * pool_elements();
  view.key = keys;
  view.value = keys + pool_elements();
  view.num_blocks = static_cast<int>(num_blocks);
  view.block_size = block_size;
  view.num_kv_heads = kv_heads;
  view.head_dim = head_dim;
  return view;
}

std::size_t bf16_kv_block_bytes(std::int64_t layers, int kv_heads, int head_dim, int block_size) {
  return static_cast<std::size_t>(layers) * 2 * static_cast<std::size_t>(kv_heads) * head_dim * block_size *
         sizeof(bf16);
}

namespace {

// Walks the workspace layout once for sizing and once for carving, so the two cannot disagree.
template <typename Take>
void layout(const Bf16Model& m, std::int64_t tokens, std::int64_t rows, Take&& take) {
  const auto t = static_cast<std::size_t>(tokens), r = static_cast<std::size_t>(rows);
  const auto hidden = static_cast<std::size_t>(m.hidden), inter = static_cast<std::size_t>(m.intermediate);
  take(t * hidden * sizeof(bf16));                                     // residual
  take(t * hidden * sizeof(bf16));                                     // normed
  take(t * hidden * sizeof(bf16));                                     // proj
  take(t * static_cast<std::size_t>(m.qkv_width()) * sizeof(bf16));   // qkv
  take(t * static_cast<std::size_t>(m.q_width()) * sizeof(bf16));     // attn
  take(t * 2 * inter * sizeof(bf16));                                  // gate_up
  take(t * inter * sizeof(bf16));                                      // act
  take(r * hidden * sizeof(bf16));                                     // rows_proj
  take(r * hidden * sizeof(bf16));                                     // rows_residual
  take(r * hidden * sizeof(bf16));                                     // rows_normed
  take(r * static_cast<std::size_t>(m.vocab) * sizeof(float));        // rows_logits
}

}  // namespace

std::size_t bf16_workspace_bytes(const Bf16Model& model, std::int64_t tokens, std::int64_t rows) {
  std::size_t total = 0;
  layout(model, tokens, rows, [&](std::size_t bytes) { total += aligned(bytes); });
  return total;
}

Bf16Workspace carve_bf16_workspace(const Bf16Model& model, std::byte* base, std::int64_t tokens, std::int64_t rows) {
  std::vector<std::byte*> pieces;
  std::size_t offset = 0;
  layout(model, tokens, rows, [&](std::size_t bytes) {
    pieces.push_back(base + offset);
    offset += aligned(bytes);
  });
  const auto b = [&](std::size_t i) { return reinterpret_cast<bf16*>(pieces[i]); };
  Bf16Workspace w;
  w.residual = b(0);
  w.normed = b(1);
  w.proj = b(2);
  w.qkv = b(3);
  w.attn = b(4);
  w.gate_up = b(5);
  w.act = b(6);
  w.rows_proj = b(7);
  w.rows_residual = b(8);
  w.rows_normed = b(9);
  w.rows_logits = reinterpret_cast<float*>(pieces[10]);
  return w;
}

}  // namespace r1eval::engine
