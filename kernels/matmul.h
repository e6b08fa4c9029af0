// Matrix products of the linear layers: y = x W^T (+ bias), bf16 inputs, fp32 accumulation.
#pragma once
#include <cstdint>
#include <memory>

#include "kernels/bf16.h"
#include "kernels/host_device.h"

namespace r1eval::kernels {

// x is [m][k] row-major, weight is [n][k] row-major (the checkpoint's layout of a Linear layer), bias
// (optional, may be null) has n entries; y is [m][n] row-major, fp32 or rounded once to bf16.
// The CUDA version runs cuBLASLt (bf16 in, fp32 compute) with the stream's MatmulStreamState when it has
// one, else a per-thread handle and workspace made on first use; plans are made per shape and pointer
// alignment, so run each shape once before capturing a CUDA graph; up to kGemvMaxRows rows it runs its own
// kernel instead. Throws std::invalid_argument naming the
// dimension when m, n or k is negative; the CUDA version throws std::runtime_error naming the cuBLASLt
// call when the library refuses the problem.
namespace cpu {
template <typename T>
void matmul(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream stream = nullptr);
// CPU engine variant with fp32 activations (no CUDA counterpart: the CUDA engine keeps bf16 activations).
void matmul(const float* x, const bf16* weight, const bf16* bias, float* y, int m, int n, int k,
            Stream stream = nullptr);
}  // namespace cpu
namespace cuda {
template <typename T>
void matmul(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream stream = nullptr);
// The two implementations matmul chooses between, for the tests and benchmarks that compare them. matmul
// runs matmul_gemv (a pass over the weight, a warp per output feature: decode steps of up to 4 sequences)
// whenever gemv_applies, and cuBLASLt otherwise. matmul_gemv throws std::invalid_argument when it does not
// apply; matmul_cublaslt takes any shape.
// Every row re-reads x from L1 for each 16-byte weight chunk; past 4 rows those reads, not the weight
// stream, would bound the kernel, and cuBLASLt's tensor-core kernels take over.
inline constexpr int kGemvMaxRows = 4;
inline bool gemv_applies(const bf16* x, const bf16* weight, int m, int k) {
  return m >= 1 && m <= kGemvMaxRows && k > 0 && k % 8 == 0 && aligned_to(x, 16) && aligned_to(weight, 16);
}
template <typename T>
void matmul_gemv(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k,
                 Stream stream = nullptr);
template <typename T>
void matmul_cublaslt(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k,
                     Stream stream = nullptr);
// cuBLASLt's handle, workspace and plans for the products enqueued on one stream, whichever host thread
// enqueues them (one at a time): a CUDA graph captured on the stream keeps using this workspace, so it must
// outlive those graphs, not the thread that captured them. Destroy it after the stream's work is done and
// before the stream.
class MatmulStreamState {
 public:
  // Binds a new state to `stream` (not the legacy default stream) on the current device; null when the
  // device has no memory left for the workspace (nothing changed). Throws std::invalid_argument when the
  // stream is null or already has one, std::runtime_error naming the call on other CUDA/cuBLASLt errors.
  static std::unique_ptr<MatmulStreamState> open(Stream stream);
  ~MatmulStreamState();
  MatmulStreamState(const MatmulStreamState&) = delete;
  MatmulStreamState& operator=(const MatmulStreamState&) = delete;
  struct State;  // matmul.cu's

 private:
  MatmulStreamState(Stream stream, std::unique_ptr<State> state);
  Stream stream_;
  std::unique_ptr<State> state_;
};
}  // namespace cuda

}  // namespace r1eval::kernels
