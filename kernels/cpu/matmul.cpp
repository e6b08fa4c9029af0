#include "kernels/matmul.h"
#include "kernels/cpu/vector_math.h"

#include <cblas.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace r1eval::kernels::cpu {

namespace {

// Few rows (decode): one pass over the weight, converting on the fly, parallel over output features.
constexpr int kDirectRows = 4;
// Many rows: the weight is widened to fp32 a slab of rows at a time for sgemm, bounding the copy.
constexpr int kSlabRows = 256;
// sgemm is called on blocks of exactly this many rows (the last one zero-padded). OpenBLAS picks its
// kernel by shape (on AVX-512 machines small shapes take another path), so a row's result would depend
// on how many rows came with it; with one fixed shape it does not, for any m above kDirectRows, as a GPU
// twin's padded step needs. (Up to kDirectRows rows take the direct path, as the CUDA matmul switches
// from its GEMV to cuBLASLt there too.)
constexpr int kBlockRows = 16;

void check_dims(int m, int n, int k) {
  if (m < 0 || n < 0 || k < 0)
    throw std::invalid_argument("matmul: dimensions must be >= 0, got m=" + std::to_string(m) +
                                " n=" + std::to_string(n) + " k=" + std::to_string(k));
}

// y = x W^T + bias on fp32 x and fp32 y.
void matmul_f32(const float* x, const bf16* weight, const bf16* bias, float* y, int m, int n, int k) {
  if (m == 0 || n == 0) return;
  if (m <= kDirectRows || k == 0) {
    // Grain of 64 output features keeps a task's weight rows (64 x k) a useful chunk of work.
    tbb::parallel_for(tbb::blocked_range<int>(0, n, 64), [&](const tbb::blocked_range<int>& features) {
      for (int j = features.begin(); j < features.end(); ++j) {
        const bf16* w = weight + static_cast<std::size_t>(j) * k;
        for (int i = 0; i < m; ++i) {
          const float sum = cpu_detail::dot(x + static_cast<std::size_t>(i) * k, w, k);
          y[static_cast<std::size_t>(i) * n + j] = sum + (bias ? to_float(bias[j]) : 0.0f);
        }
      }
    });
    return;
  }
  std::vector<float> slab(static_cast<std::size_t>(std::min(kSlabRows, n)) * k);
  std::vector<float> tail_x, tail_y;  // the last, partial block of rows, zero-padded
  const int full_rows = m / kBlockRows * kBlockRows;
  if (full_rows < m) {
    tail_x.assign(static_cast<std::size_t>(kBlockRows) * k, 0.0f);
    std::copy(x + static_cast<std::size_t>(full_rows) * k, x + static_cast<std::size_t>(m) * k, tail_x.begin());
    tail_y.resize(static_cast<std::size_t>(kBlockRows) * std::min(kSlabRows, n));
  }
  for (int j0 = 0; j0 < n; j0 += kSlabRows) {
    const int rows = std::min(kSlabRows, n - j0);
    const bf16* w = weight + static_cast<std::size_t>(j0) * k;
    for (std::size_t e = 0; e < static_cast<std::size_t>(rows) * k; ++e) slab[e] = to_float(w[e]);
    for (int i0 = 0; i0 < full_rows; i0 += kBlockRows)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, kBlockRows, rows, k, 1.0f, x + static_cast<std::size_t>(i0) * k,
                  k, slab.data(), k, 0.0f, y + static_cast<std::size_t>(i0) * n + j0, n);
    if (full_rows < m) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, kBlockRows, rows, k, 1.0f, tail_x.data(), k, slab.data(), k,
                  0.0f, tail_y.data(), rows);
      for (int i = full_rows; i < m; ++i)
        std::copy_n(tail_y.data() + static_cast<std::size_t>(i - full_rows) * rows, rows,
                    y + static_cast<std::size_t>(i) * n + j0);
    }
  }
  if (bias != nullptr)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) y[static_cast<std::size_t>(i) * n + j] += to_float(bias[j]);
}

}  // namespace

void matmul(const float* x, const bf16* weight, const bf16* bias, float* y, int m, int n, int k, Stream) {
  check_dims(m, n, k);
  matmul_f32(x, weight, bias, y, m, n, k);
}

template <typename T>
void matmul(const bf16* x, const bf16* weight, const bf16* bias, T* y, int m, int n, int k, Stream) {
  check_dims(m, n, k);
  std::vector<float> wide_x(static_cast<std::size_t>(m) * k);
  for (std::size_t e = 0; e < wide_x.size(); ++e) wide_x[e] = to_float(x[e]);
  if constexpr (std::is_same_v<T, float>) {
    matmul_f32(wide_x.data(), weight, bias, y, m, n, k);
  } else {
    std::vector<float> wide_y(static_cast<std::size_t>(m) * n);
    matmul_f32(wide_x.data(), weight, bias, wide_y.data(), m, n, k);
    for (std::size_t e = 0; e < wide_y.size(); ++e) y[e] = to_bf16(wide_y[e]);
  }
}

template void matmul<float>(const bf16*, const bf16*, const bf16*, float*, int, int, int, Stream);
template void matmul<bf16>(const bf16*, const bf16*, const bf16*, bf16*, int, int, int, Stream);

}  // namespace r1eval::kernels::cpu
