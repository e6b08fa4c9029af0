#include "harness/generations_file.h"

#include <fstream>
#include <initializer_list>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "harness/generation_formats.h"
#include "tasks/jsonl.h"
#include "tasks/strict_json.h"

namespace r1eval::harness {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::filesystem::path& path, std::size_t line, const std::string& what) {
  throw std::invalid_argument(path.string() + ":" + std::to_string(line) + ": " + what);
}

// The first of `names` present in `object`, or nullptr.
const json* first_field(const json& object, std::initializer_list<const char*> names, std::string* found) {
  for (const char* name : names) {
    auto it = object.find(name);
    if (it != object.end() && !it->is_null()) {
      *found = name;
      return &*it;
    }
  }
  return nullptr;
}

std::string id_string(const json& value, const std::filesystem::path& path, std::size_t line,
                      const std::string& field) {
  if (value.is_string()) return value.get<std::string>();
  if (auto number = tasks::whole_number_text(value)) return *number;  // also "id": 60.0, as pandas writes it
  fail(path, line, "field '" + field + "': expected a string or an integer");
}

std::int64_t optional_count(const json& object, const char* field, const std::filesystem::path& path,
                            std::size_t line) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return -1;
  if (!it->is_number_integer() || it->get<long long>() < 0)
    fail(path, line, std::string("field '") + field + "': expected a non-negative integer");
  return it->get<std::int64_t>();
}

ExternalSample common_fields(const json& object, const std::filesystem::path& path, std::size_t line) {
  ExternalSample sample;
  sample.line = line;
  std::string field;
  if (const json* id = first_field(object, {"problem_id", "id", "unique_id"}, &field))
    sample.problem_id = id_string(*id, path, line, field);
  if (const json* text = first_field(object, {"problem", "question"}, &field)) {
    if (!text->is_string()) fail(path, line, "field '" + field + "': expected a string");
    sample.problem_text = text->get<std::string>();
  }
  if (!sample.problem_id && !sample.problem_text)
    fail(path, line, "expected a problem identity: 'problem_id', 'id', 'unique_id', 'problem' or 'question'");
  if (auto it = object.find("prompt"); it != object.end() && it->is_string()) sample.prompt = it->get<std::string>();
  if (auto it = object.find("finish_reason"); it != object.end() && !it->is_null()) {
    if (!it->is_string()) fail(path, line, "field 'finish_reason': expected a string");
    sample.finish_reason = it->get<std::string>();
  }
  sample.prompt_tokens = optional_count(object, "prompt_tokens", path, line);
  sample.completion_tokens = optional_count(object, "completion_tokens", path, line);
  if (auto it = object.find("gold"); it != object.end() && !it->is_null()) {
    if (!it->is_string()) fail(path, line, "field 'gold': expected a string");
    sample.gold = it->get<std::string>();
  }
  if (auto it = object.find("choice_order"); it != object.end() && !it->is_null()) {
    if (!it->is_array()) fail(path, line, "field 'choice_order': expected an array of integers");
    for (const json& v : *it) {
      if (!v.is_number_integer()) fail(path, line, "field 'choice_order': expected an array of integers");
      sample.choice_order.push_back(v.get<int>());
    }
  }
  return sample;
}

}  // namespace

std::vector<ExternalSample> read_generations_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path.string() + ": cannot open the generations file");
  std::vector<ExternalSample> samples;
  std::string text;
  std::size_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    json object;
    try {
      object = tasks::parse_strict_json(text);
    } catch (const tasks::StrictJsonError& e) {
      fail(path, line, e.what());
    } catch (const json::exception& e) {  // also out_of_range: a number past double
      fail(path, line, std::string("not valid JSON (") + e.what() + ")");
    }
    if (!object.is_object()) fail(path, line, "expected a JSON object");
    try {
      object = flatten_known_formats(object);
    } catch (const std::invalid_argument& e) {
      fail(path, line, e.what());
    }
    ExternalSample base = common_fields(object, path, line);
    std::string field;
    if (const json* one = first_field(object, {"response", "output", "completion", "generation", "text"}, &field)) {
      if (!one->is_string()) fail(path, line, "field '" + field + "': expected a string");
      base.response = one->get<std::string>();
      if (auto it = object.find("sample_index"); it != object.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<long long>() < 0)
          fail(path, line, "field 'sample_index': expected a non-negative integer");
        base.sample_index = it->get<int>();
      }
      samples.push_back(std::move(base));
    } else if (const json* many = first_field(
                   object, {"responses", "outputs", "completions", "generations", "predictions"}, &field)) {
      if (!many->is_array() || many->empty()) fail(path, line, "field '" + field + "': expected a non-empty array of strings");
      const auto reasons = object.find("finish_reasons");  // one per response, from the shapes flattened above
      const bool unindexed = object.value("unindexed", false);
      int index = 0;
      for (const json& r : *many) {
        if (!r.is_string()) fail(path, line, "field '" + field + "': expected a non-empty array of strings");
        ExternalSample sample = base;
        sample.response = r.get<std::string>();
        if (reasons != object.end() && reasons->is_array() && static_cast<std::size_t>(index) < reasons->size() &&
            (*reasons)[static_cast<std::size_t>(index)].is_string())
          sample.finish_reason = (*reasons)[static_cast<std::size_t>(index)].get<std::string>();
        if (!unindexed) sample.sample_index = index;
        ++index;
        samples.push_back(std::move(sample));
      }
    } else {
      fail(path, line, "expected a response: 'response' (string) or 'responses' (array of strings)");
    }
  }
  if (samples.empty()) throw std::invalid_argument(path.string() + ": no samples in the generations file");
  return samples;
}

}  // namespace r1eval::harness
