// Element types of checkpoint tensors and their exact widening to fp32.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace r1eval::engine {

// kU8: raw bytes (gpt-oss's MXFP4 expert blocks and scales), read as such, never as weights. kF8E4M3: float8 e4m3fn
// (FP8 checkpoints), kI8: int8 (compressed-tensors int-quantized), kI32: packed int4 / int8 codes (pack-quantized):
// matrices the weight reader scales by their blocks' scales. kI64: bookkeeping (compressed-tensors' weight_shape).
enum class DType { kBF16, kF16, kF32, kU8, kF8E4M3, kI8, kI32, kI64 };

// Bytes per element.
std::size_t dtype_size(DType dtype);
// The safetensors spelling ("BF16", "F16", "F32", "U8", "F8_E4M3", "I8", "I32", "I64").
std::string_view dtype_name(DType dtype);
// Parses a safetensors dtype name; nullopt for anything this engine does not load.
std::optional<DType> parse_safetensors_dtype(std::string_view name);
// Parses a config.json torch_dtype ("bfloat16", "float16", "float32"); nullopt otherwise.
std::optional<DType> parse_torch_dtype(std::string_view name);

// Exact conversions: every bf16 and fp16 value (subnormals, infinities, NaN) is representable in fp32.
float bf16_to_float(std::uint16_t bits);
float fp16_to_float(std::uint16_t bits);
// e4m3fn: 4 exponent bits (bias 7), 3 mantissa bits, no infinities, S.1111.111 the only NaN; largest 448.
float fp8_e4m3_to_float(std::uint8_t bits);
// Widens `count` elements of `dtype` read from `src` (any alignment, little-endian) into `dst` (U8, I8, I32, I64:
// the integers, I32 and I64 rounded to fp32's precision).
void convert_to_float(DType dtype, const std::byte* src, std::size_t count, float* dst);

// `value` rounded to `dtype` (round to nearest even), as a torch tensor's .to(dtype) rounds it.
float round_to_dtype(float value, DType dtype);

}  // namespace r1eval::engine
