#include "engine/backend/cuda/cuda_rank.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "engine/backend/backend.h"
#include "engine/backend/bf16_model.h"
#include "engine/backend/cuda/device_buffer.h"
#include "engine/backend/decode_graph_plan.h"
#include "engine/backend/rope.h"
#include "engine/parallel/rank_threads.h"
#include "kernels/activation.h"
#include "kernels/attention.h"
#include "kernels/embedding.h"
#include "kernels/matmul.h"
#include "kernels/norm.h"
#include "kernels/projection.h"
#include "kernels/rope.h"
#include "kernels/sampling.h"

namespace r1eval::engine::cuda {

using kernels::bf16;

namespace {

constexpr std::size_t kStepHeadroomBytes = std::size_t{1} << 30;  // see kv_blocks_affordable

R1EVAL_BF16_KERNEL_FAMILY(CudaKernels, ::r1eval::kernels::cuda);

// The rank's stream; destroyed after its pending work, also when the constructor throws half-way.
struct OwnedStream {
  cudaStream_t stream = nullptr;
  OwnedStream() = default;
  OwnedStream(const OwnedStream&) = delete;
  OwnedStream& operator=(const OwnedStream&) = delete;
  ~OwnedStream() {
    if (stream != nullptr) {
      (void)cudaStreamSynchronize(stream);
      (void)cudaStreamDestroy(stream);
    }
  }
};

// Waits until the stream's work is done. With peers (tensor-parallel ranks stepping together) it polls
// instead: a rank whose kernels wait in an all-reduce for a peer that failed (and never joins) gives up
// with PeerRankFailed, and the backend then aborts the communicators, which ends those kernels.
void wait_for_stream(cudaStream_t stream, const RankThreads* peers, int device, const std::string& what) {
  if (peers == nullptr) {
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", what);
    return;
  }
  // Spins (as cudaStreamSynchronize does by default) for the first 10 ms, then polls every 100 us: a step
  // that long loses nothing to it, and a stuck one does not hold a core.
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const cudaError_t status = cudaStreamQuery(stream);
    if (status != cudaErrorNotReady) {
      check_cuda(status, "cudaStreamQuery", what);
      return;
    }
    (void)cudaGetLastError();  // "not ready" is no error; leave none behind for a later check
    if (peers->a_rank_failed()) {
      throw PeerRankFailed("device " + std::to_string(device) + " stopped waiting for " + what +
                           ": another tensor-parallel rank failed");
    }
    if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(10))
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
}

// The rank's collectives in an eager step with peers: before each all-reduce it checks whether a peer
// failed, so that a rank stops enqueueing the step soon after (kernels queued behind an all-reduce that
// never finishes would fill the launch queue, and a launch would then block where nothing polls).
class PeerCheckedCollectives final : public Bf16Collectives {
 public:
  PeerCheckedCollectives(Bf16Collectives& inner, const RankThreads& peers, int device)
      : inner_(inner), peers_(peers), device_(device) {}
  void all_reduce_sum(bf16* data, std::size_t count, kernels::Stream stream) override {
    check_peers();
    inner_.all_reduce_sum(data, count, stream);
  }
  void all_reduce_sum(float* data, std::size_t count, kernels::Stream stream) override {
    check_peers();
    inner_.all_reduce_sum(data, count, stream);
  }

 private:
  void check_peers() const {
    if (peers_.a_rank_failed()) {
      throw PeerRankFailed("device " + std::to_string(device_) +
                           " stopped enqueueing its step: another tensor-parallel rank failed");
    }
  }

  Bf16Collectives& inner_;
  const RankThreads& peers_;
  int device_;
};

// A decode step captured once and replayed: it reads the step from `upload` (its own, at a fixed address);
// its attention scratch is the rank's graph scratch and its activations the rank's workspace, so every
// graph is dropped when that workspace moves.
struct DecodeGraph {
  DeviceBuffer upload;
  cudaGraphExec_t exec = nullptr;
  DecodeGraph() = default;
  DecodeGraph(const DecodeGraph&) = delete;
  DecodeGraph& operator=(const DecodeGraph&) = delete;
  ~DecodeGraph() {
    if (exec != nullptr) (void)cudaGraphExecDestroy(exec);
  }
};

}  // namespace

struct CudaRank::Impl {
  CudaRankOptions options;
  OwnedStream owned_stream;  // declared before the buffers: they are freed first, then the stream
  cudaStream_t stream = nullptr;
  // cuBLASLt's workspace and plans for this stream: captured graphs use the workspace whichever thread
  // steps the rank, so it lives with the rank (after the graphs, before the stream).
  std::unique_ptr<kernels::cuda::MatmulStreamState> matmul_state;
  DeviceBuffer weight_arena;
  Bf16Model model;
  std::int64_t num_layers = 0;
  std::vector<DeviceBuffer> rope_tables;  // the layers' rotary frequencies (Bf16Layer::rotary points into them)
  DeviceBuffer kv_buffer;
  Bf16KvPools kv;
  GrowingBuffer batch_buffer{"packed batch"};
  GrowingBuffer activations{"activation workspace"};
  GrowingBuffer decode_workspace{"decode attention workspace"};
  GrowingBuffer draw_tokens{"sampled tokens"};
  PinnedHostBuffer host_tokens{"sampled tokens on the host"};
  GrowingBuffer sample_workspace{"sampling workspace"};
  std::int64_t token_capacity = 0, row_capacity = 0;
  Bf16Workspace workspace;
  DeviceBuffer graph_scratch;  // decode attention scratch of every graph, sized for the largest shape
  std::map<DecodeGraphShape, std::unique_ptr<DecodeGraph>> graphs;  // which to capture: the backend's book
  std::int64_t replays = 0, captures = 0;
  std::uint64_t workspace_moves = 0;

  // Work still queued on the stream (a block copy, a step's tail) finishes before the buffers are freed.
  ~Impl() {
    if (stream != nullptr && cudaSetDevice(options.device) == cudaSuccess) (void)cudaStreamSynchronize(stream);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Impl(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard, const CudaRankOptions& rank_options)
      : options(rank_options), num_layers(config.num_hidden_layers) {
    if (options.kv_block_size <= 0) throw std::invalid_argument("kv_block_size must be at least 1");
    if (options.max_batch_tokens <= 0) throw std::invalid_argument("max_batch_tokens must be at least 1");
    const std::string where = "device " + std::to_string(options.device);
    check_cuda(cudaSetDevice(options.device), "cudaSetDevice", where);
    check_cuda(cudaStreamCreateWithFlags(&owned_stream.stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags",
               where);
    stream = owned_stream.stream;
    matmul_state = kernels::cuda::MatmulStreamState::open(stream);
    if (!matmul_state)
      throw DeviceOutOfMemory("CUDA out of memory: the cuBLASLt workspace on " + where + " does not fit");
    {
      shard.shard_vocab = false;
      const TransformerShardReader reader(checkpoint, config, shard);
      weight_arena = DeviceBuffer(bf16_arena_bytes(reader), "model weights (bf16) on " + where);
      const auto upload = [&](std::byte* destination, const void* data, std::size_t bytes) {
        check_cuda(cudaMemcpy(destination, data, bytes, cudaMemcpyHostToDevice), "cudaMemcpy",
                   "weight upload to " + where);
      };
      model = fill_bf16_arena(reader, weight_arena.data(), upload);
    }
    const Bf16RopeTables tables = bf16_rope_tables(config);
    std::vector<const float*> table_at;
    for (const std::vector<float>& frequencies : tables.inv_freq) {
      rope_tables.emplace_back(frequencies.size() * sizeof(float), "rope frequencies on " + where);
      check_cuda(cudaMemcpy(rope_tables.back().data(), frequencies.data(), frequencies.size() * sizeof(float),
                            cudaMemcpyHostToDevice),
                 "cudaMemcpy", "rope frequencies");
      table_at.push_back(rope_tables.back().as<float>());
    }
    set_layer_rotaries(model, tables, table_at);
    reserve_workspace(options.max_batch_tokens, std::min(options.max_batch_tokens, options.max_logit_rows));
    if (options.max_graph_seqs > 0) {
      const std::size_t floats = kernels::decode_workspace_floats(
          options.max_graph_seqs, model.q_heads, model.head_dim, static_cast<int>(options.max_graph_context));
      graph_scratch = DeviceBuffer(std::max<std::size_t>(1, floats) * sizeof(float), "decode graph scratch on " + where);
    }
  }

  void select_device() const {
    check_cuda(cudaSetDevice(options.device), "cudaSetDevice", "device " + std::to_string(options.device));
  }

  // Grows the activation workspace. Graphs captured against the old one are dropped first (they would point
  // into freed memory); when the new one cannot be had the rank holds none until a later reserve succeeds.
  void reserve_workspace(std::int64_t tokens, std::int64_t rows) {
    if (tokens <= token_capacity && rows <= row_capacity) return;
    const std::int64_t want_tokens = std::max(tokens, token_capacity);
    const std::int64_t want_rows = std::max(rows, row_capacity);
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", "before growing the activation workspace");
    graphs.clear();
    ++workspace_moves;
    token_capacity = row_capacity = 0;
    workspace = Bf16Workspace{};
    activations.reserve(bf16_workspace_bytes(model, want_tokens, want_rows), stream);
    token_capacity = want_tokens;
    row_capacity = want_rows;
    workspace = carve_bf16_workspace(model, activations.data(), token_capacity, row_capacity);
  }

  // Allocates everything `step` needs before any of it is enqueued, so that running out of memory throws
  // DeviceOutOfMemory with the KV cache untouched and the rank usable for a smaller step.
  void prepare(const RankStep& step) {
    select_device();
    const PackedBatch& packed = *step.packed;
    reserve_workspace(packed.num_tokens, packed.num_logit_rows);
    // A replayed graph brings its own upload and scratch, but whether this step replays is decided after
    // every rank prepared (a capture may fail): every step can run eagerly from these. (They only grow: for
    // a shape's replays they are already large enough from its eager first step.)
    batch_buffer.reserve(packed.bytes.size(), stream);
    decode_workspace.reserve(std::max<std::size_t>(1, bf16_decode_workspace_floats(model, packed)) * sizeof(float),
                             stream);
    if (!step.want_logits && step.tokens != nullptr && step.draws.num_draws > 0) {
      draw_tokens.reserve(static_cast<std::size_t>(step.draws.num_draws) * sizeof(std::int32_t), stream);
      host_tokens.reserve(static_cast<std::size_t>(step.draws.num_draws) * sizeof(std::int32_t));
      sample_workspace.reserve(
          std::max<std::size_t>(1, kernels::sampling_workspace_bytes(step.draws.num_draws, model.vocab)), stream);
    }
  }

  std::size_t block_bytes() const {
    return bf16_kv_block_bytes(num_layers, model.kv_heads, model.head_dim, options.kv_block_size);
  }

  std::int64_t kv_blocks_affordable(std::uint64_t bytes, double fraction) const {
    select_device();
    std::uint64_t budget = bytes;
    if (budget == 0) {
      if (!(fraction > 0.0 && fraction <= 1.0)) throw std::invalid_argument("kv_cache_memory_fraction must be in (0, 1]");
      // Steps still take memory after this: the eager attention scratch and sampling workspace grow with the
      // batch, graphs hold uploads and instantiated nodes. Kept out of the fraction, so that even 1.0 leaves
      // steps room (they would otherwise all shrink to one token and fail).
      const std::size_t free = device_memory().free;
      const std::size_t available = free > kStepHeadroomBytes ? free - kStepHeadroomBytes : 0;
      budget = static_cast<std::uint64_t>(static_cast<double>(available) * fraction);
    }
    return static_cast<std::int64_t>(budget / block_bytes());
  }

  void allocate_kv_cache(std::int64_t blocks) {
    select_device();
    kv_buffer = DeviceBuffer(static_cast<std::size_t>(blocks) * block_bytes(),
                             "KV cache on device " + std::to_string(options.device));
    // Zeroed once: a graph's padding rows read slot 0 of block 0, which must hold numbers, not whatever the
    // allocation held (their results are discarded, but a NaN there is worth never having).
    check_cuda(cudaMemset(kv_buffer.data(), 0, kv_buffer.size()), "cudaMemset", "KV cache");
    // The zeroing and the uploads before it (plain cudaMemset / pageable cudaMemcpy, on the legacy stream)
    // are not ordered with the rank's non-blocking stream: they finish here, before any step is enqueued.
    check_cuda(cudaDeviceSynchronize(), "cudaDeviceSynchronize", "KV cache zeroing and weight upload");
    kv.base = kv_buffer.as<bf16>();
    kv.num_blocks = blocks;
    kv.block_size = options.kv_block_size;
    kv.kv_heads = model.kv_heads;
    kv.head_dim = model.head_dim;
  }

  // The step's bytes on the device and the layers enqueued, eagerly, in the buffers prepare() reserved;
  // returns where the bytes are.
  const std::byte* enqueue_eager(const PackedBatch& packed, Bf16Collectives* collectives) {
    // Pageable source: the call returns once the bytes are staged.
    check_cuda(cudaMemcpyAsync(batch_buffer.data(), packed.bytes.data(), packed.bytes.size(), cudaMemcpyHostToDevice,
                               stream),
               "cudaMemcpyAsync", "packed batch upload");
    bf16_forward<CudaKernels>(model, packed, batch_buffer.data(), workspace, kv,
                              decode_workspace.as<float>(), stream, collectives);
    return batch_buffer.data();
  }

  void capture(const DecodeGraphShape& shape, const PackedBatch& packed, Bf16Collectives* collectives) {
    graphs.erase(shape);
    auto graph = std::make_unique<DecodeGraph>();
    if (bf16_decode_workspace_floats(model, packed) * sizeof(float) > graph_scratch.size()) {
      throw std::runtime_error("decode graph scratch of " + std::to_string(graph_scratch.size()) +
                               " bytes is too small for this shape");
    }
    graph->upload = DeviceBuffer(decode_graph_upload_bytes(shape, options.kv_block_size), "decode graph upload");
    check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", "before graph capture");
    // Relaxed: another thread (another rank) may make library calls while this one captures.
    check_cuda(cudaStreamBeginCapture(stream, cudaStreamCaptureModeRelaxed), "cudaStreamBeginCapture",
               "decode graph of " + std::to_string(shape.seqs) + " sequences");
    cudaGraph_t captured = nullptr;
    try {
      bf16_forward<CudaKernels>(model, packed, graph->upload.data(), workspace, kv,
                                graph_scratch.as<float>(), stream, collectives);
    } catch (...) {
      (void)cudaStreamEndCapture(stream, &captured);
      if (captured != nullptr) (void)cudaGraphDestroy(captured);
      (void)cudaGetLastError();
      throw;
    }
    check_cuda(cudaStreamEndCapture(stream, &captured), "cudaStreamEndCapture", "decode graph");
    const cudaError_t instantiated = cudaGraphInstantiate(&graph->exec, captured, 0);
    (void)cudaGraphDestroy(captured);
    if (instantiated == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();
      throw DeviceOutOfMemory("CUDA out of memory: cudaGraphInstantiate (decode graph of " +
                              std::to_string(shape.seqs) + " sequences) on device " + std::to_string(options.device));
    }
    check_cuda(instantiated, "cudaGraphInstantiate", "decode graph");
    graphs[shape] = std::move(graph);
    ++captures;
  }

  // A captured step: the step's bytes into the graph's own upload, then the graph. Returns where the bytes are.
  const std::byte* enqueue_replay(const DecodeGraphShape& shape, const PackedBatch& packed) {
    const auto found = graphs.find(shape);
    if (found == graphs.end())
      throw std::logic_error("CUDA rank: no decode graph of " + std::to_string(shape.seqs) + " sequences to replay");
    DecodeGraph& graph = *found->second;
    check_cuda(cudaMemcpyAsync(graph.upload.data(), packed.bytes.data(), packed.bytes.size(), cudaMemcpyHostToDevice,
                               stream),
               "cudaMemcpyAsync", "decode graph upload");
    check_cuda(cudaGraphLaunch(graph.exec, stream), "cudaGraphLaunch", "decode graph");
    ++replays;
    return graph.upload.data();
  }

  void run(const RankStep& step, Bf16Collectives* collectives) {
    select_device();
    const PackedBatch& packed = *step.packed;
    std::optional<PeerCheckedCollectives> checked;
    if (collectives != nullptr && step.peers != nullptr) checked.emplace(*collectives, *step.peers, options.device);
    const std::byte* device_batch = step.replay && step.graph_shape
                                        ? enqueue_replay(*step.graph_shape, packed)
                                        : enqueue_eager(packed, checked ? &*checked : collectives);
    // A fault inside a kernel surfaces in the wait, after the fact. Run eagerly with CUDA_LAUNCH_BLOCKING=1,
    // every launch waits for its kernel and the launch check right after it names the one that failed.
    const char* const step_done = "forward step; rerun with --no-cuda-graphs and CUDA_LAUNCH_BLOCKING=1 to name "
                                  "the failing kernel";
    // Results come back only after the wait: a copy into pageable memory would block until the step is done,
    // where a tensor-parallel rank could not see that a peer failed (wait_for_stream).
    if (step.want_logits) {
      wait_for_stream(stream, step.peers, options.device, step_done);
      step.logits->resize(static_cast<std::size_t>(step.logit_rows) * static_cast<std::size_t>(model.vocab));
      if (!step.logits->empty()) {
        check_cuda(cudaMemcpyAsync(step.logits->data(), workspace.rows_logits, step.logits->size() * sizeof(float),
                                   cudaMemcpyDeviceToHost, stream),
                   "cudaMemcpyAsync", "logits download");
        check_cuda(cudaStreamSynchronize(stream), "cudaStreamSynchronize", "logits download");
      }
      return;
    }
    const std::size_t draws = step.tokens != nullptr ? static_cast<std::size_t>(step.draws.num_draws) : 0;
    if (draws > 0) {
      bf16_sample<CudaKernels>(model, step.draws, device_batch, workspace, draw_tokens.as<std::int32_t>(),
                               sample_workspace.data(), stream);
      check_cuda(cudaMemcpyAsync(host_tokens.as<std::int32_t>(), draw_tokens.data(), draws * sizeof(std::int32_t),
                                 cudaMemcpyDeviceToHost, stream),
                 "cudaMemcpyAsync", "sampled tokens download");
    }
    wait_for_stream(stream, step.peers, options.device, step_done);
    if (step.tokens != nullptr) step.tokens->assign(host_tokens.as<std::int32_t>(), host_tokens.as<std::int32_t>() + draws);
  }

  void copy_kv_blocks(const std::vector<BlockCopy>& copies) {
    if (copies.empty()) return;
    select_device();
    // One block of one layer's keys (or values) is contiguous: kv_heads x block_size x head_dim.
    const std::size_t block_elements = kv.block_elements();
    const std::size_t pools = static_cast<std::size_t>(num_layers) * 2;
    for (const BlockCopy& copy : copies) {
      for (std::size_t pool = 0; pool < pools; ++pool) {
        bf16* base = kv.base + pool * kv.pool_elements();
        check_cuda(cudaMemcpyAsync(base + static_cast<std::size_t>(copy.dst) * block_elements,
                                   base + static_cast<std::size_t>(copy.src) * block_elements,
                                   block_elements * sizeof(bf16), cudaMemcpyDeviceToDevice, stream),
                   "cudaMemcpyAsync", "copy_kv_blocks");
      }
    }
  }
};

CudaRank::CudaRank(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard,
                   const CudaRankOptions& options)
    : impl_(std::make_unique<Impl>(checkpoint, config, shard, options)) {}
CudaRank::~CudaRank() = default;

std::int64_t CudaRank::kv_blocks_affordable(std::uint64_t bytes, double fraction) const {
  return impl_->kv_blocks_affordable(bytes, fraction);
}
void CudaRank::allocate_kv_cache(std::int64_t blocks) { impl_->allocate_kv_cache(blocks); }
std::int64_t CudaRank::num_kv_blocks() const { return impl_->kv.num_blocks; }
void CudaRank::prepare(const RankStep& step) { impl_->prepare(step); }
void CudaRank::run(const RankStep& step, Bf16Collectives* collectives) { impl_->run(step, collectives); }
void CudaRank::copy_kv_blocks(const std::vector<BlockCopy>& copies) { impl_->copy_kv_blocks(copies); }
void CudaRank::capture(const RankStep& step, Bf16Collectives* collectives) {
  if (!step.graph_shape) throw std::invalid_argument("CudaRank::capture: the step has no graph shape");
  impl_->select_device();
  impl_->capture(*step.graph_shape, *step.packed, collectives);
}
void CudaRank::warm_up_collectives(Bf16Collectives* collectives, const RankThreads* peers) {
  impl_->select_device();
  // NCCL connects each algorithm and protocol at its first use, and the size picks them: a decode step's
  // few rows, a mid-sized and a full batch, so that every connection is made (and its memory taken) now.
  const std::size_t hidden = static_cast<std::size_t>(impl_->model.hidden);
  const std::size_t capacity = static_cast<std::size_t>(impl_->token_capacity);
  for (const std::size_t rows : {std::size_t{1}, std::size_t{16}, std::size_t{256}, capacity}) {
    if (rows <= capacity) collectives->all_reduce_sum(impl_->workspace.proj, rows * hidden, impl_->stream);
  }
  wait_for_stream(impl_->stream, peers, impl_->options.device, "NCCL warm-up all-reduces");
}
void CudaRank::drop_graph(const DecodeGraphShape& shape) { impl_->graphs.erase(shape); }
void CudaRank::drop_graphs() { impl_->graphs.clear(); }
void CudaRank::destroy_graph_executables() {
  (void)cudaSetDevice(impl_->options.device);
  for (auto& [shape, graph] : impl_->graphs) {
    if (graph->exec != nullptr) (void)cudaGraphExecDestroy(graph->exec);
    graph->exec = nullptr;
  }
}
std::uint64_t CudaRank::workspace_moves() const { return impl_->workspace_moves; }
int CudaRank::device() const { return impl_->options.device; }
CUstream_st* CudaRank::stream() const { return impl_->stream; }
std::uint64_t CudaRank::weight_bytes_per_step() const { return impl_->model.bytes_per_step; }
std::uint64_t CudaRank::kv_cache_bytes() const { return impl_->kv_buffer.size(); }
bool CudaRank::graphs_available() const { return impl_->graph_scratch.size() > 0; }
std::int64_t CudaRank::graph_replays() const { return impl_->replays; }
std::int64_t CudaRank::graphs_captured() const { return impl_->captures; }

}  // namespace r1eval::engine::cuda
