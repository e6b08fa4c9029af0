#pragma once
// tiktoken rank files -> the vocabulary and merge list of an equivalent byte-level BPE, as the
// conversions behind the Hugging Face files of Qwen2 and Llama-3 do.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace r1eval::engine {

// Reads a tiktoken file (one "base64(token bytes) rank" per line). Returns the token bytes indexed by
// rank. Throws TokenizerError naming file:line for bad base64, a missing or repeated rank, or ranks
// that are not exactly 0..n-1.
std::vector<std::string> load_tiktoken_ranks(const std::filesystem::path& file);

enum class MergeDerivation {
  // One merge per multi-byte token: the last pair that rank-ordered BPE on the token's own bytes
  // (using only lower ranks) joins. Tokens that BPE cannot reach get no merge. (Qwen2's merges.txt.)
  kReplayBpe,
  // Every split of a token into two tokens, grouped by the token's rank and ordered by the ranks of
  // the left then right part. (transformers' TikTokenConverter, as used for Llama-3.)
  kAllSplits,
};

// Merges as (left rank, right rank) pairs, in merge order.
std::vector<std::pair<std::uint32_t, std::uint32_t>> derive_merges(const std::vector<std::string>& tokens,
                                                                    MergeDerivation derivation);

}  // namespace r1eval::engine
