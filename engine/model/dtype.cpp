#include "engine/model/dtype.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace r1eval::engine {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::kBF16:
    case DType::kF16:
      return 2;
    case DType::kF32:
      return 4;
    case DType::kU8:
    case DType::kF8E4M3:
    case DType::kI8:
      return 1;
    case DType::kI32:
      return 4;
    case DType::kI64:
      return 8;
  }
  return 0;
}

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::kBF16:
      return "BF16";
    case DType::kF16:
      return "F16";
    case DType::kF32:
      return "F32";
    case DType::kU8:
      return "U8";
    case DType::kF8E4M3:
      return "F8_E4M3";
    case DType::kI8:
      return "I8";
    case DType::kI32:
      return "I32";
    case DType::kI64:
      return "I64";
  }
  return "?";
}

std::optional<DType> parse_safetensors_dtype(std::string_view name) {
  if (name == "BF16") return DType::kBF16;
  if (name == "F16") return DType::kF16;
  if (name == "F32") return DType::kF32;
  if (name == "U8") return DType::kU8;
  if (name == "F8_E4M3") return DType::kF8E4M3;
  if (name == "I8") return DType::kI8;
  if (name == "I32") return DType::kI32;
  if (name == "I64") return DType::kI64;
  return std::nullopt;
}

std::optional<DType> parse_torch_dtype(std::string_view name) {
  if (name == "bfloat16") return DType::kBF16;
  if (name == "float16") return DType::kF16;
  if (name == "float32") return DType::kF32;
  return std::nullopt;
}

float bf16_to_float(std::uint16_t bits) { return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16); }

float fp16_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  std::uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));  // inf / NaN
  if (exponent == 0) {
    if (mantissa == 0) return std::bit_cast<float>(sign);
    // Subnormal half: normalise it, since fp32 has the exponent range to hold it as a normal number.
    exponent = 1;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      --exponent;
    }
    mantissa &= 0x3FFu;
  }
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float fp8_e4m3_to_float(std::uint8_t bits) {
  const float sign = (bits & 0x80u) != 0 ? -1.0f : 1.0f;
  const int exponent = (bits >> 3) & 0xF, mantissa = bits & 0x7;
  if (exponent == 0xF && mantissa == 0x7) return std::numeric_limits<float>::quiet_NaN();
  // Subnormals (exponent 0) are mantissa / 8 * 2^-6; normals (1 + mantissa / 8) * 2^(exponent - 7). Exact in fp32.
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -9);
  return sign * std::ldexp(static_cast<float>(8 + mantissa), exponent - 10);
}

void convert_to_float(DType dtype, const std::byte* src, std::size_t count, float* dst) {
  switch (dtype) {
    case DType::kF32:
      std::memcpy(dst, src, count * sizeof(float));
      return;
    case DType::kBF16:
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, 2);
        dst[i] = bf16_to_float(bits);
      }
      return;
    case DType::kF16:
      for (std::size_t i = 0; i < count; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, 2);
        dst[i] = fp16_to_float(bits);
      }
      return;
    case DType::kU8:
      for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(std::to_integer<unsigned>(src[i]));
      return;
    case DType::kF8E4M3:
      for (std::size_t i = 0; i < count; ++i) dst[i] = fp8_e4m3_to_float(std::to_integer<std::uint8_t>(src[i]));
      return;
    case DType::kI8:
      for (std::size_t i = 0; i < count; ++i) dst[i] = static_cast<float>(static_cast<std::int8_t>(src[i]));
      return;
    case DType::kI32:
      for (std::size_t i = 0; i < count; ++i) {
        std::int32_t value;
        std::memcpy(&value, src + 4 * i, 4);
        dst[i] = static_cast<float>(value);
      }
      return;
    case DType::kI64:
      for (std::size_t i = 0; i < count; ++i) {
        std::int64_t value;
        std::memcpy(&value, src + 8 * i, 8);
        dst[i] = static_cast<float>(value);
      }
      return;
  }
}

float round_to_dtype(float value, DType dtype) {
  if (dtype == DType::kBF16) {
    std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return std::bit_cast<float>(bits & 0xffff0000u);
  }
  if (dtype == DType::kF16) return static_cast<float>(static_cast<_Float16>(value));
  return value;
}

}  // namespace r1eval::engine
