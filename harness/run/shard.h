// Splitting a run into shards by problem, for several processes (a Slurm array, MPI ranks, separate
// machines) whose folders `r1eval merge` joins into the run one process would have written.
#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace r1eval::harness::run {

struct Shard {
  int index = 0;  // 0-based
  int count = 1;
  bool operator==(const Shard&) const = default;
};

// "i/N" with 0 <= i < N (0-based). Throws std::invalid_argument (one line naming --shard) otherwise.
Shard parse_shard(std::string_view text);

// "i/N".
std::string shard_text(const Shard& shard);

// The folder of a shard inside a run folder: "shard-<i>-of-<N>".
std::string shard_folder_name(const Shard& shard);

// Which shard holds problem `problem_index` (its position in the task's data, before --limit) of `task`.
// All samples of a problem stay together (they share the prompt's prefill). Within a task problems go
// round-robin, starting at a shard derived from the task's name, so every shard gets its share of every
// task (within one problem) and a problem keeps its shard when --resume adds tasks or problems.
int shard_of_problem(std::string_view task, std::size_t problem_index, int shard_count);

// The shard of this process in a Slurm job array, or nullopt outside one (SLURM_ARRAY_TASK_ID unset):
// index = (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP (step 1 when unset), count =
// SLURM_ARRAY_TASK_COUNT. `env` looks a variable up (nullopt when unset). Throws std::invalid_argument
// naming the variable when one is missing or malformed, or the index falls outside 0..count-1.
std::optional<Shard> shard_from_slurm(const std::function<std::optional<std::string>(const char*)>& env);

// getenv as an `env` lookup.
std::optional<std::string> process_env(const char* name);

}  // namespace r1eval::harness::run
