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

// The comparison behind every entry point: text, then plain numerals, then the parsed trees, then text
// ignoring case for answers the parser could not decide.
Decision decide(std::string_view a, std::string_view b) {
  const std::string na = normalize_answer(a);
  const std::string nb = normalize_answer(b);
  if (na.empty() || nb.empty()) return {false, "empty answer"};
  if (na == nb) return {true, "same normalised text"};
  if (only_words(na) && only_words(nb) && ascii_lower(na) == ascii_lower(nb)) return {true, "same text ignoring case"};
  const auto qa = parse_simple_rational(na);
  const auto qb = qa ? parse_simple_rational(nb) : std::nullopt;
  if (qa && qb) return *qa == *qb ? Decision{true, "numeric equal"} : Decision{false, "numbers differ"};
  std::string undecided = "answers differ";
  try {
    math::WorkBudget budget(math::kPairBudget);
    const math::NodePtr ta = math::parse_answer(a, budget);
    const math::NodePtr tb = math::parse_answer(b, budget);
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
  const Decision d = decide(*found.answer, gold);
  v.correct = d.equal;
  v.reason = d.reason;
  return v;
}

}  // namespace r1eval::graders
