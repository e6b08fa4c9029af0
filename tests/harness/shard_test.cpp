// The shard split, where a shard runs (--shard, mpirun, Slurm array) and the launcher's environment.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <stdexcept>

#include "harness/run/mpi_world.h"
#include "harness/run/run_loop.h"
#include "harness/run/shard.h"
#include "harness/run/shard_placement.h"

namespace r1eval::harness::run {
namespace {

using ::testing::HasSubstr;
using Env = std::map<std::string, std::string>;

std::function<std::optional<std::string>(const char*)> lookup(const Env& env) {
  return [env](const char* name) -> std::optional<std::string> {
    if (auto it = env.find(name); it != env.end()) return it->second;
    return std::nullopt;
  };
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Shard, ParsesZeroBasedIndexOfCount) {
  EXPECT_EQ(parse_shard("0/1"), (Shard{0, 1}));
  EXPECT_EQ(parse_shard("3/4"), (Shard{3, 4}));
  for (const char* bad : {"4/4", "-1/4", "1/0", "1", "a/4", "1/4x", "/4", "1/", ""})
    EXPECT_THAT(error_of([&] { parse_shard(bad); }), HasSubstr("--shard '" + std::string(bad) + "'")) << bad;
  EXPECT_EQ(shard_text({2, 8}), "2/8");
  EXPECT_EQ(shard_folder_name({2, 8}), "shard-2-of-8");
}

TEST(Shard, EveryProblemInExactlyOneShardAndShardsBalancedPerTask) {
  for (int n : {1, 2, 3, 7}) {
    for (const std::string task : {"aime24", "math500", "gpqa_diamond"}) {
      std::map<int, int> per_shard;
      for (std::size_t p = 0; p < 100; ++p) {
        const int s = shard_of_problem(task, p, n);
        ASSERT_GE(s, 0);
        ASSERT_LT(s, n);
        EXPECT_EQ(s, shard_of_problem(task, p, n)) << "a pure function";
        ++per_shard[s];
      }
      ASSERT_EQ(per_shard.size(), static_cast<std::size_t>(n));
      for (const auto& [s, count] : per_shard) EXPECT_NEAR(count, 100.0 / n, 1.0) << task << " shard " << s << "/" << n;
    }
  }
  // Different tasks start at different shards, so many small tasks do not all load shard 0.
  std::set<int> first_shards;
  for (const std::string task : {"aime24", "aime25", "math500", "gpqa_diamond", "codeforces", "livecodebench"})
    first_shards.insert(shard_of_problem(task, 0, 4));
  EXPECT_GT(first_shards.size(), 1u);
}

TEST(Shard, RestrictKeepsTheShardsProblemsWithTheirDataPositions) {
  RunInputs inputs;
  for (const char* name : {"aime24", "math500"}) {
    TaskPlan plan;
    plan.name = name;
    inputs.config.tasks.push_back(plan);
    TaskInput input;
    for (int p = 0; p < 9; ++p) {
      tasks::Problem problem;
      problem.id = name + std::to_string(p);
      input.problems.push_back(problem);
    }
    inputs.tasks.push_back(input);
  }
  std::map<std::string, int> owners;
  for (int i = 0; i < 3; ++i) {
    RunInputs shard = inputs;
    restrict_to_shard(shard, {i, 3});
    EXPECT_EQ(shard.config.shard, (Shard{i, 3}));
    EXPECT_EQ(to_json(shard.config)["shard"], (nlohmann::json{{"index", i}, {"count", 3}}));
    for (std::size_t t = 0; t < 2; ++t) {
      const TaskInput& input = shard.tasks[t];
      EXPECT_EQ(input.problems.size(), 3u);
      ASSERT_EQ(input.problem_indices.size(), input.problems.size());
      for (std::size_t p = 0; p < input.problems.size(); ++p) {
        const std::size_t index = input.problem_indices[p];
        EXPECT_EQ(input.problems[p].id, inputs.config.tasks[t].name + std::to_string(index));
        EXPECT_EQ(shard_of_problem(inputs.config.tasks[t].name, index, 3), i);
        ++owners[input.problems[p].id];
      }
    }
  }
  EXPECT_EQ(owners.size(), 18u);
  for (const auto& [id, count] : owners) EXPECT_EQ(count, 1) << id;
  EXPECT_FALSE(to_json(inputs.config).contains("shard")) << "an unsharded config has no shard field";
}

TEST(Shard, SlurmArrayTaskGivesTheShard) {
  EXPECT_EQ(shard_from_slurm(lookup({})), std::nullopt);
  EXPECT_EQ(shard_from_slurm(lookup({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "3"},
                                     {"SLURM_ARRAY_TASK_COUNT", "4"}})),
            (Shard{2, 4}));
  EXPECT_EQ(shard_from_slurm(lookup({{"SLURM_ARRAY_TASK_ID", "0"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                                     {"SLURM_ARRAY_TASK_COUNT", "1"}})),
            (Shard{0, 1}));
  // --array=10-16:2 gives ids 10, 12, 14, 16.
  EXPECT_EQ(shard_from_slurm(lookup({{"SLURM_ARRAY_TASK_ID", "14"}, {"SLURM_ARRAY_TASK_MIN", "10"},
                                     {"SLURM_ARRAY_TASK_STEP", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}})),
            (Shard{2, 4}));
  EXPECT_THAT(error_of([] { shard_from_slurm(lookup({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}})); }),
              HasSubstr("SLURM_ARRAY_TASK_MIN is unset"));
  EXPECT_THAT(error_of([] {
                shard_from_slurm(lookup({{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                                         {"SLURM_ARRAY_TASK_COUNT", "2"}}));
              }),
              HasSubstr("SLURM_ARRAY_TASK_ID='x'"));
  EXPECT_THAT(error_of([] {
                shard_from_slurm(lookup({{"SLURM_ARRAY_TASK_ID", "7"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                                         {"SLURM_ARRAY_TASK_COUNT", "4"}}));
              }),
              HasSubstr("SLURM_ARRAY_TASK_ID=7"));
}

TEST(Shard, PlacementPrefersTheFlagThenMpiThenSlurm) {
  const Env slurm{{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_MIN", "0"}, {"SLURM_ARRAY_TASK_COUNT", "3"}};
  const ShardPlacement whole = place_shard("", 0, 1, "runs/x", lookup({}));
  EXPECT_EQ(whole.shard, std::nullopt);
  EXPECT_EQ(whole.out, "runs/x");
  const ShardPlacement flag = place_shard("1/2", 0, 1, "runs/x", lookup(slurm));
  EXPECT_EQ(flag.shard, (Shard{1, 2}));
  EXPECT_EQ(flag.out, "runs/x") << "--shard writes where --out says";
  const ShardPlacement rank = place_shard("", 3, 4, "runs/x", lookup(slurm));
  EXPECT_EQ(rank.shard, (Shard{3, 4}));
  EXPECT_EQ(rank.out, std::filesystem::path("runs/x/shard-3-of-4"));
  const ShardPlacement array = place_shard("", 0, 1, "runs/x", lookup(slurm));
  EXPECT_EQ(array.shard, (Shard{1, 3}));
  EXPECT_EQ(array.out, std::filesystem::path("runs/x/shard-1-of-3"));
  EXPECT_THAT(error_of([] { place_shard("0/2", 1, 2, "runs/x", lookup({})); }), HasSubstr("mpirun"));
}

TEST(Shard, LauncherWorldSizeFromOpenMpiOrPmi) {
  EXPECT_EQ(launcher_world_size(lookup({})), std::nullopt);
  EXPECT_EQ(launcher_world_size(lookup({{"OMPI_COMM_WORLD_SIZE", "4"}})), 4);
  EXPECT_EQ(launcher_world_size(lookup({{"PMI_SIZE", "2"}})), 2);
  EXPECT_THAT(error_of([] { launcher_world_size(lookup({{"OMPI_COMM_WORLD_SIZE", "0"}})); }),
              HasSubstr("OMPI_COMM_WORLD_SIZE='0'"));
}

}  // namespace
}  // namespace r1eval::harness::run
