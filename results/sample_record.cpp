#include "results/sample_record.h"

#include <stdexcept>

#include "results/json_fields.h"

namespace r1eval::results {
namespace {

constexpr std::string_view kContext = "sample record";

std::vector<std::pair<std::string, std::string>> read_attributes(const nlohmann::json& v) {
  std::vector<std::pair<std::string, std::string>> out;
  // Written as [[name, value], ...] to keep their order; a plain object is accepted from other tools.
  if (v.is_object()) {
    for (const auto& [name, value] : v.items()) {
      out.emplace_back(name, detail::as_string(value, "attributes." + name, kContext));
    }
    return out;
  }
  if (!v.is_array()) {
    throw std::invalid_argument("sample record: field 'attributes' must be an array of [name, value] pairs, got " +
                                std::string(v.type_name()));
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    const nlohmann::json& pair = v[i];
    const std::string where = "attributes[" + std::to_string(i) + "]";
    if (!pair.is_array() || pair.size() != 2) {
      throw std::invalid_argument("sample record: field '" + where + "' must be a [name, value] pair");
    }
    out.emplace_back(detail::as_string(pair[0], where, kContext), detail::as_string(pair[1], where, kContext));
  }
  return out;
}

std::vector<int> read_choice_order(const nlohmann::json& v) {
  if (!v.is_array()) {
    throw std::invalid_argument("sample record: field 'choice_order' must be an array of integers, got " +
                                std::string(v.type_name()));
  }
  std::vector<int> out;
  out.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    out.push_back(detail::as_int(v[i], "choice_order[" + std::to_string(i) + "]", kContext));
  }
  return out;
}

}  // namespace

nlohmann::json to_json(const SampleRecord& r) {
  nlohmann::json attributes = nlohmann::json::array();
  for (const auto& [name, value] : r.attributes) attributes.push_back({name, value});
  return nlohmann::json{
      {"task", r.task},
      {"problem_id", r.problem_id},
      {"sample_index", r.sample_index},
      {"seed", r.seed},
      {"prompt", r.prompt},
      {"response", r.response},
      {"finish_reason", r.finish_reason},
      {"prompt_tokens", r.prompt_tokens},
      {"completion_tokens", r.completion_tokens},
      {"gold", r.gold},
      {"extracted", r.extracted ? nlohmann::json(*r.extracted) : nlohmann::json(nullptr)},
      {"correct", r.correct},
      {"reason", r.reason},
      {"generate_seconds", r.generate_seconds},
      {"grade_micros", r.grade_micros},
      {"choice_order", r.choice_order},
      {"attributes", std::move(attributes)},
  };
}

SampleRecord record_from_json(const nlohmann::json& j) {
  using detail::as_string;
  detail::require_object(j, kContext);
  SampleRecord r;
  // The identity of a sample and its verdict are required; everything else has a documented default
  // so that records written by older versions or other tools still load.
  r.task = detail::string_field(j, "task", kContext);
  r.problem_id = detail::string_field(j, "problem_id", kContext);
  r.sample_index = detail::int_field(j, "sample_index", kContext);
  if (r.sample_index < 0) {
    throw std::invalid_argument("sample record: field 'sample_index' must be >= 0, got " +
                                std::to_string(r.sample_index));
  }
  r.seed = detail::uint64_field(j, "seed", kContext);
  r.response = detail::string_field(j, "response", kContext);
  r.correct = detail::bool_field(j, "correct", kContext);

  if (const auto* v = detail::find_field(j, "prompt")) r.prompt = as_string(*v, "prompt", kContext);
  if (const auto* v = detail::find_field(j, "finish_reason")) r.finish_reason = as_string(*v, "finish_reason", kContext);
  if (const auto* v = detail::find_field(j, "prompt_tokens")) {
    r.prompt_tokens = detail::as_int64(*v, "prompt_tokens", kContext);
  }
  if (const auto* v = detail::find_field(j, "completion_tokens")) {
    r.completion_tokens = detail::as_int64(*v, "completion_tokens", kContext);
  }
  if (const auto* v = detail::find_field(j, "gold")) r.gold = as_string(*v, "gold", kContext);
  if (const auto* v = detail::find_field(j, "extracted")) r.extracted = as_string(*v, "extracted", kContext);
  if (const auto* v = detail::find_field(j, "reason")) r.reason = as_string(*v, "reason", kContext);
  if (const auto* v = detail::find_field(j, "generate_seconds")) {
    r.generate_seconds = detail::as_number(*v, "generate_seconds", kContext);
  }
  if (const auto* v = detail::find_field(j, "grade_micros")) {
    r.grade_micros = detail::as_number(*v, "grade_micros", kContext);
  }
  if (const auto* v = detail::find_field(j, "choice_order")) r.choice_order = read_choice_order(*v);
  if (const auto* v = detail::find_field(j, "attributes")) r.attributes = read_attributes(*v);
  return r;
}

}  // namespace r1eval::results
