#include <algorithm>
#include <map>
#include <stdexcept>

#include "results/metrics.h"

namespace r1eval::results {

double cons_at_k(const ProblemOutcomes& problem, int k) {
  if (k < 1 || static_cast<std::size_t>(k) > problem.samples.size()) {
    throw std::invalid_argument("cons_at_k: problem '" + problem.problem_id + "' has " +
                                std::to_string(problem.samples.size()) + " samples, k=" + std::to_string(k) +
                                " needs 1 <= k <= that");
  }
  std::vector<const SampleOutcome*> ordered;
  ordered.reserve(problem.samples.size());
  for (const SampleOutcome& s : problem.samples) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const SampleOutcome* a, const SampleOutcome* b) { return a->sample_index < b->sample_index; });

  struct Tally {
    int votes = 0;
    int first_position = 0;
    bool correct = false;
  };
  // Every correct answer equals the gold, so correct answers vote together whatever their class: the
  // grader's equality is not transitive (0.3333333 and 0.33333 both equal 1/3 but not each other), and
  // classes formed by comparing answers with each other could split the right answer's votes.
  constexpr int kCorrectVote = -2;
  std::map<int, Tally> tallies;
  for (int pos = 0; pos < k; ++pos) {
    const SampleOutcome& s = *ordered[static_cast<std::size_t>(pos)];
    if (s.answer_class < 0) continue;  // no extracted answer: abstains
    const int vote = s.correct ? kCorrectVote : s.answer_class;
    const auto it = tallies.try_emplace(vote, Tally{0, pos, s.correct}).first;
    ++it->second.votes;
  }
  const Tally* winner = nullptr;
  for (const auto& [cls, tally] : tallies) {
    if (winner == nullptr || tally.votes > winner->votes ||
        (tally.votes == winner->votes && tally.first_position < winner->first_position)) {
      winner = &tally;
    }
  }
  return winner != nullptr && winner->correct ? 1.0 : 0.0;
}

}  // namespace r1eval::results
