// Collective operations between the tensor-parallel ranks of one model replica. The CPU backend uses
// threads of one process; a GPU backend implements the same interface over NCCL.
#pragma once
#include <span>

namespace r1eval::engine {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  // Collective: every rank calls it with a buffer of the same length; on return each buffer holds the
  // element-wise sum over ranks, identical bit for bit on every rank.
  virtual void all_reduce_sum(std::span<float> data) = 0;
};

// The world of one rank: collectives are no-ops.
class SoloCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void all_reduce_sum(std::span<float>) override {}
};

}  // namespace r1eval::engine
