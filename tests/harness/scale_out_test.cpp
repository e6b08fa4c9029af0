// Scale-out end to end on the tiny model: shards merged equal one process's run, merge refuses anything
// else with one line, a Slurm array task finds its shard, --dp replicas give the same samples, and
// `mpirun -np 2 r1eval run` (each rank its shard, rank 0 merges) equals one process's run. The mpirun tests
// are compiled only when CMake found MPI and its launcher (R1EVAL_MPIEXEC).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "results/store.h"
#include "cli_checks.h"
#include "test_support.h"

namespace r1eval::harness {
namespace {

using ::testing::HasSubstr;
using Key = std::tuple<std::string, std::string, int>;

std::string run_args(const std::filesystem::path& model, const std::filesystem::path& out, const std::string& extra = "") {
  const std::string seed = extra.find("--seed ") == std::string::npos ? " --seed 5" : "";
  return "run --model " + model.string() + " --out " + out.string() +
         " --tasks aime24,math500 --limit 3 --samples 2 --max-tokens 10 --kv-cache-gb 0.05 --offline"
         " --progress-seconds 0.05 --data-dir " + testing::shared_data() + seed + " " + extra;
}

std::map<Key, std::string> responses(const std::filesystem::path& dir) {
  std::map<Key, std::string> out;
  for (const results::SampleRecord& r : results::load_samples(dir)) {
    EXPECT_TRUE(out.emplace(Key{r.task, r.problem_id, r.sample_index}, r.response).second) << r.problem_id;
  }
  return out;
}

using testing::expect_one_line_error;

// One process's run and its two shards, made for each test in folders of its own (CTest runs tests in
// parallel processes).
class ShardedRun : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    model_ = testing::tiny_model("scale_out_" + name);
    root_ = testing::scratch_dir("scale_out_" + name);
    ASSERT_EQ(testing::run_r1eval(run_args(model_, root_ / "single")).exit_code, 0);
    for (const char* shard : {"0/2", "1/2"}) {
      const auto r = testing::run_r1eval(run_args(model_, shard_dir(shard[0] - '0'), "--shard " + std::string(shard)));
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_THAT(r.err, HasSubstr("shard " + std::string(shard) + " (--shard)"));
    }
  }
  std::filesystem::path shard_dir(int i) const { return root_ / (i == 0 ? "s0" : "s1"); }
  static std::string merge(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out,
                           const std::string& extra = "") {
    std::string args = "merge";
    for (const auto& d : dirs) {
      args += ' ';
      args += d.string();
    }
    return args + " --out " + out.string() + " " + extra;
  }
  // A copy of shard i to alter.
  std::filesystem::path copy_of_shard(int i, const std::string& name) const {
    const auto dir = root_ / name;
    std::filesystem::copy(shard_dir(i), dir, std::filesystem::copy_options::recursive);
    return dir;
  }
  std::filesystem::path model_, root_;
};

TEST_F(ShardedRun, ShardsSplitByProblemAndAreMarkedPartial) {
  const auto a = responses(shard_dir(0)), b = responses(shard_dir(1));
  EXPECT_EQ(a.size() + b.size(), 12u);  // 2 tasks x 3 problems x 2 samples
  EXPECT_GE(a.size(), 4u);
  EXPECT_GE(b.size(), 4u);
  for (const auto& [key, text] : a) {
    EXPECT_FALSE(b.count(key));
    // All samples of a problem in one shard.
    EXPECT_TRUE(a.count({std::get<0>(key), std::get<1>(key), 1 - std::get<2>(key)}));
  }
  const auto run = nlohmann::json::parse(testing::read_text(shard_dir(1) / "run.json"));
  EXPECT_EQ(run["config"]["shard"], (nlohmann::json{{"index", 1}, {"count", 2}}));
  EXPECT_EQ(run["shard_plan"]["tasks"].size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(testing::read_text(shard_dir(1) / "scores.json"))["partial"], "shard 1/2");
  EXPECT_THAT(testing::read_text(shard_dir(1) / "report.md"), HasSubstr("Partial results: shard 1/2"));
  EXPECT_THAT(testing::read_text(shard_dir(1) / "report.html"), HasSubstr("Partial results: shard 1/2"));
  // `report` of the shard's folder says so too.
  const auto report = testing::run_r1eval("report " + shard_dir(1).string());
  ASSERT_EQ(report.exit_code, 0) << report.err;
  EXPECT_EQ(report.out, testing::read_text(shard_dir(1) / "report.md"));
}

TEST_F(ShardedRun, MergeWritesWhatOneProcessWrites) {
  const auto out = root_ / "merged";
  const auto r = testing::run_r1eval(merge({shard_dir(1), shard_dir(0)}, out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("merged 2 of 2 shards, 12 samples"));
  EXPECT_EQ(responses(out), responses(root_ / "single"));
  for (const char* file : {"scores.json", "report.md", "report.html"})
    EXPECT_EQ(testing::read_text(out / file), testing::read_text(root_ / "single" / file)) << file;
  // samples.jsonl in plan order: tasks in config order, problems in data order, then sample index.
  const auto records = results::load_samples(out);
  ASSERT_EQ(records.size(), 12u);
  EXPECT_EQ(records[0].task, "aime24");
  EXPECT_EQ(records[0].sample_index, 0);
  EXPECT_EQ(records[1].problem_id, records[0].problem_id);
  EXPECT_EQ(records[11].task, "math500");
  const auto run = nlohmann::json::parse(testing::read_text(out / "run.json"));
  const auto single = nlohmann::json::parse(testing::read_text(root_ / "single" / "run.json"));
  EXPECT_EQ(run["config"], single["config"]);
  EXPECT_EQ(run["merged_from"].size(), 2u);
  EXPECT_EQ(run["merged_from"][0]["shard"]["index"], 1);
  EXPECT_TRUE(run["provenance"].contains("merged_at"));
  // Merging again replaces the earlier merge; the merged folder continues like a single run's.
  EXPECT_EQ(testing::run_r1eval(merge({shard_dir(0), shard_dir(1)}, out)).exit_code, 0);
  const auto rerun = testing::run_r1eval(run_args(model_, out));
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_THAT(rerun.err, HasSubstr("12 already in"));
}

TEST_F(ShardedRun, MergeRefusesWhatIsNotOneWholeRun) {
  const auto out = root_ / "refused";
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0)}, out)), "shard 1/2 missing");
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0), shard_dir(0)}, out)), "are both shard 0/2");
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0), root_ / "single"}, out)), "not a shard");
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0), root_ / "nowhere"}, out)), "no run.json");

  // A shard of another run (another seed).
  const auto other = root_ / "other_seed";
  ASSERT_EQ(testing::run_r1eval(run_args(model_, other, "--shard 1/2 --seed 6")).exit_code, 0);
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0), other}, out)), "config field 'seed' differs");

  // A missing sample, and a sample that belongs to the other shard.
  const auto lacking = copy_of_shard(1, "lacking");
  std::string lines = testing::read_text(lacking / "samples.jsonl");
  lines.erase(0, lines.find('\n') + 1);
  testing::write_text(lacking / "samples.jsonl", lines);
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0), lacking}, out)), "1 planned samples missing");
  const auto foreign = copy_of_shard(1, "foreign");
  const std::string shard0 = testing::read_text(shard_dir(0) / "samples.jsonl");
  testing::write_text(foreign / "samples.jsonl",
                      testing::read_text(foreign / "samples.jsonl") + shard0.substr(0, shard0.find('\n') + 1));
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0), foreign}, out)), "is not in the plan of shard 1/2");

  // An output folder holding a run that is not a merge.
  expect_one_line_error(testing::run_r1eval(merge({shard_dir(0), shard_dir(1)}, root_ / "single")),
                           "not a merge of shards");
  EXPECT_FALSE(std::filesystem::exists(out / "samples.jsonl")) << "nothing written by a refused merge";

  // --allow-partial merges what is there and says so.
  const auto partial = testing::run_r1eval(merge({shard_dir(0), lacking}, out, "--allow-partial"));
  ASSERT_EQ(partial.exit_code, 0) << partial.err;
  EXPECT_THAT(nlohmann::json::parse(testing::read_text(out / "scores.json"))["partial"].get<std::string>(),
              HasSubstr("1 planned samples missing"));
}

TEST_F(ShardedRun, AShardFolderContinuesOnlyAsTheSameShard) {
  const auto folder = copy_of_shard(0, "continue");
  expect_one_line_error(testing::run_r1eval(run_args(model_, folder, "--shard 1/2")), "'shard' differs");
  expect_one_line_error(testing::run_r1eval(run_args(model_, folder)), "'shard' differs");
  const auto again = testing::run_r1eval(run_args(model_, folder, "--shard 0/2"));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.err, HasSubstr("0 samples generated"));
  expect_one_line_error(testing::run_r1eval(run_args(model_, folder, "--shard 2/2")), "--shard '2/2'");
}

TEST_F(ShardedRun, SlurmArrayTaskRunsItsShardIntoASubfolder) {
  const auto out = root_ / "slurm";
  ::setenv("SLURM_ARRAY_TASK_ID", "8", 1);
  ::setenv("SLURM_ARRAY_TASK_MIN", "7", 1);
  ::setenv("SLURM_ARRAY_TASK_COUNT", "2", 1);
  const auto r = testing::run_r1eval(run_args(model_, out));
  for (const char* name : {"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_COUNT"}) ::unsetenv(name);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("shard 1/2 (slurm array)"));
  EXPECT_EQ(responses(out / "shard-1-of-2"), responses(shard_dir(1)));
}

TEST_F(ShardedRun, DataParallelReplicasGiveTheSamplesOfOneEngine) {
  const auto out = root_ / "dp";
  const auto r = testing::run_r1eval(run_args(model_, out, "--dp 2"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("dp 2: engine (cpu backend): "));
  EXPECT_EQ(responses(out), responses(root_ / "single"));
  EXPECT_EQ(testing::read_text(out / "scores.json"), testing::read_text(root_ / "single" / "scores.json"));
}

#ifdef R1EVAL_MPIEXEC
// Runs `r1eval args` as `ranks` MPI ranks (as root too, and on fewer cores than ranks).
testing::CommandResult mpirun_r1eval(int ranks, const std::string& args, const std::filesystem::path& scratch) {
  const auto out = scratch / "mpirun.out", err = scratch / "mpirun.err";
  const std::string command = "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader " +
                              std::string(R1EVAL_MPIEXEC) + " --oversubscribe -np " + std::to_string(ranks) + " " +
                              std::string(R1EVAL_BINARY_DIR) + "/r1eval " + args + " > '" + out.string() + "' 2> '" +
                              err.string() + "' < /dev/null";
  const int status = std::system(command.c_str());
  testing::CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = testing::read_text(out);
  r.err = testing::read_text(err);
  return r;
}

TEST(MpiRun, TwoRanksMergeIntoTheRunOfOneProcess) {
  const auto model = testing::tiny_model("mpi_run");
  const auto root = testing::scratch_dir("mpi_run");
  ASSERT_EQ(testing::run_r1eval(run_args(model, root / "single")).exit_code, 0);
  const auto r = mpirun_r1eval(2, run_args(model, root / "mpi"), root);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("shard 0/2 (mpirun)"));
  EXPECT_THAT(r.err, HasSubstr("shard 1/2 (mpirun)"));
  EXPECT_THAT(r.err, HasSubstr("merged 2 ranks' shards, 12 samples"));
  EXPECT_THAT(r.out, HasSubstr("aime24"));
  for (const char* shard : {"shard-0-of-2", "shard-1-of-2"})
    EXPECT_FALSE(results::load_samples(root / "mpi" / shard).empty()) << shard;
  EXPECT_EQ(responses(root / "mpi"), responses(root / "single"));
  const auto merged = nlohmann::json::parse(testing::read_text(root / "mpi" / "scores.json"));
  EXPECT_EQ(merged, nlohmann::json::parse(testing::read_text(root / "single" / "scores.json")));
  EXPECT_FALSE(merged.contains("partial"));
}

TEST(MpiRun, AFailingRankEndsTheOthers) {
  const auto model = testing::tiny_model("mpi_fail");
  const auto root = testing::scratch_dir("mpi_fail");
  // Rank 1's folder holds another run (another seed), so rank 1 fails at once while rank 0 generates and
  // then waits for it at the merge.
  ASSERT_EQ(testing::run_r1eval(run_args(model, root / "mpi" / "shard-1-of-2", "--shard 1/2 --seed 9")).exit_code, 0);
  const auto r = mpirun_r1eval(2, run_args(model, root / "mpi"), root);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("shard-1-of-2/run.json: the folder holds another run (config field 'seed' differs)"));
  EXPECT_FALSE(std::filesystem::exists(root / "mpi" / "scores.json"));
}

#endif  // R1EVAL_MPIEXEC

}  // namespace
}  // namespace r1eval::harness
