#include "engine/tokenizer/normalizer.h"

#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstdint>
#include <stdexcept>

namespace r1eval::engine {
namespace {

// HF tokenizers normalizes with Unicode 9.0 tables (its unicode-normalization crate). Code points assigned
// later are, to it, starters that neither decompose, reorder nor compose; ICU knows their combining classes
// and compositions (a mark of Unicode 11 between "a" and U+0301 blocks nothing there, "a" composes).
constexpr std::uint8_t kHfUnicodeMajor = 9;

bool unknown_to_hf(UChar32 c) {
  UVersionInfo age;
  u_charAge(c, age);
  return age[0] > kHfUnicodeMajor;
}

const icu::Normalizer2& nfc_instance() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || n == nullptr) throw std::runtime_error(std::string("ICU NFC normalizer unavailable: ") + u_errorName(status));
  return *n;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

icu::UnicodeString normalized(const icu::Normalizer2& normalizer, const icu::UnicodeString& u) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString out = normalizer.normalize(u, status);
  if (U_FAILURE(status)) throw std::runtime_error(std::string("NFC normalization failed: ") + u_errorName(status));
  return out;
}

}  // namespace

std::string nfc(std::string_view text) {
  if (is_ascii(text)) return std::string(text);
  static const icu::Normalizer2& normalizer = nfc_instance();
  UErrorCode status = U_ZERO_ERROR;
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  // Already NFC for ICU is already NFC for HF's older tables too: they only ever block more.
  if (normalizer.quickCheck(u, status) == UNORM_YES && U_SUCCESS(status)) return std::string(text);
  // Normalized piece by piece around the code points HF's tables do not know, which stay as they are.
  icu::UnicodeString result, piece;
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    const int32_t next = u.moveIndex32(i, 1);
    if (unknown_to_hf(c)) {
      result += normalized(normalizer, piece);
      piece.remove();
      result.append(c);
    } else {
      piece.append(u, i, next - i);
    }
    i = next;
  }
  result += normalized(normalizer, piece);
  std::string out;
  result.toUTF8String(out);
  return out;
}

std::string replace_all(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit = text.find(from); hit != std::string_view::npos; hit = text.find(from, at)) {
    out.append(text, at, hit - at);
    out.append(to);
    at = hit + from.size();
  }
  out.append(text, at);
  return out;
}

std::string normalize(std::string_view chunk, const std::vector<NormalizerStep>& steps) {
  // Each step reads the previous one's result (the chunk itself for the first): no copy before the first step,
  // on the hot path of NFC-only tokenizers (Qwen).
  if (steps.empty()) return std::string(chunk);
  std::string text;
  std::string_view current = chunk;
  for (const NormalizerStep& step : steps) {
    switch (step.kind) {
      case NormalizerStep::Kind::kNfc:
        text = nfc(current);
        break;
      case NormalizerStep::Kind::kPrepend:
        text = current.empty() ? std::string() : step.text + std::string(current);
        break;
      case NormalizerStep::Kind::kReplace:
        text = replace_all(current, step.from, step.text);
        break;
    }
    current = text;
  }
  return text;
}

}  // namespace r1eval::engine
