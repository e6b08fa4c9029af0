#include "graders/judge.h"

#include <chrono>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string>

#include "graders/choice_grader.h"
#include "graders/math_grader.h"

namespace r1eval::graders {

void judge_jsonl(std::istream& in, std::ostream& out, JudgeKind kind, std::string_view source) {
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = std::string(source) + ":" + std::to_string(number) + ": ";
    nlohmann::json obj;
    try {
      obj = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception&) {
      throw std::runtime_error(where + "expected one JSON object per line");
    }
    if (!obj.is_object()) throw std::runtime_error(where + "expected a JSON object");
    for (const char* field : {"gold", "response"}) {
      if (!obj.contains(field) || !obj[field].is_string())
        throw std::runtime_error(where + "expected string field \"" + field + "\"");
    }
    const std::string gold = obj["gold"].get<std::string>();
    const std::string response = obj["response"].get<std::string>();
    const auto start = std::chrono::steady_clock::now();
    const Verdict v = kind == JudgeKind::kMath ? grade_math(response, gold) : grade_choice(response, gold);
    const auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
    obj["correct"] = v.correct;
    obj["extracted"] = v.extracted ? nlohmann::json(*v.extracted) : nlohmann::json(nullptr);
    obj["reason"] = v.reason;
    obj["micros"] = micros;
    // Model output may hold invalid UTF-8: replace it rather than fail the whole stream.
    out << obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
}

}  // namespace r1eval::graders
