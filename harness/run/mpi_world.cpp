#include "harness/run/mpi_world.h"

#include <charconv>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#ifdef R1EVAL_HAVE_MPI
#include <mpi.h>
#endif

#include "harness/run/shard.h"

namespace r1eval::harness::run {

bool mpi_built_in() {
#ifdef R1EVAL_HAVE_MPI
  return true;
#else
  return false;
#endif
}

std::optional<int> launcher_world_size(const std::function<std::optional<std::string>(const char*)>& env) {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    const auto text = env(name);
    if (!text) continue;
    int size = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), size);
    if (ec != std::errc() || end != text->data() + text->size() || size < 1)
      throw std::invalid_argument(std::string(name) + "='" + *text + "': expected a positive integer (MPI world size)");
    return size;
  }
  return std::nullopt;
}

namespace {
std::unique_ptr<MpiWorld> joined_world;  // destroyed (MPI_Finalize) at exit
}  // namespace

MpiWorld* join_mpi_world_if_launched() {
  if (joined_world) return joined_world.get();
  const std::optional<int> announced = launcher_world_size(process_env);
  if (!announced || *announced <= 1) return nullptr;
#ifdef R1EVAL_HAVE_MPI
  // Only this thread calls MPI; the engine's and graders' threads never do.
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Init_thread failed");
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  joined_world.reset(new MpiWorld(rank, size));
  return joined_world.get();
#else
  throw std::invalid_argument("started by an MPI launcher with " + std::to_string(*announced) +
                              " ranks, but this r1eval was built without MPI (install libopenmpi-dev and rebuild), "
                              "or run shards with --shard i/N");
#endif
}

void abort_mpi_world_if_joined(int code) {
  if (!joined_world) return;
#ifdef R1EVAL_HAVE_MPI
  MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::_Exit(code);
}

MpiWorld::~MpiWorld() {
#ifdef R1EVAL_HAVE_MPI
  MPI_Finalize();
#endif
}

bool MpiWorld::all_ranks(bool mine) {
#ifdef R1EVAL_HAVE_MPI
  int in = mine ? 1 : 0, out = 0;
  MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
  return out != 0;
#else
  return mine;
#endif
}

}  // namespace r1eval::harness::run
