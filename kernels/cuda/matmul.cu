// y = x W^T, bf16 operands, fp32 compute: up to kGemvMaxRows rows by gemv_kernel (gemv_kernels.cuh),
// otherwise through cuBLASLt. cuBLASLt is column-major, so the row-major product is computed as its
// transpose: y^T (n x m) = W (n x k, stored as k x n column-major, op T) times x^T (k x m, stored
// column-major as it is). Plans (descriptors + chosen algorithm) are cached per
// state (a stream's or a thread's), shape and operand alignment.
#include <cublasLt.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "kernels/cuda/check.h"
#include "kernels/cuda/gemv_kernels.cuh"
#include "kernels/cuda/launch.h"
#include "kernels/matmul.h"
#include "kernels/projection.h"

namespace r1eval::kernels::cuda {

using cuda_detail::check;
using cuda_detail::gemv_grid;
using cuda_detail::gemv_kernel;
using cuda_detail::kGemvThreads;
using cuda_detail::launch_kernel;
using cuda_detail::release_dependents;
using cuda_detail::to_cuda;
using cuda_detail::wait_for_prior_kernels;

constexpr std::size_t kWorkspaceBytes = 32u << 20;

namespace {

void check_lt(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string("cuBLASLt error in ") + call + " (matmul): " + cublasLtGetStatusName(status));
}

// The largest power of two up to 256 that divides the address: cuBLASLt assumes 256 unless told, and an
// algorithm chosen for aligned operands may refuse (or fault on) others.
std::uint32_t alignment_of(const void* p) {
  std::uint32_t alignment = 256;
  while (alignment > 1 && !aligned_to(p, alignment)) alignment /= 2;
  return alignment;
}

struct PlanKey {
  int m, n, k, output_type;
  bool with_bias;
  std::uint32_t weight_alignment, input_alignment, output_alignment, bias_alignment;
  auto fields() const {
    return std::tie(m, n, k, output_type, with_bias, weight_alignment, input_alignment, output_alignment,
                    bias_alignment);
  }
  bool operator<(const PlanKey& other) const { return fields() < other.fields(); }
};

struct Plan {
  bool fused_bias = false;  // the bias is added by cuBLASLt's epilogue (bf16 outputs)
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t weight = nullptr, input = nullptr, output = nullptr;
  cublasLtMatmulAlgo_t algo{};
  Plan() = default;
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;
  ~Plan() {
    if (output) cublasLtMatrixLayoutDestroy(output);
    if (input) cublasLtMatrixLayoutDestroy(input);
    if (weight) cublasLtMatrixLayoutDestroy(weight);
    if (desc) cublasLtMatmulDescDestroy(desc);
  }
};

}  // namespace

// One cuBLASLt handle, workspace and plans on one device, used by one thread at a time: a stream's (bound
// by MatmulStreamState) or a thread's own. Made by open(), which returns null when the device has no memory
// left for the workspace.
struct MatmulStreamState::State {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
  std::map<PlanKey, std::unique_ptr<Plan>> plans;
  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    plans.clear();
    if (workspace != nullptr) cudaFree(workspace);
    if (handle != nullptr) cublasLtDestroy(handle);
  }

  static std::unique_ptr<State> open() {
    auto state = std::make_unique<State>();
    const cudaError_t allocated = cudaMalloc(&state->workspace, kWorkspaceBytes);
    if (allocated == cudaErrorMemoryAllocation) {
      (void)cudaGetLastError();  // not sticky: clear it for the caller's next check
      return nullptr;
    }
    check(allocated, "cudaMalloc(workspace)", "matmul");
    check_lt(cublasLtCreate(&state->handle), "cublasLtCreate");
    return state;
  }
};

namespace {

using CublasLtState = MatmulStreamState::State;

std::mutex& bound_states_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<cudaStream_t, CublasLtState*>& bound_states() {
  static std::map<cudaStream_t, CublasLtState*> states;
  return states;
}

// The state products on `stream` use: the one bound to the stream, else the calling thread's on the
// current device, made on first use.
CublasLtState& state_for(cudaStream_t stream) {
  if (stream != nullptr) {
    const std::lock_guard<std::mutex> lock(bound_states_mutex());
    const auto bound = bound_states().find(stream);
    if (bound != bound_states().end()) return *bound->second;
  }
  thread_local std::map<int, std::unique_ptr<CublasLtState>> states;
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice", "matmul");
  auto& slot = states[device];
  if (!slot) slot = CublasLtState::open();
  if (!slot) {
    throw std::runtime_error("CUDA error in cudaMalloc(workspace) (matmul): out of memory for the " +
                             std::to_string(kWorkspaceBytes >> 20) + " MiB cuBLASLt workspace");
  }
  return *slot;
}

}  // namespace

MatmulStreamState::MatmulStreamState(Stream stream, std::unique_ptr<State> state)
    : stream_(stream), state_(std::move(state)) {}

std::unique_ptr<MatmulStreamState> MatmulStreamState::open(Stream stream) {
  if (stream == nullptr)
    throw std::invalid_argument("MatmulStreamState: needs a stream of its own, got the legacy default stream");
  {
    const std::lock_guard<std::mutex> lock(bound_states_mutex());
    if (bound_states().count(to_cuda(stream)) != 0)
      throw std::invalid_argument("MatmulStreamState: the stream already has one");
  }
  std::unique_ptr<State> state = State::open();
  if (state == nullptr) return nullptr;
  State* bound = state.get();
  std::unique_ptr<MatmulStreamState> owner(new MatmulStreamState(stream, std::move(state)));
  const std::lock_guard<std::mutex> lock(bound_states_mutex());
  if (!bound_states().emplace(to_cuda(stream), bound).second)  // (its destructor leaves the other's entry)
    throw std::invalid_argument("MatmulStreamState: the stream already has one");
  return owner;
}

MatmulStreamState::~MatmulStreamState() {
  const std::lock_guard<std::mutex> lock(bound_states_mutex());
  const auto bound = bound_states().find(to_cuda(stream_));
  if (bound != bound_states().end() && bound->second == state_.get()) bound_states().erase(bound);
}

namespace {

template <typename T>
constexpr cudaDataType_t output_type() {
  return std::is_same_v<T, float> ? CUDA_R_32F : CUDA_R_16BF;
}

// Descriptors and the heuristic's first algorithm for operands of the key's alignments (the fused bias at
// `bias`); nullptr when cuBLASLt offers none.
template <typename T>
std::unique_ptr<Plan> make_plan(CublasLtState& state, const PlanKey& key, bool fuse_bias, const bf16* bias) {
  const int m = key.m, n = key.n, k = key.k;
  auto plan = std::make_unique<Plan>();
  plan->fused_bias = fuse_bias;
  check_lt(cublasLtMatmulDescCreate(&plan->desc, CUBLAS_COMPUTE_32F, CUDA_R_32F), "cublasLtMatmulDescCreate");
  const cublasOperation_t transpose = CUBLAS_OP_T, keep = CUBLAS_OP_N;
  check_lt(cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose, sizeof transpose),
           "cublasLtMatmulDescSetAttribute(TRANSA)");
  check_lt(cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_TRANSB, &keep, sizeof keep),
           "cublasLtMatmulDescSetAttribute(TRANSB)");
  if (fuse_bias) {
    // D is n x m column-major, so the bias runs along D's rows: one value per output feature. The heuristic
    // reads the bias pointer's alignment from the descriptor, so it is set before it runs.
    const cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
    const cudaDataType_t bias_type = CUDA_R_16BF;
    if (cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue) !=
            CUBLAS_STATUS_SUCCESS ||
        cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &bias_type, sizeof bias_type) !=
            CUBLAS_STATUS_SUCCESS ||
        cublasLtMatmulDescSetAttribute(plan->desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias) !=
            CUBLAS_STATUS_SUCCESS)
      return nullptr;  // this cuBLASLt cannot fuse it: the caller falls back to the separate kernel
  }
  check_lt(cublasLtMatrixLayoutCreate(&plan->weight, CUDA_R_16BF, k, n, k), "cublasLtMatrixLayoutCreate(weight)");
  check_lt(cublasLtMatrixLayoutCreate(&plan->input, CUDA_R_16BF, k, m, k), "cublasLtMatrixLayoutCreate(input)");
  check_lt(cublasLtMatrixLayoutCreate(&plan->output, output_type<T>(), n, m, n), "cublasLtMatrixLayoutCreate(output)");

  cublasLtMatmulPreference_t preference = nullptr;
  check_lt(cublasLtMatmulPreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate");
  const std::size_t workspace = kWorkspaceBytes;
  // A is the weight, B the input, C = D the output.
  const std::pair<cublasLtMatmulPreferenceAttributes_t, std::uint32_t> alignments[] = {
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, key.weight_alignment},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, key.input_alignment},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, key.output_alignment},
      {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, key.output_alignment}};
  cublasStatus_t status = CUBLAS_STATUS_SUCCESS;
  const char* failed = "cublasLtMatmulAlgoGetHeuristic";
  const auto set = [&](cublasLtMatmulPreferenceAttributes_t attribute, const void* value, std::size_t size,
                       const char* call) {
    if (status != CUBLAS_STATUS_SUCCESS) return;
    status = cublasLtMatmulPreferenceSetAttribute(preference, attribute, value, size);
    if (status != CUBLAS_STATUS_SUCCESS) failed = call;
  };
  set(CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof workspace,
      "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
  for (const auto& [attribute, bytes] : alignments)
    set(attribute, &bytes, sizeof bytes, "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)");
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  if (status == CUBLAS_STATUS_SUCCESS)
    status = cublasLtMatmulAlgoGetHeuristic(state.handle, plan->desc, plan->weight, plan->input, plan->output,
                                            plan->output, preference, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(preference);
  if (failed != std::string_view("cublasLtMatmulAlgoGetHeuristic")) check_lt(status, failed);
  if (status == CUBLAS_STATUS_NOT_SUPPORTED || (status == CUBLAS_STATUS_SUCCESS && found == 0)) return nullptr;
  check_lt(status, failed);
  plan->algo = result.algo;
  return plan;
}

// bf16 outputs take the bias in the epilogue when cuBLASLt has an algorithm for it (saving a pass over
// y); otherwise, and for fp32 outputs, a separate kernel adds it (for bf16 outputs then rounded twice: a
// cuBLASLt without the bf16 bias epilogue, which sm_80 and sm_90 have).
template <typename T>
Plan& plan_for(CublasLtState& state, const bf16* x, const bf16* weight, const bf16* bias, const T* y, int m, int n,
               int k) {
  const PlanKey key{m, n, k, static_cast<int>(output_type<T>()), bias != nullptr, alignment_of(weight),
                    alignment_of(x), alignment_of(y), bias != nullptr ? alignment_of(bias) : 0u};
  auto& slot = state.plans[key];
  if (slot) return *slot;
  if (bias != nullptr && std::is_same_v<T, bf16>) slot = make_plan<T>(state, key, true, bias);
  if (!slot) slot = make_plan<T>(state, key, false, nullptr);
  if (!slot)
    throw std::runtime_error("cuBLASLt error in cublasLtMatmulAlgoGetHeuristic (matmul): no algorithm for m=" +
                             std::to_string(m) + " n=" + std::to_string(n) + " k=" + std::to_string(k) +
                             " with operands aligned to " + std::to_string(key.weight_alignment) + "/" +
                             std::to_string(key.input_alignment) + "/" + std::to_string(key.output_alignment) +
                             " bytes");
  return *slot;
}

template <typename T>
__global__ void add_bias_kernel(T* y, const bf16* bias, long long m, int n) {
  wait_for_prior_kernels();
  release_dependents();
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < m * n;
       i += static_cast<long long>(gridDim.x) * blockDim.x)
    y[i] = store_from_float<T>(load_as_float(y[i]) + to_float(bias[i % n]));
}

template <typename T>
__global__ void fill_zero_kernel(T* y, long long count) {
  wait_for_prior_kernels();
  release_dependents();
  for (long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<long long>(gridDim.x) * blockDim.x)
    y[i] = store_from_float<T>(0.0f);
}

void check_dims(int m, int n, int k) {
  if (m < 0 || n < 0 || k < 0)
    throw std::invalid_argument("matmul: dimensions must be >= 0, got m=" + std::to_string(m) +
                                " n=" + std::to_string(n) + " k=" + std::to_string(k));
}

template <typename T, int M, bool kAccumulate>
void launch_gemv(const bf16* x, const bf16* weight, const bf16* bias, T* y, int n, int k, cudaStream_t stream) {
  launch_kernel("matmul gemv_kernel", gemv_kernel<T, M, kAccumulate>, gemv_grid(n), dim3(kGemvThreads), stream, x,
                weight, bias, y, n, k);
}

template <typename T, bool kAccumulate>
void gemv_product(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream stream) {
  check_dims(m, n, k);
  if (!gemv_applies(x, weight, m, k))
    throw std::invalid_argument("matmul_gemv: needs 1 <= m <= " + std::to_string(kGemvMaxRows) +
                                ", k a positive multiple of 8 and 16-byte aligned x and weight, got m=" +
                                std::to_string(m) + " k=" + std::to_string(k));
  if (n == 0) return;
  const cudaStream_t s = to_cuda(stream);
  static_assert(kGemvMaxRows == 4, "one launch_gemv case per row count");
  switch (m) {
    case 1: return launch_gemv<T, 1, kAccumulate>(x, weight, bias, y, n, k, s);
    case 2: return launch_gemv<T, 2, kAccumulate>(x, weight, bias, y, n, k, s);
    case 3: return launch_gemv<T, 3, kAccumulate>(x, weight, bias, y, n, k, s);
    default: return launch_gemv<T, 4, kAccumulate>(x, weight, bias, y, n, k, s);
  }
}

// y = x W^T + bias (+ y with accumulate: cuBLASLt's beta = 1 with C = D = y).
template <typename T>
void cublaslt_product(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream stream,
                      bool accumulate) {
  check_dims(m, n, k);
  if (m == 0 || n == 0) return;
  const long long count = static_cast<long long>(m) * n;
  bool bias_done = false;
  if (k == 0 && !accumulate) {
    launch_kernel("matmul fill_zero_kernel", fill_zero_kernel<T>, dim3(cuda_detail::blocks_for(count, 256)), dim3(256),
                  to_cuda(stream), y, count);
  } else if (k > 0) {
    CublasLtState& state = state_for(to_cuda(stream));
    Plan& plan = plan_for<T>(state, x, weight, bias, y, m, n, k);
    if (plan.fused_bias) {
      check_lt(cublasLtMatmulDescSetAttribute(plan.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias),
               "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
      bias_done = true;
    }
    const float alpha = 1.0f, beta = accumulate ? 1.0f : 0.0f;
    (void)cudaGetLastError();  // as launch_kernel: only this call's error is named after it
    check_lt(cublasLtMatmul(state.handle, plan.desc, &alpha, weight, plan.weight, x, plan.input, &beta, y, plan.output,
                            y, plan.output, &plan.algo, state.workspace, kWorkspaceBytes, to_cuda(stream)),
             "cublasLtMatmul");
    // A refused launch inside cuBLASLt is named here, not at the next kernel of ours.
    check(cudaGetLastError(), "cublasLtMatmul", "matmul");
  }
  if (bias != nullptr && !bias_done) {
    launch_kernel("matmul add_bias_kernel", add_bias_kernel<T>, dim3(cuda_detail::blocks_for(count, 256)), dim3(256),
                  to_cuda(stream), y, bias, static_cast<long long>(m), n);
  }
}

}  // namespace

template <typename T>
void matmul_gemv(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream stream) {
  gemv_product<T, false>(x, weight, bias, y, m, n, k, stream);
}

template <typename T>
void matmul_cublaslt(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream stream) {
  cublaslt_product<T>(x, weight, bias, y, m, n, k, stream, false);
}

template <typename T>
void matmul_add_residual(const bf16* x, const bf16* weight, const bf16* bias, T* residual, int m, int n, int k,
                         Stream stream) {
  check_dims(m, n, k);
  if (gemv_applies(x, weight, m, k))
    gemv_product<T, true>(x, weight, bias, residual, m, n, k, stream);
  else
    cublaslt_product<T>(x, weight, bias, residual, m, n, k, stream, true);
}

template <typename T>
void matmul(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream stream) {
  check_dims(m, n, k);
  if (gemv_applies(x, weight, m, k))
    matmul_gemv<T>(x, weight, bias, y, m, n, k, stream);
  else
    matmul_cublaslt<T>(x, weight, bias, y, m, n, k, stream);
}

#define R1EVAL_MATMUL_INSTANCES(NAME)                                                        \
  template void NAME<float>(const bf16*, const bf16*, const bf16*, float*, int, int, int, Stream); \
  template void NAME<bf16>(const bf16*, const bf16*, const bf16*, bf16*, int, int, int, Stream);
R1EVAL_MATMUL_INSTANCES(matmul)
R1EVAL_MATMUL_INSTANCES(matmul_gemv)
R1EVAL_MATMUL_INSTANCES(matmul_cublaslt)
R1EVAL_MATMUL_INSTANCES(matmul_add_residual)
#undef R1EVAL_MATMUL_INSTANCES

}  // namespace r1eval::kernels::cuda
