#include "engine/tokenizer/jinja/lexer.h"

#include <array>
#include <cctype>
#include <cstdint>

#include <unicode/uchar.h>

#include "engine/tokenizer/jinja/value.h"

namespace r1eval::engine::jinja {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void fail(int line, const std::string& what) { throw JinjaError("line " + std::to_string(line) + ": " + what); }

void append_utf8(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A Python string literal starting at s[i] (a quote); returns its value and moves i past it.
std::string string_literal(std::string_view s, std::size_t& i, int line) {
  const char quote = s[i++];
  std::string out;
  while (i < s.size() && s[i] != quote) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i++];
      continue;
    }
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case '\n': break;  // a line continuation
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7': {  // octal "\101", "\0": up to three digits
        std::uint32_t v = static_cast<std::uint32_t>(e - '0');
        for (int k = 0; k < 2 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++k) v = v * 8 + static_cast<std::uint32_t>(s[i++] - '0');
        append_utf8(v, out);
        break;
      }
      case 'N': {  // "\N{BULLET}"
        const std::size_t close = s.find('}', i);
        if (i >= s.size() || s[i] != '{' || close == std::string_view::npos) fail(line, "malformed \\N{...} escape");
        UErrorCode status = U_ZERO_ERROR;
        const UChar32 c = u_charFromName(U_UNICODE_CHAR_NAME, std::string(s.substr(i + 1, close - i - 1)).c_str(), &status);
        if (U_FAILURE(status)) fail(line, "unknown character name in \\N{" + std::string(s.substr(i + 1, close - i - 1)) + "}");
        append_utf8(static_cast<std::uint32_t>(c), out);
        i = close + 1;
        break;
      }
      case 'x':
      case 'u':
      case 'U': {
        const std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (i + digits > s.size()) fail(line, "truncated \\" + std::string(1, e) + " escape");
        append_utf8(static_cast<std::uint32_t>(std::stoul(std::string(s.substr(i, digits)), nullptr, 16)), out);
        i += digits;
        break;
      }
      default:  // Python keeps an unknown escape as written
        out += '\\';
        out += e;
    }
  }
  if (i >= s.size()) fail(line, "unterminated string literal");
  ++i;
  return out;
}

std::vector<Token> tokenize(std::string_view s, int line) {
  static constexpr std::array<std::string_view, 6> kTwoChar = {"**", "//", "==", "!=", "<=", ">="};
  std::vector<Token> out;
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    if (is_space(c)) {
      ++i;
    } else if (is_name_start(c)) {
      const std::size_t start = i;
      while (i < s.size() && is_name_char(s[i])) ++i;
      out.push_back({TokenKind::kName, std::string(s.substr(start, i - start))});
    } else if (c == '0' && i + 2 < s.size() && std::string_view("xXoObB").find(s[i + 1]) != std::string_view::npos) {
      // 0x1F, 0o17, 0b101
      const int base = (s[i + 1] == 'x' || s[i + 1] == 'X') ? 16 : (s[i + 1] == 'o' || s[i + 1] == 'O') ? 8 : 2;
      std::size_t k = i + 2;
      std::string digits;
      while (k < s.size() && (std::isxdigit(static_cast<unsigned char>(s[k])) || s[k] == '_'))
        if (s[k++] != '_') digits += s[k - 1];
      if (digits.empty()) fail(line, "malformed number literal");
      out.push_back({TokenKind::kInteger, std::to_string(std::stoll(digits, nullptr, base))});
      i = k;
    } else if (is_digit(c)) {
      const std::size_t start = i;
      bool is_float = false;
      while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
      if (i + 1 < s.size() && s[i] == '.' && is_digit(s[i + 1])) {
        is_float = true;
        ++i;
        while (i < s.size() && (is_digit(s[i]) || s[i] == '_')) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        std::size_t k = i + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && is_digit(s[k])) {
          is_float = true;
          i = k;
          while (i < s.size() && is_digit(s[i])) ++i;
        }
      }
      std::string text;
      for (std::size_t k = start; k < i; ++k)
        if (s[k] != '_') text += s[k];
      out.push_back({is_float ? TokenKind::kFloat : TokenKind::kInteger, text});
    } else if (c == '\'' || c == '"') {
      out.push_back({TokenKind::kString, string_literal(s, i, line)});
    } else {
      std::string op(1, c);
      if (i + 1 < s.size())
        for (std::string_view two : kTwoChar)
          if (s.substr(i, 2) == two) op = std::string(two);
      if (op.size() == 1 && std::string_view("+-*/%~<>=()[]{}.,:|").find(c) == std::string_view::npos)
        fail(line, std::string("unexpected character '") + c + "'");
      i += op.size();
      out.push_back({TokenKind::kOperator, op});
    }
  }
  return out;
}

// Where the tag opened at `open` ends (the index of its closing delimiter), skipping string literals.
std::size_t tag_end(std::string_view s, std::size_t open, char kind, int line) {
  const std::string close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
  std::size_t i = open + 2;
  if (kind == '#') {
    const std::size_t at = s.find(close, i);
    if (at == std::string_view::npos) fail(line, "unclosed comment");
    return at;
  }
  int depth = 0;  // brackets opened inside the tag: "{{ {'a': {}} }}" ends at the last "}}"
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\'' || c == '"') {
      string_literal(s, i, line);
      continue;
    }
    if (depth == 0 && s.compare(i, 2, close) == 0) return i;
    if (c == '(' || c == '[' || c == '{') ++depth;
    else if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    ++i;
  }
  fail(line, kind == '{' ? "unclosed '{{'" : "unclosed '{%'");
}

int count_lines(std::string_view s, std::size_t from, std::size_t to) {
  int n = 0;
  for (std::size_t i = from; i < to && i < s.size(); ++i) n += s[i] == '\n';
  return n;
}

bool is_raw_open(const std::vector<Token>& t) { return t.size() == 1 && t[0].kind == TokenKind::kName && t[0].text == "raw"; }

}  // namespace

std::vector<Piece> split_template(std::string_view source) {
  // jinja2 reads "\r\n" and "\r" as "\n" and drops one newline that ends the template.
  std::string normalized;
  normalized.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      normalized += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      normalized += source[i];
    }
  }
  if (!normalized.empty() && normalized.back() == '\n') normalized.pop_back();
  const std::string_view s = normalized;
  std::vector<Piece> pieces;
  std::size_t pos = 0;
  int line = 1;
  bool line_starting = true;  // the text being read starts a line (for lstrip_blocks)
  bool strip_next = false;    // the previous tag ended with "-": the next text loses its leading whitespace
  const auto add_text = [&](std::string text) {
    if (strip_next) {
      std::size_t k = 0;
      while (k < text.size() && is_space(text[k])) ++k;
      text.erase(0, k);
    }
    if (!text.empty()) pieces.push_back({Piece::Kind::kText, std::move(text), {}, line});
  };
  while (pos < s.size()) {
    std::size_t open = pos;
    while ((open = s.find('{', open)) != std::string_view::npos &&
           (open + 1 >= s.size() || (s[open + 1] != '{' && s[open + 1] != '%' && s[open + 1] != '#')))
      ++open;
    if (open == std::string_view::npos) {
      add_text(std::string(s.substr(pos)));
      break;
    }
    const char kind = s[open + 1];
    const int tag_line = line + count_lines(s, pos, open);
    std::string text(s.substr(pos, open - pos));
    const char marker = open + 2 < s.size() ? s[open + 2] : 0;
    if (marker == '-') {
      while (!text.empty() && is_space(text.back())) text.pop_back();
    } else if (kind != '{' && marker != '+') {
      // lstrip_blocks: spaces and tabs between the start of a line and a block or comment tag go.
      const std::size_t line_start = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
      if ((line_start > 0 || line_starting) && text.find_first_not_of(" \t", line_start) == std::string::npos)
        text.erase(line_start);
    }
    add_text(std::move(text));
    line = tag_line;
    std::size_t close = tag_end(s, open, kind, line);
    const std::size_t body_begin = open + 2 + ((marker == '-' || marker == '+') ? 1 : 0);
    const bool strip_after = close > body_begin && s[close - 1] == '-';
    const bool keep_newline = kind != '{' && close > body_begin && s[close - 1] == '+';  // "+%}", "+#}": no trim_blocks
    const std::size_t body_end = strip_after || keep_newline ? close - 1 : close;
    std::string_view body = s.substr(body_begin, body_end > body_begin ? body_end - body_begin : 0);
    std::size_t after = close + 2;
    std::vector<Token> tokens;
    if (kind != '#') tokens = tokenize(body, line);
    if (kind == '%' && is_raw_open(tokens)) {
      // {% raw %}...{% endraw %}: the text between, as it is.
      std::size_t search = after, end_open = std::string_view::npos, end_close = 0;
      while ((end_open = s.find("{%", search)) != std::string_view::npos) {
        end_close = tag_end(s, end_open, '%', line);
        std::string_view inner = s.substr(end_open + 2, end_close - end_open - 2);
        while (!inner.empty() && (inner.front() == '-' || inner.front() == '+' || is_space(inner.front()))) inner.remove_prefix(1);
        while (!inner.empty() && (inner.back() == '-' || is_space(inner.back()))) inner.remove_suffix(1);
        if (inner == "endraw") break;
        search = end_close + 2;
      }
      if (end_open == std::string_view::npos) fail(line, "unclosed {% raw %}");
      std::string raw(s.substr(after, end_open - after));
      if (strip_after) raw.erase(0, raw.find_first_not_of(" \t\n\r\f\v") == std::string::npos ? raw.size() : raw.find_first_not_of(" \t\n\r\f\v"));
      if (s[end_open + 2] == '-') {
        while (!raw.empty() && is_space(raw.back())) raw.pop_back();
      } else if (s[end_open + 2] != '+') {  // lstrip_blocks before {% endraw %}
        const std::size_t line_start = raw.rfind('\n') == std::string::npos ? 0 : raw.rfind('\n') + 1;
        if (line_start > 0 && raw.find_first_not_of(" \t", line_start) == std::string::npos) raw.erase(line_start);
      }
      if (!raw.empty()) pieces.push_back({Piece::Kind::kText, raw, {}, line});
      line += count_lines(s, open, end_close + 2);
      after = end_close + 2;
      strip_next = s[end_close - 1] == '-';
      line_starting = false;
      if (!strip_next && after < s.size() && s[after] == '\n') {
        ++after;
        ++line;
        line_starting = true;
      }
      pos = after;
      continue;
    }
    if (kind == '{') {
      if (tokens.empty()) fail(line, "empty expression");
      pieces.push_back({Piece::Kind::kOutput, {}, std::move(tokens), line});
    } else if (kind == '%') {
      if (tokens.empty()) fail(line, "empty statement");
      pieces.push_back({Piece::Kind::kStatement, {}, std::move(tokens), line});
    }
    line += count_lines(s, open, after);
    strip_next = strip_after;
    line_starting = false;
    if (kind != '{' && !strip_after && !keep_newline && after < s.size() && s[after] == '\n') {  // trim_blocks
      ++after;
      ++line;
      line_starting = true;
    }
    if (strip_after) {
      std::size_t k = after;
      while (k < s.size() && is_space(s[k])) ++k;
      line_starting = k > after && s[k - 1] == '\n';
    }
    pos = after;
  }
  return pieces;
}

}  // namespace r1eval::engine::jinja
