#pragma once
// Added tokens (special or not) are found in the text before pre-tokenization, so that their text is
// never split by the regex or merged by BPE.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace r1eval::engine {

struct AddedToken {
  std::uint32_t id = 0;
  std::string content;
  bool single_word = false;  // match only when not inside a word
  bool lstrip = false;       // also absorb the whitespace before the match
  bool rstrip = false;       // also absorb the whitespace after the match
  bool normalized = false;   // matched in the normalized text rather than the raw text
  bool special = false;      // dropped by decode(skip_special_tokens = true)
};

// A piece of the input: plain text to pre-tokenize (token < 0) or one added token (its id).
struct Segment {
  std::string_view text;
  std::int64_t token = -1;
};

class AddedTokenMatcher {
 public:
  // Matches the contents of `tokens` (empty contents are ignored).
  explicit AddedTokenMatcher(const std::vector<AddedToken>& tokens);

  // Appends to `out` the segments of `text` in order: the leftmost-longest matches of the token
  // contents (as HF's AddedVocabulary) and the text between them (never empty). `text` must outlive
  // the segments.
  void split(std::string_view text, std::vector<Segment>& out) const;

  bool empty() const { return nodes_.size() <= 1; }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, std::int32_t>> children;
    std::int32_t token = -1;  // index into tokens_ when a token ends here
  };
  std::int32_t child(std::int32_t node, unsigned char byte) const;
  std::vector<Node> nodes_;
  std::vector<AddedToken> tokens_;
  bool first_byte_[256] = {};
};

}  // namespace r1eval::engine
