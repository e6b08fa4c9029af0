#include "graders/json_line.h"

namespace r1eval::graders {

nlohmann::json parse_json_line(std::string_view text) {
  return nlohmann::json::parse(text, [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
    if (depth > kMaxJsonDepth) throw JsonTooDeep();
    return true;
  });
}

}  // namespace r1eval::graders
