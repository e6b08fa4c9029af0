#include "engine/tokenizer/bpe.h"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace r1eval::engine {
namespace {

std::uint64_t pair_key(std::uint32_t left, std::uint32_t right) {
  return (static_cast<std::uint64_t>(left) << 32) | right;
}

std::size_t slot_of(std::uint64_t key, std::uint64_t mask) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return static_cast<std::size_t>(key & mask);
}

}  // namespace

BpeModel::BpeModel(std::vector<std::string> vocab, const std::vector<std::pair<std::uint32_t, std::uint32_t>>& merges,
                   BpeOptions options)
    : vocab_(std::move(vocab)), options_(options) {
  std::fill(std::begin(byte_ids_), std::end(byte_ids_), -1);
  std::fill(std::begin(ascii_ids_), std::end(ascii_ids_), -1);
  ids_.reserve(vocab_.size());
  for (std::uint32_t id = 0; id < vocab_.size(); ++id) {
    if (vocab_[id].empty()) continue;
    ids_.emplace(vocab_[id], id);
    if (vocab_[id].size() == 1) {
      const auto byte = static_cast<unsigned char>(vocab_[id][0]);
      if (!options_.characters) byte_ids_[byte] = id;
      else if (byte < 128) ascii_ids_[byte] = id;
    }
  }
  if (options_.characters && options_.byte_fallback) {
    static const char kHex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
      const std::string name = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
      if (const auto it = ids_.find(name); it != ids_.end()) byte_ids_[b] = it->second;
    }
  }
  const std::size_t size = std::bit_ceil(std::max<std::size_t>(16, merges.size() * 2));
  merge_table_.assign(size, MergeSlot{kEmpty, 0, 0});
  merge_mask_ = size - 1;
  for (std::uint32_t rank = 0; rank < merges.size(); ++rank) {
    const auto [left, right] = merges[rank];
    if (left >= vocab_.size() || right >= vocab_.size())
      throw std::invalid_argument("merge " + std::to_string(rank) + ": token id out of range");
    const auto result = ids_.find(vocab_[left] + vocab_[right]);
    if (result == ids_.end())
      throw std::invalid_argument("merge " + std::to_string(rank) + ": the merged token is not in the vocabulary");
    const std::uint64_t key = pair_key(left, right);
    std::size_t s = slot_of(key, merge_mask_);
    while (merge_table_[s].key != kEmpty && merge_table_[s].key != key) s = (s + 1) & merge_mask_;
    if (merge_table_[s].key == kEmpty) ++merge_count_;
    merge_table_[s] = MergeSlot{key, rank, result->second};  // a repeated merge takes its last rank, as in HF
  }
  cache_.reserve(1024);
}

BpeModel::BpeModel(BpeModel&& other) noexcept
    : vocab_(std::move(other.vocab_)),
      ids_(std::move(other.ids_)),
      merge_table_(std::move(other.merge_table_)),
      merge_mask_(other.merge_mask_),
      merge_count_(other.merge_count_),
      options_(other.options_) {
  std::copy(std::begin(other.byte_ids_), std::end(other.byte_ids_), std::begin(byte_ids_));
  std::copy(std::begin(other.ascii_ids_), std::end(other.ascii_ids_), std::begin(ascii_ids_));
}

const BpeModel::MergeSlot* BpeModel::find_merge(std::uint32_t left, std::uint32_t right) const {
  const std::uint64_t key = pair_key(left, right);
  std::size_t s = slot_of(key, merge_mask_);
  while (true) {
    const MergeSlot& slot = merge_table_[s];
    if (slot.key == key) return &slot;
    if (slot.key == kEmpty) return nullptr;
    s = (s + 1) & merge_mask_;
  }
}

std::int64_t BpeModel::token_id(std::string_view bytes) const {
  const auto it = ids_.find(bytes);
  return it == ids_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

void BpeModel::encode_word(std::string_view word, std::vector<std::uint32_t>& out) const {
  if (word.empty()) return;
  if (word.size() == 1 && !options_.characters) {
    const std::int64_t id = byte_ids_[static_cast<unsigned char>(word[0])];
    if (id >= 0) out.push_back(static_cast<std::uint32_t>(id));
    return;
  }
  if (options_.ignore_merges) {
    if (const std::int64_t id = token_id(word); id >= 0) {
      out.push_back(static_cast<std::uint32_t>(id));
      return;
    }
  }
  if (word.size() > kMaxCachedWord) {  // long runs (repeated symbols, base64) rarely repeat
    merge_word(word, out);
    return;
  }
  {
    std::lock_guard lock(cache_mutex_);
    if (const auto it = cache_.find(word); it != cache_.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  const std::size_t start = out.size();
  merge_word(word, out);
  std::lock_guard lock(cache_mutex_);
  if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(word), std::vector<std::uint32_t>(out.begin() + static_cast<std::ptrdiff_t>(start), out.end()));
}

// The word's symbols before any merge, linked in order, as HF's BPE::merge_word builds them.
void BpeModel::initial_symbols(std::string_view word, std::vector<Symbol>& symbols) const {
  auto add = [&](std::int64_t id) {
    const auto n = static_cast<std::int32_t>(symbols.size());
    symbols.push_back({static_cast<std::uint32_t>(id), n - 1, n + 1, true});
  };
  if (!options_.characters) {
    for (char c : word)
      if (const std::int64_t id = byte_ids_[static_cast<unsigned char>(c)]; id >= 0) add(id);
    return;
  }
  std::int64_t pending_unk = -1;  // HF adds an unknown token once the next known character (or the end) comes
  for (std::size_t i = 0; i < word.size();) {
    const auto lead = static_cast<unsigned char>(word[i]);
    const std::size_t len = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    const std::string_view ch = word.substr(i, len);
    i += ch.size();
    std::int64_t id = lead < 0x80 ? ascii_ids_[lead] : token_id(ch);
    if (id >= 0) {
      if (pending_unk >= 0) add(pending_unk);
      pending_unk = -1;
      add(id);
      continue;
    }
    if (options_.byte_fallback &&
        std::all_of(ch.begin(), ch.end(), [&](char b) { return byte_ids_[static_cast<unsigned char>(b)] >= 0; })) {
      for (char b : ch) add(byte_ids_[static_cast<unsigned char>(b)]);
      continue;
    }
    if (options_.unk_id < 0) continue;
    if (pending_unk >= 0 && !options_.fuse_unk) add(pending_unk);
    pending_unk = options_.unk_id;
  }
  if (pending_unk >= 0) add(pending_unk);
}

void BpeModel::merge_word(std::string_view word, std::vector<std::uint32_t>& out) const {
  struct Candidate {
    std::uint32_t rank;
    std::int32_t pos;  // left symbol
    std::uint32_t result;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  thread_local std::vector<Symbol> symbols;
  thread_local std::vector<Candidate> heap;
  symbols.clear();
  initial_symbols(word, symbols);
  if (symbols.empty()) return;
  symbols.back().next = -1;

  heap.clear();
  const std::greater<> min_first;
  auto consider = [&](std::int32_t left) {
    const std::int32_t right = symbols[left].next;
    if (right < 0) return;
    if (const MergeSlot* m = find_merge(symbols[left].id, symbols[right].id)) {
      heap.push_back({m->rank, left, m->result});
      std::push_heap(heap.begin(), heap.end(), min_first);
    }
  };
  for (std::int32_t i = 0; i + 1 < static_cast<std::int32_t>(symbols.size()); ++i) consider(i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), min_first);
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol& left = symbols[c.pos];
    if (!left.alive || left.next < 0) continue;
    Symbol& right = symbols[left.next];
    // Stale when either side changed since the candidate was pushed.
    const MergeSlot* m = find_merge(left.id, right.id);
    if (m == nullptr || m->result != c.result || m->rank != c.rank) continue;
    left.id = c.result;
    right.alive = false;
    left.next = right.next;
    if (left.next >= 0) symbols[left.next].prev = c.pos;
    if (left.prev >= 0) consider(left.prev);
    consider(c.pos);
  }
  for (std::int32_t i = 0; i >= 0; i = symbols[i].next) out.push_back(symbols[i].id);
}

}  // namespace r1eval::engine
