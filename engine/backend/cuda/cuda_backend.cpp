#include "engine/backend/cuda/cuda_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "engine/backend/cuda/cuda_rank.h"
#include "engine/backend/cuda/device_buffer.h"
#include "engine/backend/decode_graph_plan.h"
#include "engine/backend/packed_batch.h"
#include "engine/model/checkpoint.h"
#include "engine/parallel/rank_threads.h"
#include "kernels/attention.h"
#if R1EVAL_HAVE_NCCL
#include "engine/backend/cuda/nccl/nccl_group.h"
#endif

namespace r1eval::engine {

using cuda::CudaRank;
using cuda::RankStep;

namespace {

// The R1 protocol's 32768 generated tokens after a prompt of up to 8192.
constexpr std::int64_t kDefaultGraphContext = 40960;

ModelConfig checked_config(const std::string& model_dir) {
  ModelConfig config = load_model_config(model_dir);
  if (!kernels::attention_head_dim_supported(static_cast<int>(config.head_dim))) {
    throw std::invalid_argument("CUDA backend: head_dim " + std::to_string(config.head_dim) + " of " + model_dir +
                                " is not supported (the attention kernels are built for 64, 96, 128 and 256)");
  }
  return config;
}

std::vector<int> checked_devices(const CudaBackendOptions& options) {
  if (options.tensor_parallel < 1) throw std::invalid_argument("tensor_parallel must be at least 1");
  const int count = cuda::visible_device_count();
  if (count == 0) throw std::runtime_error("CUDA backend: no CUDA device visible: " + cuda::no_visible_device_reason());
  std::vector<int> devices;
  for (int r = 0; r < options.tensor_parallel; ++r) devices.push_back(options.device + r);
  if (options.device < 0 || devices.back() >= count) {
    throw std::runtime_error("CUDA backend: devices " + std::to_string(options.device) + ".." +
                             std::to_string(devices.back()) + " requested (tensor parallel " +
                             std::to_string(options.tensor_parallel) + "), " + std::to_string(count) + " visible");
  }
  if (devices.size() > 1 && !cuda_backend_has_nccl()) {
    throw std::invalid_argument("CUDA backend: tensor parallel " + std::to_string(devices.size()) +
                                " needs NCCL, which this build did not find in the CUDA toolkit");
  }
  return devices;
}

}  // namespace

bool cuda_backend_has_nccl() { return R1EVAL_HAVE_NCCL != 0; }

struct CudaBackend::Impl {
  ModelConfig config;
  CudaBackendOptions options;
  std::vector<int> devices;
#if R1EVAL_HAVE_NCCL
  // Declared before the ranks so that it is destroyed after them: a communicator whose all-reduces were
  // captured into graphs waits, when destroyed, until those graphs are gone (NCCL's persistent references).
  std::unique_ptr<cuda::NcclGroup> nccl;
#endif
  std::vector<std::unique_ptr<CudaRank>> ranks;
  RankThreads threads;
  DecodeGraphBook graph_book;
  std::vector<std::uint64_t> workspace_moves;  // each rank's, as last seen
  std::optional<std::string> failed_step;  // why the communicators were aborted (nothing runs after that)

  Impl(const std::string& model_dir, const CudaBackendOptions& backend_options)
      : config(checked_config(model_dir)), options(backend_options), devices(checked_devices(options)),
        threads(static_cast<int>(devices.size())) {
    if (options.kv_block_size <= 0) throw std::invalid_argument("kv_block_size must be at least 1");
    const Checkpoint checkpoint(model_dir);
    const int world = static_cast<int>(devices.size());
    for (int r = 0; r < world; ++r) {
      cuda::CudaRankOptions rank_options;
      rank_options.device = devices[static_cast<std::size_t>(r)];
      rank_options.kv_block_size = options.kv_block_size;
      rank_options.max_batch_tokens = options.max_batch_tokens;
      rank_options.max_logit_rows = options.max_logit_rows;
      if (options.cuda_graphs) {
        rank_options.max_graph_seqs = options.max_graph_seqs;
        rank_options.max_graph_context = graph_context_cap();
      }
      ranks.push_back(std::make_unique<CudaRank>(checkpoint, config, ShardSpec{r, world, false}, rank_options));
    }
#if R1EVAL_HAVE_NCCL
    // Before the KV cache is sized from free memory, so that the communicators' own memory is not counted;
    // all-reduces of a decode step's, a mid and a full batch's size make NCCL set up its connections and
    // buffers now (it does so lazily, at an algorithm's first collective, otherwise).
    if (world > 1) {
      nccl = std::make_unique<cuda::NcclGroup>(devices);
      run_ranks_in_collectives(
          [&](int r) { ranks[static_cast<std::size_t>(r)]->warm_up_collectives(collectives(r), &threads); });
    }
#endif
    // Every rank holds the same blocks (its own key/value heads of them): the smallest budget decides.
    std::int64_t blocks = -1;
    for (const auto& rank : ranks) {
      const std::int64_t affordable = rank->kv_blocks_affordable(options.kv_cache_bytes, options.kv_cache_memory_fraction);
      blocks = blocks < 0 ? affordable : std::min(blocks, affordable);
    }
    if (blocks <= 0) {
      throw std::invalid_argument("KV cache: the budget (" +
                                  (options.kv_cache_bytes > 0 ? std::to_string(options.kv_cache_bytes) + " bytes"
                                                              : std::to_string(options.kv_cache_memory_fraction) +
                                                                    " of free device memory") +
                                  ") holds no block of " + std::to_string(options.kv_block_size) + " tokens");
    }
    for (const auto& rank : ranks) rank->allocate_kv_cache(blocks);
    for (const auto& rank : ranks) workspace_moves.push_back(rank->workspace_moves());
  }

  std::int64_t num_blocks() const { return ranks.front()->num_kv_blocks(); }

  // The longest context a decode graph covers (longer steps run eagerly), a multiple of the block size.
  std::int64_t graph_context_cap() const {
    const std::int64_t wanted = options.max_context_len > 0
                                    ? options.max_context_len
                                    : std::min<std::int64_t>(config.max_position_embeddings, kDefaultGraphContext);
    const std::int64_t block = options.kv_block_size;
    return (std::max<std::int64_t>(wanted, 1) + block - 1) / block * block;
  }

  void check_usable() const {
    if (failed_step) {
      throw std::runtime_error("CUDA backend: nothing can run after a tensor-parallel step failed (" + *failed_step +
                               ")");
    }
  }

  void check_step(const ForwardBatch& batch, const std::vector<TokenDraw>& draws) const {
    check_usable();
    check_forward_step(batch, draws, config.vocab_size, num_blocks(), options.kv_block_size);
  }

  Bf16Collectives* collectives(int rank) {
#if R1EVAL_HAVE_NCCL
    if (nccl) return &nccl->collectives(rank);
#endif
    (void)rank;
    return nullptr;
  }

  // Packs once on the host (at a graph shape when the step is a decode step that fits one), then every rank
  // runs it on its own thread; rank 0 brings the results back (every rank computes the same logits).
  void step(const ForwardBatch& batch, const std::vector<TokenDraw>& draws, std::vector<float>* logits,
            std::vector<std::int32_t>* tokens) {
    check_step(batch, draws);
    RankStep step;
    if (options.cuda_graphs && ranks.front()->graphs_available())
      step.graph_shape = decode_graph_shape(batch, draws.size(), options.kv_block_size, options.max_graph_seqs,
                                            graph_context_cap());
    PackedBatch packed = step.graph_shape ? pack_decode_graph_batch(batch, *step.graph_shape, options.kv_block_size)
                                          : pack_forward_batch(batch);
    step.draws = append_token_draws(packed, draws);
    step.packed = &packed;
    step.logit_rows = static_cast<int>(batch.logit_rows.size());
    // Rank 0 brings the results back; the other ranks compute the same head and leave it on their device.
    std::vector<RankStep> per_rank(ranks.size(), step);
    per_rank[0].want_logits = logits != nullptr;
    per_rank[0].logits = logits;
    per_rank[0].tokens = tokens;
    // Every rank allocates first; a rank out of memory throws here (DeviceOutOfMemory), before any rank has
    // enqueued work or entered a collective the others would wait in.
    const auto at = [](int r) { return static_cast<std::size_t>(r); };
    try {
      threads.run([&](int r) { ranks[at(r)]->prepare(per_rank[at(r)]); });
    } catch (...) {
      drop_graphs_if_a_workspace_moved();
      throw;
    }
    drop_graphs_if_a_workspace_moved();
    if (step.graph_shape) {
      DecodeGraphBook::Use use = graph_book.use_for(*step.graph_shape);
      if (use == DecodeGraphBook::Use::capture) use = capture_everywhere(*step.graph_shape, per_rank);
      for (RankStep& s : per_rank) s.replay = use == DecodeGraphBook::Use::replay;
    }
    if (ranks.size() > 1)
      for (RankStep& s : per_rank) s.peers = &threads;
    run_ranks_in_collectives([&](int r) { ranks[at(r)]->run(per_rank[at(r)], collectives(r)); });
  }

  // Runs work on every rank when their device work meets in all-reduces. When a rank fails there, the
  // others stop waiting for it (RankThreads::a_rank_failed), but their kernels still wait in the all-reduce:
  // the communicators are aborted, which ends them, after the graphs that captured them are gone (an abort
  // waits for those). The failing rank's error goes on; the backend refuses further steps.
  void run_ranks_in_collectives(const std::function<void(int)>& work) {
    try {
      threads.run(work);
    } catch (const std::exception& e) {
      abort_collectives(e.what());
      throw;
    } catch (...) {
      abort_collectives("unknown error");
      throw;
    }
  }

  void abort_collectives(const std::string& reason) {
#if R1EVAL_HAVE_NCCL
    if (!nccl) return;
    failed_step = reason;
    // Called while the failing rank's error is on its way to the caller: nothing here may replace it.
    try {
      // Graph buffers are freed only after the abort: a free waits for the device, whose kernels wait.
      for (const auto& rank : ranks) rank->destroy_graph_executables();
      if (!nccl->abort(std::chrono::seconds(20)))
        std::fprintf(stderr, "r1eval: an NCCL communicator was still aborting after 20 s; going on without it\n");
      for (const auto& rank : ranks) rank->drop_graphs();
      graph_book.dropped_all();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "r1eval: aborting the NCCL communicators: %s\n", e.what());
    }
#else
    (void)reason;
#endif
  }

  // A rank whose workspace moved dropped its graphs: all drop theirs, so that every rank replays the same
  // captured collectives or none.
  void drop_graphs_if_a_workspace_moved() {
    bool moved = false;
    for (std::size_t r = 0; r < ranks.size(); ++r) {
      const std::uint64_t moves = ranks[r]->workspace_moves();
      moved = moved || moves != workspace_moves[r];
      workspace_moves[r] = moves;
    }
    if (!moved) return;
    for (const auto& rank : ranks) rank->drop_graphs();
    graph_book.dropped_all();
  }

  // Every rank captures the step's shape, or (when one cannot) none keeps it; returns what the step does.
  // A graph is an optimisation: when a rank cannot capture it, the step runs eagerly; out of memory only
  // when every rank that failed ran out of memory.
  DecodeGraphBook::Use capture_everywhere(const DecodeGraphShape& shape, const std::vector<RankStep>& per_rank) {
    std::vector<char> failed_otherwise(ranks.size(), 0);  // a rank's capture failed, not for want of memory
    std::string reason;
    try {
      threads.run([&](int r) {
        const auto at = static_cast<std::size_t>(r);
        try {
          ranks[at]->capture(per_rank[at], collectives(r));
        } catch (const DeviceOutOfMemory&) {
          throw;
        } catch (...) {
          failed_otherwise[at] = 1;
          throw;
        }
      });
      graph_book.captured(shape);
      return DecodeGraphBook::Use::replay;
    } catch (const std::exception& e) {
      reason = e.what();
    } catch (...) {
      reason = "unknown error";
    }
    for (const auto& rank : ranks) rank->drop_graph(shape);
    const bool only_memory = std::none_of(failed_otherwise.begin(), failed_otherwise.end(), [](char f) { return f; });
    graph_book.capture_failed(shape, only_memory);
    std::fprintf(stderr, "r1eval: CUDA graph of %d sequences x %d context not captured, running eagerly%s: %s\n",
                 shape.seqs, shape.context, only_memory ? " until memory moves" : "", reason.c_str());
    return DecodeGraphBook::Use::eager;
  }

  void copy_kv_blocks(const std::vector<BlockCopy>& copies) {
    check_usable();
    for (const BlockCopy& copy : copies) {
      if (copy.src < 0 || copy.src >= num_blocks() || copy.dst < 0 || copy.dst >= num_blocks()) {
        throw std::invalid_argument("copy_kv_blocks: block " + std::to_string(copy.src) + " -> " +
                                    std::to_string(copy.dst) + " outside the KV cache of " +
                                    std::to_string(num_blocks()));
      }
    }
    for (const auto& rank : ranks) rank->copy_kv_blocks(copies);
  }
};

CudaBackend::CudaBackend(const std::string& model_dir, const CudaBackendOptions& options)
    : impl_(std::make_unique<Impl>(model_dir, options)) {}

CudaBackend::~CudaBackend() = default;

const ModelConfig& CudaBackend::config() const { return impl_->config; }
std::int32_t CudaBackend::kv_block_size() const { return impl_->options.kv_block_size; }
std::int64_t CudaBackend::num_kv_blocks() const { return impl_->num_blocks(); }

std::vector<float> CudaBackend::forward(const ForwardBatch& batch) {
  std::vector<float> logits;
  impl_->step(batch, {}, &logits, nullptr);
  return logits;
}

std::vector<std::int32_t> CudaBackend::forward_and_sample(const ForwardBatch& batch,
                                                          const std::vector<TokenDraw>& draws) {
  std::vector<std::int32_t> tokens;
  impl_->step(batch, draws, nullptr, &tokens);
  throw_if_not_a_number(tokens);
  return tokens;
}

void CudaBackend::copy_kv_blocks(const std::vector<BlockCopy>& copies) { impl_->copy_kv_blocks(copies); }

std::uint64_t CudaBackend::weight_bytes_per_step() const {
  std::uint64_t total = 0;
  for (const auto& rank : impl_->ranks) total += rank->weight_bytes_per_step();
  return total;
}

std::uint64_t CudaBackend::kv_cache_bytes() const {
  std::uint64_t total = 0;
  for (const auto& rank : impl_->ranks) total += rank->kv_cache_bytes();
  return total;
}

void CudaBackend::set_cuda_graphs(bool enabled) { impl_->options.cuda_graphs = enabled; }

CudaGraphStats CudaBackend::graph_stats() const {
  CudaGraphStats stats;
  for (const auto& rank : impl_->ranks) {
    stats.replays += rank->graph_replays();
    stats.captured += rank->graphs_captured();
  }
  return stats;
}

}  // namespace r1eval::engine
