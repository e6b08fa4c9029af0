#include "graders/judge.h"

#include <cctype>
#include <chrono>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "graders/choice_grader.h"
#include "graders/extract.h"
#include "graders/json_line.h"
#include "graders/math_grader.h"

namespace r1eval::graders {
namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

// The length of the valid UTF-8 sequence at s[i], 0 when invalid (overlong, surrogate, past U+10FFFF, cut).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return 1;
  size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) n = 2;
  else if (b >= 0xE0 && b <= 0xEF) n = 3, lo = b == 0xE0 ? 0xA0 : 0x80, hi = b == 0xED ? 0x9F : 0xBF;
  else if (b >= 0xF0 && b <= 0xF4) n = 4, lo = b == 0xF0 ? 0x90 : 0x80, hi = b == 0xF4 ? 0x8F : 0xBF;
  else return 0;
  if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

bool is_hex4(std::string_view s, size_t i) {
  if (i + 4 > s.size()) return false;
  for (size_t k = i; k < i + 4; ++k)
    if (!std::isxdigit(static_cast<unsigned char>(s[k]))) return false;
  return true;
}

unsigned hex4(std::string_view s, size_t i) { return static_cast<unsigned>(std::stoul(std::string(s.substr(i, 4)), nullptr, 16)); }

// `line` with invalid UTF-8 bytes and escaped lone surrogates ("\udc80", which Python's json writes for
// surrogate-escaped bytes) replaced by U+FFFD: model output may hold both, and one such line must not
// stop the stream.
std::string repaired(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size();) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      if (line[i + 1] == 'u' && is_hex4(line, i + 2)) {
        const unsigned u = hex4(line, i + 2);
        const bool high = u >= 0xD800 && u <= 0xDBFF;
        const bool low = u >= 0xDC00 && u <= 0xDFFF;
        if (high && line.compare(i + 6, 2, "\\u") == 0 && is_hex4(line, i + 8) && hex4(line, i + 8) >= 0xDC00 &&
            hex4(line, i + 8) <= 0xDFFF) {
          out.append(line.substr(i, 12));
          i += 12;
        } else {
          out.append(high || low ? std::string_view("\\ufffd") : line.substr(i, 6));
          i += 6;
        }
        continue;
      }
      out.append(line.substr(i, 2));
      i += 2;
      continue;
    }
    const size_t n = utf8_sequence_length(line, i);
    if (n == 0) {
      out.append(kReplacement);
      ++i;
    } else {
      out.append(line.substr(i, n));
      i += n;
    }
  }
  return out;
}

nlohmann::json parse_line(const std::string& line, const std::string& where) {
  try {
    return parse_json_line(line);
  } catch (const nlohmann::json::exception&) {
  } catch (const JsonTooDeep& e) {
    throw std::runtime_error(where + "expected one JSON object per line, " + e.what());
  }
  try {
    return parse_json_line(repaired(line));
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(where + "expected one JSON object per line");
  } catch (const JsonTooDeep& e) {
    throw std::runtime_error(where + "expected one JSON object per line, " + e.what());
  }
}

}  // namespace

void judge_jsonl(std::istream& in, std::ostream& out, JudgeKind kind, std::string_view source) {
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = std::string(source) + ":" + std::to_string(number) + ": ";
    nlohmann::json obj = parse_line(line, where);
    if (!obj.is_object()) throw std::runtime_error(where + "expected a JSON object");
    for (const char* field : {"gold", "response"}) {
      if (!obj.contains(field) || !obj[field].is_string())
        throw std::runtime_error(where + "expected string field \"" + field + "\"");
    }
    const std::string gold = obj["gold"].get<std::string>();
    if (kind == JudgeKind::kChoice) {
      // One letter, spaces aside: "" or "AB" would only ever grade every response wrong.
      std::string letters;
      for (char c : gold)
        if (c != ' ' && c != '\t') letters += c;
      if (letters.size() != 1 || !std::isalpha(static_cast<unsigned char>(letters[0])))
        throw std::runtime_error(where + "field \"gold\": expected one letter (A-Z), got '" + gold.substr(0, 40) + "'");
    }
    // An optional "prompt" (a string): a completion continuing the "<think>" it opened is graded as written.
    std::string response = obj["response"].get<std::string>();
    if (const auto prompt = obj.find("prompt"); prompt != obj.end() && !prompt->is_null()) {
      if (!prompt->is_string()) throw std::runtime_error(where + "field \"prompt\": expected a string");
      response = response_as_written(prompt->get<std::string>(), response);
    }
    const auto start = std::chrono::steady_clock::now();
    const Verdict v = kind == JudgeKind::kMath ? grade_math(response, gold) : grade_choice(response, gold);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    obj["correct"] = v.correct;
    obj["extracted"] = v.extracted ? nlohmann::json(*v.extracted) : nlohmann::json(nullptr);
    obj["reason"] = v.reason;
    obj["micros"] = micros;
    out << obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
}

}  // namespace r1eval::graders
