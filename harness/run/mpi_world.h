// The MPI world of `r1eval run` under mpirun: each rank runs one shard, rank 0 merges. MPI is optional at
// build time (R1EVAL_HAVE_MPI); without it a run started by mpirun is refused rather than run N times.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace r1eval::harness::run {

// Whether this build can join an MPI world.
bool mpi_built_in();

// The world size an MPI launcher announced in the environment (OMPI_COMM_WORLD_SIZE of Open MPI,
// PMI_SIZE of MPICH/Hydra and Slurm's PMI), or nullopt when the process was not started by one. `env`
// looks a variable up. Throws std::invalid_argument naming the variable when it is not a positive integer.
std::optional<int> launcher_world_size(const std::function<std::optional<std::string>(const char*)>& env);

class MpiWorld {
 public:
  ~MpiWorld();  // MPI_Finalize
  MpiWorld(const MpiWorld&) = delete;
  MpiWorld& operator=(const MpiWorld&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Waits for every rank and returns whether `mine` holds on all of them.
  bool all_ranks(bool mine);

 private:
  friend MpiWorld* join_mpi_world_if_launched();
  MpiWorld(int rank, int size) : rank_(rank), size_(size) {}
  int rank_ = 0, size_ = 1;
};

// The MPI world of this process, joined on the first call when a launcher started it with more than one
// rank (finalized at exit); nullptr otherwise (a plain process, or mpirun -np 1). Throws
// std::invalid_argument (one line) when the launcher asked for several ranks but this build has no MPI.
// Call before starting threads.
MpiWorld* join_mpi_world_if_launched();

// When this process joined a world: ends every rank with `code` (MPI_Abort), so a rank that failed never
// leaves the others waiting for it. Does nothing otherwise. For the CLI's error path.
void abort_mpi_world_if_joined(int code);

}  // namespace r1eval::harness::run
