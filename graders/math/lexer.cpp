#include "graders/math/lexer.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string>
#include <tuple>

#include "graders/math/number_words.h"

namespace r1eval::graders::math {
namespace {

bool is_letter(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Function names recognised without a backslash ("sin x", "log 8").
constexpr std::array<std::string_view, 20> kBareFunctions = {
    "sin", "cos", "tan", "sec", "csc", "cot", "ln", "log", "exp", "sqrt", "arcsin", "arccos", "arctan",
    "sinh", "cosh", "tanh", "lg", "max", "min", "gcd"};

// Commands that only change presentation.
constexpr std::array<std::string_view, 22> kInvisible = {
    "displaystyle", "textstyle", "scriptstyle", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg",
    "biggl", "biggr", "limits", "nolimits", "middle", "quad", "qquad", "mathstrut", "phantom", "hfill", "smash"};

// Wrappers whose content is text (a word) or, when it holds math, math.
constexpr std::array<std::string_view, 17> kTextWrappers = {
    "text", "textbf", "textit", "textrm", "mathrm", "mathbf", "mbox", "mathit", "operatorname", "textnormal",
    "boldsymbol", "mathsf", "textsf", "boxed", "fbox", "underline", "emph"};  // a box inside the answer ("\boxed{\boxed{7}}") is its content

size_t closing_brace(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      continue;
    }
    if (s[i] == '{') ++depth;
    if (s[i] == '}' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

std::string trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

bool only_letters_and_spaces(std::string_view s) {
  bool any = false;
  for (char c : s) {
    if (is_letter(c)) any = true;
    else if (!is_space(c) && c != '-' && c != '\'') return false;
  }
  return any;
}

class Lexer {
 public:
  Lexer(std::string_view s, WorkBudget& budget, std::vector<Token>& out) : s_(s), budget_(budget), out_(out) {}

  void run() {
    while (i_ < s_.size()) {
      budget_.spend();
      const char c = s_[i_];
      if (is_space(c) || c == '~' || c == '$') {
        space_ = true;
        ++i_;
        continue;
      }
      if (is_digit(c) || (c == '.' && i_ + 1 < s_.size() && is_digit(s_[i_ + 1]))) {
        number();
        continue;
      }
      if (is_letter(c)) {
        letters();
        continue;
      }
      if (c == '\\') {
        command();
        continue;
      }
      if (c == '{' && s_.substr(i_, 3) == "{,}") {  // "1{,}000" outside a number: a plain comma
        push(TokenKind::kSymbol, ",");
        i_ += 3;
        continue;
      }
      if (std::string_view("+-*/^_()[]{},;=<>|!&%':").find(c) != std::string_view::npos) {
        // "<=" ">=" "!=" become the commands of the same meaning.
        if ((c == '<' || c == '>' || c == '!') && i_ + 1 < s_.size() && s_[i_ + 1] == '=') {
          push(TokenKind::kCommand, c == '<' ? "le" : c == '>' ? "ge" : "ne");
          i_ += 2;
          continue;
        }
        push(TokenKind::kSymbol, std::string(1, c));
        ++i_;
        continue;
      }
      // Anything else (unicode, stray characters) is kept as a symbol so that the parser refuses it.
      push(TokenKind::kSymbol, std::string(1, c));
      ++i_;
    }
  }

 private:
  void push(TokenKind kind, std::string text) {
    Token t;
    t.kind = kind;
    t.text = std::move(text);
    t.space_before = space_;
    space_ = false;
    out_.push_back(std::move(t));
  }

  // Thousands group at i_: a separator ("," "{,}" "\\," or a space, optionally followed by spacing such as
  // "\\!") then exactly three digits. Returns the length of the separator, 0 when there is none.
  size_t thousands_group_length() const {
    size_t k = i_;
    if (s_.compare(k, 3, "{,}") == 0) k += 3;
    else if (s_.compare(k, 2, "\\,") == 0) k += 2;
    else if (k < s_.size() && (s_[k] == ',' || s_[k] == ' ')) ++k;
    else return 0;
    bool spacing = false;
    while (k + 1 < s_.size() && (s_.compare(k, 2, "\\!") == 0 || s_.compare(k, 2, "\\ ") == 0)) k += 2, spacing = true;
    if (spacing && k < s_.size() && s_[k] == ' ') ++k;  // "11,\! 111": a plain ", 111" stays a list
    if (k + 3 <= s_.size() && is_digit(s_[k]) && is_digit(s_[k + 1]) && is_digit(s_[k + 2]) &&
        (k + 3 == s_.size() || !is_digit(s_[k + 3])))
      return k - i_;
    return 0;
  }

  // True when the numeral at i_ opens a bracket and one thousands group would close it: "(2,102)".
  bool pair_in_brackets() const {
    if (out_.empty() || out_.back().kind != TokenKind::kSymbol || (out_.back().text != "(" && out_.back().text != "["))
      return false;
    const size_t sep = thousands_group_length();
    if (sep == 0) return false;
    size_t k = i_ + sep + 3;
    while (k < s_.size() && s_[k] == ' ') ++k;
    if (s_.compare(k, 6, "\\right") == 0) k += 6;
    while (k < s_.size() && s_[k] == ' ') ++k;
    return k < s_.size() && (s_[k] == ')' || s_[k] == ']');
  }

  // The length of the command at `pos` that marks a repeating block ("\\overline", "\\bar", "\\dot"), else 0.
  size_t repeat_mark_length(size_t pos) const {
    if (s_.substr(pos, 9) == "\\overline") return 9;
    for (std::string_view mark : {std::string_view("\\bar"), std::string_view("\\dot")})
      if (s_.substr(pos, 4) == mark && (pos + 4 >= s_.size() || !is_letter(s_[pos + 4]))) return 4;
    return 0;
  }

  void number() {
    std::string digits;
    size_t first_group = 0;
    while (i_ < s_.size() && is_digit(s_[i_])) digits += s_[i_++], ++first_group;
    // Thousands separators: only after a first group of 1-3 digits not starting with 0, and not for the
    // whole content of a bracket ("(2,102)" and "[12,102]" are intervals, not 2102 and 12102).
    if (first_group >= 1 && first_group <= 3 && digits[0] != '0' && !pair_in_brackets()) {
      while (const size_t sep = thousands_group_length()) {
        i_ += sep;
        digits.append(s_.substr(i_, 3));
        i_ += 3;
        budget_.spend(3);
      }
    }
    std::string repeat;
    if (i_ < s_.size() && s_[i_] == '.') {
      const bool digit_follows = i_ + 1 < s_.size() && is_digit(s_[i_ + 1]);
      if (digit_follows || repeat_mark_length(i_ + 1) != 0) {
        digits += '.';
        ++i_;
        while (i_ < s_.size() && is_digit(s_[i_])) digits += s_[i_++];
        // The repeating block: "\overline{3}", "\overline3" (TeX's one-token argument), "\bar{3}", "\bar3".
        const size_t mark = repeat_mark_length(i_);
        if (mark != 0) {
          size_t b = i_ + mark;
          while (b < s_.size() && s_[b] == ' ') ++b;
          if (b < s_.size() && s_[b] == '{') {
            const size_t close = closing_brace(s_, b);
            if (close != std::string_view::npos) {
              const std::string inner = trim(s_.substr(b + 1, close - b - 1));
              if (!inner.empty() && std::all_of(inner.begin(), inner.end(), is_digit)) {
                repeat = inner;
                i_ = close + 1;
              }
            }
          } else if (b < s_.size() && is_digit(s_[b])) {
            repeat = std::string(1, s_[b]);
            i_ = b + 1;
          }
        }
      }
    }
    budget_.spend(static_cast<int64_t>(digits.size()));
    long exponent = 0;
    // Scientific notation "1.5e-3" / "2E6": an e followed by an optional sign and a digit.
    if (i_ + 1 < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      size_t k = i_ + 1;
      bool negative = false;
      if (k < s_.size() && (s_[k] == '-' || s_[k] == '+')) negative = s_[k++] == '-';
      if (k < s_.size() && is_digit(s_[k])) {
        std::string e;
        while (k < s_.size() && is_digit(s_[k]) && e.size() < 9) e += s_[k++];
        if (k == s_.size() || !is_digit(s_[k])) {
          exponent = std::stol(e) * (negative ? -1 : 1);
          i_ = k;
        }
      }
    }
    push(TokenKind::kNumber, digits);
    out_.back().repeat = repeat;
    out_.back().exponent = exponent;
  }

  void letters() {
    size_t e = i_;
    while (e < s_.size() && is_letter(s_[e])) ++e;
    // "twenty-one": a hyphenated number word is one word, not a difference.
    if (e + 1 < s_.size() && s_[e] == '-' && is_letter(s_[e + 1])) {
      size_t f = e + 1;
      while (f < s_.size() && is_letter(s_[f])) ++f;
      if (number_words_value(s_.substr(i_, f - i_))) e = f;
    }
    const std::string_view run = s_.substr(i_, e - i_);
    budget_.spend(static_cast<int64_t>(run.size()));
    if (is_trailing_unit(run, e)) {
      push(TokenKind::kWord, std::string(run));  // "1320 km": the parser drops units after a number
    } else if (std::find(kBareFunctions.begin(), kBareFunctions.end(), run) != kBareFunctions.end()) {
      push(TokenKind::kCommand, std::string(run));
    } else if (run.size() >= 4 || run == "and" || run == "or" || run == "pct" || run.find('-') != std::string_view::npos) {
      push(TokenKind::kWord, std::string(run));
    } else {
      for (char c : run) push(TokenKind::kLetter, std::string(1, c));
    }
    i_ = e;
  }

  bool doubled_command_follows() const {
    static constexpr std::array<std::string_view, 24> kCommon = {
        "frac", "dfrac", "tfrac", "sqrt", "left", "right", "le", "leq", "ge", "geq", "cdot", "times",
        "pi", "infty", "text", "textbf", "mathrm", "boxed", "in", "cup", "pm", "quad", "sin", "cos"};
    size_t e = i_ + 2;
    while (e < s_.size() && is_letter(s_[e])) ++e;
    const std::string_view name = s_.substr(i_ + 2, e - i_ - 2);
    return std::find(kCommon.begin(), kCommon.end(), name) != kCommon.end();
  }

  // A unit written without \text ("1320 km", "5 cm^2") right after a number and ending the answer.
  bool is_trailing_unit(std::string_view run, size_t end) const {
    static constexpr std::array<std::string_view, 17> kUnits = {
        "km", "cm", "mm", "kg", "mg", "ml", "mL", "ft", "yd", "mi", "mph", "hrs", "hr", "sec", "min", "cm", "in"};
    if (std::find(kUnits.begin(), kUnits.end(), run) == kUnits.end()) return false;
    if (out_.empty() || out_.back().kind != TokenKind::kNumber) return false;
    size_t k = end;
    if (k < s_.size() && s_[k] == '^') {  // square and cubic units
      ++k;
      while (k < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[k])) || s_[k] == '{' || s_[k] == '}')) ++k;
    }
    while (k < s_.size() && (is_space(s_[k]) || s_[k] == '$' || s_[k] == '.')) ++k;
    return k == s_.size();
  }

  void command() {
    if (i_ + 1 >= s_.size()) {
      ++i_;
      return;
    }
    const char n = s_[i_ + 1];
    // "\\frac" (a backslash escaped twice in the source the text came from) is read as "\frac" when a
    // common command follows; otherwise "\\" stays a row break ("a \\b" in a matrix).
    if (n == '\\' && i_ + 2 < s_.size() && is_letter(s_[i_ + 2]) && doubled_command_follows()) {
      ++i_;
      command();
      return;
    }
    if (!is_letter(n)) {
      i_ += 2;
      switch (n) {
        case '{': push(TokenKind::kSetOpen, "{"); return;
        case '}': push(TokenKind::kSetClose, "}"); return;
        case '\\': push(TokenKind::kRowEnd, "\\\\"); return;
        case '%': push(TokenKind::kSymbol, "%"); return;
        case '|': push(TokenKind::kSymbol, "|"); return;
        case '$': return;  // money sign
        case ',': case ';': case ':': case '!': case ' ': case '(': case ')': case '[': case ']':
          space_ = true;  // spacing and display-math delimiters
          return;
        default: push(TokenKind::kSymbol, std::string(1, n)); return;
      }
    }
    size_t e = i_ + 1;
    while (e < s_.size() && is_letter(s_[e])) ++e;
    std::string name(s_.substr(i_ + 1, e - i_ - 1));
    // "\quadx" (a missing space after a spacing command) is "\quad x".
    for (std::string_view spacing : {std::string_view("qquad"), std::string_view("quad")}) {
      if (name.size() > spacing.size() && name.compare(0, spacing.size(), spacing) == 0) {
        e = i_ + 1 + spacing.size();
        name = std::string(spacing);
        break;
      }
    }
    budget_.spend(static_cast<int64_t>(name.size()));
    i_ = e;
    if (std::find(kInvisible.begin(), kInvisible.end(), name) != kInvisible.end()) {
      space_ = true;
      if (name == "phantom" || name == "hfill") skip_group();
      return;
    }
    if (name == "left" || name == "right") {
      while (i_ < s_.size() && s_[i_] == ' ') ++i_;
      if (i_ < s_.size() && s_[i_] == '.') ++i_;  // invisible delimiter
      return;
    }
    if (name == "begin" || name == "end") {
      const std::string env = group_text();
      push(name == "begin" ? TokenKind::kBegin : TokenKind::kEnd, env);
      if (name == "begin" && env == "array") skip_group();  // column spec
      return;
    }
    if (name == "overline" || name == "bar") {  // a segment or a conjugate: "\overline{AB}" names a quantity
      const size_t at = i_;
      const std::string inner = group_text();
      if (!inner.empty() && inner.size() <= 8 && std::all_of(inner.begin(), inner.end(), is_letter)) {
        push(TokenKind::kCommand, "overline{" + inner + "}");  // \bar and \overline: one mark
        return;
      }
      i_ = at;
    }
    if (name == "bmod" || name == "mod") {
      // "N \bmod 1000": the remainder is named by its modulus; "N \bmod 1000 = 204" states 204.
      while (i_ < s_.size() && s_[i_] == ' ') ++i_;
      std::string modulus = group_text();
      if (modulus.empty() && i_ < s_.size() && is_letter(s_[i_])) {
        modulus = s_[i_++];
      } else if (modulus.empty()) {
        while (i_ < s_.size() && is_digit(s_[i_])) modulus += s_[i_++];
      }
      push(TokenKind::kCommand, "mod{" + modulus + "}");
      return;
    }
    if (name == "pmod") {  // "x \equiv 3 \pmod{7}": the congruence states its residue
      while (i_ < s_.size() && s_[i_] == ' ') ++i_;
      if (group_text().empty())
        while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
      space_ = true;
      return;
    }
    if (name == "mathbb") {
      const std::string inner = group_text();
      push(TokenKind::kCommand, "mathbb" + inner);
      return;
    }
    if (std::find(kTextWrappers.begin(), kTextWrappers.end(), name) != kTextWrappers.end()) {
      wrapper(name == "text" || name == "textrm" || name == "mbox" || name == "textnormal");
      return;
    }
    if (name == "renewcommand") {  // "\renewcommand{\arraystretch}{1.5}" around a matrix in MATH's answers
      skip_group();
      skip_group();
      return;
    }
    if (name == "dbinom" || name == "tbinom") {
      push(TokenKind::kCommand, "binom");
      return;
    }
    if (name == "dfrac" || name == "tfrac" || name == "cfrac" || name == "nicefrac") {
      push(TokenKind::kCommand, "frac");
      return;
    }
    if (name == "lvert" || name == "rvert" || name == "vert" || name == "mid") {
      push(TokenKind::kSymbol, "|");
      return;
    }
    if (name == "lbrace") return push(TokenKind::kSetOpen, "{");
    if (name == "rbrace") return push(TokenKind::kSetClose, "}");
    if (name == "langle") return push(TokenKind::kSymbol, "(");
    if (name == "lbrack") return push(TokenKind::kSymbol, "[");
    if (name == "rbrack") return push(TokenKind::kSymbol, "]");
    if (name == "rangle") return push(TokenKind::kSymbol, ")");
    if (name == "lfloor" || name == "rfloor" || name == "lceil" || name == "rceil") {
      push(TokenKind::kCommand, name);
      return;
    }
    push(TokenKind::kCommand, name);
  }

  // The text of the brace group at i_ (skipping spaces), consumed; empty when there is none.
  std::string group_text() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
    if (i_ >= s_.size() || s_[i_] != '{') return {};
    const size_t close = closing_brace(s_, i_);
    if (close == std::string_view::npos) return {};
    std::string inner = trim(s_.substr(i_ + 1, close - i_ - 1));
    i_ = close + 1;
    return inner;
  }

  void skip_group() { (void)group_text(); }

  // `text_mode`: a text wrapper (\text, not \mathrm), where a spaced single letter is a unit ("10\text{ m}",
  // "3\text{ s}") rather than a variable.
  void wrapper(bool text_mode) {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
    if (i_ >= s_.size() || s_[i_] != '{') return;
    const size_t close = closing_brace(s_, i_);
    if (close == std::string_view::npos) return;
    const std::string_view raw = s_.substr(i_ + 1, close - i_ - 1);
    const std::string inner = trim(raw);
    i_ = close + 1;
    if (inner.empty()) return;
    if (only_letters_and_spaces(inner) && (inner.size() > 1 || (text_mode && raw.front() == ' '))) {
      push(TokenKind::kWord, inner);
      return;
    }
    // A unit of one word over another ("\text{ m/s}", "\mathrm{km/h}") is one unit, not a division.
    if (const size_t slash = inner.find('/'); slash != std::string::npos && slash > 0 && slash + 1 < inner.size() &&
        inner.find('/', slash + 1) == std::string::npos &&
        std::all_of(inner.begin(), inner.end(), [](char c) { return is_letter(c) || c == '/'; })) {
      push(TokenKind::kWord, inner);
      return;
    }
    // "5 \text{ (five)}": words in parentheses annotate the math before them.
    if (text_mode && inner.size() >= 5 && inner.front() == '(' && inner.back() == ')' &&
        only_letters_and_spaces(trim(std::string_view(inner).substr(1, inner.size() - 2)))) {
      push(TokenKind::kWord, trim(std::string_view(inner).substr(1, inner.size() - 2)));
      return;
    }
    // Math inside a text wrapper ("\text{(C)}", "\mathrm{e}") is read as math.
    const bool keep_space = space_;
    Lexer inner_lexer(raw, budget_, out_);
    inner_lexer.space_ = keep_space;
    inner_lexer.run();
  }

  std::string_view s_;
  WorkBudget& budget_;
  std::vector<Token>& out_;
  size_t i_ = 0;
  bool space_ = false;
};

}  // namespace

namespace {

// Unicode math symbols that model output puts in a box ("−5", "π", "30°", "x ≤ 3"), as the TeX they stand
// for; other non-ASCII text is left as it is.
std::string with_unicode_symbols_as_tex(std::string_view s) {
  static constexpr std::pair<std::string_view, std::string_view> kSymbols[] = {  // sized by its entries
      {"\xe2\x88\x92", "-"},          // U+2212 minus sign
      {"\xe2\x80\x93", "-"},          // en dash, written for a minus ("–9")
      {"\xe2\x80\x90", "-"},          // hyphen
      {"\xe2\x80\x91", "-"},          // non-breaking hyphen
      {"\xc2\xb1", "\\pm "},         // plus-minus sign
      {"\xe2\x80\xa6", "..."},        // horizontal ellipsis
      {"\xcf\x80", "\\pi "},          // pi
      {"\xe2\x88\x9a", "\\sqrt"},     // square root
      {"\xc3\x97", "\\times "},       // multiplication sign
      {"\xc2\xb7", "\\cdot "},        // middle dot
      {"\xe2\x8b\x85", "\\cdot "},    // dot operator
      {"\xc2\xb0", "^\\circ "},       // degree sign
      {"\xe2\x89\xa4", "\\le "},      // less-than or equal
      {"\xe2\x89\xa5", "\\ge "},      // greater-than or equal
      {"\xe2\x89\xa0", "\\ne "},      // not equal
      {"\xe2\x88\x9e", "\\infty "},   // infinity
      {"\xe2\x88\xaa", "\\cup "},     // union
      {"\xe2\x88\xa9", "\\cap "},     // intersection
      {"\xe2\x88\x88", "\\in "},      // element of ("x ∈ [-2, 7]")
      {"\xc2\xa2", "\\text{ cents}"},  // currency signs, units
      {"\xe2\x82\xac", "\\text{ euros}"},
      {"\xc2\xa3", "\\$"},  // written before the number, as the dollar sign
      {"\xc2\xa0", " "},             // no-break space
      {"\xe2\x80\x89", " "},         // thin space
      {"\xe2\x80\xaf", " "},         // narrow no-break space
      {"\xe2\x80\x8b", ""},          // zero-width space, non-joiner, joiner, word joiner, BOM: invisible
      {"\xe2\x80\x8c", ""},
      {"\xe2\x80\x8d", ""},
      {"\xe2\x81\xa0", ""},
      {"\xef\xbb\xbf", ""},
  };
  // Vulgar fractions ("½"); after a digit ("3½") a mixed number, as "3\frac{1}{2}" is read.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kFractions = {{
      {"\xc2\xbd", "\\frac{1}{2}"}, {"\xc2\xbc", "\\frac{1}{4}"}, {"\xc2\xbe", "\\frac{3}{4}"},
      {"\xe2\x85\x90", "\\frac{1}{7}"}, {"\xe2\x85\x91", "\\frac{1}{9}"}, {"\xe2\x85\x92", "\\frac{1}{10}"},
      {"\xe2\x85\x93", "\\frac{1}{3}"}, {"\xe2\x85\x94", "\\frac{2}{3}"}, {"\xe2\x85\x95", "\\frac{1}{5}"},
      {"\xe2\x85\x96", "\\frac{2}{5}"}, {"\xe2\x85\x97", "\\frac{3}{5}"}, {"\xe2\x85\x98", "\\frac{4}{5}"},
      {"\xe2\x85\x99", "\\frac{1}{6}"}, {"\xe2\x85\x9a", "\\frac{5}{6}"}, {"\xe2\x85\x9b", "\\frac{1}{8}"},
      {"\xe2\x85\x9c", "\\frac{3}{8}"}, {"\xe2\x85\x9d", "\\frac{5}{8}"}, {"\xe2\x85\x9e", "\\frac{7}{8}"},
  }};
  // Appends the TeX of the table entry at `i`, if one starts there, and moves past it.
  const auto replace_from = [&](const auto& table, size_t& i, std::string& out) {
    for (const auto& [symbol, tex] : table) {
      if (s.compare(i, symbol.size(), symbol) == 0) {
        out += tex;
        i += symbol.size();
        return true;
      }
    }
    return false;
  };
  // Superscript digits and signs, a run of them one exponent ("10⁻⁵" is 10^{-5}, "x²" is x^{2}).
  static constexpr std::array<std::pair<std::string_view, char>, 12> kSuperscripts = {{
      {"\xe2\x81\xb0", '0'}, {"\xc2\xb9", '1'}, {"\xc2\xb2", '2'}, {"\xc2\xb3", '3'},
      {"\xe2\x81\xb4", '4'}, {"\xe2\x81\xb5", '5'}, {"\xe2\x81\xb6", '6'}, {"\xe2\x81\xb7", '7'},
      {"\xe2\x81\xb8", '8'}, {"\xe2\x81\xb9", '9'}, {"\xe2\x81\xba", '+'}, {"\xe2\x81\xbb", '-'},
  }};
  const auto superscript_at = [&](size_t i) -> std::pair<size_t, char> {
    for (const auto& [symbol, c] : kSuperscripts)
      if (s.compare(i, symbol.size(), symbol) == 0) return {symbol.size(), c};
    return {0, 0};
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    bool replaced = false;
    if (auto [length, c] = superscript_at(i); length > 0) {
      std::string exponent;
      for (; length > 0; std::tie(length, c) = superscript_at(i)) {
        exponent += c;
        i += length;
      }
      out += "^{" + exponent + "}";
      continue;
    }
    // "√51" is the root of 51 (TeX's \sqrt51 would take one digit), "√(x+1)" of x+1.
    if (s.compare(i, 3, "\xe2\x88\x9a") == 0) {
      size_t e = i + 3;
      while (e < s.size() && (is_digit(s[e]) || s[e] == '.')) ++e;
      if (e > i + 3) {
        out += "\\sqrt{" + std::string(s.substr(i + 3, e - i - 3)) + "}";
        i = e;
        continue;
      }
    }
    if (static_cast<unsigned char>(s[i]) >= 0x80) {
      replaced = replace_from(kFractions, i, out);
      if (!replaced) replaced = replace_from(kSymbols, i, out);
    }
    if (!replaced) out += s[i++];
  }
  return out;
}

}  // namespace

namespace {

// "{n \choose k}" (plain TeX) as "\binom{n}{k}": the group around the \choose, split at it.
std::string with_choose_as_binom(std::string s) {
  for (size_t at = s.find("\\choose"); at != std::string::npos; at = s.find("\\choose")) {
    size_t open = at, depth = 0;
    while (open > 0) {
      --open;
      if (s[open] == '}') ++depth;
      if (s[open] == '{' && (open == 0 || s[open - 1] != '\\') && depth-- == 0) break;
    }
    const bool grouped = s[open] == '{' && (open == 0 || s[open - 1] != '\\');
    const size_t close = grouped ? closing_brace(s, open) : s.size();
    if (grouped && close == std::string::npos) return s;
    const size_t first = grouped ? open + 1 : 0;
    const size_t last = grouped ? close : s.size();
    const std::string upper = s.substr(first, at - first);
    const std::string lower = s.substr(at + 7, last - at - 7);
    s.replace(grouped ? open : 0, grouped ? close + 1 - open : s.size(), "\\binom{" + upper + "}{" + lower + "}");
  }
  return s;
}

}  // namespace

// Plain-text shorthands as the TeX they stand for: "\degree" and "30^o" as degrees, "sqrt(51)" and
// "\sqrt(51)" as \sqrt{51}, "2 1/2" as the mixed number 2\frac{1}{2} (not 2 times 1/2). Empty when none occurs.
std::string with_plain_shorthands_as_tex(std::string_view s) {
  const bool any = s.find("\\degree") != std::string_view::npos || s.find("^o") != std::string_view::npos ||
                   s.find("sqrt(") != std::string_view::npos || s.find('/') != std::string_view::npos ||
                   s.find("..") != std::string_view::npos || s.find("dots") != std::string_view::npos;
  if (!any) return {};
  std::string out;
  bool changed = false;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 7, "\\degree") == 0 && (i + 7 == s.size() || !is_letter(s[i + 7]))) {
      out += "^\\circ ";
      i += 7;
      changed = true;
      continue;
    }
    if (s.compare(i, 2, "^o") == 0 && (i + 2 == s.size() || !is_letter(s[i + 2])) && i > 0 && is_digit(s[i - 1])) {
      out += "^\\circ ";
      i += 2;
      changed = true;
      continue;
    }
    const bool command = s.compare(i, 6, "\\sqrt(") == 0;
    const bool word = !command && s.compare(i, 5, "sqrt(") == 0 && (i == 0 || (!is_letter(s[i - 1]) && s[i - 1] != '\\'));
    if (command || word) {
      const size_t open = i + (command ? 5 : 4);
      int depth = 0;
      size_t close = open;
      for (; close < s.size(); ++close) {
        if (s[close] == '(') ++depth;
        if (s[close] == ')' && --depth == 0) break;
      }
      if (close < s.size()) {
        out += "\\sqrt{" + std::string(s.substr(open + 1, close - open - 1)) + "}";
        i = close + 1;
        changed = true;
        continue;
      }
    }
    // A decimal cut off with an ellipsis: "0.333..." repeats its last digit when that digit ends it three times
    // or more ("0.1666\ldots" is 1/6); otherwise the digits shown stand ("3.14159\ldots" is 3.14159, compared as
    // any decimal answer is).
    if (is_digit(s[i]) && (i == 0 || !(is_digit(s[i - 1]) || s[i - 1] == '.'))) {
      size_t dot = i;
      while (dot < s.size() && is_digit(s[dot])) ++dot;
      if (dot + 1 < s.size() && s[dot] == '.' && is_digit(s[dot + 1])) {
        size_t e = dot + 1;
        while (e < s.size() && is_digit(s[e])) ++e;
        size_t after = e;
        while (after < s.size() && s[after] == ' ') ++after;
        size_t ellipsis = 0;
        for (std::string_view dots : {"...", "\\ldots", "\\dots", "\\cdots"})
          if (s.compare(after, dots.size(), dots) == 0) ellipsis = dots.size();
        size_t next = after + ellipsis;  // the dots end the number: the answer ends, or a separator follows
        while (next < s.size() && s[next] == ' ') ++next;
        if (ellipsis > 0 && (next == s.size() || std::strchr(",;)]}$", s[next]) != nullptr)) {
          size_t run = e;
          while (run > dot + 1 && s[run - 1] == s[e - 1]) --run;
          if (e - run >= 3) {
            out += std::string(s.substr(i, e - 1 - i)) + "\\overline{" + s[e - 1] + "}";
          } else {
            out += std::string(s.substr(i, e - i));
          }
          i = after + ellipsis;
          changed = true;
          continue;
        }
      }
    }
    // A whole number, one space, a proper fraction a/b of whole numbers, standing alone: a mixed number.
    if (is_digit(s[i]) && (i == 0 || !(is_digit(s[i - 1]) || is_letter(s[i - 1]) || std::strchr(".,/^_}\\", s[i - 1])))) {
      size_t a = i;
      while (a < s.size() && is_digit(s[a])) ++a;
      size_t b = a + 1;
      while (b < s.size() && is_digit(s[b])) ++b;
      size_t c = b + 1;
      while (c < s.size() && is_digit(s[c])) ++c;
      if (a < s.size() && s[a] == ' ' && b > a + 1 && b < s.size() && s[b] == '/' && c > b + 1 &&
          (c == s.size() || !(is_digit(s[c]) || s[c] == '.' || s[c] == '/' || s[c] == '^' || s[c] == '('))) {
        const std::string numerator(s.substr(a + 1, b - a - 1)), denominator(s.substr(b + 1, c - b - 1));
        if (numerator.size() < 10 && denominator.size() < 10 && std::stoll(numerator) < std::stoll(denominator)) {
          out += std::string(s.substr(i, a - i)) + "\\frac{" + numerator + "}{" + denominator + "}";
          i = c;
          changed = true;
          continue;
        }
      }
      out.append(s.substr(i, a - i));
      i = a;
      continue;
    }
    out += s[i++];
  }
  return changed ? out : std::string();
}

std::vector<Token> tokenize(std::string_view answer, WorkBudget& budget) {
  std::vector<Token> tokens;
  const bool ascii = std::all_of(answer.begin(), answer.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::string rewritten = ascii ? std::string() : with_unicode_symbols_as_tex(answer);
  if (std::string plain = with_plain_shorthands_as_tex(ascii ? answer : std::string_view(rewritten)); !plain.empty())
    rewritten = std::move(plain);
  if ((ascii ? answer : std::string_view(rewritten)).find("\\choose") != std::string_view::npos)
    rewritten = with_choose_as_binom(std::string(ascii ? answer : std::string_view(rewritten)));
  const bool changed = !rewritten.empty();
  Lexer(changed ? std::string_view(rewritten) : answer, budget, tokens).run();
  tokens.push_back(Token{});
  return tokens;
}

}  // namespace r1eval::graders::math
