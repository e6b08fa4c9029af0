#include "engine/tokenizer/streaming_decoder.h"

#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {

std::string StreamingDecoder::push(std::uint32_t id) {
  if (pieces_) {
    std::string out;
    if (id < tokenizer_.vocab_size() && !(skip_special_ && tokenizer_.is_special(id))) pieces_->push(id, out);
    return out;
  }
  pending_.append(tokenizer_.token_bytes(id, skip_special_));
  const std::size_t hold = utf8::incomplete_tail(pending_);
  const std::string_view ready = std::string_view(pending_).substr(0, pending_.size() - hold);
  std::string out = utf8::first_invalid(ready) == ready.size() ? std::string(ready) : utf8::lossy(ready);
  pending_.erase(0, pending_.size() - hold);
  return out;
}

std::string StreamingDecoder::finish() {
  if (pieces_) {
    std::string out;
    pieces_->finish(out);
    return out;
  }
  std::string out = utf8::lossy(pending_);
  pending_.clear();
  return out;
}

}  // namespace r1eval::engine
