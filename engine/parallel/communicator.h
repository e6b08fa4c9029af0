// Collective operations between the tensor-parallel ranks of one model replica. The CPU backend uses
// threads of one process; a GPU backend implements the same interface over NCCL.
#pragma once
#include <span>
#include <stdexcept>

namespace r1eval::engine {

// Thrown by a rank that stops waiting for its peers (in a collective, or for a device whose kernels wait
// in one) because another rank of the same step failed and will never join; the step reports that
// rank's own error instead (RankThreads::run).
class PeerRankFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

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
