#include "engine/backend/cuda/nccl/nccl_group.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace r1eval::engine::cuda {

namespace {

void check_nccl(ncclResult_t status, const char* call, const std::string& what) {
  if (status != ncclSuccess) {
    throw std::runtime_error(std::string("NCCL error in ") + call + " (" + what + "): " + ncclGetErrorString(status));
  }
}

// Reads the communicator from the group's slot, which abort() empties.
class NcclCollectives final : public Bf16Collectives {
 public:
  NcclCollectives(const ncclComm_t* comm, int rank) : comm_(comm), rank_(rank) {}
  void all_reduce_sum(bf16* data, std::size_t count, kernels::Stream stream) override {
    reduce(data, count, ncclBfloat16, stream);
  }
  void all_reduce_sum(float* data, std::size_t count, kernels::Stream stream) override {
    reduce(data, count, ncclFloat32, stream);
  }

 private:
  void reduce(void* data, std::size_t count, ncclDataType_t type, kernels::Stream stream) {
    const std::string what = "tensor-parallel rank " + std::to_string(rank_);
    if (*comm_ == nullptr) throw std::runtime_error("NCCL communicator of " + what + " was aborted after a failure");
    check_nccl(ncclAllReduce(data, data, count, type, ncclSum, *comm_, static_cast<cudaStream_t>(stream)),
               "ncclAllReduce", what);
  }

  const ncclComm_t* comm_;
  int rank_;
};

}  // namespace

struct NcclGroup::Impl {
  std::vector<ncclComm_t> comms;
  std::vector<std::unique_ptr<NcclCollectives>> collectives;
  ~Impl() {
    for (ncclComm_t comm : comms)
      if (comm != nullptr) (void)ncclCommDestroy(comm);
  }
};

NcclGroup::NcclGroup(const std::vector<int>& devices) : impl_(std::make_unique<Impl>()) {
  impl_->comms.assign(devices.size(), nullptr);
  check_nccl(ncclCommInitAll(impl_->comms.data(), static_cast<int>(devices.size()), devices.data()), "ncclCommInitAll",
             std::to_string(devices.size()) + " tensor-parallel ranks");
  for (std::size_t r = 0; r < devices.size(); ++r)
    impl_->collectives.push_back(std::make_unique<NcclCollectives>(&impl_->comms[r], static_cast<int>(r)));
}

NcclGroup::~NcclGroup() = default;

bool NcclGroup::abort(std::chrono::seconds limit) {
  // Every communicator is aborted on a thread of its own, all at once: an abort raises its kernels' abort
  // flag first and then waits (for graphs that captured it to be released, among others), which a device
  // in a sticky fault may never let happen; one such wait must not keep the others' flags down. Threads
  // still waiting at the limit are left behind, detached, with what they need.
  struct Pending {
    std::mutex mutex;
    std::condition_variable done;
    std::size_t left = 0;
  };
  auto pending = std::make_shared<Pending>();
  for (ncclComm_t& comm : impl_->comms) {
    if (comm == nullptr) continue;
    {
      std::lock_guard lock(pending->mutex);
      ++pending->left;
    }
    std::thread([pending, aborting = comm] {
      (void)ncclCommAbort(aborting);  // nothing better to do with its error
      std::lock_guard lock(pending->mutex);
      if (--pending->left == 0) pending->done.notify_all();
    }).detach();
    comm = nullptr;
  }
  std::unique_lock lock(pending->mutex);
  return pending->done.wait_for(lock, limit, [&] { return pending->left == 0; });
}

Bf16Collectives& NcclGroup::collectives(int rank) { return *impl_->collectives.at(static_cast<std::size_t>(rank)); }

}  // namespace r1eval::engine::cuda
