#pragma once
// The Metaspace pre-tokenizer (SentencePiece-style tokenizers): spaces spelled as a mark ("▁"), the mark put
// before a chunk as the prepend scheme says, words split before each mark.
#include <string>
#include <string_view>
#include <vector>

#include "engine/tokenizer/tokenizer_json.h"

namespace r1eval::engine {

// Appends to `words` the words of `chunk` (text between added tokens; `at_input_start` when it begins the
// encoded input, which the "first" scheme asks). The words point into `buffer`, which this overwrites.
void metaspace_words(std::string_view chunk, bool at_input_start, const MetaspaceSpec& spec, std::string& buffer,
                     std::vector<std::string_view>& words);

}  // namespace r1eval::engine
