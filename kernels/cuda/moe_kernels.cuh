// Kernel bodies of the mixture-of-experts steps (launchers in moe.cu). Device code only and no CUDA headers,
// so tests/kernels/simt_emulator.h can also run them on the CPU.
//
// Routing is a warp per token. Grouping is one block: each thread owns an expert and scans the pairs (staged
// in shared memory) twice, to count its pairs and then to list them in pair order, so the grouping is exact
// and stable without atomics, and lists the experts that have pairs. The expert products are a warp per output
// feature over the pairs of one such expert (grid: min(pairs, experts) x feature tiles, so a one-token step
// launches k block rows, not one per expert), so an active expert's weight row is
// read from memory once per step (in 16-byte loads when the rows allow: kVec 8) and from cache for its
// further pairs. Their tensor-core form (moe_expert_mma_kernel, for batches with several pairs an expert) is a
// grouped matrix product instead: a block owns 64 pairs of one expert and 64 output features, and each weight
// fragment it loads serves four 16-pair mma tiles.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/bf16.h"
#include "kernels/cuda/grid_dependency.cuh"
#include "kernels/cuda/mma.cuh"
#include "kernels/cuda/pointwise_kernels.cuh"
#include "kernels/cuda/reduce.cuh"
#include "kernels/moe.h"

namespace r1eval::kernels::cuda_detail {

constexpr int kMoeRouteWarps = 4;
constexpr int kMoeWarps = 8;  // output features per block of the expert products
constexpr int kMoeGroupChunk = 1024;

__global__ void __launch_bounds__(kMoeRouteWarps * 32)
    moe_route_kernel(const float* logits, int rows, int experts, int top_k, bool renormalize, std::int32_t* ids,
                     float* weights) {
  wait_for_prior_kernels();
  release_dependents();
  const int lane = static_cast<int>(threadIdx.x % 32);
  const int r = static_cast<int>(blockIdx.x) * kMoeRouteWarps + static_cast<int>(threadIdx.x / 32);
  if (r >= rows) return;  // the whole warp
  const float* row = logits + static_cast<std::size_t>(r) * experts;
  unsigned taken = 0;  // bit i: expert lane + 32 i is chosen
  float top = 0.0f, slot_logit = 0.0f;
  int slot_id = -1;  // lane j < top_k: the expert of slot j
  for (int j = 0; j < top_k; ++j) {
    float best_logit = 0.0f;
    int best_id = -1;
    for (int i = 0, e = lane; e < experts; ++i, e += 32)
      if (((taken >> i) & 1u) == 0 && (best_id < 0 || moe_route_before(row[e], e, best_logit, best_id))) {
        best_logit = row[e];
        best_id = e;
      }
    for (int offset = 16; offset > 0; offset >>= 1) {
      const float other_logit = __shfl_xor_sync(0xffffffffu, best_logit, offset);
      const int other_id = __shfl_xor_sync(0xffffffffu, best_id, offset);
      if (other_id >= 0 && (best_id < 0 || moe_route_before(other_logit, other_id, best_logit, best_id))) {
        best_logit = other_logit;
        best_id = other_id;
      }
    }
    if (best_id % 32 == lane) taken |= 1u << (best_id / 32);
    if (lane == j) {
      slot_id = best_id;
      slot_logit = best_logit;
    }
    if (j == 0) top = best_logit;
  }
  float part = 0.0f;
  for (int e = lane; e < experts; e += 32) part += expf(row[e] - top);
  const float all = warp_sum(part);
  const float probability = lane < top_k ? expf(slot_logit - top) / all : 0.0f;
  float kept = 0.0f;  // in slot order, as the CPU twin adds them
  for (int j = 0; j < top_k; ++j) kept += __shfl_sync(0xffffffffu, probability, j);
  if (lane < top_k) {
    ids[static_cast<std::size_t>(r) * top_k + lane] = slot_id;
    weights[static_cast<std::size_t>(r) * top_k + lane] = renormalize ? probability / kept : probability;
  }
}

// One block of at least `experts` threads (thread e owns expert e).
__global__ void __launch_bounds__(kMoeMaxExperts)
    moe_group_kernel(const std::int32_t* ids, int pairs, int experts, std::int32_t* offsets, std::int32_t* grouped,
                     std::int32_t* active) {
  wait_for_prior_kernels();
  release_dependents();
  __shared__ std::int32_t staged[kMoeGroupChunk];
  __shared__ std::int32_t starts[kMoeMaxExperts + 1];
  const int tid = static_cast<int>(threadIdx.x);
  const bool owner = tid < experts;
  // Pass 0 counts each expert's pairs; pass 1 lists them from the expert's start.
  int count = 0, cursor = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (int base = 0; base < pairs; base += kMoeGroupChunk) {
      const int n = pairs - base < kMoeGroupChunk ? pairs - base : kMoeGroupChunk;
      __syncthreads();  // the previous chunk is read by everyone
      for (int i = tid; i < n; i += static_cast<int>(blockDim.x)) staged[i] = ids[base + i];
      __syncthreads();
      if (!owner) continue;
      for (int i = 0; i < n; ++i) {
        if (staged[i] != tid) continue;
        if (pass == 0) ++count;
        else grouped[cursor++] = base + i;
      }
    }
    if (pass == 1) break;
    if (owner) starts[tid] = count;
    __syncthreads();
    if (tid == 0) {
      int run = 0, listed = 0;
      for (int e = 0; e < experts; ++e) {
        const int c = starts[e];
        starts[e] = run;
        run += c;
        if (c > 0) active[listed++] = e;
      }
      starts[experts] = run;
      for (int i = listed; i < experts; ++i) active[i] = -1;
    }
    __syncthreads();
    for (int e = tid; e <= experts; e += static_cast<int>(blockDim.x)) offsets[e] = starts[e];
    cursor = owner ? starts[tid] : 0;
  }
}

// x . w over n values (a multiple of kVec): the warp's lanes stride over chunks of kVec (16-byte loads of the
// weights with kVec 8: x and w aligned as load_vec asks); the sum to every lane.
template <int kVec, typename T>
__device__ __forceinline__ float warp_dot(const T* x, const bf16* w, int n, int lane) {
  float sum = 0.0f;
  for (int c = lane * kVec; c < n; c += 32 * kVec) {
    float xv[kVec], wv[kVec];
    load_vec<kVec>(x + c, xv);
    load_vec<kVec>(w + c, wv);
    for (int e = 0; e < kVec; ++e) sum += xv[e] * wv[e];
  }
  return warp_sum(sum);
}

// x . (row `row` of an MXFP4 matrix of n-value rows, n % 32 == 0) over the warp, in warp_dot's order: lanes stride
// over 8-value chunks, each 4 code bytes (one 32-bit load) and its group's scale; kVec 8 loads x 16 bytes at a time
// (aligned as load_vec asks). The sum to every lane.
template <int kVec, typename T>
__device__ __forceinline__ float warp_dot_mxfp4(const T* x, const Mxfp4Weights& w, std::size_t row, int n, int lane) {
  const std::uint8_t* codes = w.blocks + row * static_cast<std::size_t>(n / 2);
  const std::uint8_t* scales = w.scales + row * static_cast<std::size_t>(n / 32);
  float sum = 0.0f;
  for (int c = lane * 8; c < n; c += 32 * 8) {
    const std::uint32_t packed = *reinterpret_cast<const std::uint32_t*>(codes + c / 2);  // value c + e: bits 4e..4e+3
    const float scale = mxfp4_scale(scales[c / 32]);
    float xv[8];
    if constexpr (kVec == 8) {
      load_vec<8>(x + c, xv);
    } else {
      for (int e = 0; e < 8; ++e) xv[e] = load_as_float(x[c + e]);
    }
    for (int e = 0; e < 8; ++e) sum += xv[e] * (e2m1_value((packed >> (4 * e)) & 15u) * scale);
  }
  return warp_sum(sum);
}

// grid (min(pairs, experts), features / kMoeWarps): block row x serves expert active[x] (none: -1), warp f of
// the block computes feature f of each of its pairs; the weights are the form's MXFP4 ones when it has them.
template <typename T, int kVec>
__global__ void __launch_bounds__(kMoeWarps * 32)
    moe_gate_up_kernel(const T* x, int hidden, const bf16* gate_up, int inter, int top_k, const std::int32_t* offsets,
                       const std::int32_t* grouped, const std::int32_t* active, T* act, ExpertForm form) {
  wait_for_prior_kernels();
  release_dependents();
  const int e = active[blockIdx.x], lane = static_cast<int>(threadIdx.x % 32);
  const int f = static_cast<int>(blockIdx.y) * kMoeWarps + static_cast<int>(threadIdx.x / 32);
  if (e < 0 || f >= inter) return;  // the whole warp
  const std::size_t gate_row = static_cast<std::size_t>(e) * 2 * inter + f, up_row = gate_row + static_cast<std::size_t>(inter);
  const bool mxfp4 = form.gate_up_mxfp4.blocks != nullptr;
  const bf16* gate = mxfp4 ? nullptr : gate_up + gate_row * hidden;
  const bf16* up = mxfp4 ? nullptr : gate_up + up_row * hidden;
  const float gate_bias = expert_bias(form.gate_up_bias, gate_row);
  const float up_bias = expert_bias(form.gate_up_bias, up_row);
  for (int i = offsets[e]; i < offsets[e + 1]; ++i) {
    const int pair = grouped[i];
    const T* in = x + static_cast<std::size_t>(pair / top_k) * hidden;
    const float g = mxfp4 ? warp_dot_mxfp4<kVec>(in, form.gate_up_mxfp4, gate_row, hidden, lane)
                          : warp_dot<kVec>(in, gate, hidden, lane);
    const float u = mxfp4 ? warp_dot_mxfp4<kVec>(in, form.gate_up_mxfp4, up_row, hidden, lane)
                          : warp_dot<kVec>(in, up, hidden, lane);
    if (lane == 0)
      act[static_cast<std::size_t>(pair) * inter + f] =
          store_from_float<T>(expert_activation(g + gate_bias, u + up_bias, form));
  }
}

template <typename T, int kVec>
__global__ void __launch_bounds__(kMoeWarps * 32)
    moe_down_kernel(const T* act, int inter, const bf16* down, int hidden, const std::int32_t* offsets,
                    const std::int32_t* grouped, const std::int32_t* active, T* expert_out, ExpertForm form) {
  wait_for_prior_kernels();
  release_dependents();
  const int e = active[blockIdx.x], lane = static_cast<int>(threadIdx.x % 32);
  const int h = static_cast<int>(blockIdx.y) * kMoeWarps + static_cast<int>(threadIdx.x / 32);
  if (e < 0 || h >= hidden) return;  // the whole warp
  const std::size_t row = static_cast<std::size_t>(e) * hidden + h;
  const bool mxfp4 = form.down_mxfp4.blocks != nullptr;
  const bf16* weight = mxfp4 ? nullptr : down + row * inter;
  const float bias = expert_bias(form.down_bias, row);
  for (int i = offsets[e]; i < offsets[e + 1]; ++i) {
    const int pair = grouped[i];
    const T* in = act + static_cast<std::size_t>(pair) * inter;
    const float y = (mxfp4 ? warp_dot_mxfp4<kVec>(in, form.down_mxfp4, row, inter, lane) : warp_dot<kVec>(in, weight, inter, lane)) +
                    bias;
    if (lane == 0) expert_out[static_cast<std::size_t>(pair) * hidden + h] = store_from_float<T>(y);
  }
}

// The bf16 pair (low half: the low nibble's value) of one MXFP4 code byte times its group's scale; exact in bf16.
__device__ __forceinline__ std::uint32_t mxfp4_pair(unsigned byte, float scale) {
  return pack_bf16_pair(e2m1_value(byte & 15u) * scale, e2m1_value(byte >> 4) * scale);
}

constexpr int kMoeMmaWarps = 4;
constexpr int kMoeMmaWarpFeatures = 16;                                 // two 8-feature n-tiles a warp
constexpr int kMoeMmaFeatures = kMoeMmaWarps * kMoeMmaWarpFeatures;     // output features a block
constexpr int kMoeMmaPairTiles = 4;                                     // 16-pair m-tiles a block
constexpr int kMoeMmaPairs = 16 * kMoeMmaPairTiles;                     // pairs a block (a chunk)

// Chunk slots the tensor-core grid needs along x: an expert with c pairs has ceil(c / 64) chunks, fewer than
// c / 64 + 1, so all of them number fewer than pairs / 64 + the experts that have pairs.
inline int moe_mma_chunk_slots(int pairs, int experts) {
  return (pairs + kMoeMmaPairs - 1) / kMoeMmaPairs + (pairs < experts ? pairs : experts);
}

// The expert and the first grouped index of chunk `slot`, counting the chunks of the active experts in their
// order; false past the last one. The walk reads offsets the grouping wrote, so the grid can be fixed by
// (pairs, experts) alone (a captured graph replays it for any routing).
__device__ __forceinline__ bool moe_mma_chunk(int slot, int experts, const std::int32_t* offsets,
                                              const std::int32_t* active, int& expert, int& begin) {
  for (int i = 0; i < experts; ++i) {
    const int e = active[i];
    if (e < 0) return false;
    const int chunks = (offsets[e + 1] - offsets[e] + kMoeMmaPairs - 1) / kMoeMmaPairs;
    if (slot < chunks) {
      expert = e;
      begin = offsets[e] + slot * kMoeMmaPairs;
      return true;
    }
    slot -= chunks;
  }
  return false;
}

// The expert products on tensor cores (bf16 mma, fp32 accumulation; mma.cuh's fragment layout; MXFP4 weights widened
// to bf16 fragments as they are loaded), grid
// (moe_mma_chunk_slots, ceil(features / 64)), kMoeMmaWarps warps. The input row of pair p is in + (p /
// row_divisor) * k_dim (the token's normed row for gate/up, row_divisor = top_k; the pair's own act row for
// down, 1). Weights of expert e: kMats matrices of `features` rows of k_dim values each, from (e * kMats) *
// features * k_dim, and their biases (the form's gate/up bias for kGated, else its down bias, each null or of
// kMats * features values an expert). kGated (gate/up): kMats 2, out[p][f] = expert_activation(gate, up); else
// out[p][f] = the product.
// Needs k_dim % 16 == 0 and 4-byte aligned rows (the launcher checks); fragments are read from global memory
// as 32-bit words, rows past the chunk or features past the tile as zeros.
template <bool kGated>
__global__ void __launch_bounds__(kMoeMmaWarps * 32)
    moe_expert_mma_kernel(const bf16* in, int row_divisor, int k_dim, const bf16* weights, int features, int experts,
                          const std::int32_t* offsets, const std::int32_t* grouped, const std::int32_t* active,
                          bf16* out, ExpertForm form) {
  wait_for_prior_kernels();
  release_dependents();
  constexpr int kMats = kGated ? 2 : 1;
  int expert = 0, begin = 0;
  if (!moe_mma_chunk(static_cast<int>(blockIdx.x), experts, offsets, active, expert, begin)) return;
  const int count = min(offsets[expert + 1] - begin, kMoeMmaPairs);
  const int warp = static_cast<int>(threadIdx.x / 32), lane = static_cast<int>(threadIdx.x % 32);
  const int g = lane / 4, t = lane % 4;
  const int f0 = static_cast<int>(blockIdx.y) * kMoeMmaFeatures + warp * kMoeMmaWarpFeatures;
  if (f0 >= features) return;  // the whole warp
  const int words = k_dim / 2;

  // This lane's B columns: feature f0 + 8 n + g of each matrix (null past the features): bf16 rows as 32-bit words,
  // or MXFP4 rows as code bytes (byte w holds the pair of word w) with their scales.
  const Mxfp4Weights mx = kGated ? form.gate_up_mxfp4 : form.down_mxfp4;
  const bool mxfp4 = mx.blocks != nullptr;
  const std::uint32_t* b_rows[kMats][2];
  const std::uint8_t* b_codes[kMats][2];
  const std::uint8_t* b_scales[kMats][2];
R1EVAL_UNROLL
  for (int m = 0; m < kMats; ++m)
R1EVAL_UNROLL
    for (int n = 0; n < 2; ++n) {
      const int f = f0 + 8 * n + g;
      const std::size_t row = (static_cast<std::size_t>(expert) * kMats + m) * features + f;
      const bool here = f < features;
      b_rows[m][n] = here && !mxfp4 ? reinterpret_cast<const std::uint32_t*>(weights + row * k_dim) : nullptr;
      b_codes[m][n] = here && mxfp4 ? mx.blocks + row * static_cast<std::size_t>(k_dim / 2) : nullptr;
      b_scales[m][n] = here && mxfp4 ? mx.scales + row * static_cast<std::size_t>(k_dim / 32) : nullptr;
    }
  // This lane's A rows: rows g and g + 8 of each m-tile (pair -1 and null past the chunk).
  int pair_of[kMoeMmaPairTiles][2];
  const std::uint32_t* a_rows[kMoeMmaPairTiles][2];
R1EVAL_UNROLL
  for (int i = 0; i < kMoeMmaPairTiles; ++i)
R1EVAL_UNROLL
    for (int r = 0; r < 2; ++r) {
      const int index = 16 * i + 8 * r + g;
      pair_of[i][r] = index < count ? grouped[begin + index] : -1;
      a_rows[i][r] = pair_of[i][r] >= 0 ? reinterpret_cast<const std::uint32_t*>(
                                              in + static_cast<std::size_t>(pair_of[i][r] / row_divisor) * k_dim)
                                        : nullptr;
    }
  float acc[kMats][kMoeMmaPairTiles][2][4] = {};
  for (int w = 0; w < words; w += 8) {  // a k-step of 16 values
    std::uint32_t b[kMats][2][2];
R1EVAL_UNROLL
    for (int m = 0; m < kMats; ++m)
R1EVAL_UNROLL
      for (int n = 0; n < 2; ++n) {
        if (b_codes[m][n] != nullptr) {  // words w .. w + 7 lie in one 32-value group (16 words), w a multiple of 8
          const float scale = mxfp4_scale(b_scales[m][n][w / 16]);
          b[m][n][0] = mxfp4_pair(b_codes[m][n][w + t], scale);
          b[m][n][1] = mxfp4_pair(b_codes[m][n][w + 4 + t], scale);
        } else {
          b[m][n][0] = b_rows[m][n] != nullptr ? b_rows[m][n][w + t] : 0u;
          b[m][n][1] = b_rows[m][n] != nullptr ? b_rows[m][n][w + 4 + t] : 0u;
        }
      }
R1EVAL_UNROLL
    for (int i = 0; i < kMoeMmaPairTiles; ++i) {
      if (16 * i >= count) break;  // the same for the whole warp
      const std::uint32_t a[4] = {a_rows[i][0] != nullptr ? a_rows[i][0][w + t] : 0u,
                                  a_rows[i][1] != nullptr ? a_rows[i][1][w + t] : 0u,
                                  a_rows[i][0] != nullptr ? a_rows[i][0][w + 4 + t] : 0u,
                                  a_rows[i][1] != nullptr ? a_rows[i][1][w + 4 + t] : 0u};
R1EVAL_UNROLL
      for (int m = 0; m < kMats; ++m)
R1EVAL_UNROLL
        for (int n = 0; n < 2; ++n) mma_bf16_16x8x16(acc[m][i][n], a, b[m][n]);
    }
  }
  // d[2 r + c] is row g + 8 r, column 2 t + c of the n-tile.
  const bf16* bias = kGated ? form.gate_up_bias : form.down_bias;
  float bias_of[kMats][2][2];  // [matrix][n-tile][c]
R1EVAL_UNROLL
  for (int m = 0; m < kMats; ++m)
R1EVAL_UNROLL
    for (int n = 0; n < 2; ++n)
R1EVAL_UNROLL
      for (int c = 0; c < 2; ++c) {
        const int f = f0 + 8 * n + 2 * t + c;
        bias_of[m][n][c] =
            f < features ? expert_bias(bias, (static_cast<std::size_t>(expert) * kMats + m) * features + f) : 0.0f;
      }
R1EVAL_UNROLL
  for (int i = 0; i < kMoeMmaPairTiles; ++i)
R1EVAL_UNROLL
    for (int r = 0; r < 2; ++r) {
      if (pair_of[i][r] < 0) continue;
      bf16* row = out + static_cast<std::size_t>(pair_of[i][r]) * features;
R1EVAL_UNROLL
      for (int n = 0; n < 2; ++n)
R1EVAL_UNROLL
        for (int c = 0; c < 2; ++c) {
          const int f = f0 + 8 * n + 2 * t + c;
          if (f >= features) continue;
          const float v = acc[0][i][n][2 * r + c] + bias_of[0][n][c];
          if constexpr (kGated) {
            const float u = acc[kMats - 1][i][n][2 * r + c] + bias_of[kMats - 1][n][c];
            row[f] = store_from_float<bf16>(expert_activation(v, u, form));
          } else {
            row[f] = store_from_float<bf16>(v);
          }
        }
    }
}

// Rows over blockIdx.y (striding past the grid), columns over x.
template <typename T>
__global__ void moe_combine_kernel(const T* expert_out, const float* weights, int rows, int top_k, int hidden, T* out) {
  wait_for_prior_kernels();
  release_dependents();
  for (int t = static_cast<int>(blockIdx.y); t < rows; t += static_cast<int>(gridDim.y))
    for (int h = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x); h < hidden;
         h += static_cast<int>(gridDim.x * blockDim.x)) {
      float sum = 0.0f;
      for (int j = 0; j < top_k; ++j) {
        const std::size_t pair = static_cast<std::size_t>(t) * top_k + j;
        sum += weights[pair] * load_as_float(expert_out[pair * hidden + h]);
      }
      out[static_cast<std::size_t>(t) * hidden + h] = store_from_float<T>(sum);
    }
}

}  // namespace r1eval::kernels::cuda_detail
