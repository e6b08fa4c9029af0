#include "tasks/codeforces_loaders.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "tasks/codeforces_statement.h"
#include "tasks/data_source.h"
#include "tasks/jsonl.h"
#include "tasks/strict_json.h"

namespace r1eval::tasks {
namespace {

using nlohmann::json;

// Where an error happened: a JSON list entry ("<file>: entry <i>") or a JSONL line ("<file>:<line>").
struct Place {
  std::string_view file;
  std::size_t position = 0;
  bool is_line = false;

  std::string prefix(std::string_view field) const {
    if (is_line) return field_error_prefix(file, position, field);
    return std::string(file) + ": entry " + std::to_string(position) + ": field '" + std::string(field) + "': ";
  }
  [[noreturn]] void fail(std::string_view field, std::string_view what) const { throw DataError(prefix(field) + std::string(what)); }
};

json parse_document(std::string_view text, std::string_view name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{' && (text.find("}\n{") != std::string_view::npos || text.find("}\r\n{") != std::string_view::npos)) {
    // JSON lines (datasets' to_json writes them) hold the same list, one entry per line.
    json list = json::array();
    for (JsonlRecord& record : parse_jsonl(text, name)) list.push_back(std::move(record.value));
    return list;
  }
  try {
    return parse_strict_json(text);
  } catch (const StrictJsonError& e) {
    throw DataError(std::string(name) + ": " + e.what());
  } catch (const json::exception& e) {  // also out_of_range: a number past double
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));
    throw DataError(std::string(name) + ": malformed JSON (" + what + ")");
  }
}

const json& require_list(const json& document, std::string_view name, std::string_view what) {
  if (!document.is_array()) {
    throw DataError(std::string(name) + ": expected a JSON list of " + std::string(what) + ", found " + document.type_name());
  }
  if (document.empty()) throw DataError(std::string(name) + ": expected at least one entry in the list of " + std::string(what));
  return document;
}

const json& require_object(const json& value, const Place& place, std::string_view field) {
  if (!value.is_object()) place.fail(field, std::string("expected an object, found ") + value.type_name());
  return value;
}

// A string field; `required` makes absence (or null) an error, else absence yields "".
std::string string_field(const json& object, std::string_view field, const Place& place, bool required) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) {
    if (required) place.fail(field, "missing (expected a string)");
    return {};
  }
  if (!it->is_string()) place.fail(field, std::string("expected a string, found ") + it->type_name());
  return it->get<std::string>();
}

std::string nonempty_string_field(const json& object, std::string_view field, const Place& place) {
  std::string value = string_field(object, field, place, true);
  if (value.empty()) place.fail(field, "expected a non-empty string");
  return value;
}

// A list of {"input", "output"} objects; `field` names it in errors. testtype, when present, must
// be "stdin" or "interactive"; the latter sets *interactive.
std::vector<CodeTest> io_test_list(const json& list, std::string_view field, const Place& place, bool* interactive) {
  if (!list.is_array()) place.fail(field, std::string("expected a list of {input, output} tests, found ") + list.type_name());
  std::vector<CodeTest> tests;
  tests.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string element = std::string(field) + "[" + std::to_string(i) + "]";
    const json& test = require_object(list[i], place, element);
    CodeTest t;
    for (const char* key : {"input", "output"}) {
      const auto it = test.find(key);
      if (it == test.end() || !it->is_string()) {
        place.fail(element + "." + key, it == test.end() ? "missing (expected a string)"
                                                         : std::string("expected a string, found ") + it->type_name());
      }
    }
    t.input = test.at("input").get<std::string>();
    t.output = test.at("output").get<std::string>();
    if (const auto type = test.find("testtype"); type != test.end() && !type->is_null()) {
      if (!type->is_string()) place.fail(element + ".testtype", std::string("expected a string, found ") + type->type_name());
      const std::string kind = type->get<std::string>();
      if (kind == "interactive") {
        if (interactive) *interactive = true;
      } else if (kind != "stdin") {
        place.fail(element + ".testtype", "expected 'stdin' or 'interactive', found '" + kind + "'");
      }
    }
    tests.push_back(std::move(t));
  }
  return tests;
}

// Fills limits, tags and interactivity of `spec` from a statement in the DeepCoder/CodeContests form.
void read_statement_facts(std::string_view statement, const Place& place, std::string_view field, CodeSpec& spec) {
  try {
    spec.time_limit_ms = statement_time_limit_ms(statement).value_or(kDefaultTimeLimitMs);
    spec.memory_limit_mb = statement_memory_limit_mb(statement).value_or(kDefaultMemoryLimitMb);
    spec.tags = statement_tags(statement).value_or(std::vector<std::string>{});
  } catch (const StatementError& e) {
    place.fail(field, e.what());
  }
  spec.interactive = spec.interactive || statement_is_interactive(statement, spec.tags);
}

// "1971A" -> contest "1971", index "A"; "2031/B" (open-r1) -> "2031", "B".
void split_codeforces_id(std::string_view id, CodeSpec& spec) {
  if (const std::size_t slash = id.find('/'); slash != std::string_view::npos) {
    spec.contest_id = std::string(id.substr(0, slash));
    spec.index = std::string(id.substr(slash + 1));
    return;
  }
  std::size_t digits = 0;
  while (digits < id.size() && id[digits] >= '0' && id[digits] <= '9') ++digits;
  if (digits == 0 || digits == id.size()) return;  // not of the contest+index form: leave both unknown
  spec.contest_id = std::string(id.substr(0, digits));
  spec.index = std::string(id.substr(digits));
}

void check_unique(std::unordered_map<std::string, std::size_t>& seen, const std::string& id, const Place& place,
                  std::string_view field) {
  const auto [it, inserted] = seen.emplace(id, place.position);
  if (!inserted) {
    place.fail(field, "duplicate id '" + id + "' (first seen at " + (place.is_line ? "line " : "entry ") +
                          std::to_string(it->second) + ")");
  }
}

void require_tests(const CodeSpec& spec, const Place& place, std::string_view field) {
  if (spec.tests.empty()) place.fail(field, "expected at least one test");
}

}  // namespace

std::vector<Problem> parse_deepcoder_codeforces(std::string_view problems_json, std::string_view problems_name,
                                                std::string_view ids_json, std::string_view ids_name) {
  const json problems_doc = parse_document(problems_json, problems_name);
  const json ids_doc = parse_document(ids_json, ids_name);
  const json& entries = require_list(problems_doc, problems_name, "{problem, tests} objects");
  const json& ids = require_list(ids_doc, ids_name, "Codeforces problem ids");
  if (ids.size() != entries.size()) {
    throw DataError(std::string(ids_name) + ": expected one id per problem of " + std::string(problems_name) + " (" +
                    std::to_string(entries.size()) + "), found " + std::to_string(ids.size()));
  }
  std::vector<Problem> out;
  out.reserve(entries.size());
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Place place{problems_name, i, false};
    const Place id_place{ids_name, i, false};
    const json& entry = require_object(entries[i], place, "problem");
    Problem problem;
    if (!ids[i].is_string() || ids[i].get<std::string>().empty()) id_place.fail("id", "expected a non-empty string");
    problem.id = ids[i].get<std::string>();
    check_unique(seen, problem.id, id_place, "id");
    problem.question = nonempty_string_field(entry, "problem", place);

    CodeSpec spec;
    const auto tests = entry.find("tests");
    if (tests == entry.end()) place.fail("tests", "missing (expected a list of {input, output} tests)");
    if (tests->is_string()) {
      // Some DeepCoder exports store the list as a JSON string.
      json decoded;
      try {
        decoded = json::parse(tests->get<std::string>());
      } catch (const json::exception&) {  // also out_of_range: a number past double
        place.fail("tests", "expected a list or a JSON string holding a list, found a string that is not JSON");
      }
      spec.tests = io_test_list(decoded, "tests", place, &spec.interactive);
    } else {
      spec.tests = io_test_list(*tests, "tests", place, &spec.interactive);
    }
    require_tests(spec, place, "tests");
    read_statement_facts(problem.question, place, "problem", spec);
    split_codeforces_id(problem.id, spec);
    problem.code = std::move(spec);
    out.push_back(std::move(problem));
  }
  return out;
}

std::vector<Problem> parse_code_contests(std::string_view json_text, std::string_view display_name) {
  const json doc = parse_document(json_text, display_name);
  const json& entries = require_list(doc, display_name, "{problem, tests} objects");
  std::vector<Problem> out;
  out.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const Place place{display_name, i, false};
    const json& entry = require_object(entries[i], place, "problem");
    Problem problem;
    problem.id = "cc-" + std::to_string(i);
    problem.question = nonempty_string_field(entry, "problem", place);
    const auto tests = entry.find("tests");
    if (tests == entry.end()) place.fail("tests", "missing (expected {inputs, outputs})");
    require_object(*tests, place, "tests");
    std::vector<std::vector<std::string>> columns;
    for (const char* key : {"inputs", "outputs"}) {
      const std::string field = std::string("tests.") + key;
      const auto list = tests->find(key);
      if (list == tests->end() || !list->is_array()) {
        place.fail(field, list == tests->end() ? "missing (expected a list of strings)"
                                               : std::string("expected a list of strings, found ") + list->type_name());
      }
      std::vector<std::string> column;
      for (std::size_t t = 0; t < list->size(); ++t) {
        if (!(*list)[t].is_string()) {
          place.fail(field + "[" + std::to_string(t) + "]", std::string("expected a string, found ") + (*list)[t].type_name());
        }
        column.push_back((*list)[t].get<std::string>());
      }
      columns.push_back(std::move(column));
    }
    if (columns[0].size() != columns[1].size()) {
      place.fail("tests.outputs", "expected as many outputs as inputs (" + std::to_string(columns[0].size()) + "), found " +
                                      std::to_string(columns[1].size()));
    }
    CodeSpec spec;
    for (std::size_t t = 0; t < columns[0].size(); ++t) spec.tests.push_back({std::move(columns[0][t]), std::move(columns[1][t])});
    require_tests(spec, place, "tests.inputs");
    read_statement_facts(problem.question, place, "problem", spec);
    problem.code = std::move(spec);
    out.push_back(std::move(problem));
  }
  return out;
}

std::string open_r1_question(const OpenR1Statement& s) {
  std::string q;
  if (!s.title.empty()) q += s.title + "\n\n";
  q += s.description;
  auto section = [&q](std::string_view heading, const std::string& body) {
    if (body.empty()) return;
    q += "\n\n";
    q += heading;
    q += ":\n";
    q += body;
  };
  section("Input Format", s.input_format);
  section("Output Format", s.output_format);
  section("Interaction Format", s.interaction_format);
  for (std::size_t i = 0; i < s.examples.size(); ++i) {
    q += "\n\nExample " + std::to_string(i + 1) + " input:\n```\n" + s.examples[i].input;
    if (!s.examples[i].input.empty() && s.examples[i].input.back() != '\n') q += '\n';
    q += "```\nExample " + std::to_string(i + 1) + " output:\n```\n" + s.examples[i].output;
    if (!s.examples[i].output.empty() && s.examples[i].output.back() != '\n') q += '\n';
    q += "```";
  }
  section("Note", s.note);
  q += "\n\nTime Limit: " + std::to_string(s.time_limit_ms) + " ms\nMemory Limit: " + std::to_string(s.memory_limit_mb) + " MB\n";
  return q;
}

std::vector<Problem> parse_open_r1_codeforces(std::string_view jsonl_text, std::string_view display_name) {
  const std::vector<JsonlRecord> records = parse_jsonl(jsonl_text, display_name);
  if (records.empty()) throw DataError(std::string(display_name) + ": no problems in the file (expected JSON lines)");
  std::vector<Problem> out;
  out.reserve(records.size());
  std::unordered_map<std::string, std::size_t> seen;
  for (const JsonlRecord& record : records) {
    const Place place{display_name, record.line, true};
    const json& row = record.value;
    Problem problem;
    problem.id = nonempty_string_field(row, "id", place);
    check_unique(seen, problem.id, place, "id");

    CodeSpec spec;
    split_codeforces_id(problem.id, spec);
    if (const auto contest = row.find("contest_id"); contest != row.end() && !contest->is_null()) {
      if (contest->is_string()) spec.contest_id = contest->get<std::string>();
      else if (contest->is_number_integer()) spec.contest_id = contest->dump();
      else place.fail("contest_id", std::string("expected a string or an integer, found ") + contest->type_name());
    }
    if (std::string index = string_field(row, "index", place, false); !index.empty()) spec.index = std::move(index);

    // Optional positive numbers: time_limit in seconds, memory_limit in MB.
    auto positive_number = [&](std::string_view field, double scale, int fallback) {
      const auto it = row.find(field);
      if (it == row.end() || it->is_null()) return fallback;
      if (!it->is_number()) place.fail(field, std::string("expected a number, found ") + it->type_name());
      const double value = std::round(it->get<double>() * scale);
      if (!(value >= 1) || value > 1e9) place.fail(field, "expected a positive number, found " + it->dump());
      return static_cast<int>(value);
    };
    spec.time_limit_ms = positive_number("time_limit", 1000.0, kDefaultTimeLimitMs);
    spec.memory_limit_mb = positive_number("memory_limit", 1.0, kDefaultMemoryLimitMb);

    if (const auto rating = row.find("rating"); rating != row.end() && !rating->is_null()) {
      if (!rating->is_number()) place.fail("rating", std::string("expected a number, found ") + rating->type_name());
      const double value = rating->get<double>();
      if (value != std::floor(value) || value < 0 || value > 10000) place.fail("rating", "expected a rating from 0 to 10000, found " + rating->dump());
      spec.rating = static_cast<int>(value);
    }
    if (const auto tags = row.find("tags"); tags != row.end() && !tags->is_null()) {
      if (!tags->is_array()) place.fail("tags", std::string("expected a list of strings, found ") + tags->type_name());
      for (std::size_t i = 0; i < tags->size(); ++i) {
        if (!(*tags)[i].is_string()) place.fail("tags[" + std::to_string(i) + "]", std::string("expected a string, found ") + (*tags)[i].type_name());
        spec.tags.push_back((*tags)[i].get<std::string>());
      }
    }
    spec.checker = string_field(row, "generated_checker", place, false);
    if (!spec.checker.empty()) spec.checker_language = "python";  // open-r1's generated checkers are Python scripts
    const std::string input_mode = string_field(row, "input_mode", place, false);
    if (!input_mode.empty() && input_mode != "stdio" && input_mode != "file") {
      place.fail("input_mode", "expected 'stdio' or 'file', found '" + input_mode + "'");
    }
    spec.stdio = input_mode != "file";

    OpenR1Statement statement;
    statement.title = string_field(row, "title", place, false);
    statement.description = nonempty_string_field(row, "description", place);
    statement.input_format = string_field(row, "input_format", place, false);
    statement.output_format = string_field(row, "output_format", place, false);
    statement.interaction_format = string_field(row, "interaction_format", place, false);
    statement.note = string_field(row, "note", place, false);
    if (const auto examples = row.find("examples"); examples != row.end() && !examples->is_null()) {
      statement.examples = io_test_list(*examples, "examples", place, nullptr);
    }
    statement.time_limit_ms = spec.time_limit_ms;
    statement.memory_limit_mb = spec.memory_limit_mb;
    spec.interactive = !statement.interaction_format.empty() ||
                       std::find(spec.tags.begin(), spec.tags.end(), "interactive") != spec.tags.end();

    if (const auto official = row.find("official_tests"); official != row.end() && !official->is_null()) {
      spec.tests = io_test_list(*official, "official_tests", place, nullptr);
    }
    if (spec.tests.empty()) spec.tests = statement.examples;  // hub rows without official tests fall back to the samples
    require_tests(spec, place, "official_tests");

    problem.question = open_r1_question(statement);
    // The rating as an attribute: solve rates by difficulty, and the Elo estimate in the reports.
    if (spec.rating) problem.attributes.push_back({"rating", std::to_string(*spec.rating)});
    problem.code = std::move(spec);
    out.push_back(std::move(problem));
  }
  return out;
}

}  // namespace r1eval::tasks
