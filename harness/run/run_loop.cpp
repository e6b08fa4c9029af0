#include "harness/run/run_loop.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "harness/grading.h"
#include "harness/run/progress.h"
#include "harness/run/progress_view.h"
#include "harness/run/run_summary.h"
#include "harness/seeds.h"
#include "results/store.h"

namespace r1eval::harness::run {
namespace {

using SampleKey = std::tuple<std::string, std::string, int>;  // task, problem id, sample index

// What the grader needs to know about each sample handed to the generator.
struct SampleMeta {
  const TaskInput* task = nullptr;
  const tasks::Problem* problem = nullptr;
  tasks::Prompt prompt;
};

nlohmann::json read_run_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot read");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return nlohmann::json::parse(ss.str());
  } catch (const nlohmann::json::parse_error& e) {
    throw std::invalid_argument(path.string() + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number past double
    throw std::invalid_argument(path.string() + ": not valid JSON (" + e.what() + ")");
  }
}

// Checks that `out_dir` is empty, or holds a run this one may continue; returns the provenance of the
// earlier invocations recorded there (oldest first).
nlohmann::json check_folder(const std::filesystem::path& out_dir, const RunConfig& config, bool resume) {
  const auto run_json = out_dir / "run.json";
  if (std::filesystem::exists(run_json)) {
    const nlohmann::json recorded = read_run_json(run_json);
    if (!recorded.is_object() || !recorded.contains("config"))
      throw std::invalid_argument(run_json.string() + ": field 'config' missing");
    check_continuation(recorded.at("config"), config, resume, run_json);
    nlohmann::json earlier = recorded.value("earlier_invocations", nlohmann::json::array());
    if (!earlier.is_array()) earlier = nlohmann::json::array();
    if (recorded.contains("provenance")) earlier.push_back(recorded.at("provenance"));
    return earlier;
  }
  if (std::filesystem::exists(out_dir / "samples.jsonl") && !results::load_samples(out_dir).empty())
    throw std::invalid_argument((out_dir / "samples.jsonl").string() +
                                ": samples of an unrecorded run (no run.json); use a new --out");
  if (resume) throw std::invalid_argument("--resume: " + out_dir.string() + " holds no run (no run.json)");
  return nlohmann::json::array();
}

// Reports progress from its own thread until destroyed: a log line per interval, or, when live, the block
// of bars redrawn in place (the terminal's width read at each redraw).
class ProgressReporter {
 public:
  ProgressReporter(const Progress& progress, double seconds, bool live, std::ostream& log)
      : thread_([this, &progress, seconds, live, &log] {
          std::unique_lock lock(mutex_);
          const auto interval = std::chrono::duration<double>(std::max(seconds, 0.05));
          std::size_t drawn = 0;
          const auto draw = [&] {
            const std::vector<std::string> lines = render_progress(progress.snapshot(), terminal_width());
            log << redraw_sequence(drawn, lines) << std::flush;
            drawn = lines.size();
          };
          if (live) draw();
          while (!cv_.wait_for(lock, interval, [this] { return done_; })) {
            if (live)
              draw();
            else
              log << progress.line() << std::endl;
          }
          if (live) draw();
        }) {}
  ~ProgressReporter() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

nlohmann::json shard_plan_json(const RunInputs& inputs) {
  nlohmann::json tasks = nlohmann::json::array();
  for (std::size_t t = 0; t < inputs.tasks.size(); ++t) {
    const TaskInput& input = inputs.tasks[t];
    nlohmann::json problems = nlohmann::json::array();
    for (std::size_t p = 0; p < input.problems.size(); ++p)
      problems.push_back({{"index", input.problem_indices.empty() ? p : input.problem_indices[p]},
                          {"id", input.problems[p].id}});
    tasks.push_back({{"name", inputs.config.tasks[t].name}, {"problems", problems}, {"excluded", input.excluded}});
  }
  return {{"tasks", tasks}};
}

// One process per run folder: two would each generate every missing sample and append it (a folder with
// each sample twice, run.json naming one of them). The lock is the kernel's, so it ends with the process.
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& out_dir) {
    const std::filesystem::path path = out_dir / ".r1eval.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::invalid_argument("--out " + out_dir.string() + ": cannot open " + path.string());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw std::invalid_argument("--out " + out_dir.string() +
                                  ": another r1eval is running on this folder; wait for it to end, or use another --out");
    }
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

void restrict_to_shard(RunInputs& inputs, const Shard& shard) {
  inputs.config.shard = shard;
  for (std::size_t t = 0; t < inputs.tasks.size(); ++t) {
    TaskInput& input = inputs.tasks[t];
    std::vector<tasks::Problem> kept;
    std::vector<std::size_t> kept_indices;
    for (std::size_t p = 0; p < input.problems.size(); ++p) {
      const std::size_t index = input.problem_indices.empty() ? p : input.problem_indices[p];
      if (shard_of_problem(inputs.config.tasks[t].name, index, shard.count) != shard.index) continue;
      kept.push_back(std::move(input.problems[p]));
      kept_indices.push_back(index);
    }
    input.problems = std::move(kept);
    input.problem_indices = std::move(kept_indices);
  }
}

// Undoes what a run that fails before storing a sample wrote (a model that does not load, a backend refused), so
// that the folder is as it was, or gone when this run made it, and the same command runs once the input is fixed.
// A run that stored samples keeps them for --resume. Armed while the folder lock is held.
class RunFolderRollback {
 public:
  // `lock_existed`: whether the folder held its lock file before this run took the lock.
  RunFolderRollback(const std::filesystem::path& out_dir, bool made_here, bool lock_existed)
      : out_dir_(out_dir), made_here_(made_here), exceptions_(std::uncaught_exceptions()), lock_existed_(lock_existed) {
    if (made_here_) return;
    std::ifstream in(out_dir / "run.json", std::ios::binary);
    if (in) run_json_ = std::string(std::istreambuf_iterator<char>(in), {});
    samples_bytes_ = file_bytes(out_dir / "samples.jsonl");
  }
  ~RunFolderRollback() {
    if (std::uncaught_exceptions() <= exceptions_) return;
    std::error_code ec;
    const std::filesystem::path samples = out_dir_ / "samples.jsonl";
    if (file_bytes(samples) > std::max<std::int64_t>(samples_bytes_, 0)) return;
    if (made_here_) {
      std::filesystem::remove_all(out_dir_, ec);
      return;
    }
    if (run_json_) {
      std::ofstream(out_dir_ / "run.json", std::ios::binary | std::ios::trunc) << *run_json_;
    } else {
      std::filesystem::remove(out_dir_ / "run.json", ec);
    }
    if (samples_bytes_ < 0) std::filesystem::remove(samples, ec);
    if (!lock_existed_) std::filesystem::remove(out_dir_ / ".r1eval.lock", ec);  // still held: no other run has it
  }
  RunFolderRollback(const RunFolderRollback&) = delete;
  RunFolderRollback& operator=(const RunFolderRollback&) = delete;

 private:
  static std::int64_t file_bytes(const std::filesystem::path& path) {  // -1: no such regular file
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return -1;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? -1 : static_cast<std::int64_t>(size);
  }
  std::filesystem::path out_dir_;
  bool made_here_;
  int exceptions_;
  bool lock_existed_;
  std::optional<std::string> run_json_;
  std::int64_t samples_bytes_ = -1;
};

RunOutcome execute_run(const RunInputs& inputs, const GeneratorFactory& make_generator,
                       const std::filesystem::path& out_dir, const RunLoopOptions& options,
                       const std::atomic<bool>& stop, std::ostream& log) {
  std::error_code ec;
  const bool made_here = !std::filesystem::exists(out_dir, ec);
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw std::invalid_argument("--out " + out_dir.string() + ": cannot create the folder (" + ec.message() + ")");
  const bool lock_existed = std::filesystem::exists(out_dir / ".r1eval.lock", ec);
  std::optional<FolderLock> lock;
  try {
    lock.emplace(out_dir);
  } catch (...) {
    if (made_here) std::filesystem::remove_all(out_dir, ec);
    throw;
  }
  const RunFolderRollback rollback(out_dir, made_here, lock_existed);
  const nlohmann::json earlier = check_folder(out_dir, inputs.config, options.resume);
  // What the folder holds already: read before run.json is rewritten, so that a folder refused for its
  // samples keeps its run.json as it was.
  std::map<SampleKey, bool> done;
  for (const results::SampleRecord& r : results::load_samples(out_dir))
    done[{r.task, r.problem_id, r.sample_index}] = r.correct;
  nlohmann::json run_json = {{"config", to_json(inputs.config)},
                             {"provenance", inputs.provenance},
                             {"earlier_invocations", earlier}};
  if (inputs.config.shard) run_json["shard_plan"] = shard_plan_json(inputs);
  results::write_file_atomic(out_dir / "run.json", run_json.dump(2) + "\n");

  // The plan, in task / problem / sample order; undone samples grouped into requests by prompt text.
  RunOutcome outcome;
  std::map<SampleKey, std::size_t> plan_order;
  std::vector<std::pair<std::string, std::size_t>> totals;
  std::map<std::string, std::pair<std::size_t, std::size_t>> done_counts;
  std::vector<GenerationRequest> requests;
  std::vector<std::vector<SampleMeta>> metas;
  for (std::size_t t = 0; t < inputs.tasks.size(); ++t) {
    const TaskInput& input = inputs.tasks[t];
    const TaskPlan& plan = inputs.config.tasks[t];
    totals.emplace_back(plan.name, input.problems.size() * static_cast<std::size_t>(plan.samples));
    for (const tasks::Problem& problem : input.problems) {
      std::map<std::string, std::size_t> request_of_prompt;
      for (int k = 0; k < plan.samples; ++k) {
        SampleKey key{plan.name, problem.id, k};
        plan_order.emplace(key, plan_order.size());
        ++outcome.planned;
        if (auto it = done.find(key); it != done.end()) {
          ++outcome.already_done;
          ++done_counts[plan.name].first;
          done_counts[plan.name].second += it->second ? 1 : 0;
          continue;
        }
        tasks::Prompt prompt = input.task->prompt(problem, inputs.config.seed, k);
        auto [slot, fresh] = request_of_prompt.emplace(prompt.user, requests.size());
        if (fresh) {
          requests.push_back({prompt.user, plan.settings, {}});
          metas.emplace_back();
        }
        requests[slot->second].samples.push_back(
            {plan.name, problem.id, k, sample_seed(inputs.config.seed, plan.name, problem.id, k)});
        metas[slot->second].push_back({&input, &problem, std::move(prompt)});
      }
    }
  }
  // The model is loaded before the status line, so that one that cannot be loaded gives its one error line alone.
  std::unique_ptr<Generator> generator;
  if (!requests.empty() && !stop.load()) generator = make_generator();
  log << "r1eval: " << (inputs.config.shard ? "shard " + shard_text(*inputs.config.shard) + ": " : "")
      << outcome.planned << " samples planned, " << outcome.already_done << " already in "
      << out_dir.string() << ", " << (outcome.planned - outcome.already_done) << " to generate" << std::endl;

  Progress progress(totals, done_counts);
  if (generator) {
    progress.set_token_source([&generator] { return generator->tokens_generated(); });
    results::SampleStore store(out_dir);
    // One slot stays reserved for the generating thread, which only hands tasks over; the others are the
    // graders, so grading runs while generation goes on.
    tbb::task_arena arena(options.grade_threads > 0 ? options.grade_threads + 1 : tbb::task_arena::automatic, 1);
    tbb::task_group graders;
    // One grader per task: a code task's sandboxed judge is set up once and shared by its samples.
    std::map<std::string, std::unique_ptr<TaskGrader>> grader_of;
    for (const auto& metas_of_request : metas)
      for (const SampleMeta& m : metas_of_request) {
        const tasks::TaskInfo& info = m.task->task->info();
        if (!grader_of.count(info.name)) grader_of.emplace(info.name, std::make_unique<TaskGrader>(info.grader));
      }
    {
      ProgressReporter reporter(progress, options.progress_seconds, options.live_progress, log);
      const auto sink = [&](GeneratedSample&& g) {
        arena.execute([&] {
          graders.run([&requests, &metas, &store, &progress, &grader_of, g = std::move(g)] {
            const SampleIdentity& id = requests[g.request].samples[g.sample];
            const SampleMeta& meta = metas[g.request][g.sample];
            const tasks::TaskInfo& info = meta.task->task->info();
            results::SampleRecord r;
            r.task = id.task;
            r.problem_id = id.problem_id;
            r.sample_index = id.sample_index;
            r.seed = id.seed;
            r.prompt = meta.prompt.user;
            r.gold = meta.prompt.gold;
            r.choice_order = meta.prompt.choice_order;
            r.response = g.text;
            r.finish_reason = g.finish_reason;
            r.prompt_tokens = g.prompt_tokens;
            r.completion_tokens = g.completion_tokens;
            r.generate_seconds = g.seconds;
            r.attributes = meta.problem->attributes;
            const auto start = std::chrono::steady_clock::now();
            graders::Verdict verdict = grader_of.at(info.name)->grade(*meta.problem, r.response, r.gold);
            r.grade_micros = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
            r.correct = verdict.correct;
            r.extracted = std::move(verdict.extracted);
            r.reason = std::move(verdict.reason);
            const auto stored = std::chrono::steady_clock::now();
            store.append(r);
            const double store_micros =
                std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - stored).count();
            progress.record(r.task, r.correct, r.completion_tokens, r.grade_micros, store_micros);
          });
        });
      };
      try {
        generator->generate(requests, sink, stop);
      } catch (...) {
        arena.execute([&] { graders.wait(); });
        throw;
      }
      arena.execute([&] { graders.wait(); });
    }
    outcome.generated = progress.generated();
    // A signal after the last sample finished interrupts nothing.
    outcome.interrupted = outcome.already_done + outcome.generated < outcome.planned;
    log << progress.line() << std::endl;
    log << "r1eval: " << generator->summary() << std::endl;
    log << progress.overhead_line() << std::endl;
  } else {
    outcome.interrupted = stop.load() && !requests.empty();
  }

  // Scores of the plan's samples, in plan order whatever order they finished in.
  std::vector<results::SampleRecord> records;
  for (results::SampleRecord& r : results::load_samples(out_dir))
    if (plan_order.count({r.task, r.problem_id, r.sample_index})) records.push_back(std::move(r));
  std::sort(records.begin(), records.end(), [&](const results::SampleRecord& a, const results::SampleRecord& b) {
    return plan_order.at({a.task, a.problem_id, a.sample_index}) < plan_order.at({b.task, b.problem_id, b.sample_index});
  });
  // A sample written twice (two runs into one folder at the same time) counts once.
  records.erase(std::unique(records.begin(), records.end(),
                            [](const results::SampleRecord& a, const results::SampleRecord& b) {
                              return a.task == b.task && a.problem_id == b.problem_id && a.sample_index == b.sample_index;
                            }),
                records.end());
  std::map<std::string, std::vector<std::string>> excluded;
  for (const TaskInput& t : inputs.tasks) excluded[t.task->info().name] = t.excluded;
  const std::string partial = inputs.config.shard ? "shard " + shard_text(*inputs.config.shard) : "";
  RunSummary summary = summarize_run(records, excluded, options.ratings, partial);
  write_summary(out_dir, summary);
  outcome.scores = std::move(summary.scores);
  return outcome;
}

}  // namespace r1eval::harness::run
