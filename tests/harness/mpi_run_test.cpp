// `mpirun -np 2 r1eval run` on the tiny model: each rank runs its shard, rank 0 merges, and the result is
// the run of one process. Compiled only when CMake found MPI and its launcher (R1EVAL_MPIEXEC).
#ifdef R1EVAL_MPIEXEC
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <tuple>

#include <nlohmann/json.hpp>

#include "results/store.h"
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

std::map<Key, std::string> responses(const std::filesystem::path& dir) {
  std::map<Key, std::string> out;
  for (const results::SampleRecord& r : results::load_samples(dir)) out[{r.task, r.problem_id, r.sample_index}] = r.response;
  return out;
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

}  // namespace
}  // namespace r1eval::harness
#endif
