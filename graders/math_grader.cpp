#include "graders/math_grader.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "graders/extract.h"
#include "graders/math/compare.h"
#include "graders/math/parser.h"
#include "graders/normalize.h"
#include "graders/simple_number.h"

namespace r1eval::graders {
namespace {

struct Decision {
  bool equal = false;
  std::string reason;
};

bool only_words(std::string_view s) {
  for (char c : s)
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '(' && c != ')' && c != ' ') return false;
  return true;
}

// The answer without the sentence punctuation and math delimiters that close it ("2\sqrt{2}.$").
std::string_view without_closing_punctuation(std::string_view s) {
  while (!s.empty()) {
    // "0.333...": the ellipsis of a repeating or cut-off decimal is part of it.
    if (ends_with_cut_decimal(s)) break;
    const char c = s.back();
    if (std::isspace(static_cast<unsigned char>(c)) || c == '$' || c == '.' || c == ',' || c == ';' || c == ':') {
      // "\," and "\;" are spacing commands, "\$" a dollar sign: drop them whole.
      s.remove_suffix(s.size() >= 2 && s[s.size() - 2] == '\\' ? 2 : 1);
      continue;
    }
    break;
  }
  return s;
}

// True when a normalised answer holds a letter outside command names ("2x", "\frac{y}{2}"; not
// "\frac{1}{2}", "2\pi").
bool has_variable_letters(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      while (i + 1 < s.size() && std::isalpha(static_cast<unsigned char>(s[i + 1])) != 0) ++i;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(s[i])) != 0) return true;
  }
  return false;
}

// The letter of a multiple-choice answer written alone: "(C)" or "C" (A to E), after normalisation.
std::optional<char> lone_choice(const std::string& n) {
  if (n.size() == 3 && n[0] == '(' && n[1] >= 'A' && n[1] <= 'E' && n[2] == ')') return n[1];
  if (n.size() == 1 && n[0] >= 'A' && n[0] <= 'E') return n[0];
  return std::nullopt;
}

std::string ascii_upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The letter an answer opens with as a choice followed by its value or its option text, against a choice given
// alone: "(C)12", "(C)\frac{1}{2}", "(B)3(1+r/10)^x=7", "C.Plane", "C)Plane" (normalised, spaces gone). Not
// a list of choices or a union of them ("(C),(D)", "(B)\cup(C)", "(A)and(B)"), nor a choice under a condition.
std::optional<char> leading_choice(const std::string& n) {
  const auto choice_letter = [](char c) { return c >= 'A' && c <= 'E'; };
  size_t after = 0;
  if (n.size() > 3 && n[0] == '(' && choice_letter(n[1]) && n[2] == ')') {
    after = 3;
  } else if (n.size() > 2 && choice_letter(n[0]) && (n[1] == '.' || n[1] == ')' || n[1] == ':') &&
             (std::isalnum(static_cast<unsigned char>(n[2])) != 0 || n[2] == '\\')) {
    after = 2;
  } else {
    return std::nullopt;
  }
  const std::string_view rest = std::string_view(n).substr(after);
  if (rest.front() == ',' || rest.front() == ';') return std::nullopt;
  // A condition after the letter ("(C) \text{ only if } x>0"); another choice is caught below.
  const std::string lower = ascii_lower(std::string(rest.substr(0, 8)));
  for (std::string_view word : {"only", "if", "when", "unless", "provided", "except"})
    if (lower.starts_with(word)) return std::nullopt;
  for (char other = 'A'; other <= 'E'; ++other)
    if (rest.find(std::string{'(', other, ')'}) != std::string_view::npos) return std::nullopt;
  return after == 3 ? n[1] : n[0];
}

// An answer without a parenthetical aside closing it: "\frac{1}{2} \; (0.5)", "12\pi\ (\approx 37.7)",
// "5\text{ (cm)}". An aside is a group that opens with an approximation sign, one number set off by a TeX space
// command (a product would not be spaced so: "3 (x + 1)" stays), or a \text group of words in parentheses (a
// unit).
std::string_view without_trailing_aside(std::string_view s) {
  const auto trimmed_end = [](std::string_view t) {
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back())) != 0) t.remove_suffix(1);
    return t;
  };
  std::string_view t = trimmed_end(s);
  if (t.empty()) return s;
  if (t.back() == '}') {  // \text{ (cm)}
    for (std::string_view command : {"\\text{", "\\mbox{", "\\textrm{"}) {
      const size_t at = t.rfind(command);
      if (at == std::string_view::npos || at == 0) continue;
      std::string_view inner = t.substr(at + command.size(), t.size() - 1 - at - command.size());
      while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
      inner = trimmed_end(inner);
      const bool words_in_parentheses =
          inner.size() >= 3 && inner.front() == '(' && inner.back() == ')' &&
          std::all_of(inner.begin() + 1, inner.end() - 1,
                      [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == ' ' || c == '.'; });
      if (words_in_parentheses) return trimmed_end(t.substr(0, at));
    }
    return s;
  }
  if (t.back() != ')') return s;
  int depth = 0;
  size_t open = t.size();
  while (open > 0) {
    --open;
    if (t[open] == ')') ++depth;
    if (t[open] == '(' && --depth == 0) break;
  }
  if (depth != 0 || open == 0) return s;
  std::string_view inner = t.substr(open + 1, t.size() - open - 2);
  while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
  std::string_view before = t.substr(0, open);
  if (before.ends_with("\\left")) before.remove_suffix(5);
  const bool approximation =
      inner.starts_with("\\approx") || inner.starts_with("\xe2\x89\x88") || inner.starts_with("approx");
  std::string_view head = trimmed_end(before);
  bool spaced = false;
  for (std::string_view space : {"\\;", "\\,", "\\:", "\\ ", "~"}) {
    if (head.ends_with(space)) {
      head = trimmed_end(head.substr(0, head.size() - space.size()));
      spaced = true;
      break;
    }
  }
  // One number ("(0.5)"), not a list or a tuple ("(x, y) = (5, 8) \quad \text{and} \quad (8, 5)").
  const bool one_number = !inner.empty() && std::all_of(inner.begin(), inner.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == ' ';
  });
  if (head.empty() || !(approximation || (spaced && one_number))) return s;
  return head;
}

// One variable name however it is written: "a_{1}" is "a_1", case does not matter ("X" and "x").
bool same_name(const std::string& a, const std::string& b) {
  const auto canonical = [](const std::string& name) {
    std::string out;
    for (const char c : name)
      if (c != '{' && c != '}') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  return canonical(a) == canonical(b);
}


// The comparison behind every entry point: text, then plain numerals, then the parsed trees, then text
// ignoring case for answers the parser could not decide.
Decision decide(std::string_view a, std::string_view b) {
  a = without_trailing_aside(a);
  b = without_trailing_aside(b);
  std::string variable_a, variable_b;
  const std::string na = normalize_answer(a, &variable_a);
  const std::string nb = normalize_answer(b, &variable_b);
  if (na.empty() || nb.empty()) return {false, "empty answer"};
  // "x=5" states 5, but "x=-2" is another line than "y=-2": when both name a variable and give it a
  // constant, the names must agree ("a_1" and "a_{1}", "X" and "x" are one name). Equations with variables
  // on both sides ("y = -2x", "x = -y/2") are left to the comparison of the equations.
  const bool other_names = !variable_a.empty() && !variable_b.empty() && !same_name(variable_a, variable_b);
  if (other_names && !has_variable_letters(na) && !has_variable_letters(nb))
    return {false, "equations in different variables (" + variable_a + " and " + variable_b + ")"};
  if (na == nb && !other_names) return {true, "same normalised text"};
  // A choice against "\textbf{(C)}\ 12", the choice with its value, either way round: the letters decide.
  for (const auto& [alone, with_value] : {std::pair{&na, &nb}, std::pair{&nb, &na}}) {
    const auto choice = lone_choice(*alone), given = leading_choice(*with_value);
    if (choice && given) return {*choice == *given, "answer choice " + std::string(1, *given)};
    // "(C)" against "c" or "(c)": against a choice in parentheses a lower-case letter is the choice.
    const std::string upper = ascii_upper(*with_value);
    if (choice && alone->size() == 3 && upper != *with_value && lone_choice(upper))
      return {*choice == *lone_choice(upper), "answer choice " + upper};
  }
  if (only_words(na) && only_words(nb)) {
    const std::string la = ascii_lower(na), lb = ascii_lower(nb);
    if (la == lb) return {true, "same text ignoring case"};
    // A word answer with the noun it qualifies ("even" and "even function", "odd" and "odd number").
    const std::string& shorter = la.size() < lb.size() ? la : lb;
    const std::string& longer = la.size() < lb.size() ? lb : la;
    for (std::string_view noun : {"function", "number", "numbers", "integer", "integers"})
      if (!shorter.empty() && longer == shorter + std::string(noun)) return {true, "same word with its noun"};
  }
  const auto qa = parse_simple_rational(na);
  const auto qb = qa ? parse_simple_rational(nb) : std::nullopt;
  // Plain numerals that are equal need nothing more; unequal ones may still be a decimal approximation.
  if (qa && qb && *qa == *qb) return {true, "numeric equal"};
  std::string undecided = "answers differ";
  try {
    math::WorkBudget budget(math::kPairBudget);
    const math::NodePtr ta = math::parse_answer(without_closing_punctuation(a), budget);
    const math::NodePtr tb = math::parse_answer(without_closing_punctuation(b), budget);
    const math::Outcome o = math::compare_answers(*ta, *tb, budget);
    if (o.decision == math::Decision::kEqual) return {true, o.reason};
    if (o.decision == math::Decision::kDifferent) return {false, o.reason};
    undecided = o.reason;
  } catch (const math::ParseError& e) {
    undecided = std::string("not parsed: ") + e.what();
  } catch (const math::BudgetExhausted&) {
    return {false, "work budget exceeded"};
  }
  if (ascii_lower(na) == ascii_lower(nb) && !other_names) return {true, "same text ignoring case"};
  return {false, undecided};
}

// A gold that is a whole solution (MATH's "solution" field: it boxes its answer) is reduced to its final
// answer the way a response is; any other gold is the answer as written, however long (a matrix of radicals
// runs past 200 characters) or however many lines it takes.
std::string gold_answer_of(std::string_view gold) {
  const bool solution_like = gold.find("\\boxed") != std::string_view::npos ||
                             gold.find("\\fbox") != std::string_view::npos;
  if (!solution_like) return std::string(gold);
  ExtractedAnswer a = extract_final_answer(gold);
  return a.answer ? *a.answer : std::string(gold);
}

}  // namespace

bool math_answers_equal(std::string_view a, std::string_view b) { return decide(a, b).equal; }

Verdict grade_math(std::string_view response, std::string_view gold) {
  Verdict v;
  ExtractedAnswer found = extract_final_answer(response);
  if (!found.answer) {
    v.reason = "no boxed answer";
    return v;
  }
  v.extracted = found.answer;
  const std::string gold_answer = gold_answer_of(gold);
  const Decision d = decide(*found.answer, gold_answer);
  v.correct = d.equal;
  v.reason = d.reason;
  return v;
}

}  // namespace r1eval::graders
