#include "engine/tokenizer/tokenizer.h"

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/metaspace.h"
#include "engine/tokenizer/normalizer.h"
#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {
namespace {

// An added token's content as HF holds it: a token matched in the normalized text (normalized true) has its
// content normalized like the text ("[INST]" is "▁[INST]" under the Llama 2 normalizer), which is also its
// text when decoding.
std::string stated_content(const TokenizerSpec& spec, const AddedToken& t) {
  return t.normalized && !spec.normalizers.empty() ? normalize(t.content, spec.normalizers) : t.content;
}

// The added tokens matched in the raw text (normalized false) or in the normalized text (normalized true).
std::vector<AddedToken> with_normalized(const TokenizerSpec& spec, bool normalized) {
  std::vector<AddedToken> out;
  for (const AddedToken& t : spec.added_tokens) {
    if (t.normalized != normalized) continue;
    out.push_back(t);
    out.back().content = stated_content(spec, t);
  }
  return out;
}

// HF's ByteLevel decoder maps a token's characters back to bytes only when all of them are in the
// byte-level alphabet; otherwise it keeps the token's UTF-8 text.
std::string added_token_bytes(const std::string& content) {
  if (auto bytes = byte_level_to_bytes(content)) return *bytes;
  return content;
}

}  // namespace

Tokenizer::Tokenizer(TokenizerSpec spec)
    : spec_(std::move(spec)),
      raw_matcher_(with_normalized(spec_, false)),
      normalized_matcher_(with_normalized(spec_, true)) {
  std::size_t size = spec_.vocab.size();
  for (const AddedToken& t : spec_.added_tokens) size = std::max<std::size_t>(size, t.id + 1);
  decode_bytes_.assign(size, {});
  special_.assign(size, 0);
  for (std::size_t id = 0; id < spec_.vocab.size(); ++id)
    decode_bytes_[id] = spec_.non_byte_level[id].empty() ? spec_.vocab[id] : spec_.non_byte_level[id];
  for (const AddedToken& t : spec_.added_tokens) {
    const std::string content = stated_content(spec_, t);
    decode_bytes_[t.id] = spec_.sentencepiece ? content : added_token_bytes(content);
    special_[t.id] = t.special ? 1 : 0;
  }
  if (spec_.sentencepiece) {  // decode_bytes_ held the tokens' texts; the decoder chain's table replaces it
    pieces_ = std::make_unique<PieceDecoding>(decode_bytes_, spec_.piece_decoder);
    std::vector<std::string>().swap(decode_bytes_);
  }
  try {
    const BpeOptions options{.ignore_merges = spec_.ignore_merges,
                             .characters = spec_.sentencepiece,
                             .byte_fallback = spec_.byte_fallback,
                             .unk_id = spec_.unk_id ? static_cast<std::int64_t>(*spec_.unk_id) : -1,
                             .fuse_unk = spec_.fuse_unk};
    bpe_ = std::make_unique<BpeModel>(std::move(spec_.vocab), spec_.merges, options);
    for (const std::string& pattern : spec_.split_patterns) stages_.push_back(PreTokenizer::from_regex(pattern));
  } catch (const std::invalid_argument& e) {
    throw TokenizerError(std::string("tokenizer.json: ") + e.what());
  }
  spec_.vocab.clear();
  spec_.merges.clear();
  spec_.merges.shrink_to_fit();
  if (spec_.bos_token) bos_id_ = token_to_id(*spec_.bos_token);
  if (spec_.eos_token) eos_id_ = token_to_id(*spec_.eos_token);
  for (std::uint32_t id : spec_.prefix_ids)
    if (id >= size) throw TokenizerError("tokenizer.json: post_processor: id " + std::to_string(id) + " is not in the vocabulary");
}

Tokenizer Tokenizer::from_folder(const std::filesystem::path& dir) {
  std::error_code exists;
  if (!std::filesystem::is_regular_file(dir / "tokenizer.json", exists)) {
    // Say what the folder holds instead, when it is a tokenizer format of its own.
    for (const char* other : {"tekken.json", "tokenizer.model"}) {
      if (std::filesystem::is_regular_file(dir / other, exists))
        throw TokenizerError((dir / "tokenizer.json").string() + ": missing; the folder holds " + other +
                             ", which is not read (a Hugging Face tokenizer.json is; transformers writes one with "
                             "AutoTokenizer.from_pretrained(folder).save_pretrained(folder))");
    }
  }
  TokenizerSpec spec = load_tokenizer_spec(dir / "tokenizer.json", dir / "tokenizer_config.json");
  // Newer checkpoints keep the chat template in its own file, which transformers prefers.
  const std::filesystem::path jinja = dir / "chat_template.jinja";
  std::error_code ec;
  if (std::filesystem::is_regular_file(jinja, ec)) {
    std::ifstream in(jinja, std::ios::binary);
    if (!in) throw TokenizerError(jinja.string() + ": cannot read");
    spec.chat_template = std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Image-text checkpoints (Gemma 3's) may keep it only in their processor's chat_template.json, which vLLM
  // reads too (before the tokenizer's; the released ones hold the same template in both).
  const std::filesystem::path processor_json = dir / "chat_template.json";
  if (!spec.chat_template && std::filesystem::is_regular_file(processor_json, ec)) {
    std::ifstream in(processor_json, std::ios::binary);
    if (!in) throw TokenizerError(processor_json.string() + ": cannot read");
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    const auto it = doc.is_object() ? doc.find("chat_template") : doc.end();
    if (doc.is_discarded() || !doc.is_object() || it == doc.end() || !it->is_string())
      throw TokenizerError(processor_json.string() + ": expected a JSON object with a \"chat_template\" string");
    spec.chat_template = it->get<std::string>();
  }
  return Tokenizer(std::move(spec));
}

std::vector<std::uint32_t> Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::vector<std::uint32_t> out;
  out.reserve(text.size() / 3 + 4);
  encode(text, add_special_tokens, out);
  return out;
}

void Tokenizer::encode(std::string_view text, bool add_special_tokens, std::vector<std::uint32_t>& out) const {
  if (const std::size_t bad = utf8::first_invalid(text); bad != text.size())
    throw std::invalid_argument("tokenizer: input is not valid UTF-8 at byte " + std::to_string(bad));
  if (add_special_tokens) out.insert(out.end(), spec_.prefix_ids.begin(), spec_.prefix_ids.end());
  std::vector<Segment> segments;
  raw_matcher_.split(text, segments);
  for (const Segment& s : segments) {
    const bool at_start = s.text.data() == text.data();
    if (s.token >= 0) {
      out.push_back(static_cast<std::uint32_t>(s.token));
    } else if (!spec_.normalizers.empty()) {
      encode_normalized(normalize(s.text, spec_.normalizers), at_start, out);
    } else {
      encode_normalized(s.text, at_start, out);
    }
  }
  if (add_special_tokens) out.insert(out.end(), spec_.suffix_ids.begin(), spec_.suffix_ids.end());
}

void Tokenizer::encode_normalized(std::string_view text, bool at_input_start, std::vector<std::uint32_t>& out) const {
  if (normalized_matcher_.empty()) {
    encode_text(text, at_input_start, out);
    return;
  }
  std::vector<Segment> segments;
  normalized_matcher_.split(text, segments);
  for (const Segment& s : segments) {
    if (s.token >= 0) {
      out.push_back(static_cast<std::uint32_t>(s.token));
    } else {
      encode_text(s.text, at_input_start && s.text.data() == text.data(), out);
    }
  }
}

void Tokenizer::encode_text(std::string_view text, bool at_input_start, std::vector<std::uint32_t>& out) const {
  thread_local std::vector<std::string_view> pieces, next;
  thread_local std::string marked;
  pieces.clear();
  if (spec_.metaspace) {
    metaspace_words(text, at_input_start, *spec_.metaspace, marked, pieces);
  } else {
    pieces.push_back(text);
  }
  for (const PreTokenizer& stage : stages_) {
    next.clear();
    for (std::string_view p : pieces) stage.split(p, next);
    pieces.swap(next);
  }
  for (std::string_view word : pieces) bpe_->encode_word(word, out);
}

std::string_view Tokenizer::token_bytes(std::uint32_t id, bool skip_special_tokens) const {
  if (id >= vocab_size()) return {};
  if (skip_special_tokens && special_[id]) return {};
  return pieces_ ? pieces_->text(id) : std::string_view(decode_bytes_[id]);
}

std::string Tokenizer::decode(std::span<const std::uint32_t> ids, bool skip_special_tokens) const {
  if (pieces_) {
    std::string text;
    PieceStream stream(*pieces_);
    for (std::uint32_t id : ids)
      if (id < pieces_->size() && !(skip_special_tokens && special_[id])) stream.push(id, text);
    stream.finish(text);
    return text;
  }
  std::string bytes;
  for (std::uint32_t id : ids) bytes.append(token_bytes(id, skip_special_tokens));
  return utf8::first_invalid(bytes) == bytes.size() ? bytes : utf8::lossy(bytes);
}

std::optional<std::uint32_t> Tokenizer::token_to_id(std::string_view text) const {
  for (const AddedToken& t : spec_.added_tokens)
    if (t.content == text) return t.id;
  if (const std::int64_t id = bpe_->token_id(text); id >= 0) return static_cast<std::uint32_t>(id);
  return std::nullopt;
}

bool Tokenizer::is_special(std::uint32_t id) const { return id < special_.size() && special_[id]; }

}  // namespace r1eval::engine
