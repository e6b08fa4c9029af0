#include "harness/run/merge.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "harness/grade_generations.h"
#include "harness/run/provenance.h"
#include "harness/run/run_config.h"
#include "harness/run/run_summary.h"
#include "harness/run/shard.h"
#include "results/store.h"

namespace r1eval::harness::run {
namespace {

using SampleKey = std::tuple<std::string, std::string, int>;  // task, problem id, sample index
using ProblemKey = std::pair<std::string, std::string>;         // task, problem id

std::string sample_name(const SampleKey& k) {
  return std::get<0>(k) + "/" + std::get<1>(k) + "#" + std::to_string(std::get<2>(k));
}

[[noreturn]] void fail(const std::string& message) { throw std::invalid_argument(message); }

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path.string() + ": cannot read (expected a run folder written by r1eval run --shard)");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    fail(path.string() + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number past double
    fail(path.string() + ": not valid JSON (" + e.what() + ")");
  }
}

// One shard folder as read from disk.
struct ShardRun {
  std::filesystem::path dir;
  nlohmann::json run_json;
  Shard shard;
  nlohmann::json config_without_shard;
  // (task, problem id) -> position of the problem in the task's data, for this shard's plan.
  std::map<ProblemKey, std::size_t> plan;
  std::map<std::string, std::vector<std::string>> excluded;
};

template <typename T>
T field(const nlohmann::json& j, const char* key, const std::filesystem::path& file, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) fail(file.string() + ": field '" + where + key + "' missing");
  try {
    return j.at(key).get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(file.string() + ": field '" + where + key + "' has the wrong type");
  }
}

ShardRun read_shard(const std::filesystem::path& dir) {
  ShardRun s;
  s.dir = dir;
  const auto file = dir / "run.json";
  if (!std::filesystem::exists(file)) fail(dir.string() + ": no run.json (expected a folder written by r1eval run --shard)");
  s.run_json = read_json(file);
  const auto config = field<nlohmann::json>(s.run_json, "config", file, "");
  if (!config.is_object() || !config.contains("shard"))
    fail(file.string() + ": not a shard (config has no 'shard'); merge joins folders written by r1eval run --shard");
  s.shard.index = field<int>(config.at("shard"), "index", file, "config.shard.");
  s.shard.count = field<int>(config.at("shard"), "count", file, "config.shard.");
  if (s.shard.count < 1 || s.shard.index < 0 || s.shard.index >= s.shard.count)
    fail(file.string() + ": field 'config.shard' holds " + shard_text(s.shard) + "; expected i/N with 0 <= i < N");
  s.config_without_shard = config;
  s.config_without_shard.erase("shard");
  const auto plan = field<nlohmann::json>(s.run_json, "shard_plan", file, "");
  for (const auto& task : field<nlohmann::json>(plan, "tasks", file, "shard_plan.")) {
    const auto name = field<std::string>(task, "name", file, "shard_plan.tasks[].");
    s.excluded[name] = field<std::vector<std::string>>(task, "excluded", file, "shard_plan.tasks[].");
    for (const auto& problem : field<nlohmann::json>(task, "problems", file, "shard_plan.tasks[].")) {
      const auto id = field<std::string>(problem, "id", file, "shard_plan.tasks[].problems[].");
      const auto index = field<std::size_t>(problem, "index", file, "shard_plan.tasks[].problems[].");
      if (shard_of_problem(name, index, s.shard.count) != s.shard.index)
        fail(file.string() + ": problem " + name + "/" + id + " (position " + std::to_string(index) +
             ") belongs to shard " + std::to_string(shard_of_problem(name, index, s.shard.count)) + ", not to " +
             shard_text(s.shard));
      if (!s.plan.emplace(ProblemKey{name, id}, index).second)
        fail(file.string() + ": problem " + name + "/" + id + " is planned twice");
    }
  }
  return s;
}

// Refuses an output folder that holds a run other than an earlier merge.
void check_out_dir(const std::filesystem::path& out_dir, const std::vector<ShardRun>& shards) {
  std::error_code ec;
  for (const ShardRun& s : shards)
    if (std::filesystem::equivalent(s.dir, out_dir, ec))
      fail("--out " + out_dir.string() + ": is one of the shard folders; use another folder");
  const auto run_json = out_dir / "run.json";
  if (std::filesystem::exists(run_json)) {
    const nlohmann::json recorded = read_json(run_json);
    if (!recorded.is_object() || !recorded.contains("merged_from"))
      fail("--out " + out_dir.string() + ": holds a run that is not a merge of shards; use a new folder");
  } else if (std::filesystem::exists(out_dir / "samples.jsonl")) {
    fail("--out " + out_dir.string() + ": holds samples.jsonl without run.json; use a new folder");
  }
}

std::string shard_list(const std::vector<int>& indices, int count) {
  std::string out;
  for (std::size_t i = 0; i < indices.size(); ++i) out += (i ? ", " : "") + shard_text({indices[i], count});
  return out;
}

}  // namespace

nlohmann::json merge_provenance() {
  nlohmann::json p = build_description();
  p["machine"] = machine_description();
  p["merged_at"] = utc_timestamp();
  return p;
}

MergeOutcome merge_shards(const std::vector<std::filesystem::path>& shard_dirs, const std::filesystem::path& out_dir,
                          const MergeOptions& options, const nlohmann::json& provenance) {
  if (shard_dirs.empty()) fail("merge: no shard folders given");
  std::vector<ShardRun> shards;
  for (const auto& dir : shard_dirs) shards.push_back(read_shard(dir));
  const ShardRun& first = shards.front();

  // One run, each shard once.
  std::map<int, const ShardRun*> by_index;
  for (const ShardRun& s : shards) {
    if (s.shard.count != first.shard.count)
      fail(s.dir.string() + ": shard " + shard_text(s.shard) + ", but " + first.dir.string() + " is shard " +
           shard_text(first.shard) + "; shards of one run only");
    if (auto d = first_difference(as_recorded_then(first.config_without_shard, s.config_without_shard),
                                  as_recorded_then(s.config_without_shard, first.config_without_shard)))
      fail((s.dir / "run.json").string() + ": config field '" + *d + "' differs from " +
           (first.dir / "run.json").string() + "; shards of one run only");
    if (auto [it, fresh] = by_index.emplace(s.shard.index, &s); !fresh)
      fail(it->second->dir.string() + " and " + s.dir.string() + " are both shard " + shard_text(s.shard));
  }
  std::vector<int> absent;
  for (int i = 0; i < first.shard.count; ++i)
    if (!by_index.count(i)) absent.push_back(i);
  if (!absent.empty() && !options.allow_partial)
    fail("merge: shard" + std::string(absent.size() > 1 ? "s " : " ") + shard_list(absent, first.shard.count) +
         " missing (" + std::to_string(shards.size()) + " of " + std::to_string(first.shard.count) +
         " given); pass every shard's folder, or --allow-partial");
  check_out_dir(out_dir, shards);

  // The plan: tasks in config order, each with its k and its problems from every shard.
  const nlohmann::json& config = first.config_without_shard;
  std::map<std::string, std::size_t> task_order;
  std::map<std::string, int> samples_of;
  for (const auto& task : field<nlohmann::json>(config, "tasks", first.dir / "run.json", "config.")) {
    const auto name = field<std::string>(task, "name", first.dir / "run.json", "config.tasks[].");
    task_order.emplace(name, task_order.size());
    samples_of[name] = field<int>(task, "samples", first.dir / "run.json", "config.tasks[].");
  }
  std::map<ProblemKey, std::pair<std::size_t, const ShardRun*>> plan;  // -> data position, owner
  for (const ShardRun& s : shards)
    for (const auto& [problem, index] : s.plan) {
      if (!task_order.count(problem.first))
        fail((s.dir / "run.json").string() + ": shard_plan names task '" + problem.first + "', not in the config");
      if (auto [it, fresh] = plan.emplace(problem, std::pair{index, &s}); !fresh)
        fail("problem " + problem.first + "/" + problem.second + " is planned by both " +
             it->second.second->dir.string() + " and " + s.dir.string());
    }

  // The samples: each in its shard's plan, a repeat only with the same response.
  std::map<SampleKey, results::SampleRecord> records;
  std::map<const ShardRun*, std::size_t> stored;
  for (const ShardRun& s : shards) {
    for (results::SampleRecord& r : results::load_samples(s.dir)) {
      const SampleKey key{r.task, r.problem_id, r.sample_index};
      const auto owner = plan.find({r.task, r.problem_id});
      if (s.plan.count({r.task, r.problem_id}) == 0 || r.sample_index < 0 || r.sample_index >= samples_of[r.task])
        fail((s.dir / "samples.jsonl").string() + ": sample " + sample_name(key) + " is not in the plan of shard " +
             shard_text(s.shard) + (owner != plan.end() && owner->second.second != &s
                                        ? " (it belongs to " + owner->second.second->dir.string() + ")"
                                        : ""));
      if (auto it = records.find(key); it != records.end()) {
        if (it->second.response != r.response)
          fail((s.dir / "samples.jsonl").string() + ": sample " + sample_name(key) +
               " appears twice with different responses");
        continue;
      }
      records.emplace(key, std::move(r));
      ++stored[&s];
    }
  }

  MergeOutcome outcome;
  outcome.shards_given = static_cast<int>(shards.size());
  outcome.shard_count = first.shard.count;
  std::string first_missing;
  for (const auto& [problem, owner] : plan)
    for (int k = 0; k < samples_of[problem.first]; ++k)
      if (!records.count({problem.first, problem.second, k})) {
        if (first_missing.empty())
          first_missing = sample_name({problem.first, problem.second, k}) + " of " + owner.second->dir.string();
        ++outcome.missing_samples;
      }
  if (outcome.missing_samples > 0 && !options.allow_partial)
    fail("merge: " + std::to_string(outcome.missing_samples) + " planned samples missing (first: " + first_missing +
         "); finish that shard by running it again, or --allow-partial");

  // Plan order, the order a single process scores in.
  std::vector<results::SampleRecord> ordered;
  ordered.reserve(records.size());
  for (auto& [key, r] : records) ordered.push_back(std::move(r));
  std::sort(ordered.begin(), ordered.end(), [&](const results::SampleRecord& a, const results::SampleRecord& b) {
    return std::tuple(task_order.at(a.task), plan.at({a.task, a.problem_id}).first, a.sample_index) <
           std::tuple(task_order.at(b.task), plan.at({b.task, b.problem_id}).first, b.sample_index);
  });

  outcome.partial = !absent.empty() || outcome.missing_samples > 0;
  std::string note;
  if (outcome.partial) {
    note = std::to_string(shards.size()) + " of " + std::to_string(first.shard.count) + " shards merged";
    if (outcome.missing_samples > 0) note += ", " + std::to_string(outcome.missing_samples) + " planned samples missing";
  }
  RunSummary summary = summarize_run(ordered, first.excluded, options.ratings, note);

  nlohmann::json merged_from = nlohmann::json::array();
  for (const ShardRun& s : shards)
    merged_from.push_back({{"folder", std::filesystem::absolute(s.dir).lexically_normal().string()},
                           {"shard", {{"index", s.shard.index}, {"count", s.shard.count}}},
                           {"samples", stored[&s]},
                           {"provenance", s.run_json.value("provenance", nlohmann::json())},
                           {"earlier_invocations", s.run_json.value("earlier_invocations", nlohmann::json::array())}});
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) fail("--out " + out_dir.string() + ": cannot create the folder (" + ec.message() + ")");
  results::write_file_atomic(out_dir / "samples.jsonl", samples_jsonl(ordered));
  write_summary(out_dir, summary);
  results::write_file_atomic(out_dir / "run.json", nlohmann::json{{"config", config},
                                                                  {"provenance", provenance},
                                                                  {"merged_from", merged_from}}
                                                           .dump(2) + "\n");
  outcome.samples = ordered.size();
  outcome.scores = std::move(summary.scores);
  return outcome;
}

}  // namespace r1eval::harness::run
