#include "engine/tokenizer/piece_decoder.h"

#include "engine/tokenizer/normalizer.h"
#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {
namespace {

// "<0xAB>" -> 0xAB, the spelling HF's ByteFallback decoder reads; else -1.
int fallback_byte(std::string_view token) {
  if (token.size() != 6 || token.substr(0, 3) != "<0x" || token[5] != '>') return -1;
  auto digit = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  const int hi = digit(token[3]), lo = digit(token[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

}  // namespace

PieceDecoding::PieceDecoding(const std::vector<std::string>& texts, const PieceDecoderSpec& spec)
    : strip_(spec.strip), strip_count_(spec.strip_count) {
  text_.resize(texts.size());
  byte_.assign(texts.size(), -1);
  bool first_differs = false;
  for (const auto& r : spec.replacements) first_differs |= r.first_token_text != r.text;
  if (first_differs) first_text_.resize(texts.size());
  for (std::size_t id = 0; id < texts.size(); ++id) {
    if (spec.byte_fallback) {
      if (const int b = fallback_byte(texts[id]); b >= 0) {
        byte_[id] = static_cast<std::int16_t>(b);
        text_[id] = std::string(1, static_cast<char>(b));
        if (first_differs) first_text_[id] = text_[id];
        continue;
      }
    }
    std::string later = texts[id], first = texts[id];
    for (const auto& r : spec.replacements) {
      later = replace_all(later, r.from, r.text);
      if (first_differs) first = replace_all(first, r.from, r.first_token_text);
    }
    text_[id] = std::move(later);
    if (first_differs) first_text_[id] = std::move(first);
  }
}

void PieceStream::emit(std::string_view text, std::string& out) {
  const std::string& strip = decoding_.strip();
  while (strip_left_ > 0 && !text.empty()) {
    if (text.substr(0, strip.size()) != strip) {
      strip_left_ = 0;  // Strip cuts only the leading run
      break;
    }
    text.remove_prefix(strip.size());
    --strip_left_;
  }
  out.append(text);
}

void PieceStream::flush_run(std::string& out) {
  if (run_.empty()) return;
  if (utf8::first_invalid(run_) == run_.size()) {
    emit(run_, out);
  } else {
    std::string replaced;
    for (std::size_t i = 0; i < run_.size(); ++i) replaced += "\xEF\xBF\xBD";
    emit(replaced, out);
  }
  run_.clear();
}

void PieceStream::push(std::uint32_t id, std::string& out) {
  const bool first = !started_;
  started_ = true;
  if (const int b = decoding_.byte(id); b >= 0) {
    run_.push_back(static_cast<char>(b));
    return;
  }
  flush_run(out);
  emit(first ? decoding_.first_text(id) : decoding_.text(id), out);
}

void PieceStream::finish(std::string& out) {
  flush_run(out);
  started_ = false;
  strip_left_ = decoding_.strip_count();
}

}  // namespace r1eval::engine
