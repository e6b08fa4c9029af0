#pragma once
// Incremental decoding for generation: text is released as tokens arrive, but a multi-byte UTF-8
// character split across tokens is held back until its last byte arrives (SentencePiece-style: a run of
// byte-fallback tokens until a token that is not a byte ends it).
#include <cstdint>
#include <optional>
#include <string>

#include "engine/tokenizer/tokenizer.h"

namespace r1eval::engine {

class StreamingDecoder {
 public:
  // `tokenizer` must outlive the decoder.
  explicit StreamingDecoder(const Tokenizer& tokenizer, bool skip_special_tokens = false)
      : tokenizer_(tokenizer), skip_special_(skip_special_tokens) {
    if (tokenizer.piece_decoding() != nullptr) pieces_.emplace(*tokenizer.piece_decoding());
  }

  // Text completed by `id`: all pending bytes except a trailing incomplete (but so far valid) UTF-8
  // sequence; malformed bytes come out as U+FFFD. The concatenation of every push() and finish()
  // equals Tokenizer::decode of the same ids.
  std::string push(std::uint32_t id);

  // Releases what is held back (an unfinished character becomes U+FFFD) and resets the decoder.
  std::string finish();

  // Bytes held back, waiting for the rest of a character (0..3; SentencePiece-style: the byte run).
  std::size_t pending_bytes() const { return pieces_ ? pieces_->pending_bytes() : pending_.size(); }

 private:
  const Tokenizer& tokenizer_;
  bool skip_special_;
  std::string pending_;
  std::optional<PieceStream> pieces_;
};

}  // namespace r1eval::engine
