#include "harness/grade_generations.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "graders/extract.h"
#include "graders/math_grader.h"
#include "harness/grading.h"
#include "harness/seeds.h"
#include "results/report.h"
#include "results/store.h"

namespace r1eval::harness {

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

namespace {

std::string where(const std::filesystem::path& source, const ExternalSample& s) {
  return source.string() + ":" + std::to_string(s.line);
}

// Checks an externally supplied choice order and derives the gold letter from it.
std::string gold_letter_for(const std::vector<int>& order, const std::filesystem::path& source,
                            const ExternalSample& s, std::size_t options) {
  std::vector<int> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != static_cast<int>(i) || sorted.size() != options)
      throw std::invalid_argument(where(source, s) + ": field 'choice_order': expected a permutation of 0.." +
                                  std::to_string(options - 1));
  const auto it = std::find(order.begin(), order.end(), 0);
  return std::string(1, static_cast<char>('A' + (it - order.begin())));
}

// True when a file's gold states the task's answer: compared as an answer (a whole solution's box first), not
// read as a response ("11,\\! 111,\\! 100" is one number).
bool same_math_answer(const std::string& gold, const std::string& task_answer) {
  const bool solution = gold.find("\\boxed") != std::string::npos || gold.find("\\fbox") != std::string::npos;
  const std::optional<std::string> answer = solution ? graders::extract_boxed_answer(gold) : std::optional(gold);
  if (!answer) return false;
  return collapse_whitespace(*answer) == collapse_whitespace(task_answer) ||
         graders::math_answers_equal(*answer, task_answer) || graders::math_answers_equal(task_answer, *answer);
}

// The gold letter of a letter written in the file ("B", "(B)", "b"), or "" when it is none of the problem's.
std::string gold_letter(std::string_view written, std::size_t options) {
  std::string letter;
  for (char c : written)
    if (c != '(' && c != ')' && c != ' ') letter += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const bool ok = letter.size() == 1 && letter[0] >= 'A' && letter[0] < static_cast<char>('A' + options);
  return ok ? letter : "";
}

std::optional<std::vector<int>> order_from_prompt(std::string_view prompt, const tasks::Problem& problem);

// The option order (and so the gold letter) of a multiple-choice sample made elsewhere, from the first the
// line gives: its "choice_order"; the order its "prompt" lists the options in; its "gold" letter alone (the
// order then unknown: votes go by letter); or, with --seed, the prompt `r1eval prompts --seed` made. With
// none of these the letters cannot be graded (another tool shuffles its own way): an error, never a guess.
void resolve_choice_order(const tasks::Problem& problem, const ExternalSample& s, const tasks::Prompt& own,
                          const std::filesystem::path& source, const GradeOptions& options, results::SampleRecord& r) {
  const std::size_t count = problem.distractors.size() + 1;
  std::string written;
  if (s.gold) {
    written = gold_letter(*s.gold, count);
    if (written.empty())
      throw std::invalid_argument(where(source, s) + ": field 'gold': expected a letter from A to " +
                                  std::string(1, static_cast<char>('A' + count - 1)) + ", got '" + s.gold->substr(0, 40) + "'");
  }
  std::vector<int> order = s.choice_order;
  std::string from = "choice_order";
  if (order.empty() && s.prompt) {
    if (auto read = order_from_prompt(*s.prompt, problem)) order = *read, from = "prompt";
    else if (!s.gold && !options.seed_given)
      throw std::invalid_argument(where(source, s) + ": field 'prompt': cannot read the order of problem '" + problem.id +
                                  "''s options from it (labels A) ... " + std::string(1, static_cast<char>('A' + count - 1)) +
                                  ") at line starts, each followed by one option's text); give 'choice_order' or "
                                  "'gold', or --seed S when the prompts came from `r1eval prompts --seed S`");
  }
  if (!order.empty()) {
    r.choice_order = order;
    r.gold = gold_letter_for(order, source, s, count);
    if (!written.empty() && written != r.gold)
      throw std::invalid_argument(where(source, s) + ": field 'gold' (" + written + ") disagrees with field '" + from +
                                  "' (the correct option is " + r.gold + " there)");
    return;
  }
  if (!written.empty()) {
    r.gold = written;
    r.choice_order.clear();  // unknown: the stored prompt is not the one the model saw
    if (!s.prompt) r.prompt.clear();
    return;
  }
  if (!options.seed_given)
    throw std::invalid_argument(where(source, s) + ": problem '" + problem.id + "' is multiple-choice and the line "
                                "says neither the option order nor the correct letter: give 'choice_order', 'gold' "
                                "or 'prompt', or --seed S when the prompts came from `r1eval prompts --seed S` (without "
                                "--seed, `r1eval prompts` used seed 0)");
  r.choice_order = own.choice_order;
  r.gold = own.gold;
}

// The option order of a multiple-choice prompt the model saw: the text after each label ("A) ", "(A) ",
// "A. " at the start of a line; the last list of labels in the prompt), matched to the problem's options
// (0 = the correct answer, then its distractors). nullopt unless every label names exactly one option.
std::optional<std::vector<int>> order_from_prompt(std::string_view prompt, const tasks::Problem& problem) {
  std::vector<std::string> options{collapse_whitespace(problem.answer)};
  for (const std::string& d : problem.distractors) options.push_back(collapse_whitespace(d));
  std::vector<int> order;
  for (std::size_t k = 0; k < options.size(); ++k) {
    const char letter = static_cast<char>('A' + k);
    std::size_t best = std::string_view::npos, text_at = 0;
    for (const std::string& label : {std::string(1, letter) + ") ", std::string("(") + letter + ") ", std::string(1, letter) + ". "}) {
      for (std::size_t at = prompt.find(label); at != std::string_view::npos; at = prompt.find(label, at + 1)) {
        if (at != 0 && prompt[at - 1] != '\n') continue;
        if (best == std::string_view::npos || at > best) best = at, text_at = at + label.size();
      }
    }
    if (best == std::string_view::npos) return std::nullopt;
    // An option's text runs to the next label line (options may span lines) or the end of the prompt.
    std::size_t end = prompt.size();
    if (k + 1 < options.size()) {
      const char next = static_cast<char>(letter + 1);
      for (const std::string& label : {std::string("\n") + next + ") ", std::string("\n(") + next + ") ", std::string("\n") + next + ". "})
        if (const std::size_t at = prompt.find(label, text_at); at != std::string_view::npos) end = std::min(end, at);
    }
    const std::string text = collapse_whitespace(prompt.substr(text_at, end - text_at));
    const auto unused = [&](std::size_t o) { return std::find(order.begin(), order.end(), static_cast<int>(o)) == order.end(); };
    // The option of exactly that text (two options of one text, both wrong, are interchangeable: the first
    // unused); the last label's text may run on into the rest of the prompt: then the longest option it
    // starts with ("C6H10O2" over "C6H10O").
    int found = -1;
    for (std::size_t o = 0; o < options.size() && found < 0; ++o)
      if (unused(o) && text == options[o]) found = static_cast<int>(o);
    if (found < 0 && k + 1 == options.size()) {
      for (std::size_t o = 0; o < options.size(); ++o)
        if (unused(o) && !options[o].empty() && text.starts_with(options[o]) &&
            (found < 0 || options[o].size() > options[static_cast<std::size_t>(found)].size()))
          found = static_cast<int>(o);
    }
    if (found < 0) return std::nullopt;
    order.push_back(found);
  }
  return order;
}

}  // namespace

std::vector<results::SampleRecord> grade_external_samples(const tasks::Task& task,
                                                          const std::vector<tasks::Problem>& problems,
                                                          const std::vector<ExternalSample>& samples,
                                                          const std::filesystem::path& source,
                                                          const GradeOptions& options) {
  const tasks::TaskInfo& info = task.info();
  std::unordered_map<std::string, std::size_t> by_id, by_text;
  for (std::size_t i = 0; i < problems.size(); ++i) {
    by_id.emplace(problems[i].id, i);
    by_text.emplace(collapse_whitespace(problems[i].question), i);
  }

  // Resolve problems; collect unknown ones for a single message.
  std::vector<std::size_t> problem_of(samples.size());
  std::vector<std::string> unknown;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const ExternalSample& s = samples[i];
    const auto id_match = s.problem_id ? by_id.find(*s.problem_id) : by_id.end();
    const auto text_match = s.problem_text ? by_text.find(collapse_whitespace(*s.problem_text)) : by_text.end();
    if (id_match != by_id.end() && text_match != by_text.end() && id_match->second != text_match->second)
      throw std::invalid_argument(where(source, s) + ": the id names problem '" + *s.problem_id +
                                  "' but the text is that of problem '" + problems[text_match->second].id + "'");
    if (id_match != by_id.end()) {
      problem_of[i] = id_match->second;
    } else if (text_match != by_text.end()) {
      problem_of[i] = text_match->second;
    } else {
      unknown.push_back(s.problem_id ? *s.problem_id : "text at line " + std::to_string(s.line));
      continue;
    }
  }
  if (!unknown.empty()) {
    std::string first;
    for (std::size_t i = 0; i < unknown.size() && i < 5; ++i) first += (i ? ", " : "") + unknown[i];
    throw std::invalid_argument(source.string() + ": " + std::to_string(unknown.size()) +
                                " generation(s) name problems unknown to task '" + info.name + "' (first: " +
                                first + ")");
  }

  // Sample indices: explicit ones first, then the next free index per problem in file order.
  std::vector<int> index_of(samples.size(), -1);
  std::vector<std::set<int>> used(problems.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!samples[i].sample_index) continue;
    if (!used[problem_of[i]].insert(*samples[i].sample_index).second)
      throw std::invalid_argument(where(source, samples[i]) + ": sample " + std::to_string(*samples[i].sample_index) +
                                  " of problem '" + problems[problem_of[i]].id + "' appears twice");
    index_of[i] = *samples[i].sample_index;
  }
  std::vector<int> next_free(problems.size(), 0);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (index_of[i] >= 0) continue;
    int& next = next_free[problem_of[i]];
    while (used[problem_of[i]].count(next)) ++next;
    used[problem_of[i]].insert(next);
    index_of[i] = next;
  }

  std::vector<results::SampleRecord> records(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const ExternalSample& s = samples[i];
    const tasks::Problem& problem = problems[problem_of[i]];
    results::SampleRecord& r = records[i];
    r.task = info.name;
    r.problem_id = problem.id;
    r.sample_index = index_of[i];
    r.seed = sample_seed(options.run_seed, info.name, problem.id, r.sample_index);
    const tasks::Prompt prompt = task.prompt(problem, options.run_seed, r.sample_index);
    r.prompt = s.prompt ? *s.prompt : prompt.user;
    r.gold = prompt.gold;
    r.choice_order = prompt.choice_order;
    if (!problem.distractors.empty()) {
      resolve_choice_order(problem, s, prompt, source, options, r);
    } else if (s.gold && info.grader == tasks::GraderKind::math && !same_math_answer(*s.gold, prompt.gold)) {
      // r1eval grades against the task's own answers; a file's gold that says otherwise is a different dataset.
      throw std::invalid_argument(where(source, s) + ": field 'gold': '" + s.gold->substr(0, 60) +
                                  "' is not the task's answer '" + prompt.gold + "' to problem '" + problem.id +
                                  "' (drop the field, or check the data)");
    }
    // As `run` records it: from the "<think>\n" a prompt opened, so thinking cut by the length limit is seen as such.
    r.response = s.prompt ? graders::response_as_written(*s.prompt, s.response) : s.response;
    r.finish_reason = s.finish_reason.empty() ? "external" : s.finish_reason;
    r.prompt_tokens = s.prompt_tokens;
    r.completion_tokens = s.completion_tokens;
    r.attributes = problem.attributes;
  }

  const TaskGrader grader(info.grader);
  std::optional<tbb::global_control> limit;
  if (options.threads > 0) limit.emplace(tbb::global_control::max_allowed_parallelism, options.threads);
  tbb::parallel_for(std::size_t{0}, records.size(), [&](std::size_t i) {
    results::SampleRecord& r = records[i];
    const auto start = std::chrono::steady_clock::now();
    graders::Verdict verdict = grader.grade(problems[problem_of[i]], r.response, r.gold);
    r.grade_micros = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    r.correct = verdict.correct;
    r.extracted = std::move(verdict.extracted);
    r.reason = std::move(verdict.reason);
  });

  // Stable order for the store: problems in data order, then sample index.
  std::vector<std::size_t> order(records.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(problem_of[a], index_of[a]) < std::pair(problem_of[b], index_of[b]);
  });
  std::vector<results::SampleRecord> sorted;
  sorted.reserve(records.size());
  for (std::size_t i : order) sorted.push_back(std::move(records[i]));
  return sorted;
}

std::string samples_jsonl(const std::vector<results::SampleRecord>& records) {
  std::string lines;
  for (const results::SampleRecord& r : records)
    lines += results::to_json(r).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  return lines;
}

void write_graded_run(const std::filesystem::path& out_dir, const std::vector<results::SampleRecord>& records,
                      const std::vector<results::TaskScores>& scores, const std::string& report_markdown,
                      const std::string& report_html, bool overwrite) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(out_dir, ec);
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw std::runtime_error(out_dir.string() + ": cannot create the output folder (" + ec.message() + ")");
  const auto samples_path = out_dir / "samples.jsonl";
  if (!overwrite && std::filesystem::exists(samples_path))
    throw std::invalid_argument(samples_path.string() + ": already exists (use --force to replace the run)");
  const std::string samples = samples_jsonl(records);
  const std::string scores_json = results::scores_to_json(scores).dump(2) + "\n";
  try {
    // All four or none: a --force over an older run must never leave its scores beside the new samples.
    results::write_files_atomic(out_dir, {{"samples.jsonl", samples},
                                          {"scores.json", scores_json},
                                          {"report.md", report_markdown},
                                          {"report.html", report_html}});
  } catch (...) {
    if (!existed) std::filesystem::remove(out_dir, ec);  // only a folder this call made, and only if empty
    throw;
  }
}

}  // namespace r1eval::harness
