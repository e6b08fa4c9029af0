#pragma once
// Reading a Hugging Face tokenizer.json (+ optional tokenizer_config.json) into a plain description
// of a BPE tokenizer: byte-level (GPT-2, Qwen, Llama 3, DeepSeek) or SentencePiece-style (Llama 2, Mistral 7B,
// Gemma: "▁" for a space, byte fallback). Anything the engine cannot reproduce exactly is rejected.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/tokenizer/added_tokens.h"

namespace r1eval::engine {

// Every tokenizer loading failure; what() is one line naming the file and the JSON path.
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One normalizer step: NFC, Prepend (`text` before a non-empty chunk) or Replace (every `from` by `text`).
struct NormalizerStep {
  enum class Kind { kNfc, kPrepend, kReplace } kind = Kind::kNfc;
  std::string from, text;
};

// The Metaspace pre-tokenizer: spaces become `replacement`, which is put before a chunk always, only before
// the chunk that starts the input, or never (unless the chunk already starts with it); with `split`, each
// replacement starts a new word.
struct MetaspaceSpec {
  enum class Prepend { kAlways, kFirst, kNever };
  std::string replacement = "\u2581";
  Prepend prepend = Prepend::kAlways;
  bool split = true;
};

// A SentencePiece-style decoder chain (Replace / Metaspace, ByteFallback, Fuse, Strip), per token: each
// replacement in order (`first_token_text` in the first token: Metaspace drops the mark there), <0xXX> tokens
// as bytes when byte_fallback, then up to strip_count leading `strip` characters off the whole text.
struct PieceDecoderSpec {
  struct Replacement {
    std::string from, text, first_token_text;
  };
  std::vector<Replacement> replacements;
  bool byte_fallback = false;
  std::string strip;
  std::size_t strip_count = 0;
};

struct TokenizerSpec {
  // Model (model.vocab / model.merges): for byte-level BPE the raw bytes of each token id (empty = id not in
  // the model vocabulary, or a token that is not byte-level text), for SentencePiece-style BPE each token's
  // text as spelled in model.vocab; merges as id pairs in rank order.
  std::vector<std::string> vocab;
  std::vector<std::string> non_byte_level;  // per id: UTF-8 content of tokens that are not byte-level text
  std::vector<std::pair<std::uint32_t, std::uint32_t>> merges;
  bool ignore_merges = false;
  // SentencePiece-style: symbols are characters, unknown ones become <0xXX> byte tokens (byte_fallback) or
  // the unknown token (consecutive ones fused into one with fuse_unk), decoding follows `piece_decoder`.
  bool sentencepiece = false;
  bool byte_fallback = false;
  std::optional<std::uint32_t> unk_id;
  bool fuse_unk = false;
  std::optional<MetaspaceSpec> metaspace;
  PieceDecoderSpec piece_decoder;
  std::vector<NormalizerStep> normalizers;  // applied in order to each chunk between added tokens
  std::vector<std::string> split_patterns;  // pre-tokenizer regexes, applied in order
  std::vector<AddedToken> added_tokens;
  std::vector<std::uint32_t> prefix_ids, suffix_ids;  // added around the text by encode(add_special_tokens)
  // From tokenizer_config.json (absent fields stay empty).
  std::optional<std::string> bos_token, eos_token, pad_token, chat_template;
  // unk_token, sep_token, cls_token, mask_token as tokenizer_config.json names them: transformers hands every
  // special token it knows to the chat template, so a template may print any of them.
  std::vector<std::pair<std::string, std::string>> other_special_tokens;
};

// Parses `tokenizer_json` (its truncation and padding are left aside, as transformers switches them off for
// a call that does not ask for them); when `tokenizer_config` is given and exists, reads bos/eos/pad tokens and
// the chat template from it. The ids encode adds around the text are the post-processor's alone: transformers 5
// ignores the config's add_bos_token / add_eos_token once a tokenizer.json exists. Throws TokenizerError.
TokenizerSpec load_tokenizer_spec(const std::filesystem::path& tokenizer_json,
                                  const std::optional<std::filesystem::path>& tokenizer_config = std::nullopt);

}  // namespace r1eval::engine
