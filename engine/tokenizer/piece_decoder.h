#pragma once
// Decoding SentencePiece-style tokens as Hugging Face's decoder chain does (Replace / Metaspace on each token,
// ByteFallback, Fuse, Strip at the start of the text), one token at a time, so that streamed text is the
// text decode() gives for the same ids.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer_json.h"

namespace r1eval::engine {

// Per-token tables of one tokenizer.
class PieceDecoding {
 public:
  // `texts[id]`: the token's text as tokenizer.json spells it (vocabulary entry or added-token content).
  PieceDecoding(const std::vector<std::string>& texts, const PieceDecoderSpec& spec);

  // What the token contributes after another token: its text after the replacements, or its byte for a
  // <0xXX> token under ByteFallback.
  std::string_view text(std::uint32_t id) const { return text_[id]; }
  // The same as the first token of the text (Metaspace drops its mark there).
  std::string_view first_text(std::uint32_t id) const { return first_text_.empty() ? text_[id] : first_text_[id]; }
  // The byte of a <0xXX> token under ByteFallback, else -1.
  int byte(std::uint32_t id) const { return byte_[id]; }
  std::size_t size() const { return text_.size(); }
  const std::string& strip() const { return strip_; }
  std::size_t strip_count() const { return strip_count_; }

 private:
  std::vector<std::string> text_, first_text_;  // first_text_ empty when it equals text_ everywhere
  std::vector<std::int16_t> byte_;
  std::string strip_;
  std::size_t strip_count_ = 0;
};

// The text of a token sequence, token by token. A run of byte tokens is held until a token that is not a byte
// (or finish()) ends it: HF gives the run's characters when the run is valid UTF-8 and one U+FFFD per byte
// when it is not.
class PieceStream {
 public:
  explicit PieceStream(const PieceDecoding& decoding) : decoding_(decoding), strip_left_(decoding.strip_count()) {}

  // Appends to `out` the text `id` (< decoding.size()) completes.
  void push(std::uint32_t id, std::string& out);
  // Appends what is held back and starts a new text.
  void finish(std::string& out);
  std::size_t pending_bytes() const { return run_.size(); }

 private:
  void emit(std::string_view text, std::string& out);
  void flush_run(std::string& out);

  const PieceDecoding& decoding_;
  std::string run_;
  bool started_ = false;
  std::size_t strip_left_;
};

}  // namespace r1eval::engine
