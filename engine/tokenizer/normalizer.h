#pragma once
// Unicode normalisation of the input text before pre-tokenization (tokenizer.json "normalizer").
#include <string>
#include <string_view>

namespace r1eval::engine {

// NFC form of `text` (valid UTF-8) as HF tokenizers computes it, the ids the models were trained with: ICU's
// NFC, except that code points assigned after Unicode 9.0 (HF's tables) are left as they are and neither
// reorder nor compose with their neighbours (a mark of Unicode 11 does not block "a" + U+0301 in Unicode 15,
// it does in HF). Returns the input unchanged when it is already NFC, the common case: one quick check.
std::string nfc(std::string_view text);

}  // namespace r1eval::engine
