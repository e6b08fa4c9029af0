#pragma once
// A BPE tokenizer that gives the same ids as Hugging Face `tokenizers` on the same tokenizer.json:
// added tokens, the normalizer, the regex (byte-level) or Metaspace (SentencePiece-style) pre-tokenizer,
// BPE by rank, BOS/EOS from the post-processor or tokenizer_config.json.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/added_tokens.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/piece_decoder.h"
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/tokenizer_json.h"

namespace r1eval::engine {

class Tokenizer {
 public:
  // Builds from a parsed description. Throws TokenizerError when it is inconsistent (a merge whose
  // result is not a token, a pattern the pre-tokenizer does not know).
  explicit Tokenizer(TokenizerSpec spec);

  // Loads `dir`/tokenizer.json and, when present, `dir`/tokenizer_config.json and `dir`/chat_template.jinja
  // (the chat template, preferred to tokenizer_config.json's as transformers does); without either template, a
  // processor's `dir`/chat_template.json (which vLLM reads too, first). Throws TokenizerError.
  static Tokenizer from_folder(const std::filesystem::path& dir);

  // Ids of `text` (valid UTF-8; otherwise std::invalid_argument naming the byte offset). With
  // add_special_tokens, the post-processor's prefix (BOS) and suffix ids are added. Thread-safe.
  std::vector<std::uint32_t> encode(std::string_view text, bool add_special_tokens = true) const;
  void encode(std::string_view text, bool add_special_tokens, std::vector<std::uint32_t>& out) const;

  // Text of `ids`, as HF decode: with the ByteLevel decoder the token bytes concatenated, invalid UTF-8
  // replaced by U+FFFD; SentencePiece-style as PieceStream (piece_decoder.h) gives it. Ids beyond
  // vocab_size() give nothing, as in HF: a model's padded vocabulary (Qwen's 152064 rows over ~151665
  // tokens) may sample them.
  std::string decode(std::span<const std::uint32_t> ids, bool skip_special_tokens = false) const;

  // The bytes `id` contributes to decoded text after another token (empty for a skipped special token or
  // an id beyond vocab_size()).
  std::string_view token_bytes(std::uint32_t id, bool skip_special_tokens = false) const;

  // Id of an added token's content or of a vocabulary token given by its raw bytes; nullopt if none.
  std::optional<std::uint32_t> token_to_id(std::string_view text) const;

  bool is_special(std::uint32_t id) const;
  std::size_t vocab_size() const { return special_.size(); }
  std::optional<std::uint32_t> bos_id() const { return bos_id_; }
  std::optional<std::uint32_t> eos_id() const { return eos_id_; }
  const std::vector<std::uint32_t>& prefix_ids() const { return spec_.prefix_ids; }
  const std::optional<std::string>& bos_token() const { return spec_.bos_token; }
  const std::optional<std::string>& eos_token() const { return spec_.eos_token; }
  const std::optional<std::string>& pad_token() const { return spec_.pad_token; }
  const std::vector<std::pair<std::string, std::string>>& other_special_tokens() const {
    return spec_.other_special_tokens;
  }
  const std::optional<std::string>& chat_template() const { return spec_.chat_template; }
  // The per-token decoding of a SentencePiece-style tokenizer; null for a byte-level one.
  const PieceDecoding* piece_decoding() const { return pieces_.get(); }

 private:
  // at_input_start: the text begins the encoded input (Metaspace's "first" scheme).
  void encode_text(std::string_view text, bool at_input_start, std::vector<std::uint32_t>& out) const;
  void encode_normalized(std::string_view text, bool at_input_start, std::vector<std::uint32_t>& out) const;

  TokenizerSpec spec_;  // vocab and merges moved out into bpe_
  std::unique_ptr<BpeModel> bpe_;
  std::unique_ptr<PieceDecoding> pieces_;
  std::vector<PreTokenizer> stages_;
  AddedTokenMatcher raw_matcher_;         // added tokens with normalized = false
  AddedTokenMatcher normalized_matcher_;  // added tokens with normalized = true
  std::vector<std::string> decode_bytes_;  // byte-level only (SentencePiece-style: pieces_)
  std::vector<std::uint8_t> special_;
  std::optional<std::uint32_t> bos_id_, eos_id_;
};

}  // namespace r1eval::engine
