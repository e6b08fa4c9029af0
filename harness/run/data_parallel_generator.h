// Data parallelism: N generator replicas (engine copies; on GPUs each owns its devices) share one run's
// requests and run side by side, each on its own thread, behind the one Generator interface.
#pragma once
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "harness/run/generator.h"

namespace r1eval::harness::run {

// Which replica serves each request: whole requests (all samples of one prompt stay together, so a
// replica can share their prefill), dealt out in request order to the replica with the fewest samples so
// far (ties to the lowest index). Deterministic; depends only on the sample counts.
std::vector<std::size_t> assign_replicas(const std::vector<GenerationRequest>& requests, std::size_t replicas);

class DataParallelGenerator final : public Generator {
 public:
  // Makes `replicas` generators with `make_replica(i)` (i = 0..replicas-1), one after another on the
  // calling thread. Throws std::invalid_argument when replicas is 0; whatever make_replica throws.
  DataParallelGenerator(std::size_t replicas, const std::function<std::unique_ptr<Generator>(std::size_t)>& make_replica);
  ~DataParallelGenerator() override;
  // Runs the replicas, each on its own thread, and hands each completion to `sink` on the calling thread,
  // with request indices of the caller's list. Replicas that pull their work (PullingGenerator, such as the
  // engine) share one queue of the requests and each claims the next prompt when it has room, so a replica
  // whose samples run long does not hold up the others; other replicas get fixed shares (assign_replicas). A sample's
  // tokens are its replica's, which depend on its prompt, settings and seed only, so they are those of a
  // single generator. When a replica throws, the others are stopped and the first error is rethrown here.
  void generate(const std::vector<GenerationRequest>& requests, const CompletionSink& sink,
                const std::atomic<bool>& stop) override;
  // "dp 2: <replica 0's summary> | <replica 1's summary>".
  std::string summary() const override;
  std::int64_t tokens_generated() const override;  // the replicas' sum

 private:
  std::vector<std::unique_ptr<Generator>> replicas_;
};

}  // namespace r1eval::harness::run
