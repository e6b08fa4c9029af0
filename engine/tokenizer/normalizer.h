#pragma once
// Unicode normalisation of the input text before pre-tokenization (tokenizer.json "normalizer").
#include <string>
#include <string_view>

namespace r1eval::engine {

// NFC form of `text` (valid UTF-8), via ICU. Returns the input unchanged when it is already NFC,
// which is the common case and costs one quick check.
std::string nfc(std::string_view text);

}  // namespace r1eval::engine
