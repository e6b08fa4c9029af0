// Which shard this `r1eval run` process runs and into which folder: --shard, an MPI rank, or a Slurm
// array task.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "harness/run/shard.h"

namespace r1eval::harness::run {

struct ShardPlacement {
  std::optional<Shard> shard;   // nullopt: the whole run
  std::filesystem::path out;    // the folder this process writes
  std::string source;           // "--shard", "mpirun", "slurm array" or "" (whole run)
};

// In order: `shard_flag` (non-empty: "i/N") runs that shard into `out` itself; an MPI world of
// `mpi_size` > 1 runs shard mpi_rank/mpi_size into out/shard-<rank>-of-<size>; a Slurm array task
// (shard_from_slurm over `env`) runs its shard into out/shard-<i>-of-<N>; otherwise the whole run into
// `out`. Throws std::invalid_argument (one line) for a malformed --shard or Slurm variable, and for
// --shard under mpirun (each rank already runs its shard).
ShardPlacement place_shard(const std::string& shard_flag, int mpi_rank, int mpi_size, const std::filesystem::path& out,
                           const std::function<std::optional<std::string>(const char*)>& env);

}  // namespace r1eval::harness::run
