// What the runtime asks of a backend: run one flat ragged batch through the model, return logits (or the
// tokens sampled from them).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "engine/backend/forward_batch.h"
#include "engine/model/model_config.h"

namespace r1eval::engine {

// Thrown by forward / forward_and_sample when the memory a step needs (activations, scratch, the upload)
// cannot be had. A backend throws it before anything of the step has run, leaving the cache as it was and
// itself usable: a smaller step may fit. The message is one line naming what asked for how much.
class DeviceOutOfMemory : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws std::runtime_error naming the token when a draw met a NaN logit (kernels::sampling_nan_token in
// its place): the weights or config.json values overflow in the forward pass, and sampling around the NaN
// would make a sample of garbage that looks generated.
void throw_if_not_a_number(const std::vector<std::int32_t>& drawn_tokens);

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const ModelConfig& config() const = 0;
  // The paged KV cache: num_kv_blocks() blocks of kv_block_size() token slots each.
  virtual std::int32_t kv_block_size() const = 0;
  virtual std::int64_t num_kv_blocks() const = 0;
  // Writes the batch's keys and values into the cache and returns the logits of batch.logit_rows,
  // row-major [logit_rows.size(), vocab_size]. Throws std::invalid_argument (one line) for a batch that
  // fails validate_forward_batch, DeviceOutOfMemory for a step that does not fit; the cache is then untouched.
  virtual std::vector<float> forward(const ForwardBatch& batch) = 0;
  // Runs forward(batch) and chooses one token per draw as kernels/sampling.h defines it, so every backend
  // chooses the same token from the same logits. This default samples the returned logits on the host (the
  // kernels' CPU twin); a device backend overrides it to sample where the logits are and return only the
  // tokens. Throws std::invalid_argument (one line) for a bad batch or a draw outside its logit rows;
  // then nothing has run. Throws std::runtime_error (throw_if_not_a_number) for a NaN logit in a drawn row.
  virtual std::vector<std::int32_t> forward_and_sample(const ForwardBatch& batch, const std::vector<TokenDraw>& draws);
  // Copies the keys and values of whole blocks (every layer), in order; for copy-on-write of blocks
  // shared by the samples of a request. Throws std::invalid_argument for a block outside the cache.
  virtual void copy_kv_blocks(const std::vector<BlockCopy>& copies) = 0;
};

}  // namespace r1eval::engine
