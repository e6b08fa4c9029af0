#include "graders/math/parser.h"

#include <algorithm>
#include <set>
#include <array>
#include <cctype>

#include "graders/math/lexer.h"
#include "graders/math/number_words.h"

namespace r1eval::graders::math {
namespace {

constexpr std::array<std::string_view, 31> kGreek = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota",
    "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "upsilon", "phi", "varphi", "chi", "psi",
    "omega", "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Omega"};

constexpr std::array<std::string_view, 18> kFunctions = {
    "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "ln", "log",
    "lg", "exp", "max", "min"};

// Commands that cannot start a factor (operators, relations, closing delimiters).
constexpr std::array<std::string_view, 32> kNonFactorCommands = {
    "cdot", "times", "ast", "div", "over", "pm", "mp", "cup", "cap", "le", "leq", "leqslant", "ge", "geq",
    "geqslant", "ne", "neq", "lt", "gt", "in", "approx", "equiv", "circ", "rfloor", "rceil", "to", "ldots",
    "cdots", "dots", "setminus", "backslash", "mid"};

template <size_t N>
bool one_of(const std::array<std::string_view, N>& set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

mpz_class pow10(unsigned long k) {
  mpz_class r;
  mpz_ui_pow_ui(r.get_mpz_t(), 10, k);
  return r;
}

// The exact value of a numeral token (digits with optional '.', repeating digits, scientific exponent).
mpq_class numeral_value(const Token& t, WorkBudget& budget) {
  const size_t dot = t.text.find('.');
  const std::string whole = t.text.substr(0, dot);
  const std::string frac = dot == std::string::npos ? "" : t.text.substr(dot + 1);
  const std::string all = whole + frac;
  mpq_class v(mpz_class(all.empty() ? "0" : all, 10), pow10(frac.size()));
  if (!t.repeat.empty()) {
    const mpz_class r(t.repeat, 10);
    v += mpq_class(r, pow10(frac.size()) * (pow10(t.repeat.size()) - 1));
  }
  if (t.exponent != 0) {
    const unsigned long e = static_cast<unsigned long>(t.exponent < 0 ? -t.exponent : t.exponent);
    if (e > 20000) throw BudgetExhausted();
    budget.spend(static_cast<int64_t>(e / 8));
    if (t.exponent > 0) v *= mpq_class(pow10(e));
    else v /= mpq_class(pow10(e));
  }
  v.canonicalize();
  return v;
}

bool is_relation_command(std::string_view c) {
  return c == "le" || c == "leq" || c == "leqslant" || c == "ge" || c == "geq" || c == "geqslant" ||
         c == "ne" || c == "neq" || c == "lt" || c == "gt" || c == "in" || c == "approx" || c == "equiv";
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, WorkBudget& budget) : t_(std::move(tokens)), budget_(budget) {}

  NodePtr answer() {
    NodePtr n = items_node(NodeKind::kList);
    if (!at_end()) throw ParseError("unexpected token '" + peek().text + "'");
    return n;
  }

 private:
  // ---- token access
  const Token& peek(size_t ahead = 0) const { return t_[std::min(p_ + ahead, t_.size() - 1)]; }
  bool at_end() const { return peek().kind == TokenKind::kEndOfInput; }
  bool is_symbol(const Token& t, char c) const { return t.kind == TokenKind::kSymbol && t.text[0] == c; }
  bool is_command(const Token& t, std::string_view name) const {
    return t.kind == TokenKind::kCommand && t.text == name;
  }
  // \pi or a Greek letter: a name that may continue a function's argument ("\sin 2\theta").
  bool names_a_constant(const Token& t) const {
    return t.kind == TokenKind::kCommand && (t.text == "pi" || one_of(kGreek, t.text));
  }
  bool is_separator_word(const Token& t) const {
    return t.kind == TokenKind::kWord && (t.text == "and" || t.text == "or");
  }
  void advance() { ++p_; }
  void expect_symbol(char c) {
    if (!is_symbol(peek(), c)) throw ParseError(std::string("expected '") + c + "'");
    advance();
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxDepth) throw BudgetExhausted();
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  NodePtr node(NodeKind k) {
    budget_.spend();
    return make_node(k);
  }

  // ---- lists: items separated by ',' ';' "and" "or"; a single item is returned as itself.
  bool at_item_end() const {
    const Token& t = peek();
    return t.kind == TokenKind::kEndOfInput || is_symbol(t, ')') || is_symbol(t, ']') || is_symbol(t, '}') ||
           t.kind == TokenKind::kSetClose || t.kind == TokenKind::kEnd || t.kind == TokenKind::kRowEnd ||
           is_symbol(t, '&');
  }
  bool at_separator() const {
    return is_symbol(peek(), ',') || is_symbol(peek(), ';') || is_separator_word(peek());
  }

  // `decimal_comma` (optional) is set when the items are "1000,99": two bare integers around a comma
  // without spaces, which may be a decimal comma.
  std::vector<NodePtr> items(bool* decimal_comma = nullptr) {
    std::vector<NodePtr> out;
    if (decimal_comma) *decimal_comma = false;
    if (at_item_end()) return out;
    const size_t first_start = p_;
    out.push_back(relation());
    const size_t first_end = p_;
    std::vector<size_t> group_starts = {0};  // items that follow a ';' when ';' and ',' are mixed
    bool commas = false;
    while (at_separator()) {
      if (is_symbol(peek(), ';')) group_starts.push_back(out.size());
      else commas = true;
      const bool symbol = !is_separator_word(peek());
      advance();
      if (symbol && is_separator_word(peek())) advance();  // "3, 5, and 7": the serial comma's "and"
      if (at_item_end()) break;  // trailing comma
      if (out.size() >= kMaxItems) throw BudgetExhausted();
      out.push_back(relation());
    }
    if (commas && group_starts.size() > 1) return grouped(std::move(out), group_starts);
    if (decimal_comma && out.size() == 2 && first_end == first_start + 1 && p_ == first_end + 2 && is_symbol(t_[first_end], ',') &&
        t_[first_start].kind == TokenKind::kNumber && t_[first_end + 1].kind == TokenKind::kNumber &&
        !t_[first_end].space_before && !t_[first_end + 1].space_before &&
        t_[first_start].text.find('.') == std::string::npos && t_[first_end + 1].text.find('.') == std::string::npos)
      *decimal_comma = true;
    return out;
  }

  // "p=5, q=2; p=7, q=2": ';' separates answers, ',' the parts of one answer (a tuple).
  std::vector<NodePtr> grouped(std::vector<NodePtr> flat, std::vector<size_t> starts) {
    starts.push_back(flat.size());
    std::vector<NodePtr> out;
    for (size_t g = 0; g + 1 < starts.size(); ++g) {
      if (starts[g + 1] == starts[g]) continue;
      if (starts[g + 1] - starts[g] == 1) {
        out.push_back(std::move(flat[starts[g]]));
        continue;
      }
      NodePtr t = node(NodeKind::kTuple);
      t->open = '(';
      t->close = ')';
      for (size_t k = starts[g]; k < starts[g + 1]; ++k) t->kids.push_back(std::move(flat[k]));
      out.push_back(std::move(t));
    }
    return out;
  }

  NodePtr items_node(NodeKind kind) {
    bool decimal_comma = false;
    std::vector<NodePtr> xs = items(&decimal_comma);
    if (xs.empty()) throw ParseError("empty answer");
    if (xs.size() == 1) return std::move(xs[0]);
    NodePtr n = node(kind);
    if (decimal_comma) n->open = ',';
    n->kids = std::move(xs);
    return n;
  }

  // Set-builder notation after "\{": "x : 3 < x \le 4 \}", "x \mid ...", "x \in \mathbb{R} : ..." is the
  // condition on x (compared as the solution set it is). nullptr, with nothing read, when the braces hold no
  // such form.
  NodePtr set_builder() {
    const size_t start = p_;
    if (peek().kind != TokenKind::kLetter) return nullptr;
    const std::string variable = peek().text;
    advance();
    if (is_command(peek(), "in")) {
      advance();
      if (!is_command(peek(), "mathbbR")) {
        p_ = start;
        return nullptr;
      }
      advance();
    }
    if (!is_symbol(peek(), ':') && !is_symbol(peek(), '|')) {
      p_ = start;
      return nullptr;
    }
    advance();
    NodePtr condition = relation();
    if (peek().kind != TokenKind::kSetClose || condition->kind != NodeKind::kRelation) throw ParseError("unclosed set-builder \\{");
    // The condition is on the bound variable alone ("\{y : 3 < x \le 4\}" binds nothing it constrains).
    std::set<std::string> used;
    collect_symbols(*condition, used);
    if (used != std::set<std::string>{variable}) throw ParseError("set-builder condition not on its variable");
    advance();
    return condition;
  }

  // ---- relations
  bool relation_at(Rel* out) const {
    const Token& t = peek();
    if (is_symbol(t, '=')) return *out = Rel::kEq, true;
    if (is_symbol(t, '<')) return *out = Rel::kLt, true;
    if (is_symbol(t, '>')) return *out = Rel::kGt, true;
    if (t.kind != TokenKind::kCommand || !is_relation_command(t.text)) return false;
    const std::string& c = t.text;
    if (c == "in") *out = Rel::kIn;
    else if (c == "approx") *out = Rel::kApprox;
    else if (c == "equiv") *out = Rel::kEq;
    else if (c == "lt") *out = Rel::kLt;
    else if (c == "gt") *out = Rel::kGt;
    else if (c[0] == 'l') *out = Rel::kLe;
    else if (c[0] == 'g') *out = Rel::kGe;
    else *out = Rel::kNe;
    return true;
  }

  NodePtr relation() {
    NodePtr first = set_union();
    Rel r;
    if (!relation_at(&r)) return first;
    NodePtr n = node(NodeKind::kRelation);
    n->kids.push_back(std::move(first));
    while (relation_at(&r)) {
      advance();
      n->relations.push_back(r);
      n->kids.push_back(set_union());
    }
    return n;
  }

  // "A \cup B \cup C" and "A \setminus B", left to right: "A \cup B \setminus C" is (A \cup B) \setminus C.
  NodePtr set_union() {
    NodePtr acc = additive();
    for (;;) {
      if (is_command(peek(), "cup")) {
        advance();
        if (acc->kind != NodeKind::kUnion) {
          NodePtr n = node(NodeKind::kUnion);
          n->kids.push_back(std::move(acc));
          acc = std::move(n);
        }
        acc->kids.push_back(additive());
      } else if (is_command(peek(), "setminus") || is_command(peek(), "backslash")) {
        advance();
        NodePtr n = node(NodeKind::kSetMinus);
        n->kids.push_back(std::move(acc));
        n->kids.push_back(additive());
        acc = std::move(n);
      } else {
        return acc;
      }
    }
  }

  // ---- arithmetic
  NodePtr additive() {
    DepthGuard guard(*this);
    NodePtr acc = term();
    for (;;) {
      const Token& t = peek();
      if (is_symbol(t, '+')) {
        advance();
        acc = append(NodeKind::kAdd, std::move(acc), term());
      } else if (is_symbol(t, '-')) {
        advance();
        NodePtr rhs = node(NodeKind::kNeg);
        rhs->kids.push_back(term());
        acc = append(NodeKind::kAdd, std::move(acc), std::move(rhs));
      } else if (is_command(t, "pm") || is_command(t, "mp")) {
        advance();
        NodePtr pm = node(NodeKind::kPlusMinus);
        pm->kids.push_back(std::move(acc));
        pm->kids.push_back(term());
        acc = std::move(pm);
      } else {
        return acc;
      }
    }
  }

  // Flattens a+b+c into one node.
  NodePtr append(NodeKind kind, NodePtr acc, NodePtr rhs) {
    if (acc->kind == kind) {
      acc->kids.push_back(std::move(rhs));
      return acc;
    }
    NodePtr n = node(kind);
    n->kids.push_back(std::move(acc));
    n->kids.push_back(std::move(rhs));
    return n;
  }

  bool starts_factor(const Token& t) const {
    switch (t.kind) {
      case TokenKind::kNumber:
      case TokenKind::kLetter:
      case TokenKind::kBegin:  // a matrix after a factor: a product
        return true;
      case TokenKind::kCommand:
        return !one_of(kNonFactorCommands, t.text);
      case TokenKind::kSymbol:
        return t.text[0] == '(' || (t.text[0] == '|' && abs_depth_ == 0);
      default:
        return false;
    }
  }

  NodePtr term() {
    NodePtr acc = unary();
    for (;;) {
      const Token& t = peek();
      if (is_symbol(t, '*') || is_command(t, "cdot") || is_command(t, "times") || is_command(t, "ast")) {
        advance();
        acc = append(NodeKind::kMul, std::move(acc), unary());
      } else if (is_symbol(t, '/') || is_symbol(t, ':') || is_command(t, "div") || is_command(t, "over")) {
        advance();
        NodePtr n = node(NodeKind::kDiv);
        n->kids.push_back(std::move(acc));
        n->kids.push_back(unary());
        acc = std::move(n);
      } else if (t.kind == TokenKind::kWord && !is_separator_word(t)) {
        acc = word_after(std::move(acc));
      } else if (starts_factor(t)) {
        acc = append(NodeKind::kMul, std::move(acc), postfix());
      } else {
        return acc;
      }
    }
  }

  // A word after math: a unit ("5 \text{cm}^2") is dropped, "degrees" makes an angle; after text it
  // continues the text.
  NodePtr word_after(NodePtr acc) {
    const std::string w = lower(peek().text);
    advance();
    if (acc->kind == NodeKind::kText) {
      acc->name += ' ';
      acc->name += w;
      return acc;
    }
    if (is_symbol(peek(), '^')) {  // square units
      advance();
      (void)exponent_operand();
    }
    if (w == "degrees" || w == "degree") return make_unary(NodeKind::kDegree, std::move(acc));
    if (w == "percent" || w == "percentage" || w == "pct") return make_unary(NodeKind::kPercent, std::move(acc));
    return acc;
  }

  static std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string out;
    for (char c : s) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        if (!out.empty() && out.back() != ' ') out += ' ';
      } else {
        out += c;
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  }

  NodePtr unary() {
    DepthGuard guard(*this);
    const Token& t = peek();
    if (is_symbol(t, '-')) {
      advance();
      NodePtr n = node(NodeKind::kNeg);
      n->kids.push_back(unary());
      return n;
    }
    if (is_symbol(t, '+')) {
      advance();
      return unary();
    }
    if (is_command(t, "pm") || is_command(t, "mp")) {
      advance();
      NodePtr pm = node(NodeKind::kPlusMinus);
      pm->kids.push_back(make_number(0));
      pm->kids.push_back(unary());
      return pm;
    }
    return postfix();
  }

  // The operand of '^': a group, or one token (with an optional sign).
  NodePtr exponent_operand() {
    DepthGuard guard(*this);
    const Token& t = peek();
    if (is_symbol(t, '{')) {
      // Inside braces TeX's rules hold again: "5^{\frac12}" is 5^(1/2) ("2^10" outside them is 2^10).
      const bool saved = split_digits_;
      split_digits_ = true;
      NodePtr inner = group();
      split_digits_ = saved;
      return inner;
    }
    if (is_symbol(t, '-')) {
      advance();
      return make_unary(NodeKind::kNeg, exponent_operand());
    }
    if (is_symbol(t, '(')) return primary();
    return single_token_argument();
  }

  // One TeX argument: a brace group or a single token ("\frac12", "\sqrt2", "x^2").
  NodePtr single_token_argument() {
    Token& t = t_[std::min(p_, t_.size() - 1)];
    if (is_symbol(t, '{')) return group();
    if (t.kind == TokenKind::kNumber && t.text.size() > 1 && t.text.find('.') == std::string::npos &&
        t.repeat.empty() && t.exponent == 0 && split_digits_) {
      // TeX reads one digit per argument: "\frac12" is 1/2; the remaining digits stay for what follows.
      NodePtr n = make_number(mpq_class(t.text[0] - '0'));
      split_log_.emplace_back(std::min(p_, t_.size() - 1), t.text);
      t.text.erase(0, 1);
      return n;
    }
    if (t.kind == TokenKind::kNumber || t.kind == TokenKind::kLetter || t.kind == TokenKind::kCommand)
      return primary();
    throw ParseError("expected an argument");
  }

  // "{ ... }": a group; several comma-separated items make a list.
  NodePtr group() {
    expect_symbol('{');
    NodePtr inner = items_node(NodeKind::kSet);
    expect_symbol('}');
    return inner;
  }

  NodePtr postfix() {
    DepthGuard guard(*this);
    NodePtr acc = primary();
    for (;;) {
      const Token& t = peek();
      if (is_symbol(t, '^')) {
        advance();
        if (is_command(peek(), "circ")) {
          advance();
          acc = make_unary(NodeKind::kDegree, std::move(acc));
          continue;
        }
        if (is_symbol(peek(), '{') && is_command(peek(1), "circ") && is_symbol(peek(2), '}')) {
          p_ += 3;
          acc = make_unary(NodeKind::kDegree, std::move(acc));
          continue;
        }
        const bool saved = split_digits_;
        split_digits_ = false;  // "2^10" means 2^{10} in model output
        NodePtr e = exponent_operand();
        split_digits_ = saved;
        acc = make_binary(NodeKind::kPow, std::move(acc), std::move(e));
        budget_.spend();
      } else if (is_symbol(t, '!')) {
        advance();
        acc = make_unary(NodeKind::kFactorial, std::move(acc));
      } else if (is_symbol(t, '%')) {
        advance();
        acc = make_unary(NodeKind::kPercent, std::move(acc));
      } else if (is_symbol(t, '\'')) {
        advance();
        if (acc->kind != NodeKind::kSymbol) throw ParseError("prime on a non-variable");
        acc->name += "'";
      } else if (is_symbol(t, '_')) {
        advance();
        acc = subscript(std::move(acc));
      } else {
        return acc;
      }
    }
  }

  // "1011_2" (a numeral in base 2) or "x_1" / "a_{n+1}" (a variable name).
  NodePtr subscript(NodePtr acc) {
    std::string sub;
    if (is_symbol(peek(), '{')) {
      // The subscript's tokens, as written, become part of the name.
      advance();
      int depth = 1;
      while (!at_end()) {
        if (is_symbol(peek(), '{')) ++depth;
        if (is_symbol(peek(), '}') && --depth == 0) break;
        sub += peek().text;
        advance();
        budget_.spend();
      }
      expect_symbol('}');
    } else if (!at_end()) {
      sub = peek().text;
      advance();
    }
    if (sub.empty()) throw ParseError("empty subscript");
    if (acc->kind == NodeKind::kNumber) {
      // The base as "(2)" or in words ("1011_{\text{two}}").
      if (sub.size() > 2 && sub.front() == '(' && sub.back() == ')') sub = sub.substr(1, sub.size() - 2);
      if (auto base = number_words_value(lower(sub))) sub = std::to_string(*base);
    }
    if (acc->kind == NodeKind::kNumber && acc->value.get_den() == 1 && acc->value >= 0 &&
        std::all_of(sub.begin(), sub.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
        sub.size() <= 2) {
      const int base = std::stoi(sub);
      if (base < 2 || base > 36) throw ParseError("numeral base out of range");
      NodePtr n = node(NodeKind::kBaseNumber);
      n->name = acc->value.get_str();
      n->base = base;
      return n;
    }
    if (acc->kind == NodeKind::kSymbol) {
      acc->name += "_" + sub;
      return acc;
    }
    throw ParseError("subscript on a non-variable");
  }

  NodePtr primary() {
    DepthGuard guard(*this);
    const Token t = peek();
    switch (t.kind) {
      case TokenKind::kNumber: return numeral();
      case TokenKind::kLetter: {
        advance();
        if (t.text == "e") return node(NodeKind::kE);
        if (t.text == "i") return node(NodeKind::kI);
        NodePtr n = node(NodeKind::kSymbol);
        n->name = t.text;
        return n;
      }
      case TokenKind::kWord: {
        advance();
        NodePtr n = node(NodeKind::kText);
        n->name = lower(t.text);
        while (peek().kind == TokenKind::kWord && !is_separator_word(peek())) {
          n->name += ' ';
          n->name += lower(peek().text);
          advance();
        }
        if (auto value = number_words_value(n->name)) return make_number(mpq_class(static_cast<long>(*value)));  // "twelve"
        return n;
      }
      case TokenKind::kCommand: return command();
      case TokenKind::kSetOpen: {
        advance();
        if (NodePtr condition = set_builder()) return condition;
        std::vector<NodePtr> xs = items();
        if (peek().kind != TokenKind::kSetClose) throw ParseError("unclosed \\{");
        advance();
        if (xs.empty()) return node(NodeKind::kEmptySet);
        NodePtr n = node(NodeKind::kSet);
        n->kids = std::move(xs);
        return n;
      }
      case TokenKind::kBegin: return matrix();
      case TokenKind::kSymbol: break;
      default: throw ParseError("unexpected token");
    }
    const char c = t.text[0];
    if (c == '(' || c == '[') return bracketed(c);
    if (c == '{') {
      // Bare braces only group (TeX prints none): "{1,3}" is the list 1, 3.
      advance();
      std::vector<NodePtr> xs = items();
      expect_symbol('}');
      if (xs.empty()) throw ParseError("empty group");
      if (xs.size() == 1) return std::move(xs[0]);
      NodePtr n = node(NodeKind::kList);
      n->kids = std::move(xs);
      return n;
    }
    if (c == '|') {
      advance();
      ++abs_depth_;
      NodePtr inner = additive();
      --abs_depth_;
      expect_symbol('|');
      NodePtr n = node(NodeKind::kFunc);
      n->name = "abs";
      n->kids.push_back(std::move(inner));
      return n;
    }
    throw ParseError("unexpected '" + t.text + "'");
  }

  NodePtr numeral() {
    const Token t = peek();
    advance();
    NodePtr n = node(NodeKind::kNumber);
    n->value = numeral_value(t, budget_);
    if (t.repeat.empty() && t.exponent == 0) n->name = t.text;  // the digits as written
    // Mixed number "2\frac13": an integer directly followed by a fraction of two integers.
    const bool integer = t.text.find('.') == std::string::npos && t.exponent == 0;
    if (integer && is_command(peek(), "frac")) {
      const size_t saved = p_;
      const size_t saved_log = split_log_.size();
      advance();
      NodePtr f = fraction();
      if (f->kids[0]->kind == NodeKind::kNumber && f->kids[1]->kind == NodeKind::kNumber &&
          f->kids[0]->value.get_den() == 1 && f->kids[1]->value.get_den() == 1 && f->kids[1]->value != 0) {
        n->value += f->kids[0]->value / f->kids[1]->value;
        return n;
      }
      // Not a mixed number: undo the digit splits and read the fraction again as a factor.
      while (split_log_.size() > saved_log) {
        t_[split_log_.back().first].text = split_log_.back().second;
        split_log_.pop_back();
      }
      p_ = saved;
    }
    return n;
  }

  NodePtr fraction() {
    NodePtr n = node(NodeKind::kDiv);
    n->kids.push_back(single_token_argument());
    n->kids.push_back(single_token_argument());
    return n;
  }

  NodePtr bracketed(char open) {
    advance();
    std::vector<NodePtr> xs = items();
    const Token& t = peek();
    if (!is_symbol(t, ')') && !is_symbol(t, ']')) throw ParseError("unclosed bracket");
    const char close = t.text[0];
    advance();
    if (xs.empty()) throw ParseError("empty brackets");
    if (xs.size() == 1 && ((open == '(' && close == ')') || (open == '[' && close == ']'))) return std::move(xs[0]);
    NodePtr n = node(NodeKind::kTuple);
    n->open = open;
    n->close = close;
    n->kids = std::move(xs);
    return n;
  }

  NodePtr matrix() {
    const std::string env = peek().text;
    advance();
    if (env.find("matrix") == std::string::npos && env != "array") throw ParseError("environment " + env);
    NodePtr n = node(NodeKind::kMatrix);
    size_t columns = 0;
    for (;;) {
      size_t in_row = 0;
      while (true) {
        if (n->kids.size() >= kMaxItems) throw BudgetExhausted();
        n->kids.push_back(relation());
        ++in_row;
        if (!is_symbol(peek(), '&')) break;
        advance();
      }
      if (columns == 0) columns = in_row;
      if (in_row != columns) throw ParseError("ragged matrix");
      if (peek().kind == TokenKind::kRowEnd) advance();
      if (peek().kind == TokenKind::kEnd) break;
      if (at_end()) throw ParseError("unclosed matrix");
    }
    advance();
    n->columns = columns;
    return n;
  }

  NodePtr command() {
    const std::string name = peek().text;
    if (name == "frac") {
      advance();
      return fraction();
    }
    if (name == "binom") {
      advance();
      NodePtr n = node(NodeKind::kFunc);
      n->name = "binom";
      n->kids.push_back(single_token_argument());
      n->kids.push_back(single_token_argument());
      return n;
    }
    if (name == "sqrt") {
      advance();
      NodePtr index = make_number(2);
      if (is_symbol(peek(), '[')) {
        advance();
        index = additive();
        expect_symbol(']');
      }
      NodePtr n = node(NodeKind::kRoot);
      n->kids.push_back(single_token_argument());
      n->kids.push_back(std::move(index));
      return n;
    }
    if (name == "pi") return advance(), node(NodeKind::kPi);
    if (name == "infty" || name == "infinity") return advance(), node(NodeKind::kInfinity);
    if (name == "emptyset" || name == "varnothing") return advance(), node(NodeKind::kEmptySet);
    if (name == "mathbbR") return advance(), node(NodeKind::kReals);
    if (name == "lfloor" || name == "lceil") {
      advance();
      NodePtr inner = additive();
      const std::string close = name == "lfloor" ? "rfloor" : "rceil";
      if (!is_command(peek(), close)) throw ParseError("unclosed " + name);
      advance();
      NodePtr n = node(NodeKind::kFunc);
      n->name = name == "lfloor" ? "floor" : "ceil";
      n->kids.push_back(std::move(inner));
      return n;
    }
    if (one_of(kGreek, name)) {
      advance();
      NodePtr n = node(NodeKind::kSymbol);
      n->name = name;
      return n;
    }
    if (one_of(kFunctions, name)) return function();
    // Any other command names something (\zeta, \ell, \zzz): a variable, so that relations around it
    // still parse.
    advance();
    NodePtr n = node(NodeKind::kSymbol);
    n->name = name;
    return n;
  }

  // \sin x, \sin(2x), \sin^2 x, \sin^{-1} x, \log_2 8, \ln x.
  NodePtr function() {
    std::string name = peek().text;
    advance();
    if (name == "lg") name = "log10";
    NodePtr power;
    NodePtr log_base;
    for (int k = 0; k < 2; ++k) {
      if (is_symbol(peek(), '^') && !power) {
        advance();
        power = exponent_operand();
      } else if (is_symbol(peek(), '_') && !log_base && name == "log") {
        advance();
        log_base = exponent_operand();
      }
    }
    if (power && power->kind == NodeKind::kNeg && power->kids[0]->kind == NodeKind::kNumber &&
        power->kids[0]->value == 1 && (name == "sin" || name == "cos" || name == "tan")) {
      name = "arc" + name;
      power.reset();
    }
    NodePtr arg;
    if (is_symbol(peek(), '(')) {
      arg = primary();
    } else {
      // "\sin 2x", "\sin 2\theta", "\cos 2\pi": the argument runs on through letters, numbers and Greek
      // letters, and stops at any other command ("\sin x \cos x" is a product of two functions).
      arg = postfix();
      while (starts_factor(peek()) && (peek().kind != TokenKind::kCommand || names_a_constant(peek())))
        arg = append(NodeKind::kMul, std::move(arg), postfix());
    }
    if (name == "max" || name == "min") throw ParseError("max/min");
    NodePtr f = node(NodeKind::kFunc);
    f->name = name;
    f->kids.push_back(std::move(arg));
    if (log_base) {
      NodePtr ln_base = node(NodeKind::kFunc);
      ln_base->name = "ln";
      ln_base->kids.push_back(std::move(log_base));
      f->name = "ln";
      f = make_binary(NodeKind::kDiv, std::move(f), std::move(ln_base));
    } else if (name == "log") {
      f->name = "ln";  // an unspecified logarithm is natural, as in the reference graders
    }
    if (power) f = make_binary(NodeKind::kPow, std::move(f), std::move(power));
    return f;
  }

  std::vector<Token> t_;
  WorkBudget& budget_;
  size_t p_ = 0;
  int depth_ = 0;
  int abs_depth_ = 0;
  bool split_digits_ = true;
  std::vector<std::pair<size_t, std::string>> split_log_;  // (token index, text before a digit split)
};

}  // namespace

NodePtr parse_answer(std::string_view answer, WorkBudget& budget) {
  if (answer.size() > kMaxAnswerChars) throw BudgetExhausted();
  // Refuse deep bracket nesting before recursing into it: unwinding a deep refusal costs more than this scan.
  int depth = 0, deepest = 0;
  for (char c : answer) {
    if (c == '{' || c == '(' || c == '[') deepest = std::max(deepest, ++depth);
    else if (c == '}' || c == ')' || c == ']') --depth;
  }
  if (deepest > kMaxBracketNesting) throw BudgetExhausted();
  return Parser(tokenize(answer, budget), budget).answer();
}

}  // namespace r1eval::graders::math
