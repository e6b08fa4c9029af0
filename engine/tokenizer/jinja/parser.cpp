#include "engine/tokenizer/jinja/parser.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "engine/tokenizer/jinja/lexer.h"

namespace r1eval::engine::jinja {
namespace {

constexpr int kMaxDepth = 200;  // nesting of expressions or blocks; a template deeper than this is refused

[[noreturn]] void fail(int line, const std::string& what) { throw JinjaError("line " + std::to_string(line) + ": " + what); }

ExprPtr make(Expr::Kind kind, int line) {
  auto e = std::make_unique<Expr>();
  e->kind = kind;
  e->line = line;
  return e;
}

ExprPtr binary(std::string op, ExprPtr a, ExprPtr b, int line) {
  ExprPtr e = make(Expr::Kind::kBinary, line);
  e->name = std::move(op);
  e->args.push_back(std::move(a));
  e->args.push_back(std::move(b));
  return e;
}

// Expressions of one tag.
class ExprParser {
 public:
  ExprParser(const std::vector<Token>& tokens, int line, std::size_t start = 0) : t_(tokens), i_(start), line_(line) {}

  std::size_t position() const { return i_; }
  bool done() const { return i_ >= t_.size(); }
  bool at_operator(std::string_view op) const { return !done() && t_[i_].kind == TokenKind::kOperator && t_[i_].text == op; }
  bool at_name(std::string_view n) const { return !done() && t_[i_].kind == TokenKind::kName && t_[i_].text == n; }
  void expect_operator(std::string_view op) {
    if (!at_operator(op)) fail(line_, "expected '" + std::string(op) + "'" + found());
    ++i_;
  }
  std::string name() {
    if (done() || t_[i_].kind != TokenKind::kName) fail(line_, "expected a name" + found());
    return t_[i_++].text;
  }
  void expect_end() {
    if (!done()) fail(line_, "unexpected '" + t_[i_].text + "'");
  }

  // The filters of a "{% filter trim | upper %}" tag, applied to `input` in order.
  ExprPtr filter_chain(ExprPtr input) {
    ExprPtr e = one_filter(std::move(input));
    while (at_operator("|")) {
      ++i_;
      e = one_filter(std::move(e));
    }
    return e;
  }

  // The full expression grammar, with a conditional ("a if c else b") at the top.
  ExprPtr expression(bool allow_conditional = true) {
    Depth d(*this);
    ExprPtr e = or_expr();
    if (allow_conditional && at_name("if")) {
      ++i_;
      ExprPtr c = make(Expr::Kind::kConditional, line_);
      ExprPtr condition = or_expr();
      c->args.push_back(std::move(condition));
      c->args.push_back(std::move(e));
      if (at_name("else")) {
        ++i_;
        c->args.push_back(expression());
      } else {
        c->args.push_back(nullptr);
      }
      return c;
    }
    return e;
  }

  // "a, b" as a tuple where a statement allows it (for targets are handled by the statement parser).
  ExprPtr tuple_or_expression() {
    ExprPtr first = expression();
    if (!at_operator(",")) return first;
    ExprPtr t = make(Expr::Kind::kTuple, line_);
    t->args.push_back(std::move(first));
    while (at_operator(",")) {
      ++i_;
      if (done() || at_operator(")")) break;  // "(1,)"
      t->args.push_back(expression());
    }
    return t;
  }

  ExprPtr or_expr() {
    ExprPtr e = and_expr();
    while (at_name("or")) {
      ++i_;
      e = binary("or", std::move(e), and_expr(), line_);
    }
    return e;
  }

 private:
  struct Depth {
    explicit Depth(ExprParser& p) : p_(p) {
      if (++p_.depth_ > kMaxDepth) fail(p_.line_, "expression nested too deeply");
    }
    ~Depth() { --p_.depth_; }
    ExprParser& p_;
  };

  std::string found() const { return done() ? " at the end of the tag" : ", found '" + t_[i_].text + "'"; }

  ExprPtr and_expr() {
    ExprPtr e = not_expr();
    while (at_name("and")) {
      ++i_;
      e = binary("and", std::move(e), not_expr(), line_);
    }
    return e;
  }

  ExprPtr not_expr() {
    if (at_name("not")) {
      Depth d(*this);
      ++i_;
      ExprPtr e = make(Expr::Kind::kNot, line_);
      e->args.push_back(not_expr());
      return e;
    }
    return comparison();
  }

  // "a < b < c" is Python's "a < b and b < c": one node holding the operands, the operators in keywords.
  ExprPtr comparison() {
    ExprPtr first = sum();
    ExprPtr chain;
    for (;;) {
      std::string op;
      if (!done() && t_[i_].kind == TokenKind::kOperator &&
          (t_[i_].text == "==" || t_[i_].text == "!=" || t_[i_].text == "<" || t_[i_].text == ">" || t_[i_].text == "<=" ||
           t_[i_].text == ">=")) {
        op = t_[i_++].text;
      } else if (at_name("in")) {
        ++i_;
        op = "in";
      } else if (at_name("not") && i_ + 1 < t_.size() && t_[i_ + 1].kind == TokenKind::kName && t_[i_ + 1].text == "in") {
        i_ += 2;
        op = "not in";
      } else {
        return chain ? std::move(chain) : std::move(first);
      }
      if (!chain) {
        chain = make(Expr::Kind::kCompare, line_);
        chain->args.push_back(std::move(first));
      }
      chain->keywords.push_back(op);
      chain->args.push_back(sum());
    }
  }

  // As jinja2: "~" binds tighter than "+" and "-", looser than "*".
  ExprPtr sum() {
    ExprPtr e = concatenation();
    while (at_operator("+") || at_operator("-")) {
      const std::string op = t_[i_++].text;
      e = binary(op, std::move(e), concatenation(), line_);
    }
    return e;
  }

  ExprPtr concatenation() {
    ExprPtr e = product();
    while (at_operator("~")) {
      ++i_;
      e = binary("~", std::move(e), product(), line_);
    }
    return e;
  }

  ExprPtr product() {
    ExprPtr e = power();
    while (at_operator("*") || at_operator("/") || at_operator("//") || at_operator("%")) {
      const std::string op = t_[i_++].text;
      e = binary(op, std::move(e), power(), line_);
    }
    return e;
  }

  ExprPtr power() {
    ExprPtr e = unary();
    while (at_operator("**")) {
      ++i_;
      e = binary("**", std::move(e), unary(), line_);
    }
    return e;
  }

  // As jinja2: a sign binds tighter than filters and tests ("-1 | abs" is 1) and looser than attributes,
  // subscripts and calls.
  ExprPtr unary(bool with_filters = true) {
    Depth d(*this);
    ExprPtr e;
    if (at_operator("-") || at_operator("+")) {
      const bool negate = t_[i_++].text == "-";
      e = unary(false);
      if (negate) {
        ExprPtr n = make(Expr::Kind::kNegate, line_);
        n->args.push_back(std::move(e));
        e = std::move(n);
      }
    } else {
      e = primary();
    }
    e = postfix(std::move(e));
    return with_filters ? filters(std::move(e)) : std::move(e);
  }

  ExprPtr primary() {
    if (done()) fail(line_, "expected an expression at the end of the tag");
    const Token& tok = t_[i_];
    if (tok.kind == TokenKind::kString) {
      std::string s = t_[i_++].text;
      while (!done() && t_[i_].kind == TokenKind::kString) s += t_[i_++].text;  // 'a' 'b' is 'ab'
      ExprPtr e = make(Expr::Kind::kLiteral, line_);
      e->value = Value(std::move(s));
      return e;
    }
    if (tok.kind == TokenKind::kInteger || tok.kind == TokenKind::kFloat) {
      ExprPtr e = make(Expr::Kind::kLiteral, line_);
      try {
        e->value = tok.kind == TokenKind::kInteger ? Value(static_cast<std::int64_t>(std::stoll(tok.text))) : Value(std::stod(tok.text));
      } catch (const std::exception&) {
        fail(line_, "number out of range: " + tok.text);
      }
      ++i_;
      return e;
    }
    if (tok.kind == TokenKind::kName) {
      ++i_;
      ExprPtr e = make(Expr::Kind::kLiteral, line_);
      if (tok.text == "true" || tok.text == "True") e->value = Value(true);
      else if (tok.text == "false" || tok.text == "False") e->value = Value(false);
      else if (tok.text == "none" || tok.text == "None") e->value = Value(None{});
      else {
        e->kind = Expr::Kind::kName;
        e->name = tok.text;
      }
      return e;
    }
    if (at_operator("(")) {
      ++i_;
      if (at_operator(")")) {
        ++i_;
        return make(Expr::Kind::kTuple, line_);
      }
      ExprPtr e = tuple_or_expression();
      expect_operator(")");
      return e;
    }
    if (at_operator("[")) {
      ++i_;
      ExprPtr e = make(Expr::Kind::kList, line_);
      while (!at_operator("]")) {
        e->args.push_back(expression());
        if (!at_operator(",")) break;
        ++i_;
      }
      expect_operator("]");
      return e;
    }
    if (at_operator("{")) {
      ++i_;
      ExprPtr e = make(Expr::Kind::kDict, line_);
      while (!at_operator("}")) {
        e->args.push_back(expression());
        expect_operator(":");
        e->args.push_back(expression());
        if (!at_operator(",")) break;
        ++i_;
      }
      expect_operator("}");
      return e;
    }
    fail(line_, "unexpected '" + tok.text + "'");
  }

  // Arguments of a call or filter after "(": positional, then keyword ("name=value").
  void arguments(Expr& call) {
    expect_operator("(");
    while (!at_operator(")")) {
      if (!done() && t_[i_].kind == TokenKind::kName && i_ + 1 < t_.size() && t_[i_ + 1].kind == TokenKind::kOperator &&
          t_[i_ + 1].text == "=") {
        call.keywords.push_back(t_[i_].text);
        i_ += 2;
        call.args.push_back(expression());
      } else {
        if (!call.keywords.empty()) fail(line_, "positional argument after a keyword argument");
        call.args.push_back(expression());
      }
      if (!at_operator(",")) break;
      ++i_;
    }
    expect_operator(")");
  }

  ExprPtr postfix(ExprPtr e) {
    for (;;) {
      if (at_operator(".")) {
        ++i_;
        // "messages.0" is messages[0], as jinja2 reads it; "x.1.0" (lexed as the float 1.0) is x[1][0].
        const bool integer = !done() && t_[i_].kind == TokenKind::kInteger;
        const std::string& text = done() ? std::string() : t_[i_].text;
        const bool two_integers = !done() && t_[i_].kind == TokenKind::kFloat && text.find('.') != std::string::npos &&
                                  std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || (c >= '0' && c <= '9'); }) &&
                                  text.find('.') == text.rfind('.') && text.front() != '.' && text.back() != '.';
        if (integer || two_integers) {
          const std::string digits = text;
          ++i_;
          std::size_t from = 0;
          while (from <= digits.size()) {
            const std::size_t dot = std::min(digits.find('.', from), digits.size());
            ExprPtr index = make(Expr::Kind::kLiteral, line_);
            try {
              index->value = Value(static_cast<std::int64_t>(std::stoll(digits.substr(from, dot - from))));
            } catch (const std::exception&) {
              fail(line_, "number out of range: " + digits);
            }
            ExprPtr item = make(Expr::Kind::kItem, line_);
            item->args.push_back(std::move(e));
            item->args.push_back(std::move(index));
            e = std::move(item);
            from = dot + 1;
          }
          continue;
        }
        ExprPtr a = make(Expr::Kind::kAttribute, line_);
        a->name = name();
        a->args.push_back(std::move(e));
        e = std::move(a);
      } else if (at_operator("[")) {
        ++i_;
        ExprPtr part[3];
        bool slice = false;
        for (int k = 0; k < 3; ++k) {
          if (!at_operator(":") && !at_operator("]")) part[k] = expression();
          if (k < 2 && at_operator(":")) {
            ++i_;
            slice = true;
          } else {
            break;
          }
        }
        expect_operator("]");
        ExprPtr s = make(slice ? Expr::Kind::kSlice : Expr::Kind::kItem, line_);
        s->args.push_back(std::move(e));
        if (!slice && !part[0]) fail(line_, "empty subscript");
        s->args.push_back(std::move(part[0]));
        if (slice) {
          s->args.push_back(std::move(part[1]));
          s->args.push_back(std::move(part[2]));
        }
        e = std::move(s);
      } else if (at_operator("(")) {
        ExprPtr c = make(Expr::Kind::kCall, line_);
        c->args.push_back(std::move(e));
        arguments(*c);
        e = std::move(c);
      } else {
        return e;
      }
    }
  }

  // "name", "name(arguments)" or a dotted name, applied to `e`.
  ExprPtr one_filter(ExprPtr e) {
    ExprPtr f = make(Expr::Kind::kFilter, line_);
    f->name = name();
    while (at_operator(".")) {  // a dotted filter name
      ++i_;
      f->name += '.';
      f->name += name();
    }
    f->args.push_back(std::move(e));
    if (at_operator("(")) arguments(*f);
    return f;
  }

  // Filters and tests after a postfix expression; a call may follow either.
  ExprPtr filters(ExprPtr e) {
    for (;;) {
      if (at_operator("(")) {
        ExprPtr c = make(Expr::Kind::kCall, line_);
        c->args.push_back(std::move(e));
        arguments(*c);
        e = std::move(c);
      } else if (at_operator("|")) {
        ++i_;
        e = one_filter(std::move(e));
      } else if (at_name("is")) {
        ++i_;
        ExprPtr t = make(Expr::Kind::kTest, line_);
        if (at_name("not")) {
          ++i_;
          t->negated = true;
        }
        // "is none", "is true" are tests named by a literal's keyword.
        t->name = name();
        t->args.push_back(std::move(e));
        if (at_operator("(")) {
          arguments(*t);
        } else if (!done() && (t_[i_].kind == TokenKind::kString || t_[i_].kind == TokenKind::kInteger ||
                               t_[i_].kind == TokenKind::kFloat || at_operator("[") || at_operator("{") ||
                               (t_[i_].kind == TokenKind::kName && t_[i_].text != "and" && t_[i_].text != "or" &&
                                t_[i_].text != "if" && t_[i_].text != "else" && t_[i_].text != "is" && t_[i_].text != "in" &&
                                t_[i_].text != "not"))) {
          t->args.push_back(postfix(primary()));  // "x is divisibleby 3", "x is sameas y"
        }
        e = std::move(t);
      } else {
        return e;
      }
    }
  }

  const std::vector<Token>& t_;
  std::size_t i_;
  int line_;
  int depth_ = 0;
};

// Statements over the pieces of a template.
class StmtParser {
 public:
  explicit StmtParser(std::vector<Piece> pieces) : p_(std::move(pieces)) {}

  Body parse() {
    std::string end;
    Body body = block({}, &end);
    return body;
  }

 private:
  static std::string keyword(const Piece& p) { return p.tokens[0].kind == TokenKind::kName ? p.tokens[0].text : ""; }

  // Statements up to one whose keyword is in `ends` (left unconsumed; its keyword goes to *end), or to the
  // end of the template when `ends` is empty.
  Body block(std::initializer_list<std::string_view> ends, std::string* end) {
    if (++depth_ > kMaxDepth) fail(p_.empty() ? 1 : p_[std::min(i_, p_.size() - 1)].line, "blocks nested too deeply");
    Body body;
    while (i_ < p_.size()) {
      const Piece& piece = p_[i_];
      if (piece.kind == Piece::Kind::kText) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::kText;
        s->text = piece.text;
        s->line = piece.line;
        body.push_back(std::move(s));
        ++i_;
        continue;
      }
      if (piece.kind == Piece::Kind::kOutput) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::kOutput;
        s->line = piece.line;
        ExprParser ep(piece.tokens, piece.line);
        s->expr = ep.expression();
        ep.expect_end();
        body.push_back(std::move(s));
        ++i_;
        continue;
      }
      const std::string kw = keyword(piece);
      if (std::find(ends.begin(), ends.end(), kw) != ends.end()) {
        *end = kw;
        --depth_;
        return body;
      }
      body.push_back(statement(piece, kw));
    }
    if (ends.size() > 0) fail(p_.empty() ? 1 : p_.back().line, "missing '{% " + std::string(*(ends.end() - 1)) + " %}'");
    --depth_;
    return body;
  }

  std::unique_ptr<Stmt> statement(const Piece& piece, const std::string& kw) {
    auto s = std::make_unique<Stmt>();
    s->line = piece.line;
    ExprParser ep(piece.tokens, piece.line, 1);
    ++i_;
    std::string end;
    if (kw == "if") {
      s->kind = Stmt::Kind::kIf;
      s->conditions.push_back(ep.expression());
      ep.expect_end();
      for (;;) {
        s->bodies.push_back(block({"elif", "else", "endif"}, &end));
        const Piece& at = p_[i_++];
        if (end == "endif") break;
        ExprParser branch(at.tokens, at.line, 1);
        if (end == "elif") {
          s->conditions.push_back(branch.expression());
          branch.expect_end();
        } else {
          branch.expect_end();
          s->bodies.push_back(block({"endif"}, &end));
          ++i_;
          break;
        }
      }
    } else if (kw == "for") {
      s->kind = Stmt::Kind::kFor;
      s->targets.push_back(ep.name());
      while (ep.at_operator(",")) {
        ep.expect_operator(",");
        s->targets.push_back(ep.name());
      }
      if (!ep.at_name("in")) fail(piece.line, "expected 'in' in a for loop");
      ep.name();
      s->expr = ep.expression(/*allow_conditional=*/false);
      if (ep.at_name("if")) {
        ep.name();
        s->condition = ep.expression(false);
      }
      if (ep.at_name("recursive")) {
        ep.name();
        s->recursive = true;
      }
      ep.expect_end();
      ++loops_;
      s->bodies.push_back(block({"else", "endfor"}, &end));
      --loops_;
      ++i_;
      if (end == "else") {
        s->bodies.push_back(block({"endfor"}, &end));
        ++i_;
      } else {
        s->bodies.emplace_back();
      }
    } else if (kw == "set") {
      s->targets.push_back(ep.name());
      if (ep.at_operator(".")) {
        ep.expect_operator(".");
        s->targets.push_back(ep.name());
        s->namespace_attribute = true;
      }
      while (!s->namespace_attribute && ep.at_operator(",")) {  // "set a, b = pair"
        ep.expect_operator(",");
        s->targets.push_back(ep.name());
      }
      if (ep.at_operator("=")) {
        ep.expect_operator("=");
        s->kind = Stmt::Kind::kSet;
        s->expr = ep.tuple_or_expression();
        ep.expect_end();
      } else {
        if (ep.at_operator("|")) {  // "{% set body | trim %}...{% endset %}"
          ep.expect_operator("|");
          ExprPtr input = make(Expr::Kind::kName, piece.line);
          input->name = kFilterBlockInput;
          s->expr = ep.filter_chain(std::move(input));
        }
        ep.expect_end();
        if (s->targets.size() != 1 || s->namespace_attribute) fail(piece.line, "a block set needs a plain name");
        s->kind = Stmt::Kind::kSetBlock;
        s->bodies.push_back(block({"endset"}, &end));
        ++i_;
      }
    } else if (kw == "macro") {
      s->kind = Stmt::Kind::kMacro;
      s->targets.push_back(ep.name());
      ep.expect_operator("(");
      parameters(ep, *s);
      ep.expect_end();
      macro_body(*s, "endmacro");
    } else if (kw == "call") {
      // "{% call(user) list_users(users) %}...{% endcall %}": the body is the caller macro the call receives.
      s->kind = Stmt::Kind::kCallBlock;
      s->targets.emplace_back("caller");
      if (ep.at_operator("(")) {
        ep.expect_operator("(");
        parameters(ep, *s);
      }
      s->expr = ep.expression();
      if (s->expr->kind != Expr::Kind::kCall) fail(piece.line, "expected a call in '{% call %}'");
      ep.expect_end();
      macro_body(*s, "endcall");
    } else if (kw == "with") {
      s->kind = Stmt::Kind::kWith;
      while (!ep.done()) {
        s->targets.push_back(ep.name());
        ep.expect_operator("=");
        s->values.push_back(ep.expression());
        if (!ep.at_operator(",")) break;
        ep.expect_operator(",");
      }
      ep.expect_end();
      s->bodies.push_back(block({"endwith"}, &end));
      ++i_;
    } else if (kw == "break" || kw == "continue") {
      ep.expect_end();
      if (loops_ == 0) fail(piece.line, "'" + kw + "' outside a loop");
      s->kind = kw == "break" ? Stmt::Kind::kBreak : Stmt::Kind::kContinue;
    } else if (kw == "filter") {
      // The block's text is the innermost filter's input, bound to a name no template can spell.
      s->kind = Stmt::Kind::kFilterBlock;
      ExprPtr input = make(Expr::Kind::kName, piece.line);
      input->name = kFilterBlockInput;
      s->expr = ep.filter_chain(std::move(input));
      ep.expect_end();
      s->bodies.push_back(block({"endfilter"}, &end));
      ++i_;
    } else if (kw == "generation") {
      ep.expect_end();
      s->kind = Stmt::Kind::kBlock;
      s->bodies.push_back(block({"endgeneration"}, &end));
      ++i_;
    } else {
      fail(piece.line, "'{% " + (kw.empty() ? piece.tokens[0].text : kw) + " %}' is not supported here");
    }
    return s;
  }

  // A macro's "(a, b=1)" after its name, up to the closing parenthesis: targets and defaults.
  void parameters(ExprParser& ep, Stmt& s) {
    while (!ep.at_operator(")")) {
      s.targets.push_back(ep.name());
      if (ep.at_operator("=")) {
        ep.expect_operator("=");
        s.defaults.push_back(ep.expression());
      } else {
        s.defaults.push_back(nullptr);
      }
      if (!ep.at_operator(",")) break;
      ep.expect_operator(",");
    }
    ep.expect_operator(")");
  }

  // A macro's (or a caller's) body, and which of varargs, kwargs and caller it names: jinja2 gives a macro those
  // only when its body uses them, and refuses extra arguments otherwise.
  void macro_body(Stmt& s, const char* end_tag) {
    std::string end;
    const int outer_loops = std::exchange(loops_, 0);  // a macro's body is outside the caller's loop
    s.bodies.push_back(block({end_tag}, &end));
    loops_ = outer_loops;
    ++i_;
    names_used(s.bodies[0], s.catches);
  }

  static void names_used(const Expr& e, Stmt::Catches& c) {
    if (e.kind == Expr::Kind::kName) {
      c.varargs |= e.name == "varargs";
      c.kwargs |= e.name == "kwargs";
      c.caller |= e.name == "caller";
    }
    for (const ExprPtr& a : e.args)
      if (a) names_used(*a, c);
  }

  static void names_used(const Body& body, Stmt::Catches& c) {
    for (const auto& st : body) {
      if (st->kind == Stmt::Kind::kMacro) continue;  // a nested macro has its own
      for (const ExprPtr* e : {&st->expr, &st->condition})
        if (*e) names_used(**e, c);
      for (const auto* list : {&st->conditions, &st->defaults, &st->values})
        for (const ExprPtr& e : *list)
          if (e) names_used(*e, c);
      for (const Body& b : st->bodies) names_used(b, c);
    }
  }

  std::vector<Piece> p_;
  std::size_t i_ = 0;
  int depth_ = 0;
  int loops_ = 0;  // for loops around the statement being parsed
};

}  // namespace

Body parse_template(std::string_view source) { return StmtParser(split_template(source)).parse(); }

}  // namespace r1eval::engine::jinja
