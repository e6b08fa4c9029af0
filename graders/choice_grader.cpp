#include "graders/choice_grader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "graders/choice_endings.h"
#include "graders/choice_letter.h"
#include "graders/extract.h"
#include "graders/normalize.h"

namespace r1eval::graders {
namespace {

using choice::decorated_letter;
using choice::ends_its_line;
using choice::is_alpha;
using choice::is_label;
using choice::kNone;
using choice::Letter;
using choice::LetterRules;
using choice::skip_decoration;
using choice::starts_with;

char upper(char c) { return static_cast<char>(std::toupper(static_cast<unsigned char>(c))); }

// How firmly a letter is stated. The strongest kind found wins, the last of that kind among equals: an
// "Answer: B" line is not overridden by a unit "\text{C}", an aside "(option D is wrong)" or a later "the
// answer would be C if ...".
enum class Strength {
  kFallback = 0,    // read only when nothing else names a letter: a last line restating one option, "C) 42 nm"
  kLoneLine = 1,    // a line holding only the letter: "(B)", "**B**"
  kTextLabel = 2,   // "\text{(B)}", "\textbf{(B)}"
  kClosingWords = 3,  // a chat answer's closing words: "It's B.", "So it must be B.", "I'd say B."
  kStatement = 4,   // prose: "the correct answer is B", "option B is correct", "I choose B", "Actually, B.", "答案是B"
  kAnswerLine = 5,  // the requested format, a line opening with "Answer" ("**Final Answer:** B"), or a box
};

class Best {
 public:
  void offer(const Letter& l, Strength s, bool step = false) {
    if (!l.found()) return;
    if (s >= Strength::kStatement) last_statement_ = std::max(last_statement_, l.pos + 1);
    if (!found_.found() || s > strength_ || (s == strength_ && l.pos > found_.pos)) {
      found_ = l;
      strength_ = s;
      step_ = step;
    }
  }
  // A statement right after a revision ("Hmm, actually, ... the answer is C"): it outweighs an answer line
  // before it when no statement comes after it.
  void offer_revised(const Letter& l) {
    if (!l.found()) return;
    offer(l, Strength::kStatement);
    if (!revised_.found() || l.pos > revised_.pos) revised_ = l;
  }
  std::optional<char> letter() const {
    if (revised_.found() && revised_.pos + 1 >= last_statement_ && revised_.pos > found_.pos) return revised_.letter;
    if (!found_.found()) return std::nullopt;
    return found_.letter;
  }
  // True when the letter read is a step's result ("Alkylation gives C"), not a statement of the answer.
  bool step() const { return step_ && !(revised_.found() && revised_.pos + 1 >= last_statement_ && revised_.pos > found_.pos); }

 private:
  Letter found_, revised_;
  Strength strength_ = Strength::kFallback;
  bool step_ = false;
  std::size_t last_statement_ = 0;  // one past the position of the last statement or answer line offered
};

// The length of the word at `i` of `lower` when it is one of `words` and ends there, else 0.
template <std::size_t N>
std::size_t word_at(std::string_view lower, std::size_t i, const std::array<std::string_view, N>& words) {
  if (i > 0 && i <= lower.size() && is_alpha(lower[i - 1])) return 0;
  for (std::string_view w : words)
    if (starts_with(lower, i, w) && (i + w.size() >= lower.size() || !is_alpha(lower[i + w.size()]))) return w.size();
  return 0;
}

std::size_t skip_blanks(std::string_view s, std::size_t i) {
  for (;;) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '*' || s[i] == '_' || s[i] == ',')) ++i;
    // A pause before the letter: "the answer is... D", "is… C".
    if (starts_with(s, i, "...")) i += 3;
    else if (starts_with(s, i, "\xe2\x80\xa6")) i += 3;
    else return i;
  }
}

constexpr std::array<std::string_view, 25> kAdverbs = {
    "clearly", "therefore", "thus",    "most likely", "likely",     "probably", "indeed",      "definitely",
    "actually", "then",     "hence",   "so",          "certainly",  "obviously", "ultimately", "finally",
    "here",    "undoubtedly", "almost certainly", "most probably", "in fact", "surely", "evidently", "of course", "rather"};
constexpr std::array<std::string_view, 3> kOptionWords = {"option", "choice", "letter"};

// Where the sentence holding `pos` starts: after the last ".", "!", "?", ";" or line break before it, at
// most 300 characters back (a response without punctuation must not make every look-up scan it all).
std::size_t sentence_start(std::string_view text, std::size_t pos) {
  const std::size_t floor = pos > 300 ? pos - 300 : 0;
  while (pos > floor) {
    const char c = text[pos - 1];
    if (c == '\n' || c == '!' || c == '?' || c == ';' || (c == '.' && (pos >= text.size() || text[pos] == ' '))) break;
    --pos;
  }
  return pos;
}

// True when the writer takes back what came before, within 120 characters before `at`: "Hmm, actually, on
// re-reading, ... The answer is C.", "Correction: I misread the options. The correct answer is D."
bool revised_before(std::string_view lower, std::size_t at) {
  static constexpr std::array<std::string_view, 14> kTakeBacks = {
      "wait", "actually", "correction", "oops", "misread", "mistake", "made an error", "re-reading", "rereading",
      "reconsider", "second thought", "scratch that", "i was wrong", "my error"};
  const std::size_t from = at > 120 ? at - 120 : 0;
  for (std::size_t i = from; i < at; ++i)
    if (word_at(lower, i, kTakeBacks)) return true;
  return false;
}

// Words that make a statement hypothetical, reported or about a wrong option ("Naively, the answer is D", "a
// common mistake is to say that, because of spin, the answer is D", "students might pick D"): they doubt what
// follows them in the sentence up to a contrast or a conclusion ("..., but the answer is C", "..., so the answer
// is C", ", and ...", "; "), unless they sit in a clause that gives a reason and ends before the statement
// ("Since the energy might be lost as heat, the answer is C", "Having checked for any mistake, ...").
constexpr std::array<std::string_view, 17> kHedges = {
    "naive",    "naively",  "tempting", "mistake",  "mistaken", "mistakenly", "someone",
    "students", "might",    "suppose",  "assume",   "initially", "otherwise", "misconception",
    "doubt",    "nobody",   "unlikely"};
// Words that doubt only their own clause (up to a comma): about the other options ("Comparing with the other
// options, the answer is C", "Unlike the incorrect options, C is correct"), or as often not a hedge ("After
// considering the common pitfalls, ...", "Given the thought experiment above, ...").
constexpr std::array<std::string_view, 10> kClauseHedges = {"other", "wrong", "incorrect", "whereas", "unlike", "common",
                                                            "thought", "worst", "least", "false"};
constexpr std::array<std::string_view, 5> kConditions = {"if", "unless", "suppose", "assume", "assuming"};
constexpr std::array<std::string_view, 4> kModals = {"would", "could", "might", "d"};  // "d": "it'd"
constexpr std::array<std::string_view, 8> kContrasts = {"but", "however", "yet", "so", "thus", "therefore", "hence",
                                                        "and"};
constexpr std::array<std::string_view, 11> kReasons = {"since", "because", "although", "though", "as", "having",
                                                       "after", "given", "while", "when", "once"};

// True when the statement of a letter at `letter_pos`, opening at `at`, is doubted: a hedge before it in the
// sentence and after its last contrast (outside a reason clause closed before it), a hedge about the other
// options in its own clause, a condition anywhere before it in the sentence when the statement itself is modal
// ("If it were SN1, the answer would be C"; not "Even if spin is included, the answer is C"), or an aside in
// parentheses around it.
bool hedged_before(std::string_view text, std::string_view lower, std::size_t at, std::size_t letter_pos = kNone) {
  const std::size_t start = sentence_start(text, at);
  std::size_t clause = start, contrast = start;
  for (std::size_t i = start; i < at; ++i) {
    if (text[i] == ',') clause = i + 1;
    // "and" only as ", and": "A and C" joins letters.
    const bool and_clause = word_at(lower, i, std::array<std::string_view, 1>{"and"}) && i >= 2 && text[i - 2] == ',';
    if (text[i] == ';' || and_clause || (word_at(lower, i, kContrasts) && lower.compare(i, 3, "and") != 0))
      clause = contrast = i + 1;
  }
  // A hedge inside a clause that opens with a reason word and ends (a comma) before the statement.
  const auto in_closed_reason = [&](std::size_t i) {
    std::size_t b = i;
    while (b > start && text[b - 1] != ',') --b;
    std::size_t e = i;
    while (e < at && text[e] != ',') ++e;
    if (e >= at) return false;
    for (std::size_t k = b; k < i; ++k)
      if (word_at(lower, k, kReasons)) return true;
    return false;
  };
  int open = 0;
  bool condition = false;
  for (std::size_t i = start; i < at; ++i) {
    open += text[i] == '(' ? 1 : text[i] == ')' ? -1 : 0;
    // "doubt" doubts as a verb of the writer ("I doubt", "we doubt"); "without doubt", "no doubt" affirm.
    const std::string_view before = lower.substr(start, i - start);
    const bool doubting = lower.compare(i, 5, "doubt") != 0 || before.ends_with("i ") || before.ends_with("we ") ||
                          before.ends_with("i do ") || before.ends_with("i really ");
    if (i >= contrast && word_at(lower, i, kHedges) && !in_closed_reason(i) && doubting) return true;
    // The writer's denied belief: "I don't think the answer is C", "I do not believe C is correct".
    if (i >= contrast && (starts_with(lower, i, "n't think") || starts_with(lower, i, "n't believe") ||
                          starts_with(lower, i, "not think") || starts_with(lower, i, "not believe")))
      return true;
    if (i >= clause && word_at(lower, i, kClauseHedges)) return true;
    if (word_at(lower, i, kConditions)) condition = true;
  }
  if (condition) {
    const std::size_t end = letter_pos == kNone ? at : std::min(letter_pos, text.size());
    for (std::size_t i = clause; i < end; ++i)
      if (word_at(lower, i, kModals)) return true;
  }
  return open > 0;
}

// True when the letter is questioned or limited by what follows ("C? No", "D is correct only if ...",
// "A is wrong").
bool hedged_after(std::string_view text, std::string_view lower, const Letter& l) {
  std::size_t k = l.end;
  while (k < text.size() && (text[k] == '*' || text[k] == ')' || text[k] == '$' || text[k] == '}')) ++k;
  if (k < text.size() && text[k] == '?') return true;
  static constexpr std::array<std::string_view, 16> kLimits = {
      "wrong", "incorrect", "would", "unless", "eliminated", "ruled out", "excluded", "is not", "too", "also", "if",
      "as well", "partially", "partly", "in part", "sometimes"};
  // "D is correct only above 500 K", "only if ...", "only near the critical point": correct in a case; not "the only
  // correct one".
  const auto only_a_case = [&](std::size_t i) {
    const std::size_t only = word_at(lower, i, std::array<std::string_view, 1>{"only"});
    if (only == 0) return false;
    static constexpr std::array<std::string_view, 9> kSole = {"one", "option", "choice", "answer", "correct", "possible",
                                                             "remaining", "valid", "right"};
    return word_at(lower, skip_blanks(text, i + only), kSole) == 0;
  };
  // "C if T is low; D otherwise": a condition right after the letter.
  std::size_t next = k;
  while (next < text.size() && text[next] == ' ') ++next;
  if (word_at(lower, next, std::array<std::string_view, 1>{"if"})) return true;
  // The next three words of the clause: "D is correct only if ...", "A is eliminated", "A would require ...".
  int words = 0;
  for (std::size_t i = k; i < text.size() && words < 4 && std::string_view("\n.,;!?(").find(text[i]) == std::string_view::npos; ++i) {
    // A reason given ("C, since only this isomer is chiral") limits nothing.
    if (word_at(lower, i, std::array<std::string_view, 3>{"because", "since", "as"})) break;
    if (word_at(lower, i, kLimits) || only_a_case(i)) return true;
    if (text[i] == ' ') ++words;
  }
  // "So the answer is B. Wait, that can't be right.": taken back in the very next sentence.
  // The very next sentence, close by (a bounded look: a long line without a full stop is read once, not per letter).
  const std::size_t near = lower.substr(k, 300).find_first_of(".!\n");
  if (near == kNone || text[k + near] == '\n') return false;
  const std::size_t stop = k + near;
  const std::size_t next_sentence = skip_blanks(text, stop + 1);
  const std::string_view after = lower.substr(next_sentence, 60);
  const bool turns = after.starts_with("wait") || after.starts_with("hmm") || after.starts_with("no,") ||
                     after.starts_with("no wait") || after.starts_with("oh");
  const std::size_t line_end = std::min(after.size(), after.find('\n'));
  const std::string_view first_line = after.substr(0, line_end);
  for (std::string_view retraction : {"can't be right", "cannot be right", "that's wrong", "that is wrong", "not right",
                                      "that's not it", "doesn't make sense", "does not make sense"})
    if (turns && first_line.find(retraction) != std::string_view::npos) return true;
  return false;
}

// Words that limit a statement to a case ("D is the answer for the gas phase", "the answer in vacuum is D", "In
// vacuum the answer is D") unless the case is the question's own ("for this question", "in this case", "in
// conclusion"). Such a statement is weaker than a plain one, so "The answer is B. D is the answer in vacuum." is B.
constexpr std::array<std::string_view, 10> kQualifiers = {"for", "in", "under", "at", "when", "with", "without", "one",
                                                          "you", "we"};
constexpr std::array<std::string_view, 26> kQuestionsOwnCase = {
    "this", "these", "our", "the question", "the problem", "the given", "here", "both", "all", "each", "conclusion",
    "summary", "short", "fact", "total", "sum", "brief", "practice", "other words", "reality", "effect", "particular",
    "light of", "view of", "closing", "the end"};

// True when a qualifier opens at `i` (after blanks) and names a case other than the question's own.
bool qualifier_at(std::string_view text, std::string_view lower, std::size_t i) {
  if (i > 0 && i <= text.size() && std::string_view(".!?;,:\n").find(text[i - 1]) != std::string_view::npos) return false;
  i = skip_blanks(text, i);
  const std::size_t q = word_at(lower, i, kQualifiers);
  if (q == 0) return false;
  return word_at(lower, skip_blanks(text, i + q), kQuestionsOwnCase) == 0;
}

// True when the sentence holding `at` opens with a qualifier: "In vacuum the answer is D", "Note that at low
// pressure the answer is B"; not one naming the question's own case anywhere before the statement ("For the
// conditions given in the problem, ...", "At 298 K (the temperature given), ...", "which the problem specifies").
bool opens_with_qualifier(std::string_view text, std::string_view lower, std::size_t at) {
  const std::size_t start = sentence_start(text, at);
  std::size_t i = start;
  static constexpr std::array<std::string_view, 9> kLeads = {"note", "that", "however", "but", "and", "whereas", "while",
                                                             "also", "meanwhile"};
  for (;;) {
    while (i < at && (text[i] == ' ' || text[i] == '*' || text[i] == '#' || text[i] == '>' || text[i] == '-' || text[i] == ','))
      ++i;
    const std::size_t w = word_at(lower, i, kLeads);
    if (w == 0) break;
    i += w;
  }
  if (i >= at || !qualifier_at(text, lower, i) || word_at(lower, i, std::array<std::string_view, 3>{"one", "you", "we"}) != 0)
    return false;
  const std::string_view before = lower.substr(start, at - start);
  for (std::string_view own : {"given", "stated", "specified", "described", "question", "problem", "here", "applies",
                               "considered", "required", "in this case"})
    if (before.find(own) != std::string_view::npos) return false;
  return true;
}

// True when another letter follows `l` as an alternative: "B and C", "B or D", "B/C" state no one answer;
// "B and D is a distractor" does.
bool alternative_follows(std::string_view text, std::string_view lower, const Letter& l, std::string_view letters) {
  std::size_t k = l.end;
  while (k < text.size() && (text[k] == ')' || text[k] == '*' || text[k] == ' ' || text[k] == '$' || text[k] == '}')) ++k;
  const bool comma = k < text.size() && (text[k] == ',' || text[k] == ';');
  if (starts_with(text, k, "\\&")) k += 2;  // "B\&D"
  else if (k < text.size() && (text[k] == '/' || text[k] == '&' || text[k] == '|' || text[k] == '\\' || comma)) ++k;
  else if (starts_with(lower, k, "or ")) k += 3;
  else if (starts_with(lower, k, "and ")) k += 4;
  else return false;
  // The letters that follow, joined by commas, "and", "or": "B, C, and D".
  std::size_t after = k;
  int others = 0;
  for (;;) {
    while (after < text.size() && text[after] == ' ') ++after;
    if (starts_with(lower, after, "and ")) after += 4;
    else if (starts_with(lower, after, "or ")) after += 3;
    const Letter other = decorated_letter(text, after, letters, {});
    if (!other.found()) break;
    ++others;
    after = other.end;
    while (after < text.size() && (text[after] == ' ' || text[after] == ')' || text[after] == '*' || text[after] == '$'))
      ++after;
    if (after < text.size() && text[after] == ',') ++after;
    else if (!starts_with(lower, after, "and ") && !starts_with(lower, after, "or ")) break;
  }
  if (others == 0) return false;
  // After a comma the letters are alternatives only as a list that ends the statement ("Answer: A, B"); "B,
  // D ignores spin" and "B, C and D are wrong" comment on the others.
  if (comma)
    return after >= text.size() || std::string_view("\n.;!])").find(text[after]) != std::string_view::npos;
  // "B and D is a distractor" names one answer and comments on another; "A and C are both correct" two.
  static constexpr std::array<std::string_view, 3> kSingular = {"is", "was", "would"};
  return word_at(lower, after, kSingular) == 0;
}

// A line that opens with "Answer" (after markdown and "Final" / "Correct" / "The" / "My"): the format asked for.
bool opens_line(std::string_view lower, std::size_t at) {
  static constexpr std::array<std::string_view, 5> kLead = {"final", "the", "my", "correct", "best"};
  std::size_t i = at;
  const std::size_t floor = at > 40 ? at - 40 : 0;  // markdown and a few words at most
  while (i > 0 && lower[i - 1] != '\n') {
    if (i <= floor) return false;
    const char c = lower[i - 1];
    if (c == ' ' || c == '*' || c == '#' || c == '_' || c == '>' || c == '-' || c == '\t') {
      --i;
      continue;
    }
    std::size_t w = i;
    while (w > 0 && is_alpha(lower[w - 1])) --w;
    if (w == i || !word_at(lower, w, kLead)) return false;
    i = w;
  }
  return true;
}

// After "Answer: " a letter may be buried in the line ("Answer: Based on the analysis, **B**.", "Answer: The
// third option, C.", "Answer: i.e. A"): the last bold, parenthesised or "option"-named letter of the line, or one
// that ends the line after a comma or "i.e.".
Letter letter_in_line(std::string_view text, std::string_view lower, std::size_t i, std::string_view letters) {
  Letter last;
  bool letter_before = false;  // "Answer: one of A, B, C, D" closes on a list, not a choice
  bool verb_before = false;    // "Answer: the limiting reagent is carbon, C": a statement of its own
  const std::size_t line_start = i;
  // An answer line is short: past 2,000 characters it is prose run on (and the scan stays linear).
  const std::size_t line_limit = std::min(text.size(), i + 2000);
  for (; i < line_limit && text[i] != '\n'; ++i) {
    verb_before = verb_before || starts_with(lower, i, " is ") || starts_with(lower, i, " are ");
    letter_before = letter_before || choice::bare_letter_at(text, i, letters);
    const bool bold = starts_with(text, i, "**");
    const bool paren = text[i] == '(';
    const std::size_t option = word_at(lower, i, kOptionWords);
    // "Answer: the limiting reagent is carbon, C": the letter after the comma names an element, not a choice.
    std::size_t word = i;
    while (word > line_start && std::islower(static_cast<unsigned char>(text[word - 1]))) --word;
    const bool named_word = word < i && word_at(lower, word, kOptionWords) == 0;  // "carbon, C", not "option, C"
    const bool own_statement = named_word && verb_before;
    const std::size_t closing =
        letter_before || own_statement ? 0 : text[i] == ',' ? 1 : starts_with(lower, i, "i.e.") ? 4 : 0;
    if (!bold && !paren && !option && !closing) continue;
    const Letter l = decorated_letter(text, i + option + closing, letters, {});
    if (!l.found()) continue;
    std::size_t k = l.end;
    if (bold && !(starts_with(text, k, "**"))) continue;
    if (paren && !(k < text.size() && text[k] == ')')) continue;
    if (closing && !ends_its_line(text, k)) continue;
    last = l;
  }
  return last;
}

// True when the letter, reached across a line break, labels the first of a list of options ("**Answer:**\n
// A) Incorrect ...\nB) Correct ..."): no answer by itself.
bool opens_option_list(std::string_view text, std::size_t from, const Letter& l, std::string_view letters) {
  if (text.substr(from, l.pos - from).find('\n') == std::string_view::npos || !is_label(text, l)) return false;
  const std::size_t next_line = text.find('\n', l.end);
  if (next_line == kNone) return false;
  const Letter next = decorated_letter(text, next_line + 1, letters, {});
  return next.found() && is_label(text, next);
}

// A letter a statement names, and whether a colon (or arrow, dash) introduced it.
struct Stated {
  Letter letter;
  bool colon = false;
};

// The letter a statement introduced at `i` names: ": B", "is B", "is: B", "should be (B)", "is clearly option
// B", "=> B"; after a heading ("## Final Answer\n\n(B) 3.2 eV"), a letter alone on its line or labelling it.
// Up to `window` characters of other words may come before the verb ("the answer to this question is B").
Stated stated_letter(std::string_view text, std::string_view lower, std::size_t i, std::string_view letters,
                     std::size_t window, bool answer_line) {
  static constexpr std::array<std::string_view, 7> kSeparators = {"\xef\xbc\x9a", "=>", "->", "--", "\xe2\x86\x92",
                                                                  "\xe2\x80\x94", "\xe2\x80\x93"};  // ： => -> -- → — –
  static constexpr std::array<std::string_view, 2> kIs = {"is", "="};
  static constexpr std::array<std::string_view, 13> kModal = {"should",    "would",      "must",     "will",   "might",
                                                              "has to",    "could",      "can",      "seems to", "appears to",
                                                              "is likely to", "is going to", "ought to"};
  static constexpr std::array<std::string_view, 1> kBe = {"be"};
  const std::size_t limit = i + window;
  bool colon = false, bare_colon = false;  // bare: the keyword's own colon ("option:"), no verb before it
  bool words_between = false;
  std::size_t k = i;
  for (;;) {
    k = skip_blanks(text, k);
    if (k >= text.size()) return {};
    if (text[k] == ':') {
      if (words_between) return {};  // "Answer check: A) no" is no answer line
      ++k;
      colon = bare_colon = true;
      break;
    }
    bool separator = false;
    for (std::string_view sep : kSeparators)
      if (starts_with(text, k, sep)) {
        k += sep.size();
        colon = separator = true;
        break;
      }
    if (separator) break;
    if (text[k] == '-' && k + 1 < text.size() && text[k + 1] == ' ') {  // "Answer - B"
      k += 1;
      colon = true;
      break;
    }
    if (const std::size_t m = word_at(lower, k, kModal)) {
      std::size_t b = skip_blanks(text, k + m);
      if (const std::size_t a = word_at(lower, b, kAdverbs)) b = skip_blanks(text, b + a);
      if (const std::size_t be = word_at(lower, b, kBe)) {
        k = b + be;
        break;
      }
    }
    if (const std::size_t n = word_at(lower, k, kIs)) {
      k = skip_blanks(text, k + n);
      if (k < text.size() && text[k] == ':') {
        ++k;
        colon = true;
      }
      // "is not B but C": the letter after "but".
      if (const std::size_t no = word_at(lower, k, std::array<std::string_view, 1>{"not"})) {
        const Letter denied = decorated_letter(text, skip_blanks(text, k + no), letters, {});
        if (denied.found()) {
          std::size_t b = denied.end;
          while (b < text.size() && (text[b] == ')' || text[b] == '*' || text[b] == '$')) ++b;
          b = skip_blanks(text, b);
          if (const std::size_t but = word_at(lower, b, std::array<std::string_view, 1>{"but"})) k = b + but;
        }
      }
      break;
    }
    if (answer_line && !words_between && (text[k] == '(' || std::isupper(static_cast<unsigned char>(text[k])))) {
      // "Answer (B)", "Answer B" at the end of the line.
      const Letter l = decorated_letter(text, k, letters, {});
      if (l.found() && ends_its_line(text, l.end)) return {l, true};
    }
    if (answer_line && (text[k] == '\n' || text[k] == '\r')) {
      // A heading: the letter on a later line, alone or as a label.
      const Letter l = decorated_letter(text, k, letters, {.newlines = true, .lower_case = true});
      return {l.found() && (ends_its_line(text, l.end) || is_label(text, l)) ? l : Letter{}, true};
    }
    // Another word between the keyword and its verb, within the window and the sentence.
    const std::size_t word = k;
    while (k < text.size() && (is_alpha(text[k]) || text[k] == '\'')) ++k;
    if (k == word || k > limit) return {};
    words_between = true;
    if (k < text.size() && !(text[k] == ' ' || text[k] == ',' || text[k] == ':' || text[k] == '*')) return {};
  }
  for (int words = 0; words < 3; ++words) {  // "is, therefore, option (B)"
    k = skip_blanks(text, k);
    if (const std::size_t a = word_at(lower, k, kAdverbs)) k += a;
    else break;
  }
  if (!colon && k < text.size() && text[k] == ':') {  // "The correct choice is therefore:\nC) 42 nm"
    ++k;
    colon = true;
  }
  const std::size_t before_word = skip_decoration(text, skip_blanks(text, k), colon);
  if (before_word != kNone)
    if (const std::size_t w = word_at(lower, before_word, kOptionWords)) k = before_word + w;
  LetterRules rules;
  rules.newlines = colon;
  rules.article_check = true;  // "the answer is A single peak" names no letter
  rules.lower_case = true;
  Letter l = decorated_letter(text, k, letters, rules);
  // "is A = benzoquinone, B = dimethyl fumarate, i.e. **A**": the option's text names compounds A and B; a
  // letter set off later in the line may still name the option.
  const std::size_t first = skip_blanks(text, k);
  std::size_t after = first + 1;
  while (after < text.size() && text[after] == ' ') ++after;
  const bool names_variables = first < text.size() && std::isupper(static_cast<unsigned char>(text[first])) &&
                               after < text.size() && text[after] == '=';
  if (!l.found() && ((answer_line && colon) || names_variables)) l = letter_in_line(text, lower, k, letters);
  if (!l.found() || alternative_follows(text, lower, l, letters) || opens_option_list(text, k, l, letters) ||
      choice::operated_on(text, l.end))
    return {};
  // "Analyzing each option:\n\nA) 2.1 eV corresponds to ...": a label on a later line opens a discussion of the
  // options unless an answer line introduced it.
  if (!answer_line && bare_colon && text.substr(k, l.pos - k).find('\n') != std::string_view::npos && is_label(text, l))
    return {};
  return {l, colon};
}

// True when "not", "never" or a negated auxiliary ("wouldn't", "could also") comes just before `at`.
bool negated_or_optional(std::string_view text, std::string_view lower, std::size_t at) {
  const std::size_t from = std::max(sentence_start(text, at), at >= 24 ? at - 24 : 0);
  const std::string_view before = lower.substr(from, at - from);
  for (std::string_view w : {"not ", "never ", "n't ", "could ", "also "})
    if (before.find(w) != std::string_view::npos) return true;
  return false;
}

void find_answer_statements(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  // "Answer: B", "**Final Answer:** (B)", "The correct answer is: B", "the answer to this question is B".
  for (std::size_t at = lower.find("answer"); at != kNone; at = lower.find("answer", at + 1)) {
    if (at > 0 && is_alpha(lower[at - 1])) continue;
    std::size_t i = at + 6;
    if (i < lower.size() && lower[i] == 's') ++i;  // "answers"
    // "Answer: B" (at the start of a line, or capitalised mid-line) is the format asked for; "the answer is
    // B" is prose, open to doubts ("if ...", "a common wrong answer", "(the answer would be D for ...)").
    const bool line_start = opens_line(lower, at);
    const Stated st = stated_letter(text, lower, i, letters, 40, line_start);
    if (!st.letter.found()) continue;
    const bool doubted = hedged_before(text, lower, at, st.letter.pos);
    if (hedged_after(text, lower, st.letter)) continue;  // "Answer: A is eliminated", "the answer is C? No"
    // "Final answer: B" mid-line is the answer line too: a correction after one.
    const bool final_answer = at >= 6 && lower.substr(at - 6, 6) == "final ";
    if (st.colon && (line_start || ((text[at] == 'A' || final_answer) && !doubted)))
      best.offer(st.letter, Strength::kAnswerLine);
    else if (!doubted) {
      const bool qualified = qualifier_at(text, lower, i) || opens_with_qualifier(text, lower, at);
      // A revision after an answer line states the answer meant as firmly ("Answer: B\n\nHmm, actually ... The
      // answer is C.").
      if (qualified) best.offer(st.letter, Strength::kClosingWords);
      else if (revised_before(lower, at)) best.offer_revised(st.letter);
      else best.offer(st.letter, Strength::kStatement);
    }
  }
  // "<answer>B</answer>" (the GRPO format), {"answer": "B"} (a JSON reply): the requested format.
  for (std::string_view tag : {std::string_view("<answer>"), std::string_view("\"answer\":"), std::string_view("'answer':")}) {
    for (std::size_t at = lower.find(tag); at != kNone; at = lower.find(tag, at + 1)) {
      std::size_t i = at + tag.size();
      while (i < text.size() && (text[i] == ' ' || text[i] == '"' || text[i] == '\'')) ++i;
      const Letter l = decorated_letter(text, i, letters, {true, false, true});
      if (!l.found()) continue;
      std::size_t k = l.end;
      const bool label = k < text.size() && (text[k] == ')' || text[k] == '.' || text[k] == ':');
      while (k < text.size() && (text[k] == ')' || text[k] == '"' || text[k] == '\'' || text[k] == ' ' || text[k] == '\n' ||
                                 text[k] == '*' || text[k] == '.'))
        ++k;
      // "<answer>B</answer>", "<answer>D) 3.2 eV</answer>" (an option's label and its text on the line), {"answer": "B"}.
      const std::size_t line_end = std::min(text.size(), text.find('\n', k));
      const std::size_t close = lower.find("</answer>", k);
      const bool closes = k >= text.size() || close == k || text[k] == '}' || text[k] == ',' ||
                          (tag == "<answer>" && label && close != kNone && close <= line_end);
      if (closes) best.offer(l, Strength::kAnswerLine);
    }
  }
  // "The correct option is C", "Choice: B", "the best option here is B", "Correct: B".
  static constexpr std::array<std::string_view, 3> kKeywords = {"option", "choice", "correct"};
  for (std::string_view word : kKeywords) {
    for (std::size_t at = lower.find(word); at != kNone; at = lower.find(word, at + 1)) {
      if (at > 0 && is_alpha(lower[at - 1])) continue;
      const std::size_t after = at + word.size();
      if (after < lower.size() && is_alpha(lower[after]) && lower[after] != 's') continue;
      Letter l = stated_letter(text, lower, after, letters, word == "correct" ? 0 : 20, false).letter;
      // "Consider option C.", "Next, option C.": an option taken up, not chosen.
      std::size_t w = at;
      while (w > 0 && (lower[w - 1] == ' ' || lower[w - 1] == ',')) --w;
      std::size_t v = w;
      while (v > 0 && is_alpha(lower[v - 1])) --v;
      const std::string_view before = lower.substr(v, w - v);
      std::size_t u = v;
      while (u > 0 && lower[u - 1] == ' ') --u;
      std::size_t t = u;
      while (t > 0 && is_alpha(lower[t - 1])) --t;
      const bool look_at = before == "at" && lower.substr(t, u - t) == "look";  // "Let's look at option C."
      const bool taken_up = look_at || before == "consider" || before == "check" || before == "examine" || before == "evaluate" ||
                            before == "analyze" || before == "analyse" || before == "next" || before == "first" ||
                            before == "now" || before == "review";
      if (!l.found() && word != "correct" && !taken_up) {
        // "..., which corresponds to option B.": the option named at the end of a sentence.
        const Letter named = decorated_letter(text, after, letters, {});
        std::size_t k = named.found() ? named.end : kNone;
        while (k != kNone && k < text.size() && (text[k] == ')' || text[k] == '*' || text[k] == '$')) ++k;
        // A line "**Option D**" with text right below it heads the discussion of D.
        const bool heads_text = k != kNone && k + 1 < text.size() && text[k] == '\n' && text[k + 1] != '\n' &&
                                text[k + 1] != '\r' && !std::islower(static_cast<unsigned char>(text[k + 1])) &&
                                sentence_start(text, at) + 3 >= at;
        // Not "This does not correspond to option B.", "This also matches option B.".
        if (k != kNone && (k >= text.size() || text[k] == '.' || text[k] == '!' || text[k] == '\n') && !heads_text &&
            !negated_or_optional(text, lower, at))
          l = named;
      }
      if (l.found() && !hedged_before(text, lower, at, l.pos) && !hedged_after(text, lower, l)) best.offer(l, Strength::kStatement);
    }
  }
}

// True when the word before the letter makes it a name in the question ("compound C", "product D").
bool names_a_compound(std::string_view lower, std::size_t letter_pos) {
  static constexpr std::array<std::string_view, 10> kNouns = {"compound", "product", "reactant", "molecule", "structure",
                                                              "species",  "isomer",  "intermediate", "reagent", "substance"};
  std::size_t e = letter_pos;
  while (e > 0 && lower[e - 1] == ' ') --e;
  std::size_t b = e;
  while (b > 0 && is_alpha(lower[b - 1])) --b;
  return b < e && word_at(lower, b, kNouns) == e - b;
}

// "This corresponds to option B.", "That matches option C: 2.4 eV.", "So the answer corresponds to (B).", "which agrees
// with choice A in the list": a result matched to an option. After an option word or a parenthesised letter a short
// tail may run on to the sentence's end, naming no other letter ("matches choice B, 2.4 eV"); a bare letter must end
// its sentence ("This corresponds to B."). Weaker than a statement of the answer: a result matched is a step as often
// as the conclusion.
void find_correspondences(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  static constexpr std::array<std::string_view, 10> kVerbs = {
      "corresponds to", "correspond to", "corresponding to", "matches", "match", "matching", "agrees with",
      "consistent with", "aligns with", "equivalent to"};
  for (std::string_view verb : kVerbs) {
    for (std::size_t at = lower.find(verb); at != kNone; at = lower.find(verb, at + 1)) {
      if (!word_at(lower, at, std::array<std::string_view, 1>{verb})) continue;
      std::size_t i = skip_blanks(text, at + verb.size());
      if (starts_with(lower, i, "the ")) i = skip_blanks(text, i + 4);
      if (starts_with(lower, i, "answer ")) i = skip_blanks(text, i + 7);  // "answer choice B"
      bool named = false;
      if (const std::size_t w = word_at(lower, i, kOptionWords)) i = skip_blanks(text, i + w), named = true;
      const Letter l = decorated_letter(text, i, letters, {.article_check = true});
      if (!l.found()) continue;
      const bool parenthesised = l.pos > 0 && text[l.pos - 1] == '(';
      std::size_t k = l.end;
      while (k < text.size() && (text[k] == ')' || text[k] == '*' || text[k] == '$')) ++k;
      k = choice::past_set_aside(text, k, letters);
      // The sentence's end: a full stop before a blank (not "2.4"), "!", a line break, the text's end.
      std::size_t end = k;
      const std::size_t limit = std::min(text.size(), k + 60);
      while (end < limit && text[end] != '\n' && text[end] != '!' && text[end] != '?' &&
             !(text[end] == '.' && (end + 1 >= text.size() || std::isspace(static_cast<unsigned char>(text[end + 1])) != 0)))
        ++end;
      if (end == limit && limit < text.size()) continue;  // a long run-on: a step of the working, not its close
      if (end < text.size() && text[end] == '?') continue;
      if (end > k && !(named || parenthesised)) continue;
      if (choice::names_a_letter(text, k, end, letters)) continue;
      if (hedged_before(text, lower, at, l.pos) || hedged_after(text, lower, l) || negated_or_optional(text, lower, at))
        continue;
      best.offer(l, Strength::kClosingWords);
    }
  }
}

void find_letter_first_statements(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  // "Therefore, B is the correct answer.", "Thus, option B is correct.", "**B** is indeed correct.", "B is the answer."
  static constexpr std::array<std::string_view, 19> kVerdicts = {
      "correct",          "right",           "best",           "answer",      "the answer",     "true",
      "better",           "closest",         "most",           "only correct", "only one left", "only option left",
      "only choice left", "only remaining",  "only valid",     "only possible", "only consistent", "only right",
      "only answer"};
  for (std::size_t at = lower.find(" is "); at != kNone; at = lower.find(" is ", at + 1)) {
    std::size_t k = at + 4;
    if (const std::size_t a = word_at(lower, k, kAdverbs)) k = skip_blanks(text, k + a);
    if (starts_with(lower, k, "indeed ") || starts_with(lower, k, "definitely ")) k = lower.find(' ', k) + 1;
    if (starts_with(lower, k, "the ")) k += 4;
    if (!word_at(lower, k, kVerdicts)) continue;
    std::size_t b = at;
    // "B (not C) is the correct answer": the aside sets C aside; B is the one judged.
    if (b > 0 && text[b - 1] == ')') {
      std::size_t open = b - 1;  // the aside's opening, a few characters back at most
      while (open > 0 && b - open < 12 && text[open] != '(') --open;
      if (text[open] == '(' && lower.substr(open + 1).starts_with("not ")) {
        b = open;
        while (b > 0 && text[b - 1] == ' ') --b;
      }
    }
    while (b > 0 && (text[b - 1] == '*' || text[b - 1] == ')' || text[b - 1] == '$' || text[b - 1] == '}')) --b;
    if (b == 0) continue;
    Letter l = decorated_letter(text, b - 1, letters, {});
    if (!l.found() || l.end != b || (l.pos > 0 && std::isalnum(static_cast<unsigned char>(text[l.pos - 1])))) {
      // "C) 42 nm is the correct answer.": the option's label and its short text at the start of the line.
      std::size_t line = at;
      const std::size_t floor = at > 64 ? at - 64 : 0;  // the label and a short text: the line starts close by
      while (line > floor && text[line - 1] != '\n') --line;
      if (line > 0 && text[line - 1] != '\n') continue;
      l = decorated_letter(text, line, letters, {});
      if (!l.found() || !is_label(text, l) || at - l.end > 40) continue;
      if (choice::names_a_letter(text, l.end, at, letters)) continue;
    }
    if (names_a_compound(lower, l.pos)) continue;
    // "the answer is A, B is correct" both count; "D is correct only if ..." does not.
    std::size_t verdict_end = k;  // the verdict word and what sticks to it ("correct,"), not past its line
    while (verdict_end < text.size() && text[verdict_end] != ' ' && text[verdict_end] != '\n') ++verdict_end;
    Letter probe = l;
    probe.end = verdict_end;
    std::size_t lead = l.pos;  // before the letter's own decoration: "(B) is the answer"
    while (lead > 0 && (text[lead - 1] == '(' || text[lead - 1] == '*' || text[lead - 1] == '$')) --lead;
    if (hedged_before(text, lower, lead) || hedged_after(text, lower, probe)) continue;
    const bool qualified = qualifier_at(text, lower, probe.end) || opens_with_qualifier(text, lower, lead);
    best.offer(l, qualified ? Strength::kClosingWords : Strength::kStatement);
  }
  // "Only C remains.", "Only option C survives.", "Only C is correct."
  for (std::size_t at = lower.find("only "); at != kNone; at = lower.find("only ", at + 1)) {
    if (at > 0 && is_alpha(lower[at - 1])) continue;
    std::size_t i = skip_blanks(text, at + 5);
    if (const std::size_t w = word_at(lower, i, kOptionWords)) i += w;
    const Letter l = decorated_letter(text, i, letters, {});
    if (!l.found()) continue;
    std::size_t k = l.end;
    while (k < text.size() && (text[k] == ')' || text[k] == '*' || text[k] == '$')) ++k;
    k = skip_blanks(text, k);
    static constexpr std::array<std::string_view, 9> kSurvives = {"remains", "survives", "is left", "is correct", "is right",
                                                                  "fits", "works", "matches", "is consistent"};
    const std::size_t verb = word_at(lower, k, kSurvives);
    if (verb == 0) continue;
    // "Only C remains.", not "Only C fits the mass spectrum, but ...": a claim about one test.
    const std::size_t after_verb = skip_blanks(text, k + verb);
    if (after_verb < text.size() && std::string_view(".!\n").find(text[after_verb]) == std::string_view::npos) continue;
    if (hedged_before(text, lower, at, l.pos)) continue;
    Letter probe = l;
    probe.end = k + verb;
    if (!hedged_after(text, lower, probe)) best.offer(l, Strength::kStatement);
  }
  // "That makes C the correct answer.", "which makes option B the best choice."
  for (std::size_t at = lower.find("makes "); at != kNone; at = lower.find("makes ", at + 1)) {
    if (at > 0 && is_alpha(lower[at - 1])) continue;
    std::size_t i = skip_blanks(text, at + 6);
    if (const std::size_t w = word_at(lower, i, kOptionWords)) i += w;
    const Letter l = decorated_letter(text, i, letters, {});
    if (!l.found()) continue;
    std::size_t k = l.end;
    while (k < text.size() && (text[k] == ')' || text[k] == '*')) ++k;
    k = skip_blanks(text, k);
    if (starts_with(lower, k, "the ")) k += 4;
    static constexpr std::array<std::string_view, 4> kChosen = {"correct", "right", "best", "answer"};
    if (word_at(lower, k, kChosen) && !hedged_before(text, lower, at, l.pos) && !hedged_after(text, lower, l))
      best.offer(l, Strength::kStatement);
  }
  // "I would choose B.", "So I select option (C)", "I'll go with B."
  static constexpr std::array<std::string_view, 6> kVerbs = {"choose", "select", "pick", "go with", "opt for", "go for"};
  for (std::string_view verb : kVerbs) {
    for (std::size_t at = lower.find(verb); at != kNone; at = lower.find(verb, at + 1)) {
      if (at > 0 && is_alpha(lower[at - 1])) continue;
      std::size_t i = skip_blanks(text, at + verb.size());
      if (const std::size_t w = word_at(lower, i, kOptionWords)) i += w;
      const Letter l = decorated_letter(text, i, letters, {});
      if (l.found() && !alternative_follows(text, lower, l, letters) && !hedged_before(text, lower, at, l.pos) &&
          !hedged_after(text, lower, l) && !negated_or_optional(text, lower, at))
        best.offer(l, Strength::kStatement);
    }
  }
}

// Past the writer's admitted uncertainty right after a letter, to the sentence's end: "it's D, but I'm not sure.",
// "Probably C, though I'm not 100% certain.", "B (not sure)", "B, I think."; `i` itself when none follows. The
// letter is still the one answered.
std::size_t past_unsure(std::string_view text, std::string_view lower, std::size_t i) {
  static constexpr std::array<std::string_view, 7> kAsides = {"(not sure)", "(i think)", "(probably)", "(i guess)",
                                                              "i think", "i believe", "i guess"};
  static constexpr std::array<std::string_view, 3> kContrast = {"but", "though", "although"};
  static constexpr std::array<std::string_view, 3> kDenial = {"i'm not", "i am not", "not"};
  static constexpr std::array<std::string_view, 4> kSure = {"sure", "certain", "confident", "100%"};
  std::size_t k = i;
  while (k < text.size() && (text[k] == '*' || text[k] == '.' || text[k] == '!')) ++k;
  k = skip_blanks(text, k);  // blanks and a comma
  std::size_t after = kNone;
  if (const std::size_t w = word_at(lower, k, kAsides)) after = k + w;
  if (const std::size_t c = word_at(lower, k, kContrast)) {
    std::size_t j = skip_blanks(text, k + c);
    for (std::string_view denial : kDenial) {
      if (!starts_with(lower, j, denial)) continue;
      std::size_t m = skip_blanks(text, j + denial.size());
      for (std::string_view adverb : {"entirely ", "completely ", "totally ", "fully ", "quite ", "100% "})
        if (starts_with(lower, m, adverb)) m += adverb.size();
      if (const std::size_t s = word_at(lower, m, kSure)) after = m + s;
      break;
    }
  }
  if (after == kNone) return i;
  // The rest of the aside up to its sentence's end, a short way: "... not sure about the stereochemistry."
  const std::size_t stop = lower.substr(after, 80).find_first_of(".!\n");
  return stop == kNone ? i : after + stop;
}

void find_conclusions(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  // "So option B.", "Therefore (B).", "Hence, B", "Hence, answer C.", "A careful analysis gives C.": a conclusion
  // word, the letter, the end of the sentence.
  // Also the closing words of a chat answer: "It's C.", "So it must be C.", "Actually, D.", "I'd say C.",
  // "I'm going with C.", "we are left with C.", "→ C".
  static constexpr std::array<std::string_view, 30> kConclusions = {
      "so", "thus", "therefore", "hence", "final", "actually", "it's", "it is", "must be", "say", "guess",
      "going with", "left with", "stick with", "\xe2\x86\x92", "answer", "gives", "points to", "leads to", "=>", "leaves",
      "guess would be", "guess is", "bet is", "bet would be", "leaving", "should be", "probably", "likely", "most likely"};
  // The chat closers are weaker than a statement ("The answer is C. At higher temperature it is D." is C),
  // unless the text just before revises ("The answer is C. Hmm, no, it's D.", "Wait, ... So it must be D.").
  // "gives", "leads to", "points to" close a step as often as the answer ("Alkylation gives C.").
  const auto closing_words = [](std::string_view w) { return w == "it's" || w == "it is" || w == "must be" || w == "say" ||
                                                               w == "should be" || w == "probably" || w.ends_with("likely") ||
                                                               w.starts_with("guess") || w.starts_with("bet ") ||
                                                               w.ends_with(" with") || !is_alpha(w[0]) || w == "gives" ||
                                                               w == "leads to" || w == "points to"; };
  static constexpr std::array<std::string_view, 11> kRevisions = {"wait", "no", "actually", "hmm", "reflection", "recheck",
                                                                  "rechecking", "error", "correction", "oops", "instead"};
  const auto revises_before = [&](std::size_t at, bool same_line = false) {
    std::size_t from = at > 120 ? at - 120 : 0;
    if (same_line) {  // a step's result revises only within its own line ("Actually, no: the reduction leads to C.")
      const std::size_t line = lower.substr(from, at - from).rfind('\n');  // within the window: the scan stays linear
      if (line != std::string_view::npos) from += line + 1;
    }
    for (std::size_t i = from; i < at; ++i)
      if (word_at(lower, i, kRevisions)) return true;
    return false;
  };
  for (std::string_view word : kConclusions) {
    for (std::size_t at = lower.find(word); at != kNone; at = lower.find(word, at + 1)) {
      if (is_alpha(word[0]) && !word_at(lower, at, std::array<std::string_view, 1>{word})) continue;
      std::size_t i = skip_blanks(text, at + word.size());
      if (i < text.size() && text[i] == ':') ++i;
      if (const std::size_t w = word_at(lower, skip_blanks(text, i), kOptionWords)) i = skip_blanks(text, i) + w;
      const Letter l = decorated_letter(text, i, letters, {});
      if (!l.found() || !ends_its_line(text, past_unsure(text, lower, choice::past_set_aside(text, l.end, letters))) ||
          hedged_before(text, lower, at))
        continue;
      const bool step = word == "gives" || word == "leads to" || word == "points to";
      const bool revised = revises_before(at, step);
      best.offer(l, closing_words(word) && !revised ? Strength::kClosingWords : Strength::kStatement, step && !revised);
    }
  }
}

// An explicit correction of a stated answer names the letter meant instead, as firmly as an answer line:
// "Answer: B (correction: C)", "Answer: B\n\nOops, I meant C.", "The answer is B. Scratch that, C."
void find_corrections(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  for (std::string_view phrase : kCorrectionPhrases) {
    for (std::size_t at = lower.find(phrase); at != kNone; at = lower.find(phrase, at + 1)) {
      if (at > 0 && is_alpha(lower[at - 1])) continue;
      std::size_t i = skip_blanks(text, at + phrase.size());
      while (i < text.size() && (text[i] == ',' || text[i] == ':' || text[i] == '-')) i = skip_blanks(text, i + 1);
      if (const std::size_t w = word_at(lower, i, kOptionWords)) i += w;
      const Letter l = decorated_letter(text, i, letters, {});
      if (!l.found() || alternative_follows(text, lower, l, letters) || hedged_after(text, lower, l)) continue;
      std::size_t k = l.end;
      while (k < text.size() && (text[k] == ')' || text[k] == '*')) ++k;
      if (k < text.size() && std::isalnum(static_cast<unsigned char>(text[k])) != 0) continue;
      best.offer(l, Strength::kAnswerLine);
    }
  }
}

// The option a sentence singles out without the word "answer": "the closest is C", "The best match is **C**", "the
// most likely cause is D"; for questions asking which option is wrong, "The incorrect statement is D", "The exception
// is D", "All statements except D are correct"; and a closing line that labels one option ("**Option C:** 10^-4 eV").
void find_selection_statements(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  static constexpr std::array<std::string_view, 23> kSubjects = {
      "closest",         "best match",          "best fit",        "most appropriate", "most likely",
      "most plausible",  "most reasonable",     "most consistent", "incorrect statement", "false statement",
      "wrong statement", "incorrect one",       "exception",       "odd one out",      "least likely",
      "outlier",         "only possible",       "correct statement", "true statement", "correct response",
      "right answer",    "best answer",         "correct one"};
  for (std::string_view subject : kSubjects) {
    for (std::size_t at = lower.find(subject); at != kNone; at = lower.find(subject, at + 1)) {
      const std::size_t after = at + subject.size();
      if ((at > 0 && is_alpha(lower[at - 1])) || (after < lower.size() && lower[after] == 's')) continue;
      const Stated st = stated_letter(text, lower, at + subject.size(), letters, 30, false);
      if (!st.letter.found() || hedged_before(text, lower, at, st.letter.pos) || hedged_after(text, lower, st.letter))
        continue;
      best.offer(st.letter, Strength::kStatement);
    }
  }
  for (std::size_t at = lower.find("except "); at != kNone; at = lower.find("except ", at + 1)) {
    std::size_t i = skip_blanks(text, at + 7);
    if (const std::size_t w = word_at(lower, i, kOptionWords)) i += w;
    const Letter l = decorated_letter(text, i, letters, {});
    if (!l.found() || alternative_follows(text, lower, l, letters)) continue;
    std::size_t k = l.end;
    while (k < text.size() && (text[k] == ')' || text[k] == '*')) ++k;
    k = skip_blanks(text, k);
    for (std::string_view verdict : {"are correct", "are true", "are valid", "are right", "are accurate"})
      if (starts_with(lower, k, verdict) && !hedged_before(text, lower, at, l.pos)) best.offer(l, Strength::kStatement);
  }
  std::size_t end = text.size();
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1])) != 0) --end;
  std::size_t line = end;
  while (line > 0 && text[line - 1] != '\n') --line;
  std::size_t i = line;
  while (i < end && (text[i] == '*' || text[i] == '#' || text[i] == ' ' || text[i] == '>')) ++i;
  if (const std::size_t w = word_at(lower, i, kOptionWords)) {
    const Letter l = decorated_letter(text, i + w, letters, {});
    std::size_t k = l.found() ? l.end : kNone;
    while (k != kNone && k < end && text[k] == '*') ++k;
    // One option, not judged against: "Option A: wrong. Option D: correct." is no label line.
    const std::string_view rest = lower.substr(i + w, end - i - w);
    bool judged = false;
    for (std::string_view word : {"option", "choice", "wrong", "incorrect", "not ", "false", "eliminat"})
      if (rest.find(word) != std::string_view::npos) judged = true;
    if (k != kNone && k < end && (text[k] == ':' || text[k] == ')') && !judged) best.offer(l, Strength::kStatement);
  }
}

// "Réponse : C", "Respuesta: C", "Antwort: C", "Ответ: C", "答え：C", "정답: C": the answer line in the
// languages a model may slip into, at the start of a line.
void find_other_language_answer_lines(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  static constexpr std::array<std::string_view, 18> kAnswerWords = {
      "r\xc3\xa9ponse correcte", "bonne r\xc3\xa9ponse", "respuesta correcta", "resposta correta", "risposta corretta",
      "richtige antwort", "\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xbb\xd1\x8c\xd0\xbd\xd1\x8b\xd0\xb9 \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82",  // правильный ответ
      "r\xc3\xa9ponse", "respuesta", "resposta", "risposta", "antwort", "antwoord", "odpowied\xc5\xba",
      "\xd0\x9e\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82", "\xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82",  // Ответ, ответ
      "\xe7\xad\x94\xe3\x81\x88", "\xec\xa0\x95\xeb\x8b\xb5"};                                  // 答え, 정답
  for (std::string_view word : kAnswerWords) {
    for (std::size_t at = lower.find(word); at != kNone; at = lower.find(word, at + 1)) {
      if (!opens_line(lower, at)) continue;
      const std::size_t after = at + word.size();
      if (after < lower.size() && is_alpha(lower[after])) continue;
      const Stated st = stated_letter(text, lower, after, letters, 0, true);
      if (st.letter.found() && st.colon) best.offer(st.letter, Strength::kAnswerLine);
    }
  }
}

// True when the words right after a letter stated in another language make it a condition, an alternative
// or a denial: "C si ...", "C ou D", "A oder C", "C или D", "Cではありません", "C是错误的", "C还是D", "C和D".
bool doubted_in_other_language(std::string_view text, const Letter& l) {
  std::size_t i = l.end;
  while (i < text.size() && (text[i] == ' ' || text[i] == ')' || text[i] == '*')) ++i;
  std::string next(text.substr(i, 24));
  for (char& c : next) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static constexpr std::string_view kDoubts[] = {
      "si ", "ou ", "o ", "oder ", "e ", "y ", "se ", "wenn ", "falls ", "nur ", "ni ", "nicht", "?",
      "\xd0\xb8\xd0\xbb\xd0\xb8", "\xd0\xb5\xd1\x81\xd0\xbb\xd0\xb8", "\xd1\x82\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xba\xd0\xbe", "\xe3\x81\xa7\xe3\x81\xaf", "\xe3\x81\x98\xe3\x82\x83", "\xea\xb0\x80 \xec\x95\x84", "\xec\x9d\xb4 \xec\x95\x84", "\xec\x9d\xb4\xeb\xa9\xb4", "\xe6\x98\xaf\xe9\x94\x99", "\xe9\x94\x99", "\xe4\xb8\x8d", "\xe8\xbf\x98\xe6\x98\xaf", "\xe5\x92\x8c", "\xe6\x88\x96", "\xef\xbc\x9f", "\xe5\x90\x97"};
  for (std::string_view doubt : kDoubts)
    if (next.starts_with(doubt)) return true;
  return false;
}

// "La réponse est B", "Die Antwort ist A", "Правильный ответ — C", "正解はCです", "정답은 A입니다": the answer stated in
// prose in the languages a model may slip into (compared in lower case; the CJK ones have no case).
void find_other_language_statements(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  static constexpr std::string_view kPhrases[] = {
      "la r\xc3\xa9ponse est",
      "la r\xc3\xa9ponse est donc",
      "la bonne r\xc3\xa9ponse est",
      "la bonne r\xc3\xa9ponse est donc",
      "la r\xc3\xa9ponse correcte est",
      "la respuesta correcta es la",
      "die antwort lautet",
      "die richtige antwort lautet",
      "\xd0\xb2\xd0\xb5\xd1\x80\xd0\xbd\xd1\x8b\xd0\xb9 \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82",  // верный ответ
      "\xd0\xb8\xd1\x82\xd0\xb0\xd0\xba, \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82",  // итак, ответ
      "\xd0\x98\xd1\x82\xd0\xb0\xd0\xba, \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82",  // Итак, ответ
      "la respuesta es",
      "la respuesta correcta es",
      "die antwort ist",
      "die richtige antwort ist",
      "a resposta \xc3\xa9",
      "a resposta correta \xc3\xa9",
      "la risposta \xc3\xa8",
      "la risposta corretta \xc3\xa8",
      "\xd0\xbf\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xbb\xd1\x8c\xd0\xbd\xd1\x8b\xd0\xb9 \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82", "\xd0\x9f\xd1\x80\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xbb\xd1\x8c\xd0\xbd\xd1\x8b\xd0\xb9 \xd0\xbe\xd1\x82\xd0\xb2\xd0\xb5\xd1\x82",
      "\xe6\xad\xa3\xe8\xa7\xa3\xe3\x81\xaf",
      "\xec\xa0\x95\xeb\x8b\xb5\xec\x9d\x80"};
  for (std::string_view phrase : kPhrases) {
    for (std::size_t at = lower.find(phrase); at != kNone; at = lower.find(phrase, at + 1)) {
      if (at > 0 && is_alpha(lower[at - 1])) continue;
      std::size_t i = at + phrase.size();
      while (i < text.size() && (text[i] == ' ' || text[i] == ':')) ++i;
      if (starts_with(text, i, "\xe2\x80\x94") || starts_with(text, i, "\xef\xbc\x9a")) i += 3;  // "—", "："
      const Letter l = decorated_letter(text, i, letters, {});
      if (l.found() && !hedged_after(text, lower, l) && !doubted_in_other_language(text, l))
        best.offer(l, Strength::kStatement);
    }
  }
}

void find_chinese_statements(std::string_view text, std::string_view letters, Best& best) {
  // 答案：B, 答案是B, 答案为B, 故选B, 正确选项是B, 正确答案是B
  // Also 因此选C, 答案应该是C.
  // Also 选C / 应选C / 我选C / 本题选C (not 不选C, 候选, 可选, 选项C), 答：C, 结论：C.
  static constexpr std::array<std::string_view, 10> kLeads = {
      "\xe7\xad\x94\xe6\xa1\x88", "\xe6\x95\x85\xe9\x80\x89", "\xe6\xad\xa3\xe7\xa1\xae\xe9\x80\x89\xe9\xa1\xb9",
      "\xe6\x89\x80\xe4\xbb\xa5\xe9\x80\x89", "\xe5\x9b\xa0\xe6\xad\xa4\xe9\x80\x89", "\xe9\x80\x89\xe6\x8b\xa9", "\xe9\x80\x89",
      "\xe7\xad\x94\xef\xbc\x9a", "\xe7\xad\x94:", "\xe7\xbb\x93\xe8\xae\xba"};
  constexpr std::string_view kSelect = "\xe9\x80\x89";  // 选
  constexpr std::string_view kChoose = "\xe9\x80\x89\xe6\x8b\xa9";  // 选择
  static constexpr std::array<std::string_view, 5> kLinks = {"\xef\xbc\x9a", "\xe5\xba\x94\xe8\xaf\xa5\xe6\x98\xaf", "\xe6\x98\xaf", "\xe4\xb8\xba", ":"};
  for (std::string_view lead : kLeads) {
    for (std::size_t at = text.find(lead); at != kNone; at = text.find(lead, at + 1)) {
      std::size_t i = at + lead.size();
      if (lead == kSelect || lead == kChoose) {
        // 选项 (an option named, not chosen) and 不选 / 候选 / 可选 (not, candidate, optional).
        if (starts_with(text, i, "\xe9\xa1\xb9")) continue;
        bool excluded = false;
        for (std::string_view before : {"\xe4\xb8\x8d", "\xe5\x80\x99", "\xe5\x8f\xaf"})
          if (at >= before.size() && text.substr(at - before.size(), before.size()) == before) excluded = true;
        if (excluded) continue;
      }
      for (int n = 0; n < 2; ++n) {
        while (i < text.size() && text[i] == ' ') ++i;
        for (std::string_view link : kLinks)
          if (starts_with(text, i, link)) {
            i += link.size();
            break;
          }
      }
      const Letter l = decorated_letter(text, i, letters, {.newlines = true});
      if (l.found() && !doubted_in_other_language(text, l)) best.offer(l, Strength::kStatement);
    }
  }
  // C项正确, C是正确的, C正确 (not C不正确).
  constexpr std::string_view kCorrect = "\xe6\xad\xa3\xe7\xa1\xae";  // 正确
  for (std::size_t at = text.find(kCorrect); at != kNone; at = text.find(kCorrect, at + 1)) {
    std::size_t b = at;
    for (std::string_view link : {"\xe9\xa1\xb9", "\xe6\x98\xaf"})  // 项, 是
      if (b >= link.size() && text.substr(b - link.size(), link.size()) == link) b -= link.size();
    while (b > 0 && text[b - 1] == ' ') --b;
    if (b == 0) continue;
    const Letter l = decorated_letter(text, b - 1, letters, {});
    if (l.found() && l.end == b && (l.pos == 0 || !is_alpha(text[l.pos - 1]))) best.offer(l, Strength::kStatement);
  }
}

// True when the box a letter opens goes on to join another letter to it: "\boxed{C, D}",
// "\boxed{C \text{ and } D}", "\boxed{\text{C or D}}".
bool box_names_another_letter(std::string_view text, std::size_t box, const Letter& l, std::string_view letters) {
  // The box's extent: from its opening brace to the matching one.
  std::size_t open = text.find('{', box);
  if (open == kNone || open > l.pos) return false;
  int depth = 0;
  std::size_t close = open;
  const std::size_t limit = std::min(text.size(), open + 200);  // a box naming letters is short; unclosed ones end here
  for (; close < limit; ++close) {
    if (text[close] == '\\') {
      ++close;
      continue;
    }
    if (text[close] == '{') ++depth;
    if (text[close] == '}' && --depth == 0) break;
  }
  close = std::min(close, limit);  // a backslash at the limit stepped past it
  std::string rest;  // the box after the letter, without commands and braces
  for (std::size_t i = l.end; i < close && i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\') {
      while (i + 1 < close && is_alpha(text[i + 1])) ++i;
      continue;
    }
    if (c != '{' && c != '}' && c != '$') rest += c;
  }
  const std::string lower = ascii_lower(rest);
  std::size_t k = 0;
  while (k < rest.size() && (rest[k] == ' ' || rest[k] == ')')) ++k;
  if (k < rest.size() && (rest[k] == ',' || rest[k] == '/' || rest[k] == '&')) ++k;
  else if (starts_with(lower, k, "and ")) k += 4;
  else if (starts_with(lower, k, "or ")) k += 3;
  else return false;
  while (k < rest.size() && (rest[k] == ' ' || rest[k] == '(')) ++k;
  if (starts_with(lower, k, "and ")) k += 4;
  if (starts_with(lower, k, "or ")) k += 3;
  return decorated_letter(rest, k, letters, {}).found();
}

void find_boxes(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  // "\boxed{B}", "\boxed{(B)}", "\boxed{\text{Option B}}", "\boxed{B) 3.2 eV}", "\boxed{B \text{ (ester)}}":
  // a letter that opens the box and is all of it or labels the option's text. A box the sentence asks about
  // ("Why not \boxed{D}?") states nothing, and two boxes offered as alternatives ("\boxed{B} or \boxed{D}")
  // state no one answer.
  struct Box {
    Letter letter;
    std::size_t begin, end;
    bool doubted;  // "If spin were ignored we'd get \boxed{D}", "(D would be \boxed{D} in vacuum)"
  };
  std::vector<Box> boxes;
  for (std::string_view cmd : {std::string_view("\\boxed"), std::string_view("\\fbox")}) {
    for (std::size_t at = text.find(cmd); at != kNone; at = text.find(cmd, at + 1)) {
      std::size_t i = skip_decoration(text, at, false);
      if (i == kNone) continue;
      if (const std::size_t w = word_at(lower, i, kOptionWords)) {
        i += w;
        while (i < text.size() && (text[i] == ' ' || text[i] == '}')) ++i;
      }
      const Letter l = decorated_letter(text, i, letters, {.lower_case = true});
      if (!l.found() || box_names_another_letter(text, at, l, letters)) continue;
      std::size_t k = l.end;
      while (k < text.size() && (text[k] == ')' || text[k] == ']' || text[k] == '$' || text[k] == '*')) ++k;
      const bool whole = k < text.size() && text[k] == '}';
      const bool labelled = is_label(text, l) || (k < text.size() && (text[k] == ' ' || text[k] == '\\' || text[k] == ','));
      if (!whole && !(labelled && !std::islower(static_cast<unsigned char>(text[l.pos])))) continue;
      std::size_t end = k;
      while (end < text.size() && (text[end] == '}' || text[end] == '$' || text[end] == ' ')) ++end;
      if (end < text.size() && text[end] == '?') continue;
      boxes.push_back({l, at, end, false});
    }
  }
  std::sort(boxes.begin(), boxes.end(), [](const Box& a, const Box& b) { return a.begin < b.begin; });
  // A doubted box is set aside when another box states the answer plainly (looked at only when boxes disagree).
  const bool disagree = std::any_of(boxes.begin(), boxes.end(), [&](const Box& b) { return b.letter.letter != boxes[0].letter.letter; });
  if (disagree)
    for (Box& b : boxes) b.doubted = hedged_before(text, lower, b.begin, b.letter.pos);
  const bool plain_box = std::any_of(boxes.begin(), boxes.end(), [](const Box& b) { return !b.doubted; });
  for (std::size_t b = 0; b < boxes.size(); ++b) {
    const auto alternative = [&](std::size_t first, std::size_t second) {
      if (boxes[first].letter.letter == boxes[second].letter.letter) return false;
      std::string gap(lower.substr(boxes[first].end, boxes[second].begin - std::min(boxes[second].begin, boxes[first].end)));
      std::erase_if(gap, [](char c) { return c == ' ' || c == '$' || c == ','; });
      return gap == "or";
    };
    if ((b > 0 && alternative(b - 1, b)) || (b + 1 < boxes.size() && alternative(b, b + 1))) continue;
    // "\boxed{A} (not \boxed{D})", "\boxed{A}, rather than \boxed{D}": the box set aside is not the answer.
    if (b > 0 && boxes[b].begin > boxes[b - 1].end &&
        sets_next_box_aside(text.substr(boxes[b - 1].end, boxes[b].begin - boxes[b - 1].end)))
      continue;
    if (boxes[b].doubted && plain_box) continue;
    best.offer(boxes[b].letter, Strength::kAnswerLine);
  }
}

void find_boxes_and_labels(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  find_boxes(text, lower, letters, best);
  // "\text{(C)}", "\textbf{(D)}": a labelled option; the parentheses keep units ("\text{C}") and element
  // symbols out.
  for (std::size_t at = text.find("{("); at != kNone; at = text.find("{(", at + 1)) {
    std::size_t b = at;
    while (b > 0 && is_alpha(text[b - 1])) --b;
    if (b == 0 || text[b - 1] != '\\' || b == at) continue;
    const Letter l = decorated_letter(text, at + 2, letters, {});
    if (l.found() && l.pos == at + 2 && starts_with(text, l.end, ")}")) best.offer(l, Strength::kTextLabel);
  }
  // A line that is only a letter: "B", "(B)", "**B**", "$\mathbf{B}$", "B.". Not a heading over the text that
  // discusses that option ("### D\nwrong sign", "**Option D**\nignores spin"): a markdown heading, or an
  // option-named line with text right below it.
  for (std::size_t start = 0; start < text.size();) {
    std::size_t stop = text.find('\n', start);
    if (stop == kNone) stop = text.size();
    const std::string_view line = text.substr(0, stop);
    std::size_t i = start + (starts_with(line, start, "- ") || starts_with(line, start, "> ") ? 2 : 0);  // a bullet, a quote
    const bool heading = text[start] == '#';
    i = skip_decoration(line, i, false);
    bool option_named = false;
    if (i != kNone)  // "**Option B**"
      if (const std::size_t w = word_at(lower, i, kOptionWords)) i += w, option_named = true;
    const Letter l = i == kNone ? Letter{} : decorated_letter(line, i, letters, {});
    // Text right below that starts a new sentence (not "which accounts for spin" going on from the line).
    const bool text_below = stop + 1 < text.size() && text[stop + 1] != '\n' && text[stop + 1] != '\r' &&
                            !std::islower(static_cast<unsigned char>(text[stop + 1]));
    const bool anything_below = text.find_first_not_of(" \t\r\n", std::min(text.size(), stop)) != kNone;
    // "(D)\nhas the wrong stereochemistry": the letter is the subject of a sentence going on below it.
    const bool sentence_below = stop + 1 < text.size() && std::islower(static_cast<unsigned char>(text[stop + 1])) != 0;
    if (l.found() && ends_its_line(line, choice::past_set_aside(line, l.end, letters)) && !(heading && anything_below) &&
        !(option_named && text_below) && !sentence_below)
      best.offer(l, Strength::kLoneLine);
    start = stop + 1;
  }
}

void find_closing_forms(std::string_view text, std::string_view lower, std::string_view letters, Best& best) {
  for (const choice::Ending& e : choice::find_endings(text, lower, letters)) {
    switch (e.kind) {
      case choice::EndingKind::kAnswerLabelLine: best.offer(e.letter, Strength::kAnswerLine); break;
      case choice::EndingKind::kFinalLabelLine: best.offer(e.letter, Strength::kStatement); break;
      case choice::EndingKind::kLabelLine:
      // A closing list or label line with text weighs less than any statement it follows ("The answer is C.\n\nA:
      // true, but ...", "The answer is C.\n\nResult: (a) ...").
      case choice::EndingKind::kVerdictList:
      case choice::EndingKind::kLabelLineWithText: best.offer(e.letter, Strength::kClosingWords); break;
      case choice::EndingKind::kClosingLetter: best.offer(e.letter, Strength::kLoneLine); break;
      case choice::EndingKind::kRestatedOption: best.offer(e.letter, Strength::kFallback); break;
    }
  }
}

std::optional<char> letter_in_answer_text(std::string_view text, std::string_view letters) {
  const std::string lower = ascii_lower(text);  // same length: positions line up with text
  Best best;
  if (thinking_unfinished(text)) {
    // Thinking that never closed (cut by the length limit): its guesses are no answer, only a box is.
    find_boxes(text, lower, letters, best);
    return best.letter();
  }
  find_answer_statements(text, lower, letters, best);
  find_letter_first_statements(text, lower, letters, best);
  find_correspondences(text, lower, letters, best);
  find_conclusions(text, lower, letters, best);
  find_selection_statements(text, lower, letters, best);
  find_corrections(text, lower, letters, best);
  find_chinese_statements(text, letters, best);
  find_other_language_statements(text, lower, letters, best);
  find_other_language_answer_lines(text, lower, letters, best);
  find_boxes_and_labels(text, lower, letters, best);
  find_closing_forms(text, lower, letters, best);
  // Cut off mid-sentence (the length limit) in a list of steps: a step's result ("Alkylation gives C.") is no answer.
  std::size_t e = text.size();
  while (e > 0 && std::isspace(static_cast<unsigned char>(text[e - 1])) != 0) --e;
  const bool cut_off = e > 0 && (std::islower(static_cast<unsigned char>(text[e - 1])) != 0 || text[e - 1] == ',');
  if (cut_off && best.step()) return std::nullopt;
  return best.letter();
}

}  // namespace

std::optional<char> extract_choice_letter(std::string_view response, std::string_view letters) {
  const std::string_view text = answer_part(response);
  // A base model that answered and went on to write the next few-shot question ("The answer is (B).\n\n
  // Question: ...") answered with what came before it.
  if (const std::size_t next = next_item_start(text); next != std::string_view::npos) {
    const std::string_view item = text.substr(next);
    // The next item of a few-shot prompt: its own options ("(A) He\n(B) Ne", "Choices:") or answer slot
    // ("Answer:", "A:"); a line opening with "Question:" in the response's own reasoning has neither.
    int option_lines = 0;
    bool answer_slot = false, choices = false;
    for (std::size_t line = 0; line < item.size();) {
      std::size_t stop = item.find('\n', line);
      if (stop == std::string_view::npos) stop = item.size();
      const std::string_view row = item.substr(line, stop - line);
      answer_slot = answer_slot || row.starts_with("Answer:") || row.starts_with("A:");
      choices = choices || row.starts_with("Choices:");
      const Letter label = decorated_letter(item.substr(0, stop), line, letters, {});
      if (label.found() && label.pos - line <= 2 && is_label(item, label)) ++option_lines;
      line = stop + 1;
    }
    if (answer_slot || choices || option_lines >= 2) {
      if (const std::optional<char> before = letter_in_answer_text(text.substr(0, next), letters)) return before;
      // lm-eval's item format ("Choices:" over the options): all that follows answers another question.
      if (choices) return std::nullopt;
    }
  }
  return letter_in_answer_text(text, letters);
}

Verdict grade_choice(std::string_view response, std::string_view gold) {
  Verdict v;
  std::string g;
  for (char c : gold)
    if (!std::isspace(static_cast<unsigned char>(c))) g += upper(c);
  // A gold letter past D (other multiple-choice sets) widens the accepted letters up to it.
  std::string letters = "ABCD";
  if (g.size() == 1 && g[0] > 'D' && g[0] <= 'Z')
    for (char c = 'E'; c <= g[0]; ++c) letters += c;
  const std::optional<char> letter = extract_choice_letter(response, letters);
  if (!letter) {
    v.reason = "no answer letter";
    return v;
  }
  v.extracted = std::string(1, *letter);
  if (g.size() == 1 && g[0] == *letter) {
    v.correct = true;
    v.reason = "letter equal";
  } else {
    v.reason = "letter differs";
  }
  return v;
}

}  // namespace r1eval::graders
