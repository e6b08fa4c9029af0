#include "engine/model/transformer_weights.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <tbb/parallel_for.h>

#include "kernels/moe.h"

namespace r1eval::engine {
namespace {

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

// Reads and checks tensors of one checkpoint for one rank.
class ShardReader {
 public:
  // `quantized`: where the scales of quantized matrices are (ModelConfig::quantized_weights).
  explicit ShardReader(const Checkpoint& checkpoint, ModelConfig::QuantizedWeights quantized = {})
      : checkpoint_(checkpoint), quantized_(std::move(quantized)) {}

  // `quantized_matrix`: the tensor is a weight matrix, which a quantized checkpoint may store as F8_E4M3 or I8 codes.
  TensorView checked(const std::string& name, const std::vector<std::int64_t>& expected,
                     bool quantized_matrix = false) const {
    const TensorView view = checkpoint_.require(name);
    // Any float dtype is read (to float): norms kept in fp32 beside 16-bit matrices, and fine-tunes saved in
    // fp32 under a declared bfloat16 (transformers loads those too, casting). Bytes are not weights.
    const DType dtype = view.info->dtype;
    if (dtype == DType::kU8 || dtype == DType::kI32 || dtype == DType::kI64 ||
        ((dtype == DType::kF8E4M3 || dtype == DType::kI8) && !quantized_matrix))
      fail(view, "dtype " + std::string(dtype_name(dtype)) + " where a BF16, F16 or F32 tensor is expected" +
                     (quantized_matrix ? "" : " (quantized codes are read for weight matrices only)"));
    if (view.info->shape != expected) {
      fail(view, "shape " + shape_string(view.info->shape) + " but the config needs " + shape_string(expected));
    }
    return view;
  }

  bool has(const std::string& name) const { return checkpoint_.contains(name); }

  // A U8 tensor of the expected shape (MXFP4 blocks and scales), as its bytes.
  const std::uint8_t* bytes(const std::string& name, const std::vector<std::int64_t>& expected) const {
    const TensorView view = checkpoint_.require(name);
    if (view.info->shape != expected) {
      fail(view, "shape " + shape_string(view.info->shape) + " but the config needs " + shape_string(expected));
    }
    if (view.info->dtype != DType::kU8) fail(view, "dtype " + std::string(dtype_name(view.info->dtype)) + " where U8 is expected");
    return reinterpret_cast<const std::uint8_t*>(view.data);
  }

  std::vector<float> vector(const std::string& name, std::int64_t n) const {
    const TensorView view = checked(name, {n});
    std::vector<float> out(static_cast<std::size_t>(n));
    view.to_float(0, static_cast<std::uint64_t>(n), out.data());
    return out;
  }

  // Rows [rows.begin, rows.end) of a [out, in] matrix.
  std::vector<float> rows(const std::string& name, std::int64_t out, std::int64_t in, Range rows) const {
    return submatrix(name, out, in, rows, Range{0, in});
  }

  // Columns [cols.begin, cols.end) of every row of a [out, in] matrix.
  std::vector<float> columns(const std::string& name, std::int64_t out, std::int64_t in, Range cols) const {
    return submatrix(name, out, in, Range{0, out}, cols);
  }

  // Matrix `index` ([rows, cols]) of a [count, rows, cols] stack (gpt-oss's fused experts).
  std::vector<float> stacked(const std::string& name, std::int64_t count, std::int64_t rows, std::int64_t cols,
                             std::int64_t index) const {
    const TensorView view = checked(name, {count, rows, cols});
    std::vector<float> result(static_cast<std::size_t>(rows * cols));
    view.to_float(static_cast<std::uint64_t>(index * rows * cols), result.size(), result.data());
    return result;
  }

  // Elements [part.begin, part.end) of a vector of n.
  std::vector<float> slice(const std::string& name, std::int64_t n, Range part) const {
    const TensorView view = checked(name, {n});
    std::vector<float> result(static_cast<std::size_t>(part.size()));
    view.to_float(static_cast<std::uint64_t>(part.begin), result.size(), result.data());
    return result;
  }

 private:
  [[noreturn]] static void fail(const TensorView& view, const std::string& what) {
    throw std::runtime_error(*view.file + ": tensor " + quote_name(view.info->name) + ": " + what);
  }

  // [rows) x [cols) of a [out, in] matrix, row-major. Quantized codes (F8_E4M3 or I8 as <name>, or int4 / int8
  // packed into the I32 <name>_packed) are scaled by their block's scale (scale_grid), as transformers, vLLM and
  // compressed-tensors dequantize them: code x scale, in fp32.
  std::vector<float> submatrix(const std::string& name, std::int64_t out, std::int64_t in, Range rows, Range cols) const {
    if ((quantized_.awq_group > 0 || quantized_.gptq_bits > 0) && !checkpoint_.contains(name) &&
        name.ends_with(".weight")) {
      const std::string prefix = name.substr(0, name.size() - std::string_view(".weight").size());
      if (checkpoint_.contains(prefix + ".qweight"))
        return quantized_.awq_group > 0 ? awq_submatrix(prefix, out, in, rows, cols)
                                        : gptq_submatrix(prefix, out, in, rows, cols);
    }
    const auto width = static_cast<std::size_t>(cols.size());
    std::vector<float> result(static_cast<std::size_t>(rows.size()) * width);
    const bool packed = quantized_.packed_bits > 0 && !checkpoint_.contains(name) && checkpoint_.contains(name + "_packed");
    const TensorView view = packed ? packed_codes(name + "_packed", out, in) : checked(name, {out, in}, true);
    const bool quantized = packed || view.info->dtype == DType::kF8E4M3 || view.info->dtype == DType::kI8;
    const ScaleGrid grid = quantized ? scale_grid(view, name, out, in) : ScaleGrid{};
    std::vector<float> block_scales(static_cast<std::size_t>(grid.cols));
    for (std::int64_t r = rows.begin; r < rows.end; ++r) {
      float* row = result.data() + static_cast<std::size_t>(r - rows.begin) * width;
      if (packed)
        unpack_codes(view, r, cols, row);
      else
        view.to_float(static_cast<std::uint64_t>(r * in + cols.begin), width, row);
      if (!quantized) continue;
      grid.scales.to_float(static_cast<std::uint64_t>(r / grid.block_rows * grid.cols), block_scales.size(),
                           block_scales.data());
      for (std::size_t c = 0; c < width; ++c)
        row[c] *= block_scales[static_cast<std::size_t>((cols.begin + static_cast<std::int64_t>(c)) / grid.block_cols)];
    }
    return result;
  }

  // [rows) x [cols) of W [out, in] from a layout that stores it input-major (AWQ, GPTQ): `decode(i, line)` writes
  // input i's weights for outputs [rows) into line[0, rows.size()); decoded a tile of inputs at a time (reading
  // the packed words in order), then written out row by row.
  template <typename Decode>
  static std::vector<float> transposed(Range rows, Range cols, Decode&& decode) {
    const auto width = static_cast<std::size_t>(cols.size()), height = static_cast<std::size_t>(rows.size());
    std::vector<float> result(height * width);
    constexpr std::int64_t kTile = 64;
    std::vector<float> tile(static_cast<std::size_t>(kTile) * height);  // [input of the tile][output]
    for (std::int64_t i0 = cols.begin; i0 < cols.end; i0 += kTile) {
      const std::int64_t i1 = std::min(cols.end, i0 + kTile);
      for (std::int64_t i = i0; i < i1; ++i) decode(i, tile.data() + static_cast<std::size_t>(i - i0) * height);
      for (std::size_t at = 0; at < height; ++at)
        for (std::int64_t i = i0; i < i1; ++i)
          result[at * width + static_cast<std::size_t>(i - cols.begin)] = tile[static_cast<std::size_t>(i - i0) * height + at];
    }
    return result;
  }

  // Code `index` of a row of `bits`-bit codes packed into little-endian int32 words from the lowest bits up.
  static int packed_code(const std::byte* words, std::int64_t index, int bits) {
    const std::int64_t bit = index * bits;  // 4 and 8 divide 32: a code never straddles two words
    std::uint32_t word;
    std::memcpy(&word, words + static_cast<std::size_t>(bit / 32) * 4, 4);
    return static_cast<int>((word >> (bit % 32)) & ((1u << bits) - 1));
  }

  // An AutoAWQ GEMM matrix (quant_method awq): the codes of output o sit in word o / 8 of each input's row, at nibble
  // kAwqNibble[o % 8] (AutoAWQ packs the outputs 0, 2, 4, 6, 1, 3, 5, 7 into nibbles 0-7), and so do the zero points
  // of each group of inputs; w = (code - zero) x scale.
  std::vector<float> awq_submatrix(const std::string& prefix, std::int64_t out, std::int64_t in, Range rows,
                                   Range cols) const {
    static constexpr int kAwqNibble[8] = {0, 4, 1, 5, 2, 6, 3, 7};
    const std::int64_t group = quantized_.awq_group, groups = (in + group - 1) / group, words = out / 8;
    if (out % 8 != 0)
      fail(checkpoint_.require(prefix + ".qweight"), "AWQ packs eight outputs to a word, not " + std::to_string(out));
    const TensorView qweight = typed(prefix + ".qweight", DType::kI32, {in, words});
    const TensorView qzeros = typed(prefix + ".qzeros", DType::kI32, {groups, words});
    const TensorView scales = checked(prefix + ".scales", {groups, out});
    const auto height = static_cast<std::size_t>(rows.size());
    std::vector<float> group_scales(height);
    std::int64_t loaded_group = -1;
    const auto code = [&](const std::byte* row, std::int64_t o) {
      return packed_code(row, o / 8 * 8 + kAwqNibble[o % 8], 4);
    };
    return transposed(rows, cols, [&](std::int64_t i, float* line) {
      if (i / group != loaded_group) {
        loaded_group = i / group;
        scales.to_float(static_cast<std::uint64_t>(loaded_group * out + rows.begin), height, group_scales.data());
      }
      const std::byte* codes = qweight.data + static_cast<std::size_t>(i * words) * 4;
      const std::byte* zeros = qzeros.data + static_cast<std::size_t>(loaded_group * words) * 4;
      for (std::int64_t o = rows.begin; o < rows.end; ++o) {
        const auto at = static_cast<std::size_t>(o - rows.begin);
        line[at] = static_cast<float>(code(codes, o) - code(zeros, o)) * group_scales[at];
      }
    });
  }

  // A GPTQ matrix (quant_method gptq): input i's codes sit in row i / per of qweight (per = 32 / bits codes a word),
  // code i % per of each output's word; zero points packed along the outputs (stored less the format's offset, which
  // comes back modulo 2^bits as AutoGPTQ adds it); the group of input i is g_idx[i] when stored, else i / group.
  std::vector<float> gptq_submatrix(const std::string& prefix, std::int64_t out, std::int64_t in, Range rows,
                                    Range cols) const {
    const int bits = quantized_.gptq_bits, per = 32 / bits;
    const std::int64_t group = quantized_.gptq_group > 0 ? quantized_.gptq_group : in;
    const std::int64_t groups = (in + group - 1) / group;
    if (in % per != 0 || out % per != 0)
      fail(checkpoint_.require(prefix + ".qweight"),
           "GPTQ packs " + std::to_string(per) + " codes to a word, but the layer is [" + std::to_string(out) + "," +
               std::to_string(in) + "]");
    const TensorView qweight = typed(prefix + ".qweight", DType::kI32, {in / per, out});
    const TensorView qzeros = typed(prefix + ".qzeros", DType::kI32, {groups, out / per});
    const TensorView scales = checked(prefix + ".scales", {groups, out});
    std::vector<std::int32_t> group_of(static_cast<std::size_t>(in));
    if (checkpoint_.contains(prefix + ".g_idx")) {
      const TensorView g_idx = typed(prefix + ".g_idx", DType::kI32, {in});
      std::memcpy(group_of.data(), g_idx.data, group_of.size() * 4);
      for (const std::int32_t g : group_of)
        if (g < 0 || g >= groups) fail(g_idx, "group " + std::to_string(g) + " outside [0, " + std::to_string(groups) + ")");
    } else {
      for (std::int64_t i = 0; i < in; ++i) group_of[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i / group);
    }
    // Each group's zero points and scales of the outputs [rows), decoded once.
    const auto height = static_cast<std::size_t>(rows.size());
    std::vector<float> zeros(static_cast<std::size_t>(groups) * height), group_scales(zeros.size());
    const int mask = (1 << bits) - 1;
    for (std::int64_t g = 0; g < groups; ++g) {
      const std::byte* packed = qzeros.data + static_cast<std::size_t>(g * (out / per)) * 4;
      for (std::int64_t o = rows.begin; o < rows.end; ++o)
        zeros[static_cast<std::size_t>(g) * height + static_cast<std::size_t>(o - rows.begin)] =
            static_cast<float>((packed_code(packed, o, bits) + quantized_.gptq_zero_offset) & mask);
      scales.to_float(static_cast<std::uint64_t>(g * out + rows.begin), height, group_scales.data() + g * height);
    }
    return transposed(rows, cols, [&](std::int64_t i, float* line) {
      const auto g = static_cast<std::size_t>(group_of[static_cast<std::size_t>(i)]);
      const std::byte* word_row = qweight.data + static_cast<std::size_t>(i / per * out) * 4;
      for (std::int64_t o = rows.begin; o < rows.end; ++o) {
        std::uint32_t word;
        std::memcpy(&word, word_row + static_cast<std::size_t>(o) * 4, 4);
        const auto at = static_cast<std::size_t>(o - rows.begin);
        const int code = static_cast<int>((word >> (bits * (i % per))) & static_cast<std::uint32_t>(mask));
        line[at] = (static_cast<float>(code) - zeros[g * height + at]) * group_scales[g * height + at];
      }
    });
  }

  // A tensor that must have exactly this dtype and shape (packed integer words).
  TensorView typed(const std::string& name, DType dtype, const std::vector<std::int64_t>& expected) const {
    const TensorView view = checkpoint_.require(name);
    if (view.info->dtype != dtype)
      fail(view, "dtype " + std::string(dtype_name(view.info->dtype)) + " where " + std::string(dtype_name(dtype)) +
                     " is expected");
    if (view.info->shape != expected)
      fail(view, "shape " + shape_string(view.info->shape) + " but the config needs " + shape_string(expected));
    return view;
  }

  // A pack-quantized matrix's codes: [out, ceil(in * bits / 32)] I32 words, each row's codes from its first word's
  // lowest bits up.
  TensorView packed_codes(const std::string& packed_name, std::int64_t out, std::int64_t in) const {
    return typed(packed_name, DType::kI32, {out, (in * quantized_.packed_bits + 31) / 32});
  }

  // Row r's codes [cols) of packed matrix `view`, as signed integers: a code of b bits holds value + 2^(b-1).
  void unpack_codes(const TensorView& view, std::int64_t r, Range cols, float* row) const {
    const int bits = quantized_.packed_bits;
    const std::byte* base = view.data + static_cast<std::size_t>(r * view.info->shape[1]) * 4;
    for (std::int64_t c = cols.begin; c < cols.end; ++c)
      row[c - cols.begin] = static_cast<float>(packed_code(base, c, bits) - (1 << (bits - 1)));
  }

  // Where a quantized matrix's scales are: <name><suffix>, a [ceil(out / block rows), ceil(in / block cols)] grid of
  // any float dtype (trailing dims of 1 may be left out: a row's scales [out, 1] or [out], a tensor's [1] or []).
  // Partial blocks at the edges take their block's scale.
  struct ScaleGrid {
    TensorView scales;
    std::int64_t block_rows = 1, block_cols = 1, cols = 0;
  };
  ScaleGrid scale_grid(const TensorView& view, const std::string& name, std::int64_t out, std::int64_t in) const {
    if (quantized_.scale_suffix.empty())
      fail(view, "dtype " + std::string(dtype_name(view.info->dtype)) + ", but config.json's quantization_config "
                 "declares no quantized weights (quant_method fp8, fbgemm_fp8 or compressed-tensors)");
    ScaleGrid grid;
    grid.block_rows = quantized_.block_rows > 0 ? quantized_.block_rows : out;
    grid.block_cols = quantized_.block_cols > 0 ? quantized_.block_cols : in;
    grid.cols = (in + grid.block_cols - 1) / grid.block_cols;
    const std::vector<std::int64_t> expected{(out + grid.block_rows - 1) / grid.block_rows, grid.cols};
    const std::string scale_name = name + quantized_.scale_suffix;
    if (!checkpoint_.contains(scale_name))
      fail(view, "dtype " + std::string(dtype_name(view.info->dtype)) + " without its scales " + quote_name(scale_name));
    grid.scales = checkpoint_.require(scale_name);
    const DType dtype = grid.scales.info->dtype;
    if (dtype != DType::kBF16 && dtype != DType::kF16 && dtype != DType::kF32)
      fail(grid.scales, "dtype " + std::string(dtype_name(dtype)) + " where BF16, F16 or F32 scales are expected");
    const auto without_ones = [](std::vector<std::int64_t> shape) {  // the trailing ones
      while (!shape.empty() && shape.back() == 1) shape.pop_back();
      return shape;
    };
    if (without_ones(grid.scales.info->shape) != without_ones(expected))
      fail(grid.scales, "shape " + shape_string(grid.scales.info->shape) + " but the scales of " + quote_name(name) +
                            " [" + std::to_string(out) + "," + std::to_string(in) + "] need " + shape_string(expected));
    return grid;
  }

  const Checkpoint& checkpoint_;
  ModelConfig::QuantizedWeights quantized_;
};

ShardReader reader_of(const Checkpoint& checkpoint, const ModelConfig& config) {
  return ShardReader(checkpoint, config.quantized_weights);
}

Range offset(Range range, std::int64_t by) { return Range{range.begin + by, range.end + by}; }

Linear column_parallel(const ShardReader& reader, const std::string& prefix, std::int64_t out, std::int64_t in,
                       Range rows, bool bias) {
  Linear linear{rows.size(), in, reader.rows(prefix + ".weight", out, in, rows), {}};
  if (bias) linear.bias = reader.slice(prefix + ".bias", out, rows);
  return linear;
}

// GLM's RoPE turns the pairs (2i, 2i + 1) of each head's first rotated dims; the backends turn (i, i + half) with
// the frequency of pair i. Reordering every q and k head's rows (weights and bias) to the even dims, then the
// odd ones, then the unrotated rest makes the two the same rotation of the same pairs, and q . k is unchanged
// by a reordering common to q and k. The rows hold whole heads (the shard ranges are head-aligned).
void deinterleave_rotary_rows(Linear& projection, const ModelConfig& config) {
  const std::int64_t head_dim = config.head_dim, half = (config.rotated_dims() + 1) / 2;
  const auto reordered_row = [&](std::int64_t row) {  // the source row of destination row `row` in its head
    const std::int64_t head = row / head_dim, d = row % head_dim;
    const std::int64_t source = d < half ? 2 * d : d < 2 * half ? 2 * (d - half) + 1 : d;
    return head * head_dim + source;
  };
  const auto in = static_cast<std::size_t>(projection.in);
  std::vector<float> weight(projection.weight.size());
  for (std::int64_t row = 0; row < projection.out; ++row)
    std::copy_n(projection.weight.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(reordered_row(row)) * in), in,
                weight.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(row) * in));
  projection.weight = std::move(weight);
  if (projection.bias.empty()) return;
  std::vector<float> bias(projection.bias.size());
  for (std::int64_t row = 0; row < projection.out; ++row)
    bias[static_cast<std::size_t>(row)] = projection.bias[static_cast<std::size_t>(reordered_row(row))];
  projection.bias = std::move(bias);
}

void scale_linear(Linear& linear, double factor) {
  for (float& w : linear.weight) w = static_cast<float>(w * factor);
  for (float& b : linear.bias) b = static_cast<float>(b * factor);
}

// The bias of a row-parallel layer is added once, by rank 0, before the partial sums are reduced.
Linear row_parallel(const ShardReader& reader, const std::string& prefix, std::int64_t out, std::int64_t in,
                    Range cols, bool bias, int rank) {
  Linear linear{out, cols.size(), reader.columns(prefix + ".weight", out, in, cols), {}};
  if (bias) {
    linear.bias = reader.vector(prefix + ".bias", out);
    if (rank != 0) linear.bias.assign(linear.bias.size(), 0.0f);
  }
  return linear;
}

// gpt-oss's released experts in MXFP4: `<name>_blocks` [count, rows, cols / 32, 16] holds two E2M1 values a byte
// (the low nibble first) and `<name>_scales` [count, rows, cols / 32] each 32-value group's power-of-two scale,
// biased by 127. Matrix `index` ([rows, cols], one row per output feature) widened to fp32, exactly as transformers'
// convert_moe_packed_tensors dequantizes it.
std::vector<float> mxfp4_matrix(const ShardReader& reader, const std::string& name, std::int64_t count, std::int64_t rows,
                                std::int64_t cols, std::int64_t index) {
  if (cols % 32 != 0)
    throw std::runtime_error("tensor " + quote_name(name + "_blocks") + ": MXFP4 needs rows of whole 32-value groups, not " +
                             std::to_string(cols));
  const std::int64_t groups = cols / 32;
  // The matrix's rows as the kernels read them (kernels/moe.h: the same decoding on every path).
  const kernels::Mxfp4Weights matrix{reader.bytes(name + "_blocks", {count, rows, groups, 16}) + index * rows * groups * 16,
                                     reader.bytes(name + "_scales", {count, rows, groups}) + index * rows * groups};
  std::vector<float> out(static_cast<std::size_t>(rows * cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (int k = 0; k < static_cast<int>(cols); ++k)
      out[static_cast<std::size_t>(r * cols + k)] = kernels::mxfp4_value(matrix, static_cast<std::size_t>(r), k, static_cast<int>(cols));
  return out;
}

// gpt-oss's MLP: mlp.router (weight and bias) and every expert's slice from the fused stacks, gate_up_proj
// [experts, hidden, 2 * inter] (x @ W: gate and up columns alternate) with its bias [experts, 2 * inter] and down_proj
// [experts, inter, hidden] with its bias [experts, hidden] (`mlp`: the layer's "....mlp." prefix), turned into the per-expert [out, in] linears (the down
// bias on rank 0 alone, as any row-parallel bias). The released checkpoints store both stacks in MXFP4 instead
// (mxfp4_matrix: gate_up [2 * inter, hidden] with gate and up rows alternating, down [hidden, inter] per expert).
void read_fused_experts(const ShardReader& reader, const std::string& mlp, const ModelConfig& c, Range part, int rank,
                        bool skip_matrices, LayerWeights& layer) {
  const std::int64_t hidden = c.hidden_size, inter = c.moe.expert_intermediate_size, experts = c.moe.num_experts;
  const auto local = static_cast<std::size_t>(part.size());
  const auto h_count = static_cast<std::size_t>(hidden);
  layer.router = column_parallel(reader, mlp + "router", experts, hidden, {0, experts}, c.moe.biases);
  const std::string gate_up = mlp + "experts.gate_up_proj", down = mlp + "experts.down_proj";
  std::vector<float> gate_up_bias, down_bias;
  if (c.moe.biases) {
    gate_up_bias = reader.rows(gate_up + "_bias", experts, 2 * inter, {0, experts});
    down_bias = reader.rows(down + "_bias", experts, hidden, {0, experts});
  }
  layer.experts.resize(static_cast<std::size_t>(experts));
  for (std::int64_t e = 0; e < experts; ++e) {
    ExpertWeights& expert = layer.experts[static_cast<std::size_t>(e)];
    // gate_up as [hidden][2 inter] (x @ W) or, from MXFP4, [2 inter][hidden]: element (h, column) at either place.
    const bool packed = reader.has(gate_up + "_blocks");
    if (packed && skip_matrices) {  // kept packed (mxfp4_experts): the linears' shapes without their weights
      expert.gate = {part.size(), hidden, {}, {}};
      expert.up = {part.size(), hidden, {}, {}};
      expert.down = {hidden, part.size(), {}, {}};
    } else {
      const std::vector<float> fused = packed ? mxfp4_matrix(reader, gate_up, experts, 2 * inter, hidden, e)
                                              : reader.stacked(gate_up, experts, hidden, 2 * inter, e);
      const auto gate_up_at = [&](std::size_t h, std::size_t column) {
        return packed ? fused[column * h_count + h] : fused[h * 2 * static_cast<std::size_t>(inter) + column];
      };
      expert.gate = {part.size(), hidden, std::vector<float>(local * h_count), {}};
      expert.up = {part.size(), hidden, std::vector<float>(local * h_count), {}};
      for (std::size_t f = 0; f < local; ++f) {
        const auto column = 2 * (static_cast<std::size_t>(part.begin) + f);
        for (std::size_t h = 0; h < h_count; ++h) {
          expert.gate.weight[f * h_count + h] = gate_up_at(h, column);
          expert.up.weight[f * h_count + h] = gate_up_at(h, column + 1);
        }
      }
      // down as [inter][hidden] or, from MXFP4, [hidden][inter].
      const std::vector<float> down_rows = packed ? mxfp4_matrix(reader, down, experts, hidden, inter, e)
                                                  : reader.stacked(down, experts, inter, hidden, e);
      const auto i_count = static_cast<std::size_t>(inter);
      expert.down = {hidden, part.size(), std::vector<float>(h_count * local), {}};
      for (std::size_t h = 0; h < h_count; ++h)
        for (std::size_t f = 0; f < local; ++f) {
          const std::size_t i = static_cast<std::size_t>(part.begin) + f;
          expert.down.weight[h * local + f] = packed ? down_rows[h * i_count + i] : down_rows[i * h_count + h];
        }
    }
    if (!c.moe.biases) continue;
    const std::size_t row = static_cast<std::size_t>(e) * 2 * static_cast<std::size_t>(inter);
    for (std::size_t f = 0; f < local; ++f) {
      const std::size_t column = row + 2 * (static_cast<std::size_t>(part.begin) + f);
      expert.gate.bias.push_back(gate_up_bias[column]);
      expert.up.bias.push_back(gate_up_bias[column + 1]);
    }
    const auto first = down_bias.begin() + static_cast<std::ptrdiff_t>(e * hidden);
    expert.down.bias = rank == 0 ? std::vector<float>(first, first + hidden) : std::vector<float>(h_count, 0.0f);
  }
}

}  // namespace

Range shard_range(std::int64_t n, int rank, int world_size) {
  return Range{n * rank / world_size, n * (rank + 1) / world_size};
}

std::int64_t local_kv_heads(const ModelConfig& config, int world_size) {
  const std::int64_t kv = config.num_key_value_heads;
  if (world_size <= 0 || config.num_attention_heads % world_size != 0 || (kv % world_size != 0 && world_size % kv != 0)) {
    throw std::runtime_error("tensor parallel: world size " + std::to_string(world_size) +
                             " must divide num_attention_heads (" + std::to_string(config.num_attention_heads) +
                             ") and divide or be a multiple of num_key_value_heads (" + std::to_string(kv) + ")");
  }
  return kv >= world_size ? kv / world_size : 1;
}

std::uint64_t TransformerWeights::weight_bytes_per_step() const {
  std::uint64_t floats = static_cast<std::uint64_t>(vocab.size() * config.hidden_size);  // head
  for (const LayerWeights& layer : layers) {
    for (const Linear* linear : {&layer.q, &layer.k, &layer.v, &layer.o, &layer.gate, &layer.up, &layer.down, &layer.router}) {
      floats += linear->weight.size() + linear->bias.size();
    }
    // A step with enough tokens reads every expert; one token reads experts_per_token of them.
    for (const ExpertWeights& e : layer.experts)
      floats += e.gate.weight.size() + e.up.weight.size() + e.down.weight.size();
    floats += layer.input_norm.size() + layer.post_attention_norm.size() + layer.q_norm.size() + layer.k_norm.size() +
              layer.attn_output_norm.size() + layer.ffn_output_norm.size();
  }
  floats += final_norm.size();
  return floats * sizeof(float);
}

namespace {

// Gemma's RMSNorm scales by (1 + weight): the stored offsets become the factors.
std::vector<float> norm_factors(std::vector<float> weight, const ModelConfig& config) {
  if (config.norm_weight_offset)
    for (float& w : weight) w += 1.0f;
  return weight;
}

bool same_bytes(const TensorView& a, const TensorView& b) {
  if (a.info->dtype != b.info->dtype || a.info->shape != b.info->shape) return false;
  const std::uint64_t bytes = a.info->end - a.info->begin;
  return bytes == b.info->end - b.info->begin && std::memcmp(a.data, b.data, bytes) == 0;
}

}  // namespace

TransformerShardReader::TransformerShardReader(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard)
    : checkpoint_(checkpoint), config_(config), shard_(shard) {
  // An image-text checkpoint's language model: save_pretrained writes language_model.model.* and
  // language_model.lm_head.weight; transformers 5 holds them as model.language_model.* and lm_head.weight and
  // reads either.
  if (config_.multimodal_wrapper) {
    const bool in_memory_names = !checkpoint.contains("language_model.model.embed_tokens.weight") &&
                                 checkpoint.contains("model.language_model.embed_tokens.weight");
    body_ = in_memory_names ? "model.language_model." : "language_model.model.";
    head_tensor_ = in_memory_names ? "lm_head.weight" : "language_model.lm_head.weight";
  }
  embed_tensor_ = body_ + "embed_tokens.weight";
  final_norm_tensor_ = body_ + "norm.weight";
  if (config_.architecture == Architecture::kExaone && checkpoint.contains("transformer.wte.weight")) {
    exaone_names_ = true;
    embed_tensor_ = "transformer.wte.weight";
    final_norm_tensor_ = "transformer.ln_f.weight";
  }
  // Tied embeddings as transformers (5.x) loads them: a head stored beside the embedding with other values
  // is used as stored ("will NOT tie them"), and a tied checkpoint that stores only the head gives the
  // embedding from it.
  if (config_.tie_word_embeddings && checkpoint.contains(head_tensor_)) {
    if (!checkpoint.contains(embed_tensor_)) embed_tensor_ = head_tensor_;
    else if (!same_bytes(checkpoint.require(embed_tensor_), checkpoint.require(head_tensor_)))
      config_.tie_word_embeddings = false;
  }
  // Gemma's embedding multiplier in the dtype the weights load as: without a declared dtype, the embedding's own.
  if (config_.norm_weight_offset && !config_.torch_dtype && checkpoint.contains(embed_tensor_))
    config_.embedding_multiplier = round_to_dtype(config_.embedding_multiplier, checkpoint.require(embed_tensor_).info->dtype);
  if (shard.world_size <= 0 || shard.rank < 0 || shard.rank >= shard.world_size) {
    throw std::invalid_argument("tensor parallel: rank " + std::to_string(shard.rank) + " of world size " +
                                std::to_string(shard.world_size) + " is not a valid rank");
  }
  const std::int64_t head_dim = config.head_dim;
  local_q_heads_ = config.num_attention_heads / shard.world_size;
  local_kv_heads_ = engine::local_kv_heads(config, shard.world_size);
  vocab_ = shard.shard_vocab ? shard_range(config.vocab_size, shard.rank, shard.world_size)
                             : Range{0, config.vocab_size};
  q_rows_ = Range{shard.rank * local_q_heads_ * head_dim, (shard.rank + 1) * local_q_heads_ * head_dim};
  // With replicated key/value heads, rank r's query heads all belong to key/value head r * kv / world.
  const std::int64_t first_kv_head = config.num_key_value_heads >= shard.world_size
                                         ? shard.rank * local_kv_heads_
                                         : shard.rank * config.num_key_value_heads / shard.world_size;
  kv_rows_ = Range{first_kv_head * head_dim, (first_kv_head + local_kv_heads_) * head_dim};
  inter_part_ = shard_range(config.intermediate_size, shard.rank, shard.world_size);
  expert_part_ = shard_range(config.moe.expert_intermediate_size, shard.rank, shard.world_size);
  // MXFP4 experts are cut between whole 32-value groups of their intermediate rows, so that every rank's slice stays
  // packed (gpt-oss's 2880 = 90 groups: 22 or 23 groups a rank at 4 ranks, where an even cut would halve groups).
  // Ranks then differ by a group; with fewer groups than ranks the even cut stays (and the slices are widened).
  const std::int64_t groups = config.moe.expert_intermediate_size / 32;
  if (mxfp4_checkpoint() && config.moe.expert_intermediate_size % 32 == 0 && groups >= shard.world_size) {
    const Range part = shard_range(groups, shard.rank, shard.world_size);
    expert_part_ = Range{32 * part.begin, 32 * part.end};
  }
}

bool TransformerShardReader::mxfp4_checkpoint() const {
  if (!config_.moe.fused_experts) return false;
  for (std::int64_t n = 0; n < config_.num_hidden_layers; ++n)
    if (config_.moe.sparse(n)) return checkpoint_.contains(layer_name(n, "mlp.experts.gate_up_proj_blocks"));
  return false;
}

TransformerWeights TransformerShardReader::skeleton() const {
  TransformerWeights w;
  w.config = config_;
  w.shard = shard_;
  w.local_q_heads = local_q_heads_;
  w.local_kv_heads = local_kv_heads_;
  w.vocab = vocab_;
  return w;
}

std::vector<float> TransformerShardReader::embed() const {
  return reader_of(checkpoint_, config_).rows(embed_tensor_, config_.vocab_size, config_.hidden_size, vocab_);
}

std::vector<float> TransformerShardReader::final_norm() const {
  std::vector<float> factors =
      norm_factors(reader_of(checkpoint_, config_).vector(final_norm_tensor_, config_.hidden_size), config_);
  if (config_.logits_scaling != 1.0)  // Granite: logits / logits_scaling, folded into the norm before the head
    for (float& f : factors) f = static_cast<float>(f / config_.logits_scaling);
  return factors;
}

std::vector<float> TransformerShardReader::lm_head() const {
  if (config_.tie_word_embeddings) return {};
  return reader_of(checkpoint_, config_).rows(head_tensor_, config_.vocab_size, config_.hidden_size, vocab_);
}

std::string TransformerShardReader::layer_name(std::int64_t layer, const std::string& suffix) const {
  if (!exaone_names_) return body_ + "layers." + std::to_string(layer) + "." + suffix;
  // transformers' renaming of EXAONE's released names, read backwards (first matching prefix).
  static constexpr std::pair<std::string_view, std::string_view> kReleased[] = {
      {"self_attn.o_proj", "attn.attention.out_proj"},   {"self_attn.", "attn.attention."},
      {"input_layernorm", "ln_1"},                       {"post_attention_layernorm", "ln_2"},
      {"mlp.gate_proj", "mlp.c_fc_0"},                   {"mlp.up_proj", "mlp.c_fc_1"},
      {"mlp.down_proj", "mlp.c_proj"}};
  std::string released = suffix;
  for (const auto& [canonical, name] : kReleased)
    if (suffix.rfind(canonical, 0) == 0) {
      released = std::string(name) + suffix.substr(canonical.size());
      break;
    }
  return "transformer.h." + std::to_string(layer) + "." + released;
}

bool TransformerShardReader::packed_experts(std::int64_t n) const {
  const ModelConfig& c = config_;
  return c.moe.sparse(n) && c.moe.fused_experts && checkpoint_.contains(layer_name(n, "mlp.experts.gate_up_proj_blocks")) &&
         c.hidden_size % 32 == 0 && expert_part_.begin % 32 == 0 && expert_part_.size() % 32 == 0;
}

Mxfp4ExpertStacks TransformerShardReader::mxfp4_experts(std::int64_t n) const {
  if (!packed_experts(n))
    throw std::logic_error("mxfp4_experts: layer " + std::to_string(n) + "'s experts of this rank cannot stay packed");
  const ShardReader reader = reader_of(checkpoint_, config_);
  const ModelConfig& c = config_;
  const std::int64_t hidden = c.hidden_size, inter = c.moe.expert_intermediate_size, experts = c.moe.num_experts;
  const std::string gate_up = layer_name(n, "mlp.experts.gate_up_proj"), down = layer_name(n, "mlp.experts.down_proj");
  const std::uint8_t* gu_blocks = reader.bytes(gate_up + "_blocks", {experts, 2 * inter, hidden / 32, 16});
  const std::uint8_t* gu_scales = reader.bytes(gate_up + "_scales", {experts, 2 * inter, hidden / 32});
  const std::uint8_t* d_blocks = reader.bytes(down + "_blocks", {experts, hidden, inter / 32, 16});
  const std::uint8_t* d_scales = reader.bytes(down + "_scales", {experts, hidden, inter / 32});
  Mxfp4ExpertStacks s;
  const auto row_bytes = static_cast<std::size_t>(hidden / 2), row_scales = static_cast<std::size_t>(hidden / 32);
  const auto append = [](std::vector<std::uint8_t>& to, const std::uint8_t* from, std::size_t count) {
    to.insert(to.end(), from, from + count);
  };
  for (std::int64_t e = 0; e < experts; ++e) {
    for (int m = 0; m < 2; ++m)  // gate rows (even stored rows), then up rows (odd)
      for (std::int64_t f = expert_part_.begin; f < expert_part_.end; ++f) {
        const auto row = static_cast<std::size_t>(e * 2 * inter + 2 * f + m);
        append(s.gate_up_blocks, gu_blocks + row * row_bytes, row_bytes);
        append(s.gate_up_scales, gu_scales + row * row_scales, row_scales);
      }
    for (std::int64_t h = 0; h < hidden; ++h) {  // the rank's columns of each row: whole groups
      const auto row = static_cast<std::size_t>(e * hidden + h);
      append(s.down_blocks, d_blocks + row * static_cast<std::size_t>(inter / 2) + static_cast<std::size_t>(expert_part_.begin / 2),
             static_cast<std::size_t>(expert_part_.size() / 2));
      append(s.down_scales, d_scales + row * static_cast<std::size_t>(inter / 32) + static_cast<std::size_t>(expert_part_.begin / 32),
             static_cast<std::size_t>(expert_part_.size() / 32));
    }
  }
  return s;
}

LayerWeights TransformerShardReader::layer(std::int64_t n, bool keep_packed) const {
  const ShardReader reader = reader_of(checkpoint_, config_);
  const ModelConfig& c = config_;
  const std::int64_t hidden = c.hidden_size, inter = c.intermediate_size;
  const std::int64_t q_out = c.num_attention_heads * c.head_dim, kv_out = c.num_key_value_heads * c.head_dim;
  LayerWeights layer;
  const auto norm = [&](const char* name, std::int64_t size) {
    return norm_factors(reader.vector(layer_name(n, name), size), c);
  };
  if (c.input_norms) layer.input_norm = norm("input_layernorm.weight", hidden);
  if (c.sandwich_norms && c.architecture == Architecture::kGlm4) {  // the same layer under GLM-4-0414's names
    layer.attn_output_norm = norm("post_self_attn_layernorm.weight", hidden);
    layer.post_attention_norm = norm("post_attention_layernorm.weight", hidden);
    layer.ffn_output_norm = norm("post_mlp_layernorm.weight", hidden);
  } else if (c.sandwich_norms) {  // Gemma 2/3, OLMo 2/3: post_attention_layernorm normalises the attention output
    layer.attn_output_norm = norm("post_attention_layernorm.weight", hidden);
    if (c.input_norms) layer.post_attention_norm = norm("pre_feedforward_layernorm.weight", hidden);
    layer.ffn_output_norm = norm("post_feedforward_layernorm.weight", hidden);
  } else {
    layer.post_attention_norm = norm("post_attention_layernorm.weight", hidden);
  }
  if (c.fused_qkv) {  // Phi-3: [q | k | v] rows of one matrix, no bias
    const std::string qkv = layer_name(n, "self_attn.qkv_proj.weight");
    const std::int64_t qkv_out = q_out + 2 * kv_out;
    layer.q = {q_rows_.size(), hidden, reader.rows(qkv, qkv_out, hidden, q_rows_), {}};
    layer.k = {kv_rows_.size(), hidden, reader.rows(qkv, qkv_out, hidden, offset(kv_rows_, q_out)), {}};
    layer.v = {kv_rows_.size(), hidden, reader.rows(qkv, qkv_out, hidden, offset(kv_rows_, q_out + kv_out)), {}};
  } else {
    layer.q = column_parallel(reader, layer_name(n, "self_attn.q_proj"), q_out, hidden, q_rows_, c.qkv_bias);
    layer.k = column_parallel(reader, layer_name(n, "self_attn.k_proj"), kv_out, hidden, kv_rows_, c.qkv_bias);
    layer.v = column_parallel(reader, layer_name(n, "self_attn.v_proj"), kv_out, hidden, kv_rows_, c.qkv_bias);
  }
  if (c.rotary_interleaved) {
    deinterleave_rotary_rows(layer.q, c);
    deinterleave_rotary_rows(layer.k, c);
  }
  layer.o = row_parallel(reader, layer_name(n, "self_attn.o_proj"), hidden, q_out, q_rows_, c.o_bias, shard_.rank);
  if (c.qk_norm == QkNorm::kPerHead) {  // one weight per head dimension, shared by all heads: every rank holds it whole
    layer.q_norm = norm("self_attn.q_norm.weight", c.head_dim);
    layer.k_norm = norm("self_attn.k_norm.weight", c.head_dim);
  } else if (c.qk_norm == QkNorm::kWholeProjection) {  // a weight per projection row: split as the rows are
    layer.q_norm = norm_factors(reader.slice(layer_name(n, "self_attn.q_norm.weight"), q_out, q_rows_), c);
    layer.k_norm = norm_factors(reader.slice(layer_name(n, "self_attn.k_norm.weight"), kv_out, kv_rows_), c);
  }
  if (c.attention_sinks) {  // one per query head: this rank's heads
    const Range heads{q_rows_.begin / c.head_dim, q_rows_.end / c.head_dim};
    layer.sinks = reader.slice(layer_name(n, "self_attn.sinks"), c.num_attention_heads, heads);
  }
  if (c.moe.sparse(n) && c.moe.fused_experts) {
    read_fused_experts(reader, layer_name(n, "mlp."), c, expert_part_, shard_.rank, keep_packed && packed_experts(n),
                       layer);
    return layer;
  }
  if (c.moe.sparse(n)) {  // Qwen3-MoE / Mixtral: the router and the experts, model.layers.N.mlp.experts.E.*_proj
    const std::int64_t expert_inter = c.moe.expert_intermediate_size;
    const std::string fused = layer_name(n, "mlp.experts.gate_up_proj");
    if (!checkpoint_.contains(layer_name(n, "mlp.experts.0.gate_proj.weight")) && checkpoint_.contains(fused)) {
      throw std::runtime_error(*checkpoint_.require(fused).file + ": tensor " + quote_name(fused) +
                               ": experts stored fused, as transformers 5.x holds them in memory; the per-expert "
                               "layout of released checkpoints (mlp.experts.E.gate_proj.weight, ...) is read: write the "
                               "model with save_pretrained");
    }
    // Mixtral's released layout: block_sparse_moe.gate and experts.E.w1 (gate), w3 (up), w2 (down).
    const bool mixtral = c.architecture == Architecture::kMixtral;
    const std::string block = mixtral ? "block_sparse_moe." : "mlp.";
    const char* gate_name = mixtral ? "w1" : "gate_proj";
    const char* up_name = mixtral ? "w3" : "up_proj";
    const char* down_name = mixtral ? "w2" : "down_proj";
    layer.router = {c.moe.num_experts, hidden,
                    reader.rows(layer_name(n, block + "gate.weight"), c.moe.num_experts, hidden, {0, c.moe.num_experts}),
                    {}};
    layer.experts.resize(static_cast<std::size_t>(c.moe.num_experts));
    for (std::int64_t e = 0; e < c.moe.num_experts; ++e) {
      const std::string prefix = block + "experts." + std::to_string(e) + ".";
      ExpertWeights& expert = layer.experts[static_cast<std::size_t>(e)];
      expert.gate = column_parallel(reader, layer_name(n, prefix + gate_name), expert_inter, hidden, expert_part_, false);
      expert.up = column_parallel(reader, layer_name(n, prefix + up_name), expert_inter, hidden, expert_part_, false);
      expert.down = row_parallel(reader, layer_name(n, prefix + down_name), hidden, expert_inter, expert_part_, false,
                                 shard_.rank);
    }
    return layer;
  }
  if (c.fused_gate_up) {  // Phi-3, GLM: [gate | up] rows of one matrix
    const std::string gate_up = layer_name(n, "mlp.gate_up_proj.weight");
    layer.gate = {inter_part_.size(), hidden, reader.rows(gate_up, 2 * inter, hidden, inter_part_), {}};
    layer.up = {inter_part_.size(), hidden, reader.rows(gate_up, 2 * inter, hidden, offset(inter_part_, inter)), {}};
  } else {
    layer.gate = column_parallel(reader, layer_name(n, "mlp.gate_proj"), inter, hidden, inter_part_, c.mlp_bias);
    layer.up = column_parallel(reader, layer_name(n, "mlp.up_proj"), inter, hidden, inter_part_, c.mlp_bias);
  }
  layer.down = row_parallel(reader, layer_name(n, "mlp.down_proj"), hidden, inter, inter_part_, c.mlp_bias,
                            shard_.rank);
  if (c.residual_multiplier != 1.0) {  // Granite: each block's output times residual_multiplier, folded in
    scale_linear(layer.o, c.residual_multiplier);
    scale_linear(layer.down, c.residual_multiplier);
  }
  return layer;
}

TransformerWeights load_transformer_weights(const Checkpoint& checkpoint, const ModelConfig& config, ShardSpec shard) {
  const TransformerShardReader reader(checkpoint, config, shard);
  TransformerWeights w = reader.skeleton();
  w.embed = reader.embed();
  w.final_norm = reader.final_norm();
  w.lm_head = reader.lm_head();
  w.layers.resize(static_cast<std::size_t>(config.num_hidden_layers));
  // Layers convert independently; the first error in layer order is the one reported.
  std::vector<std::string> errors(w.layers.size());
  tbb::parallel_for(std::size_t{0}, w.layers.size(), [&](std::size_t i) {
    try {
      w.layers[i] = reader.layer(static_cast<std::int64_t>(i));
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  });
  for (const std::string& error : errors) {
    if (!error.empty()) throw std::runtime_error(error);
  }
  return w;
}

}  // namespace r1eval::engine
