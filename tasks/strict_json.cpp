#include "tasks/strict_json.h"

#include <set>
#include <vector>

namespace r1eval::tasks {

nlohmann::json parse_strict_json(std::string_view text) {
  std::vector<std::set<std::string>> keys_of_open_objects;
  const auto check = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    // Deeper values parse, but overflow the stack when written back out (a record echoes its fields).
    if (depth > kMaxDepth) throw TooDeepError("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    switch (event) {
      case nlohmann::json::parse_event_t::object_start: keys_of_open_objects.emplace_back(); break;
      case nlohmann::json::parse_event_t::object_end: keys_of_open_objects.pop_back(); break;
      case nlohmann::json::parse_event_t::key:
        if (!keys_of_open_objects.back().insert(parsed.get<std::string>()).second)
          throw DuplicateKeyError("key '" + parsed.get<std::string>() + "' appears twice in one object");
        break;
      default: break;
    }
    return true;
  };
  return nlohmann::json::parse(text, check);
}

}  // namespace r1eval::tasks
