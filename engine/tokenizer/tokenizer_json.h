#pragma once
// Reading a Hugging Face tokenizer.json (+ optional tokenizer_config.json) into a plain description
// of a byte-level BPE tokenizer. Anything the engine cannot reproduce exactly is rejected.
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

struct TokenizerSpec {
  // Model (model.vocab / model.merges): raw bytes of each token id (empty = id not in the model
  // vocabulary, or a token that is not byte-level text); merges as id pairs in rank order.
  std::vector<std::string> vocab;
  std::vector<std::string> non_byte_level;  // per id: UTF-8 content of tokens that are not byte-level text
  std::vector<std::pair<std::uint32_t, std::uint32_t>> merges;
  bool ignore_merges = false;
  bool nfc = false;                         // normalizer NFC
  std::vector<std::string> split_patterns;  // pre-tokenizer regexes, applied in order
  std::vector<AddedToken> added_tokens;
  std::vector<std::uint32_t> prefix_ids, suffix_ids;  // added around the text by encode(add_special_tokens)
  // From tokenizer_config.json (absent fields stay empty).
  std::optional<std::string> bos_token, eos_token, pad_token, chat_template;
  // unk_token, sep_token, cls_token, mask_token as tokenizer_config.json names them: transformers hands every
  // special token it knows to the chat template, so a template may print any of them.
  std::vector<std::pair<std::string, std::string>> other_special_tokens;
};

// Parses `tokenizer_json`; when `tokenizer_config` is given and exists, reads bos/eos/pad tokens and
// the chat template from it, and its add_bos_token / add_eos_token (when present) decide the ids
// added by encode, as transformers does for Llama-class tokenizers. Throws TokenizerError.
TokenizerSpec load_tokenizer_spec(const std::filesystem::path& tokenizer_json,
                                  const std::optional<std::filesystem::path>& tokenizer_config = std::nullopt);

}  // namespace r1eval::engine
