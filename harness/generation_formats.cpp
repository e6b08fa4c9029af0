#include "harness/generation_formats.h"

#include <stdexcept>

namespace r1eval::harness {
namespace {

using nlohmann::json;

const json* string_field(const json& object, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const auto it = object.find(name);
    if (it != object.end() && it->is_string()) return &*it;
  }
  return nullptr;
}

// The answer with the reasoning a server returned apart put back in front, as the model wrote it.
std::string with_reasoning(const json& holder, std::string answer) {
  const json* reasoning = string_field(holder, {"reasoning_content", "reasoning"});
  if (!reasoning || reasoning->get_ref<const std::string&>().empty()) return answer;
  return "<think>\n" + reasoning->get<std::string>() + "\n</think>\n\n" + answer;
}

// "stop", or SGLang's {"type": "stop", ...}.
std::string finish_reason_of(const json& holder) {
  const auto it = holder.find("finish_reason");
  if (it == holder.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object() && it->contains("type") && (*it)["type"].is_string()) return (*it)["type"].get<std::string>();
  throw std::invalid_argument("field 'finish_reason': expected a string or an object with a 'type'");
}

// The token counts of a completion object's "usage", when it holds one sample (with several, the completion
// tokens are not told apart).
void add_usage(const json& object, json& flat) {
  const auto usage = object.find("usage");
  if (usage == object.end() || !usage->is_object() || flat["responses"].size() != 1) return;
  for (const char* field : {"prompt_tokens", "completion_tokens"})
    if (usage->contains(field) && (*usage)[field].is_number_integer()) flat[field] = (*usage)[field];
}

// Samples of an OpenAI-style "choices" list: chat messages or completion texts.
void add_choices(const json& choices, json& flat) {
  if (!choices.is_array() || choices.empty()) throw std::invalid_argument("field 'choices': expected a non-empty array");
  for (const json& choice : choices) {
    if (!choice.is_object()) throw std::invalid_argument("field 'choices': expected objects");
    std::string text;
    if (const auto m = choice.find("message"); m != choice.end() && m->is_object()) {
      const json* content = string_field(*m, {"content"});
      text = with_reasoning(*m, content ? content->get<std::string>() : std::string());
    } else if (const json* t = string_field(choice, {"text"})) {
      text = t->get<std::string>();
    } else {
      throw std::invalid_argument("field 'choices': a choice without 'message' or 'text'");
    }
    flat["responses"].push_back(std::move(text));
    flat["finish_reasons"].push_back(finish_reason_of(choice));
  }
}

json copy_identity(const json& from, json flat) {
  for (const char* key : {"problem_id", "id", "unique_id", "ID", "Record ID", "problem", "question", "Problem",
                          "Question", "sample_index", "gold", "choice_order", "prompt"}) {
    const auto it = from.find(key);
    if (it != from.end() && !it->is_null() && !flat.contains(key)) flat[key] = *it;
  }
  return flat;
}

}  // namespace

json flatten_known_formats(const json& line) {
  // lm-evaluation-harness --log_samples.
  if (line.contains("doc") && line["doc"].is_object() && line.contains("resps")) {
    json flat = copy_identity(line["doc"], json::object());
    if (flat.contains("ID") && !flat.contains("id")) flat["id"] = flat["ID"];
    if (flat.contains("Record ID") && !flat.contains("id")) flat["id"] = flat["Record ID"];
    for (const char* upper : {"Problem", "Question"}) {
      const std::string lower = upper == std::string("Problem") ? "problem" : "question";
      if (flat.contains(upper) && !flat.contains(lower)) flat[lower] = flat[upper];
    }
    flat.erase("ID");
    flat.erase("Record ID");
    flat.erase("Problem");
    flat.erase("Question");
    flat.erase("gold");
    flat["responses"] = json::array();
    const json& resps = line["resps"];
    if (!resps.is_array()) throw std::invalid_argument("field 'resps': expected an array");
    for (const json& r : resps) {
      if (r.is_string()) flat["responses"].push_back(r);
      else if (r.is_array())
        for (const json& s : r) {
          if (!s.is_string()) throw std::invalid_argument("field 'resps': expected strings or arrays of strings");
          flat["responses"].push_back(s);
        }
      else throw std::invalid_argument("field 'resps': expected strings or arrays of strings");
    }
    if (const json* target = string_field(line, {"target"})) flat["gold"] = *target;
    // The prompt the model saw: the first argument of the first request.
    if (const auto args = line.find("arguments"); args != line.end() && args->is_object() && !args->empty()) {
      const json& first = args->begin().value();
      if (first.is_object() && first.contains("arg_0") && first["arg_0"].is_string()) flat["prompt"] = first["arg_0"];
    } else if (args != line.end() && args->is_array() && !args->empty() && args->at(0).is_array() &&
               !args->at(0).empty() && args->at(0)[0].is_string()) {
      flat["prompt"] = args->at(0)[0];
    }
    return flat;
  }
  // OpenAI Batch API output; a request the batch could not serve carries "error" and no response.
  if (line.contains("custom_id") && (!line.contains("response") || line["response"].is_null()) && line.contains("error") &&
      !line["error"].is_null()) {
    const json& error = line["error"];
    const std::string message = error.is_object() && error.contains("message") && error["message"].is_string()
                                    ? error["message"].get<std::string>()
                                    : error.dump();
    throw std::invalid_argument("the batch request of '" + line["custom_id"].dump() + "' failed: " + message);
  }
  if (line.contains("custom_id") && line.contains("response") && line["response"].is_object()) {
    const json& response = line["response"];
    json flat = json::object();
    flat["problem_id"] = line["custom_id"];
    const auto status = response.find("status_code");
    if (status != response.end() && status->is_number_integer() && status->get<int>() != 200)
      throw std::invalid_argument("the batch request of '" + line["custom_id"].dump() + "' failed with status " +
                                  std::to_string(status->get<int>()));
    const auto body = response.find("body");
    if (body == response.end() || !body->is_object() || !body->contains("choices"))
      throw std::invalid_argument("field 'response': expected a batch response with 'body.choices'");
    flat["responses"] = json::array();
    flat["finish_reasons"] = json::array();
    flat["unindexed"] = true;
    add_choices((*body)["choices"], flat);
    add_usage(*body, flat);
    return flat;
  }
  // A completion object beside an identity (a "choices" list of option strings is a multiple-choice line's own).
  if (line.contains("choices") && line["choices"].is_array() && !line["choices"].empty() && line["choices"][0].is_object()) {
    json flat = copy_identity(line, json::object());
    flat["responses"] = json::array();
    flat["finish_reasons"] = json::array();
    flat["unindexed"] = true;
    add_choices(line["choices"], flat);
    add_usage(line, flat);
    return flat;
  }
  // vLLM's RequestOutput.
  if (line.contains("outputs") && line["outputs"].is_array() && !line["outputs"].empty() && line["outputs"][0].is_object()) {
    json flat = copy_identity(line, json::object());
    flat["responses"] = json::array();
    flat["finish_reasons"] = json::array();
    flat["unindexed"] = true;
    for (const json& output : line["outputs"]) {
      const json* text = output.is_object() ? string_field(output, {"text"}) : nullptr;
      if (!text) throw std::invalid_argument("field 'outputs': expected objects with a 'text'");
      flat["responses"].push_back(*text);
      flat["finish_reasons"].push_back(finish_reason_of(output));
    }
    return flat;
  }
  // A reasoning returned apart from the answer, or SGLang's finish_reason object.
  json flat = line;
  if (const json* answer = string_field(line, {"response", "content"})) {
    flat["response"] = with_reasoning(line, answer->get<std::string>());
    flat.erase("content");
  }
  if (line.contains("finish_reason") && line["finish_reason"].is_object()) flat["finish_reason"] = finish_reason_of(line);
  return flat;
}

}  // namespace r1eval::harness
