// `r1eval judge code`: JSONL problems+responses on stdin, judged in the sandbox, JSONL verdicts on stdout.
#include "harness/commands/judge_code.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "graders/code/calibration.h"
#include "graders/code/judge.h"
#include "graders/json_line.h"

namespace r1eval::harness {
namespace {

using nlohmann::json;
namespace code = graders::code;

[[noreturn]] void bad_line(std::size_t line, const std::string& what) {
  throw std::invalid_argument("stdin:" + std::to_string(line) + ": " + what);
}

// A tool named on the command line must exist: judged without it, every response would come out SE.
void require_executable(const std::string& flag, const std::string& name) {
  const auto runnable = [](const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    if (runnable(name)) return;
  } else if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    for (std::size_t begin = 0; begin <= dirs.size();) {
      std::size_t end = dirs.find(':', begin);
      if (end == std::string::npos) end = dirs.size();
      if (end > begin && runnable(std::filesystem::path(dirs.substr(begin, end - begin)) / name)) return;
      begin = end + 1;
    }
  }
  throw std::invalid_argument(flag + ": '" + name + "' is not an executable file (a path, or a name found on PATH)");
}

int positive_int(const json& object, const char* field, int fallback, std::size_t line) {
  auto it = object.find(field);
  if (it == object.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<long long>() <= 0 || it->get<long long>() > 1'000'000)
    bad_line(line, std::string("field '") + field + "': expected a positive integer");
  return it->get<int>();
}

// Parses one request line; validates every field before anything runs.
code::JudgeRequest parse_request(const json& object, std::size_t line) {
  if (!object.is_object()) bad_line(line, "expected a JSON object");
  auto response = object.find("response");
  if (response == object.end() || !response->is_string()) bad_line(line, "field 'response': expected a string");
  auto tests = object.find("tests");
  if (tests == object.end() || !tests->is_array() || tests->empty())
    bad_line(line, "field 'tests': expected a non-empty array of {input, output}");
  auto spec = std::make_shared<code::ProblemSpec>();
  for (std::size_t i = 0; i < tests->size(); ++i) {
    const json& t = (*tests)[i];
    if (!t.is_object() || !t.contains("input") || !t["input"].is_string() || !t.contains("output") ||
        !t["output"].is_string())
      bad_line(line, "field 'tests[" + std::to_string(i) + "]': expected {\"input\": string, \"output\": string}");
    spec->tests.push_back({t["input"].get<std::string>(), t["output"].get<std::string>()});
  }
  spec->time_limit_ms = positive_int(object, "time_limit_ms", spec->time_limit_ms, line);
  spec->memory_limit_mb = positive_int(object, "memory_limit_mb", spec->memory_limit_mb, line);
  if (static_cast<std::uint64_t>(spec->memory_limit_mb) > code::host_memory_mb())
    bad_line(line, "field 'memory_limit_mb': expected at most this machine's memory, " +
                       std::to_string(code::host_memory_mb()) + " MB");
  if (auto floats = object.find("float_tolerance"); floats != object.end() && !floats->is_null()) {
    if (!floats->is_boolean()) bad_line(line, "field 'float_tolerance': expected true or false");
    spec->float_tolerance = floats->get<bool>();
  }
  if (auto checker = object.find("checker"); checker != object.end() && !checker->is_null()) {
    if (!checker->is_string()) bad_line(line, "field 'checker': expected the source of a checker (a string)");
    spec->checker = checker->get<std::string>();
  }
  if (auto convention = object.find("checker_language"); convention != object.end() && !convention->is_null()) {
    const std::string name = convention->is_string() ? convention->get<std::string>() : "";
    if (name == "python") spec->checker_convention = code::CheckerConvention::OpenR1;
    else if (name != "cpp") bad_line(line, "field 'checker_language': expected \"cpp\" (testlib) or \"python\" (open-r1)");
  }
  code::JudgeRequest request{response->get<std::string>(), std::nullopt, spec};
  if (auto language = object.find("language"); language != object.end() && !language->is_null()) {
    if (!language->is_string() || !code::language_from_tag(language->get<std::string>()))
      bad_line(line, "field 'language': expected \"cpp\", \"cpp20\", \"c\" or \"python\"");
    request.language = code::language_from_tag(language->get<std::string>());
  }
  return request;
}

json result_json(const code::JudgeResult& r) {
  json tests = json::array();
  for (const code::TestResult& t : r.tests) {
    if (!t.ran) {
      tests.push_back({{"outcome", "skipped"}});
      continue;
    }
    json one = {{"outcome", code::outcome_name(t.outcome)}, {"cpu_ms", t.cpu_ms}, {"wall_ms", t.wall_ms},
                {"memory_kb", t.memory_kb}};
    if (!t.detail.empty()) one["detail"] = t.detail;
    if (t.signal) one["signal"] = t.signal;
    if (t.exit_code) one["exit_code"] = t.exit_code;
    tests.push_back(std::move(one));
  }
  return {{"verdict", code::outcome_name(r.outcome)},
          {"correct", r.outcome == code::Outcome::AC},
          {"detail", r.detail},
          {"language", r.language ? json(code::language_name(*r.language)) : json(nullptr)},
          {"tests_passed", r.tests_passed},
          {"test_results", tests}};
}

}  // namespace

int run_judge_code(const JudgeCodeOptions& options, std::istream& in, std::ostream& out, std::ostream& log) {
  if (options.calibrate) {
    const code::Calibration c = code::calibrate();
    out << json{{"reference_seconds", c.reference_seconds}, {"measured_seconds", c.measured_seconds},
                {"speed_factor", c.speed_factor}}
               .dump()
        << '\n';
    return 0;
  }
  if (!options.cxx.empty()) require_executable("--cxx", options.cxx);
  if (!options.python.empty()) require_executable("--python", options.python);
  // Read and validate everything first: a bad line is reported before any program runs.
  std::vector<json> objects;
  std::vector<code::JudgeRequest> requests;
  std::string text;
  for (std::size_t line = 1; std::getline(in, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      objects.push_back(graders::parse_json_line(text));
    } catch (const json::exception&) {  // also out_of_range: a number past double
      bad_line(line, "not valid JSON");
    } catch (const graders::JsonTooDeep& e) {
      bad_line(line, std::string("not valid JSON here: ") + e.what());
    }
    requests.push_back(parse_request(objects.back(), line));
  }
  code::JudgeConfig config;
  config.time_scale = options.time_scale;
  if (!options.cxx.empty()) config.cxx = options.cxx;
  if (!options.python.empty()) config.python = options.python;
  // The sandbox mounts each folder at its own path: it must be absolute.
  for (const std::string& dir : options.checker_include_dirs)
    config.checker_include_dirs.push_back(std::filesystem::canonical(dir).string());
  const code::Judge judge(config);
  log << "r1eval: judging " << requests.size() << " responses; sandbox: " << judge.isolation_summary()
      << "; time scale " << options.time_scale << "\n";
  const auto start = std::chrono::steady_clock::now();
  const std::vector<code::JudgeResult> results = judge.judge_all(requests);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (std::size_t i = 0; i < results.size(); ++i) {
    json object = objects[i];
    object.update(result_json(results[i]));
    out << object.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  log << "r1eval: judged " << results.size() << " responses in " << seconds << " s\n";
  return 0;
}

}  // namespace r1eval::harness
