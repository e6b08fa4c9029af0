#include "harness/run/shard_placement.h"

#include <stdexcept>

namespace r1eval::harness::run {

ShardPlacement place_shard(const std::string& shard_flag, int mpi_rank, int mpi_size, const std::filesystem::path& out,
                           const std::function<std::optional<std::string>(const char*)>& env) {
  if (!shard_flag.empty()) {
    if (mpi_size > 1)
      throw std::invalid_argument("--shard " + shard_flag + ": not under mpirun, where rank r of N already runs shard r/N");
    return {parse_shard(shard_flag), out, "--shard"};
  }
  if (mpi_size > 1) {
    const Shard shard{mpi_rank, mpi_size};
    return {shard, out / shard_folder_name(shard), "mpirun"};
  }
  if (const std::optional<Shard> shard = shard_from_slurm(env))
    return {*shard, out / shard_folder_name(*shard), "slurm array"};
  return {std::nullopt, out, ""};
}

}  // namespace r1eval::harness::run
