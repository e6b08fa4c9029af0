#pragma once
// BPE by merge rank, as HF tokenizers' BPE model (no dropout): byte-level (symbols are bytes) or
// SentencePiece-style (symbols are characters, with byte fallback and an unknown token).
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace r1eval::engine {

struct BpeOptions {
  bool ignore_merges = false;  // a word that is itself a token is emitted whole (Llama-3)
  // Symbols are UTF-8 characters looked up by their text; a character that is no token becomes the
  // <0xXX> tokens of its bytes (byte_fallback), else the unknown token (runs fused into one with fuse_unk),
  // else nothing. Without it, symbols are bytes and a byte without a token is dropped.
  bool characters = false;
  bool byte_fallback = false;
  std::int64_t unk_id = -1;
  bool fuse_unk = false;
};

class BpeModel {
 public:
  // `vocab[id]` holds the raw bytes (byte-level) or text (characters) of token `id` (may be empty for
  // ids the model does not own); `merges` are (left id, right id) pairs in rank order, each producing the
  // token whose bytes are the concatenation. Throws std::invalid_argument (naming the merge index) when a
  // merge's result is not in the vocabulary.
  BpeModel(std::vector<std::string> vocab, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& merges,
           BpeOptions options);
  BpeModel(BpeModel&& other) noexcept;
  BpeModel& operator=(BpeModel&&) = delete;
  BpeModel(const BpeModel&) = delete;

  // Appends the ids of `word` (one pre-token; valid UTF-8 when symbols are characters): its symbols are
  // merged, lowest rank first and leftmost first among equal ranks, until no adjacent pair has a merge.
  // Thread-safe.
  void encode_word(std::string_view word, std::vector<std::uint32_t>& out) const;

  // Id of the token with these raw bytes, or -1.
  std::int64_t token_id(std::string_view bytes) const;
  const std::string& token_bytes(std::uint32_t id) const { return vocab_[id]; }
  std::size_t vocab_size() const { return vocab_.size(); }
  std::size_t merge_count() const { return merge_count_; }

 private:
  struct MergeSlot {
    std::uint64_t key;  // left << 32 | right; kEmpty when unused
    std::uint32_t rank;
    std::uint32_t result;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};
  const MergeSlot* find_merge(std::uint32_t left, std::uint32_t right) const;
  void merge_word(std::string_view word, std::vector<std::uint32_t>& out) const;
  struct Symbol {  // a node of the word's linked list of symbols
    std::uint32_t id;
    std::int32_t prev, next;
    bool alive;
  };
  void initial_symbols(std::string_view word, std::vector<Symbol>& symbols) const;

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string> vocab_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> ids_;
  std::vector<MergeSlot> merge_table_;  // open addressing, power-of-two size
  std::uint64_t merge_mask_ = 0;
  std::size_t merge_count_ = 0;
  std::int64_t byte_ids_[256];   // single-byte tokens, or <0xXX> tokens with characters + byte_fallback
  std::int64_t ascii_ids_[128];  // characters: tokens of the ASCII characters
  BpeOptions options_;

  // Words seen before (most text repeats its words); bounded so memory stays small.
  static constexpr std::size_t kCacheCapacity = 1 << 16;
  static constexpr std::size_t kMaxCachedWord = 256;  // bytes
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>> cache_;
};

}  // namespace r1eval::engine
