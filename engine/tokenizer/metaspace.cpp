#include "engine/tokenizer/metaspace.h"

namespace r1eval::engine {

void metaspace_words(std::string_view chunk, bool at_input_start, const MetaspaceSpec& spec, std::string& buffer,
                     std::vector<std::string_view>& words) {
  buffer.clear();
  for (const char c : chunk) {
    if (c == ' ') buffer += spec.replacement;
    else buffer += c;
  }
  if (buffer.empty()) return;
  const bool marked = std::string_view(buffer).starts_with(spec.replacement);
  const bool prepend = !marked && (spec.prepend == MetaspaceSpec::Prepend::kAlways ||
                                   (spec.prepend == MetaspaceSpec::Prepend::kFirst && at_input_start));
  if (prepend) buffer.insert(0, spec.replacement);
  const std::string_view text(buffer);
  if (!spec.split) {
    words.push_back(text);
    return;
  }
  // Each mark starts a word (HF's MergedWithNext); text before the first mark is a word of its own.
  std::size_t start = 0;
  for (std::size_t at = text.find(spec.replacement, 1); at != std::string_view::npos; at = text.find(spec.replacement, at + 1)) {
    if (at > start) words.push_back(text.substr(start, at - start));
    start = at;
  }
  words.push_back(text.substr(start));
}

}  // namespace r1eval::engine
