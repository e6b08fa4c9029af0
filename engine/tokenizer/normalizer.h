#pragma once
// Unicode normalisation of the input text before pre-tokenization (tokenizer.json "normalizer").
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer_json.h"

namespace r1eval::engine {

// NFC form of `text` (valid UTF-8) as HF tokenizers computes it, the ids the models were trained with: ICU's
// NFC, except that code points assigned after Unicode 9.0 (HF's tables) are left as they are and neither
// reorder nor compose with their neighbours (a mark of Unicode 11 does not block "a" + U+0301 in Unicode 15,
// it does in HF). Returns the input unchanged when it is already NFC, the common case: one quick check.
std::string nfc(std::string_view text);

// `text` with every occurrence of `from` (non-empty), left to right, replaced by `to`.
std::string replace_all(std::string_view text, std::string_view from, std::string_view to);

// `chunk` (text between added tokens) through tokenizer.json's normalizer steps in order, as HF applies them
// to each such chunk: NFC as above, Prepend before a non-empty chunk, Replace of every occurrence.
std::string normalize(std::string_view chunk, const std::vector<NormalizerStep>& steps);

}  // namespace r1eval::engine
