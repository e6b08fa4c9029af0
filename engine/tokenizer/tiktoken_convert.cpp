#include "engine/tokenizer/tiktoken_convert.h"

#include <algorithm>
#include <fstream>
#include <unordered_map>

#include "engine/tokenizer/tokenizer_json.h"

namespace r1eval::engine {
namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool base64_decode(std::string_view in, std::string& out) {
  out.clear();
  if (in.empty() || in.size() % 4 != 0) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '=') {
      if (i + 2 < in.size()) return false;
      ++padding;
      continue;
    }
    if (padding > 0) return false;
    const int v = base64_value(in[i]);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return !out.empty();
}

using RankMap = std::unordered_map<std::string_view, std::uint32_t>;

// Rank-ordered BPE on `token`'s bytes using only merges ranked below `max_rank`; returns the parts.
std::vector<std::string_view> replay_bpe(const RankMap& ranks, std::string_view token, std::uint32_t max_rank) {
  std::vector<std::string_view> parts;
  for (std::size_t i = 0; i < token.size(); ++i) parts.push_back(token.substr(i, 1));
  while (parts.size() > 1) {
    std::size_t best = 0;
    std::uint32_t best_rank = max_rank;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      const std::string_view joined(parts[i].data(), parts[i].size() + parts[i + 1].size());
      const auto it = ranks.find(joined);
      if (it != ranks.end() && it->second < best_rank) {
        best_rank = it->second;
        best = i;
      }
    }
    if (best_rank == max_rank) break;
    parts[best] = std::string_view(parts[best].data(), parts[best].size() + parts[best + 1].size());
    parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  return parts;
}

}  // namespace

std::vector<std::string> load_tiktoken_ranks(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw TokenizerError(file.string() + ": cannot open file");
  std::vector<std::string> tokens;
  std::vector<bool> seen;
  std::string line, bytes;
  std::size_t line_no = 0;
  auto fail = [&](const std::string& what) { throw TokenizerError(file.string() + ":" + std::to_string(line_no) + ": " + what); };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto space = line.find(' ');
    if (space == std::string::npos) fail("expected \"base64 rank\"");
    if (!base64_decode(std::string_view(line).substr(0, space), bytes)) fail("invalid base64 token");
    const std::string rank_text = line.substr(space + 1);
    if (rank_text.empty() || rank_text.size() > 9 || !std::all_of(rank_text.begin(), rank_text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      fail("expected a rank (non-negative integer) after the token");
    const auto rank = static_cast<std::size_t>(std::stoul(rank_text));
    if (rank >= tokens.size()) {
      tokens.resize(rank + 1);
      seen.resize(rank + 1, false);
    }
    if (seen[rank]) fail("rank " + rank_text + " appears twice");
    seen[rank] = true;
    tokens[rank] = bytes;
  }
  if (tokens.empty()) throw TokenizerError(file.string() + ": no tokens");
  for (std::size_t r = 0; r < seen.size(); ++r)
    if (!seen[r]) throw TokenizerError(file.string() + ": rank " + std::to_string(r) + " is missing (ranks must be 0..n-1)");
  return tokens;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> derive_merges(const std::vector<std::string>& tokens,
                                                                    MergeDerivation derivation) {
  RankMap ranks;
  ranks.reserve(tokens.size());
  for (std::uint32_t r = 0; r < tokens.size(); ++r) ranks.emplace(tokens[r], r);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> merges;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> local;
  for (std::uint32_t r = 0; r < tokens.size(); ++r) {
    const std::string_view token = tokens[r];
    if (token.size() < 2) continue;
    if (derivation == MergeDerivation::kReplayBpe) {
      const auto parts = replay_bpe(ranks, token, r);
      if (parts.size() == 2) merges.emplace_back(ranks.at(parts[0]), ranks.at(parts[1]));
      continue;
    }
    local.clear();
    for (std::size_t i = 1; i < token.size(); ++i) {
      const auto left = ranks.find(token.substr(0, i));
      const auto right = ranks.find(token.substr(i));
      if (left != ranks.end() && right != ranks.end()) local.emplace_back(left->second, right->second);
    }
    std::sort(local.begin(), local.end());
    merges.insert(merges.end(), local.begin(), local.end());
  }
  return merges;
}

}  // namespace r1eval::engine
