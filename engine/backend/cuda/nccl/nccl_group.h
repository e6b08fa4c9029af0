// NCCL communicators for the tensor-parallel ranks of one process, one GPU each, and the bf16 all-reduce
// of the forward pass over them. Built only when the CUDA toolkit has NCCL (R1EVAL_HAVE_NCCL).
#pragma once
#include <chrono>
#include <memory>
#include <vector>

#include "engine/backend/bf16_forward.h"

namespace r1eval::engine::cuda {

class NcclGroup {
 public:
  // One communicator per entry of `devices` (rank r on devices[r]). Throws std::runtime_error naming the
  // NCCL call and its error.
  explicit NcclGroup(const std::vector<int>& devices);
  ~NcclGroup();
  NcclGroup(const NcclGroup&) = delete;
  NcclGroup& operator=(const NcclGroup&) = delete;

  // Rank r's collectives: ncclAllReduce (bf16, sum) on the stream the forward pass passes; used by
  // exactly one thread, rank r's.
  Bf16Collectives& collectives(int rank);

  // Aborts every communicator (ncclCommAbort, all at once): kernels still waiting in an all-reduce for a
  // rank that failed end, and their streams can drain. Only while no thread is inside an NCCL call
  // (communicators are not thread-safe), and after the graphs that captured its all-reduces are destroyed
  // (an abort waits for them). Returns false when an abort had not returned within `limit` (it is left
  // running). The collectives then throw; the group cannot be used again.
  bool abort(std::chrono::seconds limit);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace r1eval::engine::cuda
