#include "graders/math_grader.h"

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

// The comparison behind every entry point: text, then plain numerals, then the parsed trees, then text
// ignoring case for answers the parser could not decide.
Decision decide(std::string_view a, std::string_view b) {
  std::string variable_a, variable_b;
  const std::string na = normalize_answer(a, &variable_a);
  const std::string nb = normalize_answer(b, &variable_b);
  if (na.empty() || nb.empty()) return {false, "empty answer"};
  // "x=5" states 5, but "x=-2" is another line than "y=-2": when both name a variable, the names must agree.
  if (!variable_a.empty() && !variable_b.empty() && variable_a != variable_b)
    return {false, "equations in different variables (" + variable_a + " and " + variable_b + ")"};
  if (na == nb) return {true, "same normalised text"};
  if (only_words(na) && only_words(nb) && ascii_lower(na) == ascii_lower(nb)) return {true, "same text ignoring case"};
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
  if (ascii_lower(na) == ascii_lower(nb)) return {true, "same text ignoring case"};
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
