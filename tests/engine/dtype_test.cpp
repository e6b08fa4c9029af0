#include "engine/model/dtype.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace r1eval::engine {
namespace {

// The value an IEEE binary16 bit pattern denotes, from the definition (sign, exponent, mantissa).
double half_by_definition(std::uint16_t bits) {
  const double sign = (bits & 0x8000u) ? -1.0 : 1.0;
  const int exponent = (bits >> 10) & 0x1F;
  const int mantissa = bits & 0x3FF;
  if (exponent == 0x1F) return mantissa == 0 ? sign * INFINITY : NAN;
  if (exponent == 0) return sign * std::ldexp(mantissa / 1024.0, -14);
  return sign * std::ldexp(1.0 + mantissa / 1024.0, exponent - 15);
}

TEST(DType, EveryHalfValueWidensExactly) {
  for (std::uint32_t bits = 0; bits <= 0xFFFFu; ++bits) {
    const float widened = fp16_to_float(static_cast<std::uint16_t>(bits));
    const double expected = half_by_definition(static_cast<std::uint16_t>(bits));
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(widened)) << bits;
    } else {
      ASSERT_EQ(static_cast<double>(widened), expected) << "bits " << bits;
      EXPECT_EQ(std::signbit(widened), (bits & 0x8000u) != 0) << bits;
    }
  }
}

TEST(DType, BfloatIsTheTopHalfOfAFloat) {
  for (const float value : {0.0f, -0.0f, 1.0f, -2.5f, 3.140625f, 1e-40f, -INFINITY}) {
    const auto bits = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(value) >> 16);
    const float widened = bf16_to_float(bits);
    EXPECT_EQ(std::bit_cast<std::uint32_t>(widened), static_cast<std::uint32_t>(bits) << 16);
  }
  EXPECT_EQ(bf16_to_float(0x3F80), 1.0f);
  EXPECT_EQ(bf16_to_float(0xC020), -2.5f);
}

TEST(DType, ConvertReadsUnalignedLittleEndian) {
  // One byte of padding in front so the elements are misaligned.
  unsigned char raw[1 + 3 * 4] = {0};
  const float values[3] = {1.5f, -0.25f, 65504.0f};
  std::memcpy(raw + 1, values, sizeof(values));
  float out[3];
  convert_to_float(DType::kF32, reinterpret_cast<const std::byte*>(raw + 1), 3, out);
  EXPECT_EQ(out[0], 1.5f);
  EXPECT_EQ(out[1], -0.25f);
  EXPECT_EQ(out[2], 65504.0f);
  const unsigned char halves[] = {0x00, 0x3C, 0xFF, 0x7B, 0x01, 0x00};  // 1, 65504, smallest subnormal
  convert_to_float(DType::kF16, reinterpret_cast<const std::byte*>(halves), 3, out);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], 65504.0f);
  EXPECT_EQ(out[2], std::ldexp(1.0f, -24));
}

TEST(DType, Names) {
  EXPECT_EQ(parse_safetensors_dtype("BF16"), DType::kBF16);
  EXPECT_EQ(parse_safetensors_dtype("F64"), std::nullopt);
  EXPECT_EQ(parse_torch_dtype("float16"), DType::kF16);
  EXPECT_EQ(parse_torch_dtype("int8"), std::nullopt);
  EXPECT_EQ(dtype_size(DType::kF32), 4u);
  EXPECT_EQ(dtype_name(DType::kBF16), "BF16");
  // Bytes (gpt-oss's MXFP4 blocks and scales): one byte each, widened as the integers they are.
  EXPECT_EQ(parse_safetensors_dtype("U8"), DType::kU8);
  EXPECT_EQ(parse_safetensors_dtype("I16"), std::nullopt);
  EXPECT_EQ(dtype_size(DType::kU8), 1u);
  EXPECT_EQ(dtype_name(DType::kU8), "U8");
  const unsigned char bytes[] = {0, 127, 255};
  float out[3];
  convert_to_float(DType::kU8, reinterpret_cast<const std::byte*>(bytes), 3, out);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 127.0f);
  EXPECT_EQ(out[2], 255.0f);
}

// float8 e4m3fn (block-FP8 weights): bias 7, 3 mantissa bits, subnormals, no infinities, one NaN code per sign.
TEST(DType, Float8E4M3) {
  EXPECT_EQ(parse_safetensors_dtype("F8_E4M3"), DType::kF8E4M3);
  EXPECT_EQ(parse_safetensors_dtype("F8_E5M2"), std::nullopt);
  EXPECT_EQ(dtype_size(DType::kF8E4M3), 1u);
  EXPECT_EQ(dtype_name(DType::kF8E4M3), "F8_E4M3");
  EXPECT_EQ(fp8_e4m3_to_float(0x00), 0.0f);
  EXPECT_TRUE(std::signbit(fp8_e4m3_to_float(0x80)));
  EXPECT_EQ(fp8_e4m3_to_float(0x38), 1.0f);           // exponent 7, mantissa 0
  EXPECT_EQ(fp8_e4m3_to_float(0x3C), 1.5f);           // mantissa 4 / 8
  EXPECT_EQ(fp8_e4m3_to_float(0xC0), -2.0f);
  EXPECT_EQ(fp8_e4m3_to_float(0x7E), 448.0f);         // the largest finite value
  EXPECT_EQ(fp8_e4m3_to_float(0x08), std::ldexp(1.0f, -6));  // the smallest normal
  EXPECT_EQ(fp8_e4m3_to_float(0x01), std::ldexp(1.0f, -9));  // the smallest subnormal
  EXPECT_EQ(fp8_e4m3_to_float(0x07), 7 * std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(fp8_e4m3_to_float(0x7F)));
  EXPECT_TRUE(std::isnan(fp8_e4m3_to_float(0xFF)));
  // Every other code is finite, and the positive codes rise with their bits.
  for (int code = 1; code < 0x7F; ++code) {
    EXPECT_LT(fp8_e4m3_to_float(static_cast<std::uint8_t>(code - 1)), fp8_e4m3_to_float(static_cast<std::uint8_t>(code)));
    EXPECT_EQ(fp8_e4m3_to_float(static_cast<std::uint8_t>(code | 0x80)), -fp8_e4m3_to_float(static_cast<std::uint8_t>(code)));
  }
  const unsigned char fp8_bytes[] = {0x38, 0xC0, 0x7E};
  float out[3];
  convert_to_float(DType::kF8E4M3, reinterpret_cast<const std::byte*>(fp8_bytes), 3, out);
  EXPECT_EQ(out[0], 1.0f);
  EXPECT_EQ(out[1], -2.0f);
  EXPECT_EQ(out[2], 448.0f);
}

// Integer codes (compressed-tensors' int8 weights and packed words) widen as the signed integers they are.
TEST(DType, Integers) {
  EXPECT_EQ(parse_safetensors_dtype("I8"), DType::kI8);
  EXPECT_EQ(parse_safetensors_dtype("I32"), DType::kI32);
  EXPECT_EQ(parse_safetensors_dtype("I64"), DType::kI64);
  EXPECT_EQ(dtype_size(DType::kI8), 1u);
  EXPECT_EQ(dtype_size(DType::kI32), 4u);
  EXPECT_EQ(dtype_size(DType::kI64), 8u);
  const std::int8_t small[] = {-128, -1, 127};
  const std::int32_t words[] = {-2147483647 - 1, 123456};
  const std::int64_t wide[] = {-5, 4096};
  float out[3];
  convert_to_float(DType::kI8, reinterpret_cast<const std::byte*>(small), 3, out);
  EXPECT_EQ(out[0], -128.0f);
  EXPECT_EQ(out[1], -1.0f);
  EXPECT_EQ(out[2], 127.0f);
  convert_to_float(DType::kI32, reinterpret_cast<const std::byte*>(words), 2, out);
  EXPECT_EQ(out[0], -2147483648.0f);
  EXPECT_EQ(out[1], 123456.0f);
  convert_to_float(DType::kI64, reinterpret_cast<const std::byte*>(wide), 2, out);
  EXPECT_EQ(out[0], -5.0f);
  EXPECT_EQ(out[1], 4096.0f);
}

}  // namespace
}  // namespace r1eval::engine
